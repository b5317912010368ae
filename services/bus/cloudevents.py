"""CloudEvents 1.0 Kafka binary content mode: ce_* headers, JSON body, key = work-order id."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from cloudevents.core.bindings.kafka import to_binary_event
from cloudevents.core.v1.event import CloudEvent

from schemas.events import EventEnvelope
from schemas.payloads import RefusalReason
from schemas.validation import CONTROL_CHARACTERS

# What a record must carry to be read as one of our events.
REQUIRED_HEADERS = ("ce_specversion", "ce_id", "ce_source", "ce_type", "ce_subject")
MAX_ID_CHARS = 40  # consumers remember ids they have handled (processed_events.event_id)
MAX_SUBJECT_CHARS = 40  # the subject is a work-order id (work_orders.id)
MAX_ATTRIBUTE_CHARS = 120  # ce_source, ce_type (the outbox's columns)


def _clean(value: str | None, limit: int) -> bool:
    """Whether an attribute can be stored as it is: PostgreSQL holds no NUL in text, and a longer one
    than its column is refused by the database (as a retry-for-ever, not as a bad record). An attribute
    is an identifier, so no tab or line break either (free text may hold them: schemas.validation)."""
    return value is not None and len(value) <= limit and CONTROL_CHARACTERS.isdisjoint(value)


def _holds_nul(data: Any) -> bool:
    if isinstance(data, str):
        return "\x00" in data
    if isinstance(data, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in data.items())
    if isinstance(data, list):
        return any(_holds_nul(v) for v in data)
    return False


class UnreadableRecord(ValueError):
    """A record that is not a CloudEvent we can read (retrying would never help). `source` and
    `subject` are the ce_source and ce_subject headers, when the record had readable ones."""

    def __init__(self, reason: RefusalReason, message: str, *, source: str | None, subject: str | None) -> None:
        super().__init__(message)
        self.reason, self.source, self.subject = reason, source, subject


def to_kafka(event: EventEnvelope) -> tuple[bytes, bytes, list[tuple[str, bytes]]]:
    """(key, value, headers) for aiokafka."""
    attributes: dict[str, Any] = {
        "specversion": "1.0",
        "id": event.id,
        "source": event.source,
        "type": event.type,
        "subject": event.subject,
        "time": event.time,
        "datacontenttype": "application/json",
    }
    # CloudEvents distributed-tracing extension: ce_traceparent / ce_tracestate headers.
    if event.traceparent:
        attributes["traceparent"] = event.traceparent
    if event.tracestate:
        attributes["tracestate"] = event.tracestate
    # The body is UTF-8 JSON as written (readable in kcat), not \uXXXX escapes.
    body = json.dumps(event.data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    ce = CloudEvent(attributes=attributes, data=body)
    message = to_binary_event(ce)
    return event.key.encode(), message.value, list(message.headers.items())


def from_kafka(
    topic: str, key: bytes | None, value: bytes | None, headers: Sequence[tuple[str, bytes]]
) -> EventEnvelope:
    """Read a record written by `to_kafka` (or by any CloudEvents binary-mode producer), or raise
    UnreadableRecord saying what is wrong: a missing ce_* header, a key that is not the ce_subject,
    a body that is not a JSON object."""
    text: dict[str, str] = {}
    for name, raw in headers:
        try:
            text[name] = raw.decode("utf-8") if raw is not None else ""
        except UnicodeDecodeError:
            text[name] = ""  # an undecodable value counts as missing
    source, subject = text.get("ce_source") or None, text.get("ce_subject") or None

    def refuse(reason: RefusalReason, message: str) -> UnreadableRecord:
        # A dead-letter handler stores them: only as they can be stored.
        return UnreadableRecord(reason, message, source=source if _clean(source, MAX_ATTRIBUTE_CHARS) else None,
                                subject=subject if _clean(subject, MAX_SUBJECT_CHARS) else None)

    missing = [name for name in REQUIRED_HEADERS if not text.get(name)]
    if missing:
        raise refuse(RefusalReason.missing_attribute, f"missing or unreadable header(s): {', '.join(missing)}")
    if len(text["ce_id"]) > MAX_ID_CHARS:
        raise refuse(RefusalReason.unreadable, f"ce_id is longer than {MAX_ID_CHARS} characters (use a UUID)")
    for name, limit in (("ce_id", MAX_ID_CHARS), ("ce_subject", MAX_SUBJECT_CHARS),
                        ("ce_source", MAX_ATTRIBUTE_CHARS), ("ce_type", MAX_ATTRIBUTE_CHARS)):
        if not _clean(text[name], limit):
            raise refuse(RefusalReason.unreadable,
                         f"{name} holds a control character or is longer than {limit} characters")
    if text["ce_specversion"] != "1.0":
        raise refuse(RefusalReason.unreadable, f"ce_specversion is {text['ce_specversion']!r}, not '1.0'")
    try:
        key_text = key.decode("utf-8") if key is not None else None
    except UnicodeDecodeError:
        key_text = None
    if key_text != subject:
        # The key decides the partition, and so the order of an order's events: it must be the order.
        raise refuse(RefusalReason.key_mismatch, f"the record key {key_text!r} is not the ce_subject {subject!r}")
    content_type = (text.get("content-type") or text.get("ce_datacontenttype") or "application/json").split(";")[0]
    if content_type.strip().lower() != "application/json":
        raise refuse(RefusalReason.unreadable, f"content-type is {content_type!r}, not application/json")
    try:
        data = json.loads(value or b"")
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise refuse(RefusalReason.unreadable, f"the body is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise refuse(RefusalReason.unreadable, "the body is not a JSON object")
    if b"\\u0000" in (value or b"") and _holds_nul(data):  # JSON writes a NUL so: look only when it may
        raise refuse(RefusalReason.unreadable, "the body holds a NUL character (\\u0000)")
    time = datetime.now().astimezone()
    if text.get("ce_time"):
        try:
            time = datetime.fromisoformat(text["ce_time"].replace("Z", "+00:00"))
        except ValueError:
            raise refuse(RefusalReason.unreadable, f"ce_time {text['ce_time']!r} is not an RFC 3339 time") from None
        if time.tzinfo is None:
            raise refuse(RefusalReason.unreadable, f"ce_time {text['ce_time']!r} has no UTC offset")
    assert subject is not None and source is not None
    try:
        return EventEnvelope(id=text["ce_id"], type=text["ce_type"], source=source, subject=subject, time=time,
                             topic=topic, data=data, traceparent=text.get("ce_traceparent"),
                             tracestate=text.get("ce_tracestate"))
    except ValueError as exc:
        raise refuse(RefusalReason.unreadable, f"not an event: {exc}") from None
