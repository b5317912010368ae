"""Storing a new appeal as a `received` work order: personal data sealed apart, exact repeats
answered with the first response, near-duplicates merged into the open order (并单)."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from intake.channels import id_field, request_digest, to_appeal
from intake.duplicates import Band, Match, Report, coordinate_band, lasting_told
from intake.exceptions import ChannelClosed, RepeatConflict
from intake.masking import mask_text
from intake.normalise import content_fingerprint
from intake.pii import separate, shown_external_id
from intake.vault import citizen_token
from schemas.channels import ChannelAppeal
from schemas.events import LIFECYCLE_TOPIC, RECEIVED_TYPE, EventEnvelope
from schemas.lifecycle import State
from schemas.payloads import ReceivedEvent
from schemas.taxonomy import WhistleClass
from services.context import DomainContext
from services.db import new_orders
from services.db import repositories as repo
from services.db.tables import Base, OutboxEvent, PersonalData, WorkOrder, WorkOrderHistory
from services.offline_duplicates import index_for, remembered_profile, topic_and_places
from services.orders import lifecycle
from services.orders.followers import LINK_ACTOR, link_incident, merge_into
from services.orders.lifecycle import order_summary, token_hash


@dataclass(frozen=True)
class Accepted:
    order: WorkOrder
    created: bool
    citizen_token: str | None


def key_digest(idempotency_key: str | None) -> str | None:
    """Idempotency keys are stored as digests: a client may well use a phone number as one."""
    return hashlib.sha256(idempotency_key.encode()).hexdigest() if idempotency_key else None


def repeat_answer(ctx: DomainContext, existing: WorkOrder, digest: str, *, external_id: str | None,
                  idempotency_key: str | None, id_name: str = "external_id") -> Accepted:
    """The first response again for an exact repeat; a different appeal under the same id is refused."""
    if existing.request_digest is not None and existing.request_digest != digest:
        if idempotency_key and existing.idempotency_key == key_digest(idempotency_key):
            raise RepeatConflict("Idempotency-Key", mask_text(idempotency_key))
        raise RepeatConflict(id_name, shown_external_id(external_id or ""))  # already masked
    return Accepted(existing, created=False, citizen_token=citizen_token(ctx.token_secret, existing.id))


async def answer_race(session: AsyncSession, ctx: DomainContext, submission: ChannelAppeal, *,
                      idempotency_key: str | None) -> Accepted:
    """After a concurrent submission with the same id won the insert: the repeat answer for it."""
    appeal, _ = separate(to_appeal(submission), id_secret=ctx.token_secret)
    existing = await repo.find_repeat(session, channel=appeal.channel, external_id=appeal.external_id,
                                      idempotency_key=key_digest(idempotency_key))
    if existing is None:
        raise RepeatConflict("Idempotency-Key" if idempotency_key else id_field(submission),
                             mask_text(idempotency_key or shown_external_id(appeal.external_id or "")))
    return repeat_answer(ctx, existing, request_digest(submission), external_id=appeal.external_id,
                         idempotency_key=idempotency_key, id_name=id_field(submission))


def _report(order: WorkOrder | Row[Any], topic: frozenset[str], places: frozenset[str],
            long_standing: bool) -> Report:
    return Report(id=order.id, text=order.text_masked, address=order.address, channel=order.channel,
                  reported_at=order.reported_at or order.created_at, topic=topic, places=places,
                  latitude=order.latitude, longitude=order.longitude, long_standing=long_standing)


def _open_duplicate(ctx: DomainContext, new_appeal: _NewAppeal, candidates: Sequence[Row[Any]]) -> Match | None:
    """The open order this one repeats (the match: its id, why, and the other open orders it shows are
    the same incident), if any, of the open orders of its window and the
    orders merged into them (repositories.duplicate_candidates_query): same place, same matter,
    within the window, and no report of the incident naming another place."""
    if not candidates:
        return None
    order = new_appeal.order
    topic, places, standing = topic_and_places(ctx.router, order.text_masked, order.channel, order.address)
    new = _report(order, topic, places, standing)
    index = index_for(ctx.duplicates, ctx.router)
    # An incident is its open order and the orders merged into it: the detector sees all its reports,
    # as offline (an order merged into one no longer open, or reported before the window, is left out).
    roots = {c.id for c in candidates if c.merged_into is None}
    # Keyed by the whole row as a plain tuple (every field the report is made of; a tuple compares
    # in C, a row does not): an order the router has placed since is profiled afresh.
    members = [(remembered_profile(index, tuple(c), _candidate_report, c), c.merged_into or c.id)
               for c in candidates if (c.merged_into or c.id) in roots]
    return index.best_incident(new, members, new_appeal.told)  # its lasting as read for the window


def _candidate_report(row: Row[Any]) -> Report:
    return _report(row, _order_topic(row), _order_places(row), row.whistle_class == WhistleClass.hard.value)


def _order_topic(order: WorkOrder | Row[Any]) -> frozenset[str]:
    topic = set()
    if order.dept:
        topic.add(f"dept:{order.dept}")
    if order.matter:
        topic.add(f"matter:{order.matter}")
    return frozenset(topic)


def _order_places(order: WorkOrder | Row[Any]) -> frozenset[str]:
    return frozenset({f"village:{order.village}"}) if order.village else frozenset()


@dataclass(frozen=True)
class _NewAppeal:
    """A new appeal ready to be written: the order (what the caller and the events read) and the
    rows that go in with it, where its near-duplicates may be, and what a repeat is checked by."""

    order: WorkOrder
    values: dict[str, Any]
    rows: list[tuple[type[Base], dict[str, Any]]]
    window: tuple[datetime, datetime]
    band: Band | None
    told: tuple[timedelta, bool]  # `lasting_told` of its text: the window's reach, and its profile's
    token: str
    digest: str
    external_id: str | None
    id_name: str  # the submission's field holding external_id (a conflict names it)
    idempotency_key: str | None
    now: datetime


def _new_appeal(ctx: DomainContext, submission: ChannelAppeal, *, idempotency_key: str | None, actor: str | None,
                channel: str | None) -> _NewAppeal:
    if (channel or submission.channel) in ctx.channels_off:
        raise ChannelClosed(channel or submission.channel)
    digest = request_digest(submission)
    raw = to_appeal(submission)
    if channel is not None:  # a standard's front door (Open311) over a citizen model
        raw = replace(raw, channel=channel)
    appeal, personal = separate(raw, id_secret=ctx.token_secret)
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
    order = new_orders.order_to_read(values)  # what the caller and the events read; written in one statement
    history = dict(work_order_id=order_id, at=now, actor=mask_text(actor or f"channel:{order.channel}"),
                   action="receive", from_state=None, to_state=State.received.value, reason=None, data=None)
    received = EventEnvelope(
        type=RECEIVED_TYPE, subject=order_id, topic=LIFECYCLE_TOPIC, time=now,
        data=ReceivedEvent(**order_summary(order), text=order.text_masked, address=order.address,
                           confidential=order.confidential, at=now).model_dump(mode="json"))
    sealed = dict(work_order_id=order_id, sealed=ctx.vault.seal(personal), created_at=now)
    # Read once: how far back the appeal says its matter goes (坏了一周, 上周打过电话) sets how far back its
    # window reaches, and the detector's profile of it takes the same reading (its text is the order's).
    told = lasting_told(order.text_masked, reported_at)
    return _NewAppeal(
        order=order, values=values,
        rows=[(WorkOrderHistory, history), (OutboxEvent, repo.outbox_row(received, now)), (PersonalData, sealed)],
        window=(reported_at - ctx.duplicates.reach(told[0]), reported_at + ctx.duplicates.widest), told=told,
        band=coordinate_band(appeal.latitude, appeal.longitude, ctx.duplicates), token=token, digest=digest,
        external_id=appeal.external_id, id_name=id_field(submission), idempotency_key=idempotency_key, now=now)


async def _repeat(session: AsyncSession, ctx: DomainContext, new: _NewAppeal) -> Accepted:
    """The answer to a new appeal whose order conflicted with an existing one: an exact repeat."""
    existing = await repo.find_repeat(session, channel=new.order.channel, external_id=new.external_id,
                                      idempotency_key=key_digest(new.idempotency_key))
    if existing is None:  # taken by a submission not committed yet, which then rolled back
        raise RepeatConflict("Idempotency-Key" if new.idempotency_key else new.id_name,
                             mask_text(new.idempotency_key or shown_external_id(new.external_id or "")))
    return repeat_answer(ctx, existing, new.digest, external_id=new.external_id, idempotency_key=new.idempotency_key,
                         id_name=new.id_name)


async def _merged(session: AsyncSession, new: _NewAppeal, duplicate: Match) -> WorkOrder:
    """The new order (written in this transaction) merged into the open order it repeats (并单), and the
    other open incidents it shows are the same one linked into that order (`followers.link_incident`)."""
    into, why = duplicate.report_id, duplicate.why
    order = await lifecycle.load_for_update(session, new.order.id)
    reason = f"并单: repeats {into} ({why})"  # a new order, in no unit's hands: nobody to recall
    await merge_into(session, order, into, actor=LINK_ACTOR, now=new.now, reason=reason, recall_reason=reason)
    for other in sorted(duplicate.bridged):  # locked in one order: two appeals linking the same two wait, not deadlock
        await link_incident(session, into, other, via=order.id, now=new.now)
    return order


async def accept_appeal(
    session: AsyncSession, ctx: DomainContext, submission: ChannelAppeal, *, idempotency_key: str | None = None,
    actor: str | None = None, channel: str | None = None,
) -> Accepted:
    """Store a new appeal as a `received` order (merged at once into an open order when it repeats
    one), or answer an exact repeat (same channel + external id, or same idempotency key) with the
    first response, in the caller's transaction. Raises RepeatConflict, ChannelClosed."""
    new = _new_appeal(ctx, submission, idempotency_key=idempotency_key, actor=actor, channel=channel)
    return await _accept(session, ctx, new)


async def _accept(session: AsyncSession, ctx: DomainContext, new: _NewAppeal) -> Accepted:
    # Insert-or-detect-repeat: the order, its history record, its event and its personal data go in
    # together, or nothing does when the channel + external id or the idempotency key is taken.
    # The open orders it may repeat come back from the same statement.
    created, candidates = await new_orders.insert_new_order(session, new.values, new.rows, window=new.window,
                                                            band=new.band)
    if not created:
        return await _repeat(session, ctx, new)
    duplicate = _open_duplicate(ctx, new, candidates)
    order = new.order if duplicate is None else await _merged(session, new, duplicate)
    return Accepted(order, created=True, citizen_token=new.token)


Sessions = Callable[[], AbstractAsyncContextManager[AsyncSession]]
Connections = Callable[[], AbstractAsyncContextManager[new_orders.DriverConnection]]


async def accept_appeal_alone(
    autocommit: Connections | None, transaction: Sessions, ctx: DomainContext, submission: ChannelAppeal, *,
    idempotency_key: str | None = None, actor: str | None = None, channel: str | None = None,
) -> Accepted:
    """accept_appeal in as few round trips as it needs. `autocommit()`: on PostgreSQL, a connection
    whose statements each commit on their own (None elsewhere: then this is accept_appeal in a
    `transaction()`, a session in a transaction). A new appeal that no open order can repeat (none
    at its place in the window) is one statement, no BEGIN or COMMIT; one that might is judged
    first and then written alone, or with its merge in a transaction; an exact repeat is answered
    from a transaction's read."""
    new = _new_appeal(ctx, submission, idempotency_key=idempotency_key, actor=actor, channel=channel)
    if autocommit is None:
        async with transaction() as session:
            return await _accept(session, ctx, new)
    duplicate: Match | None = None
    async with autocommit() as connection:
        outcome, candidates = await new_orders.insert_if_alone(connection, new.values, new.rows, window=new.window,
                                                               band=new.band)
        if outcome == "candidates":
            duplicate = _open_duplicate(ctx, new, candidates)
            if duplicate is None:
                outcome, _ = await new_orders.insert_if_alone(connection, new.values, new.rows, window=new.window,
                                                              force=True)
    if outcome == "inserted":
        return Accepted(new.order, created=True, citizen_token=new.token)
    async with transaction() as session:
        if outcome == "repeat":
            return await _repeat(session, ctx, new)
        # What is left: it repeats an open order; the order and its merge together.
        assert duplicate is not None
        outcome, _ = await new_orders.insert_if_alone(await session.connection(), new.values, new.rows,
                                                      window=new.window, force=True)
        if outcome != "inserted":
            return await _repeat(session, ctx, new)
        return Accepted(await _merged(session, new, duplicate), created=True, citizen_token=new.token)
