"""Unit systems answering over Kafka (hotline.unit-replies) instead of REST.

A reply is a CloudEvent: ce_source names the unit (urn:hotline:unit:<code>; the broker's ACLs
decide who may write to the topic), ce_type the command (org.hotline.unit.<name>), ce_subject and
the record key the work order; the JSON body carries `unit` (the same unit), optionally `actor`
(the person) and the command's own fields. It runs through the same registry as the REST routes
(services.orders.unit_commands), so it is checked the same and refused with the same errors.

Whatever is refused changes nothing and is answered on the unit's own dispatch topic with a
`reply_refused` event saying why (whenever ce_source names a known unit); a record that cannot be
read at all is also kept on the dead-letter topic with the reason. Neither is ever retried, so one
bad record never holds up the partition. Only the database or the broker failing is retried.
"""

from __future__ import annotations

import base64
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from intake.masking import mask_text
from schemas.events import (
    DEAD_LETTER_TYPE,
    REPLY_REFUSED_TYPE,
    UNIT_REPLIES_DLQ_TOPIC,
    EventEnvelope,
    dispatch_topic,
    unit_of_source,
)
from schemas.payloads import DeadLetter, RefusalReason, ReplyRefused, UnitReplyIdentity
from schemas.validation import problem_words, tag_field
from services.bus.base import Handler, RawRecord, UnreadableHandler
from services.bus.cloudevents import UnreadableRecord
from services.context import DomainContext
from services.db import event_claims as claims
from services.db import order_units as hands
from services.db import repositories as repo
from services.db.engine import database_unavailable
from services.errors import OrderNotFound
from services.metrics import EVENTS_CONSUMED, EVENTS_REFUSED
from services.orders.acting import UnitActor
from services.orders.unit_commands import REGISTRY, UnitCommand, UnknownCommand

log = logging.getLogger(__name__)

REPLIES_CONSUMER = "hotline-feedback"  # the feedback service's consumer group of the units' replies


class ReplyRefusal(Exception):
    """A reply refused before its command runs: who sent it, or which command it is, is wrong."""

    def __init__(self, reason: RefusalReason, status: int, message: str) -> None:
        super().__init__(message)
        self.reason, self.status = reason, status


@dataclass(frozen=True)
class Refusal:
    reason: RefusalReason
    error: str  # the error code REST answers the same request with (or the reason, for Kafka-only faults)
    status: int
    message: str


def retryable(exc: BaseException) -> bool:
    """The database or the network failing: the same record may well succeed later (a database
    shutting down, 57P01, too: it reaches here as a plain DBAPIError)."""
    return database_unavailable(exc)


def validation_message(exc: ValidationError) -> str:
    """The words REST uses for an invalid body: `field: problem; …` (services.apps.common)."""
    problems = []
    for e in exc.errors():
        loc = [str(p) for p in e.get("loc", ())]
        if (named := tag_field(e)) is not None:
            loc.append(named)
        problems.append(f"{'.'.join(loc) or 'body'}: {problem_words(e)}")
    return "; ".join(problems)


def describe(exc: BaseException) -> Refusal:
    """Why a reply was refused, in the terms REST would use for the same request."""
    if isinstance(exc, ReplyRefusal):
        return Refusal(exc.reason, exc.reason.value, exc.status, str(exc))
    if isinstance(exc, UnreadableRecord):
        return Refusal(exc.reason, exc.reason.value, 400, str(exc))
    if isinstance(exc, ValidationError):
        return Refusal(RefusalReason.refused, "validation_error", 422, validation_message(exc))
    # Imported here: the web layer's one status table, which imports the runtime that wires us.
    from services.apps.common import error_code, status_of

    status = status_of(type(exc))
    if status >= 500:
        return Refusal(RefusalReason.internal_error, "internal_error", 500,
                       "the centre could not act on this reply (its fault, logged); send it again later "
                       "or tell the centre")
    return Refusal(RefusalReason.refused, error_code(type(exc)), status, str(exc))


def parse_reply(ctx: DomainContext, event: EventEnvelope) -> tuple[UnitCommand, UnitActor, dict[str, object]]:
    """The command, who acts, and the command's own fields; ReplyRefusal or ValidationError."""
    unit = unit_of_source(event.source)
    if unit is None or unit not in ctx.router.units():
        raise ReplyRefusal(RefusalReason.unknown_source, 401,
                           f"ce_source {event.source!r} is not urn:hotline:unit:<a known unit code>")
    try:
        command = REGISTRY.by_type(event.type)
    except UnknownCommand as exc:
        raise ReplyRefusal(RefusalReason.unknown_type, 400, f"ce_type {event.type!r}: {exc}") from None
    fields = dict(event.data)
    identity = UnitReplyIdentity.model_validate({k: fields.pop(k) for k in ("unit", "actor") if k in fields})
    if identity.unit != unit:
        raise ReplyRefusal(RefusalReason.wrong_unit, 403,
                           f"unit: {identity.unit!r} is not the unit ce_source names ({unit!r})")
    actor = f"unit:{unit}/kafka" + (f" ({mask_text(identity.actor)})" if identity.actor else "")
    return command, UnitActor(unit=unit, actor=actor[:128]), fields


async def apply_reply(session: AsyncSession, ctx: DomainContext, event: EventEnvelope) -> None:
    command, who, fields = parse_reply(ctx, event)
    if who.unit not in await hands.order_units(session, event.subject):
        raise OrderNotFound(event.subject)  # as over REST: not in its hands, so not there for it
    await REGISTRY.run(session, ctx, command.name, event.subject, who, fields)


def refusal_event(unit: str, refusal: Refusal, *, subject: str | None, refused_id: str | None,
                  refused_type: str | None, now: datetime) -> EventEnvelope:
    """The answer on the unit's own topic, keyed by the order the reply was about."""
    # Every attribute is the sender's own text: a number in any of them is masked like everywhere else.
    subject, refused_id, refused_type = (mask_text(v) if v else v for v in (subject, refused_id, refused_type))
    payload = ReplyRefused(work_order_id=subject, refused_event_id=refused_id, refused_type=refused_type,
                           reason=refusal.reason, error=refusal.error, status=refusal.status,
                           message=mask_text(refusal.message), at=now)
    return EventEnvelope(type=REPLY_REFUSED_TYPE, subject=(subject or refused_id or "unknown")[:64],
                         topic=dispatch_topic(unit), time=now, data=payload.model_dump(mode="json"))


def _known_unit(ctx: DomainContext, source: str | None) -> str | None:
    unit = unit_of_source(source)
    return unit if unit is not None and unit in ctx.router.units() else None


def reply_handler(consumer: str, sessions: async_sessionmaker[AsyncSession], ctx: DomainContext,
                  after_commit: Callable[[], None] = lambda: None) -> Handler:
    """Each reply acted on once (its ce_id), or refused once, with the refusal told to the unit."""

    async def handle(event: EventEnvelope) -> None:
        try:
            async with sessions() as session, session.begin():
                if not await claims.claim_event(session, consumer, event.id, ctx.now()):
                    EVENTS_CONSUMED.labels(consumer, event.topic, "duplicate").inc()
                    return
                await apply_reply(session, ctx, event)
        except Exception as exc:
            if retryable(exc):
                raise
            refusal = describe(exc)
            if refusal.reason is RefusalReason.internal_error:
                log.exception("%s could not act on reply %s (%s)", consumer, event.id, event.type)
            else:
                log.warning("%s refused reply %s (%s): %s", consumer, event.id, event.type, refusal.message,
                            extra={"work_order_id": event.subject, "event_id": event.id})
            async with sessions() as session, session.begin():
                now = ctx.now()
                await claims.record_failed_event(session, consumer, event.id, now,
                                               mask_text(f"refused: {refusal.error}: {refusal.message}"))
                unit = _known_unit(ctx, event.source)
                if unit is not None:
                    repo.add_outbox(session, refusal_event(unit, refusal, subject=event.subject,
                                                           refused_id=event.id, refused_type=event.type,
                                                           now=now), now)
            EVENTS_REFUSED.labels(consumer, event.topic, refusal.error).inc()
            after_commit()
            return
        EVENTS_CONSUMED.labels(consumer, event.topic, "ok").inc()
        after_commit()

    return handle


def _text(raw: bytes | None) -> tuple[str | None, str]:
    """(text, encoding): UTF-8 when it decodes, else base64; phone, ID and card numbers masked (in
    bytes that are not UTF-8, the ASCII digits: read as Latin-1, one character a byte, so masking
    keeps every other byte as it came)."""
    if raw is None:
        return None, "utf-8"
    try:
        return mask_text(raw.decode("utf-8")), "utf-8"
    except UnicodeDecodeError:
        as_bytes = mask_text(raw.decode("latin-1"))
        masked = as_bytes.encode("latin-1") if len(as_bytes) == len(raw) else raw.translate(None, b"0123456789")
        return base64.b64encode(masked).decode("ascii"), "base64"


def dead_letter_handler(consumer: str, sessions: async_sessionmaker[AsyncSession], ctx: DomainContext,
                        after_commit: Callable[[], None] = lambda: None) -> UnreadableHandler:
    """A record on the reply topic that is not a readable reply: kept on the dead-letter topic as
    it came, with the reason, and the unit told when its ce_source names one. Once per record
    (topic, partition, offset), however often it is delivered."""

    async def handle(record: RawRecord, exc: Exception) -> None:
        reason = exc.reason if isinstance(exc, UnreadableRecord) else RefusalReason.unreadable
        source = exc.source if isinstance(exc, UnreadableRecord) else None
        subject = exc.subject if isinstance(exc, UnreadableRecord) else None
        subject = mask_text(subject) if subject else subject
        key, _ = _text(record.key)
        value, encoding = _text(record.value)
        headers = {name: _text(raw)[0] or "" for name, raw in record.headers}
        marker = "dlq:" + hashlib.sha1(f"{record.topic}:{record.partition}:{record.offset}".encode()).hexdigest()[:36]
        why = mask_text(str(exc))
        log.warning("%s dead-letters %s@%s/%s: %s", consumer, record.topic, record.partition, record.offset, why)
        async with sessions() as session, session.begin():
            now = ctx.now()
            if not await claims.claim_event(session, consumer, marker, now, outcome=f"dead-lettered: {why}"):
                return
            unit = _known_unit(ctx, source)
            letter = DeadLetter(topic=record.topic, partition=record.partition, offset=record.offset, key=key,
                                headers=headers, value=value or "", value_encoding=encoding, unit=unit,
                                reason=f"{reason.value}: {why}", at=now)
            repo.add_outbox(session, EventEnvelope(type=DEAD_LETTER_TYPE, subject=(subject or key or marker)[:64],
                                                   topic=UNIT_REPLIES_DLQ_TOPIC, time=now,
                                                   data=letter.model_dump(mode="json")), now)
            if unit is not None:
                refusal = describe(exc)
                repo.add_outbox(session, refusal_event(unit, refusal, subject=subject or key,
                                                       refused_id=headers.get("ce_id") or None,
                                                       refused_type=headers.get("ce_type") or None, now=now), now)
        EVENTS_REFUSED.labels(consumer, record.topic, reason.value).inc()
        after_commit()

    return handle
