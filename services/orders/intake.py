"""Storing a new appeal as a `received` work order: personal data sealed apart, exact repeats
answered with the first response, near-duplicates merged into the open order (并单)."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from intake.channels import request_digest, to_appeal
from intake.duplicates import Report, latitude_band
from intake.exceptions import ChannelClosed, RepeatConflict
from intake.masking import mask_text
from intake.normalise import content_fingerprint
from intake.pii import separate
from intake.vault import citizen_token
from schemas.channels import ChannelAppeal
from schemas.events import LIFECYCLE_TOPIC, RECEIVED_TYPE, EventEnvelope
from schemas.lifecycle import Action, State
from schemas.payloads import ReceivedEvent
from services.context import DomainContext
from services.db import new_orders
from services.db import repositories as repo
from services.db.tables import OutboxEvent, PersonalData, WorkOrder, WorkOrderHistory
from services.offline_duplicates import index_for, remembered_profile, topic_and_places
from services.orders import lifecycle
from services.orders.lifecycle import order_summary, token_hash, transition


@dataclass(frozen=True)
class Accepted:
    order: WorkOrder
    created: bool
    citizen_token: str | None


def key_digest(idempotency_key: str | None) -> str | None:
    """Idempotency keys are stored as digests: a client may well use a phone number as one."""
    return hashlib.sha256(idempotency_key.encode()).hexdigest() if idempotency_key else None


def repeat_answer(ctx: DomainContext, existing: WorkOrder, digest: str, *, external_id: str | None,
                  idempotency_key: str | None) -> Accepted:
    """The first response again for an exact repeat; a different appeal under the same id is refused."""
    if existing.request_digest is not None and existing.request_digest != digest:
        if idempotency_key and existing.idempotency_key == key_digest(idempotency_key):
            raise RepeatConflict("Idempotency-Key", mask_text(idempotency_key))
        raise RepeatConflict("external_id", external_id or "")  # already masked
    return Accepted(existing, created=False, citizen_token=citizen_token(ctx.token_secret, existing.id))


async def answer_race(session: AsyncSession, ctx: DomainContext, submission: ChannelAppeal, *,
                      idempotency_key: str | None) -> Accepted:
    """After a concurrent submission with the same id won the insert: the repeat answer for it."""
    appeal, _ = separate(to_appeal(submission))
    existing = await repo.find_repeat(session, channel=appeal.channel, external_id=appeal.external_id,
                                      idempotency_key=key_digest(idempotency_key))
    if existing is None:
        raise RepeatConflict("Idempotency-Key" if idempotency_key else "external_id",
                             mask_text(idempotency_key or appeal.external_id or ""))
    return repeat_answer(ctx, existing, request_digest(submission), external_id=appeal.external_id,
                         idempotency_key=idempotency_key)


def _report(order: WorkOrder | Row[Any], topic: frozenset[str], places: frozenset[str]) -> Report:
    return Report(id=order.id, text=order.text_masked, address=order.address, channel=order.channel,
                  reported_at=order.reported_at or order.created_at, topic=topic, places=places,
                  latitude=order.latitude, longitude=order.longitude)


def _open_duplicate(ctx: DomainContext, order: WorkOrder, candidates: Sequence[Row[Any]]) -> tuple[str, str] | None:
    """(the open order this one repeats, why), if any, of the open orders of its window and the
    orders merged into them (repositories.duplicate_candidates_query): same place, same matter,
    within the window, and no report of the incident naming another place."""
    if not candidates:
        return None
    topic, places = topic_and_places(ctx.router, order.text_masked, order.channel, order.address)
    new = _report(order, topic, places)
    index = index_for(ctx.duplicates, ctx.router)
    # An incident is its open order and the orders merged into it: the detector sees all its reports,
    # as offline (an order merged into one no longer open, or reported before the window, is left out).
    roots = {c.id for c in candidates if c.merged_into is None}
    # Keyed by the whole row as a plain tuple (every field the report is made of; a tuple compares
    # in C, a row does not): an order the router has placed since is profiled afresh.
    members = [(remembered_profile(index, tuple(c), _candidate_report, c), c.merged_into or c.id)
               for c in candidates if (c.merged_into or c.id) in roots]
    match = index.best_incident(new, members)
    return (match.report_id, match.why) if match else None


def _candidate_report(row: Row[Any]) -> Report:
    return _report(row, _order_topic(row), _order_places(row))


def _order_topic(order: WorkOrder | Row[Any]) -> frozenset[str]:
    topic = set()
    if order.dept:
        topic.add(f"dept:{order.dept}")
    if order.matter:
        topic.add(f"matter:{order.matter}")
    return frozenset(topic)


def _order_places(order: WorkOrder | Row[Any]) -> frozenset[str]:
    return frozenset({f"village:{order.village}"}) if order.village else frozenset()


async def accept_appeal(
    session: AsyncSession, ctx: DomainContext, submission: ChannelAppeal, *, idempotency_key: str | None = None,
    actor: str | None = None, channel: str | None = None,
) -> Accepted:
    """Store a new appeal as a `received` order (merged at once into an open order when it repeats
    one), or answer an exact repeat (same channel + external id, or same idempotency key) with the
    first response. Raises RepeatConflict, ChannelClosed."""
    if (channel or submission.channel) in ctx.channels_off:
        raise ChannelClosed(channel or submission.channel)
    digest = request_digest(submission)
    raw = to_appeal(submission)
    if channel is not None:  # a standard's front door (Open311) over a citizen model
        raw = replace(raw, channel=channel)
    appeal, personal = separate(raw)
    now = ctx.now()
    reported_at: datetime = min(appeal.reported_at, now) if appeal.reported_at else now
    order_id = f"wo_{uuid.uuid4().hex[:20]}"
    token = citizen_token(ctx.token_secret, order_id)
    values: dict[str, Any] = dict(
        id=order_id, channel=appeal.channel, external_id=appeal.external_id,
        idempotency_key=key_digest(idempotency_key),
        fingerprint=content_fingerprint(raw.text, raw.caller_phone), text=appeal.text, text_masked=appeal.text,
        address=appeal.address, caller_name=appeal.caller_name, caller_phone=appeal.caller_phone,
        confidential=appeal.confidential, citizen_token_hash=token_hash(token), state=State.received.value,
        return_count=0, reopen_count=0, created_at=now, updated_at=now, request_digest=digest,
        reported_at=reported_at, transfer_deadline=appeal.deadline, details=appeal.details or None,
        latitude=appeal.latitude, longitude=appeal.longitude, callback_wanted=appeal.callback_wanted,
    )
    order = WorkOrder(**values)  # what the caller and the events read; written below in one statement
    history = dict(work_order_id=order_id, at=now, actor=mask_text(actor or f"channel:{order.channel}"),
                   action="receive", from_state=None, to_state=State.received.value, reason=None, data=None)
    received = EventEnvelope(
        type=RECEIVED_TYPE, subject=order_id, topic=LIFECYCLE_TOPIC, time=now,
        data=ReceivedEvent(**order_summary(order), text=order.text_masked, address=order.address,
                           confidential=order.confidential, at=now).model_dump(mode="json"))
    sealed = dict(work_order_id=order_id, sealed=ctx.vault.seal(personal), created_at=now)
    # Insert-or-detect-repeat: the order, its history record, its event and its personal data go in
    # together, or nothing does when the channel + external id or the idempotency key is taken.
    # The open orders it may repeat come back from the same statement.
    created, candidates = await new_orders.insert_new_order(
        session, values, [(WorkOrderHistory, history), (OutboxEvent, repo.outbox_row(received, now)),
                          (PersonalData, sealed)],
        window=(reported_at - ctx.duplicates.window, reported_at + ctx.duplicates.window),
        band=latitude_band(appeal.latitude, appeal.longitude, ctx.duplicates))
    if not created:
        existing = await repo.find_repeat(session, channel=appeal.channel, external_id=appeal.external_id,
                                          idempotency_key=key_digest(idempotency_key))
        if existing is None:  # taken by a submission not committed yet, which then rolled back
            raise RepeatConflict("Idempotency-Key" if idempotency_key else "external_id",
                                 mask_text(idempotency_key or appeal.external_id or ""))
        return repeat_answer(ctx, existing, digest, external_id=appeal.external_id, idempotency_key=idempotency_key)
    duplicate = _open_duplicate(ctx, order, candidates)
    if duplicate is not None:
        into, why = duplicate
        order = await lifecycle.load_for_update(session, order_id)
        order.merged_into = into
        transition(session, order, Action.merge, actor="intake:duplicates", now=now,
                   reason=f"并单: repeats {into} ({why})", data={"merged_into": into})
    return Accepted(order, created=True, citizen_token=token)
