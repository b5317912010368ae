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
    """(key, value, headers) for aiokafka: the record the cloudevents library's `to_binary_event`
    makes of the event (`_library_record`), byte for byte, written directly. The relay does this
    for every event it publishes; the library's event object and its validation cost about four
    times the rest (`tests/services/test_cloudevents_record.py` holds the two equal). An event the
    library would refuse (an empty id, source, type or subject, a time without a UTC offset) goes
    through the library, which refuses it as before."""
    at = event.time
    if not (event.id and event.source and event.type and event.subject and at.tzinfo is not None):
        return _library_record(event)
    stamp = at.isoformat()
    if stamp.endswith("+00:00"):
        stamp = stamp[:-6] + "Z"
    headers = [("ce_specversion", b"1.0"), ("ce_id", event.id.encode()), ("ce_source", event.source.encode()),
               ("ce_type", event.type.encode()), ("ce_subject", event.subject.encode()),
               ("ce_time", stamp.encode()), ("content-type", b"application/json")]
    if event.traceparent:
        headers.append(("ce_traceparent", event.traceparent.encode()))
    if event.tracestate:
        headers.append(("ce_tracestate", event.tracestate.encode()))
    return event.key.encode(), _body(event), headers


def _body(event: EventEnvelope) -> bytes:
    # UTF-8 JSON as written (readable in kcat), not \uXXXX escapes.
    return json.dumps(event.data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _library_record(event: EventEnvelope) -> tuple[bytes, bytes, list[tuple[str, bytes]]]:
    """(key, value, headers) through the cloudevents library (binary content mode)."""
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
    message = to_binary_event(CloudEvent(attributes=attributes, data=_body(event)))
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
