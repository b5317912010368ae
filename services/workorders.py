"""Application commands on work orders. Each runs inside the caller's transaction (never commits),
locks the order row first, changes state only through `transition`, and writes its events to the
outbox in that same transaction."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from escalation.clocks import deadlines_for
from feedback.actions import check_unit_may_act
from feedback.exceptions import InvalidCitizenToken
from feedback.ratings import action_for_rating
from intake.masking import mask_text
from intake.normalise import content_fingerprint, normalise_text
from router.models import Unit
from schemas.appeals import AppealIn, RateIn
from schemas.events import (
    ACTION_EVENT_NAMES,
    DISPATCHED_TYPE,
    EMERGENCY_TOPIC,
    EMERGENCY_TYPE,
    LIFECYCLE_TOPIC,
    RECEIVED_TYPE,
    UNIT_REPLIES_TOPIC,
    EventEnvelope,
    dispatch_topic,
    lifecycle_type,
)
from schemas.lifecycle import Action, State, next_state
from schemas.payloads import (
    Contact,
    DispatchedEvent,
    EmergencyEvent,
    LifecycleEvent,
    OrderSummary,
    ReceivedEvent,
)
from schemas.routing import RoutingDecision
from schemas.taxonomy import EmergencyLine, Level, WhistleClass
from services.context import DomainContext
from services.db import repositories as repo
from services.db.tables import Dispatch, WorkOrder, WorkOrderHistory
from services.errors import OrderNotFound, UnknownUnit
from services.metrics import ROUTING_CONFIDENCE, TRANSITIONS


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def check_citizen_token(order: WorkOrder, token: str) -> None:
    """The citizen's token from submission must match (constant-time compare)."""
    if not order.citizen_token_hash or not hmac.compare_digest(_token_hash(token), order.citizen_token_hash):
        raise InvalidCitizenToken(order.id)


_SUMMARY_COLUMNS = tuple(name for name in OrderSummary.model_fields if name != "work_order_id")


def _order_summary(order: WorkOrder) -> dict[str, Any]:
    """What every work-order event says about the order (schemas.payloads.OrderSummary): never a
    phone or ID number."""
    return {"work_order_id": order.id, **{name: getattr(order, name) for name in _SUMMARY_COLUMNS}}


async def load_for_update(session: AsyncSession, order_id: str) -> WorkOrder:
    order = await repo.get_order(session, order_id, for_update=True)
    if order is None:
        raise OrderNotFound(order_id)
    return order


def transition(
    session: AsyncSession,
    order: WorkOrder,
    action: Action,
    *,
    actor: str,
    now: datetime,
    reason: str | None = None,
    data: dict[str, Any] | None = None,
) -> State:
    """The one way an order changes state: checks the lifecycle table, appends the history record
    and writes the lifecycle event to the outbox. Raises TransitionNotAllowed."""
    before = State(order.state)
    after = next_state(before, action)
    order.state = after.value
    order.updated_at = now
    session.add(
        WorkOrderHistory(
            work_order_id=order.id, at=now, actor=actor, action=action.value,
            from_state=before.value, to_state=after.value, reason=reason, data=data,
        )
    )
    event_data = LifecycleEvent.model_validate(
        {**_order_summary(order), **(data or {}), "from_state": before.value, "action": action.value,
         "actor": actor, "reason": mask_text(reason) if reason else None, "at": now}
    ).model_dump(mode="json")
    repo.add_outbox(
        session,
        EventEnvelope(type=lifecycle_type(ACTION_EVENT_NAMES[action.value]), subject=order.id,
                      topic=LIFECYCLE_TOPIC, time=now, data=event_data),
        now,
    )
    TRANSITIONS.labels(action.value, after.value).inc()
    return after


# ---- intake ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Accepted:
    order: WorkOrder
    created: bool
    citizen_token: str | None


async def accept_appeal(
    session: AsyncSession, ctx: DomainContext, appeal: AppealIn, *, idempotency_key: str | None = None
) -> Accepted:
    """Store a new appeal as a `received` order, or return the order an identical earlier
    submission (same channel + external id, or same idempotency key) created."""
    existing = await repo.find_repeat(
        session, channel=appeal.channel.value, external_id=appeal.external_id, idempotency_key=idempotency_key
    )
    if existing is not None:
        return Accepted(existing, created=False, citizen_token=None)
    now = ctx.now()
    text = normalise_text(appeal.text)
    token = secrets.token_urlsafe(18)
    order = WorkOrder(
        id=f"wo_{uuid.uuid4().hex[:20]}",
        channel=appeal.channel.value,
        external_id=appeal.external_id,
        idempotency_key=idempotency_key,
        fingerprint=content_fingerprint(text, appeal.caller_phone),
        text=text,
        text_masked=mask_text(text),
        address=appeal.address,
        caller_name=appeal.caller_name,
        caller_phone=appeal.caller_phone,
        confidential=appeal.confidential,
        citizen_token_hash=_token_hash(token),
        state=State.received.value,
        return_count=0,
        reopen_count=0,
        created_at=now,
        updated_at=now,
    )
    session.add(order)
    session.add(WorkOrderHistory(work_order_id=order.id, at=now, actor=f"channel:{order.channel}",
                                 action="receive", from_state=None, to_state=State.received.value))
    repo.add_outbox(
        session,
        EventEnvelope(type=RECEIVED_TYPE, subject=order.id, topic=LIFECYCLE_TOPIC, time=now,
                      data=ReceivedEvent(**_order_summary(order), text=order.text_masked, address=order.address,
                                         confidential=order.confidential, at=now).model_dump(mode="json")),
        now,
    )
    await session.flush()
    return Accepted(order, created=True, citizen_token=token)


# ---- routing and dispatch --------------------------------------------------------------------
class _RepeatCounts:
    """RoutingHistory over counts fetched beforehand (the router itself does no I/O)."""

    def __init__(self, counts: dict[str, int]) -> None:
        self.counts = counts

    def recent_similar(self, matter: str, place: str | None) -> int:
        return self.counts.get(matter, 0)


async def decide(session: AsyncSession, ctx: DomainContext, order: WorkOrder) -> RoutingDecision:
    """The router's decision for the order, with repeats at the same place taken into account."""
    first = ctx.router.route(order.text, channel=order.channel, address=order.address,
                             reopened=order.reopen_count > 0)
    # A repeat means the same matter at the same village/community: a whole township is too
    # coarse a place (two households' unrelated outages are not a long-standing problem).
    if first.redirect or not first.matter or not first.village:
        return first
    repeats = await repo.count_recent_similar(
        session, matter=first.matter, village=first.village, since=ctx.now() - ctx.repeat_window,
    )
    if not repeats:
        return first
    return ctx.router.route(order.text, channel=order.channel, address=order.address,
                            history=_RepeatCounts({first.matter: repeats}), reopened=order.reopen_count > 0)


def _apply_decision(order: WorkOrder, decision: RoutingDecision) -> None:
    order.whistle_class = decision.whistle_class.value
    order.level = decision.level.value
    order.dept = decision.dept
    order.matter = decision.matter
    order.township = decision.township
    order.village = decision.village
    order.confidence = decision.confidence
    order.redirect = decision.redirect.value if decision.redirect else None
    order.routing = decision.model_dump(mode="json")


async def route_order(session: AsyncSession, ctx: DomainContext, order_id: str, *, actor: str = "router") -> State:
    """Classify a received order and redirect it, hold it for review, or dispatch it."""
    order = await load_for_update(session, order_id)
    if order.state != State.received.value:
        return State(order.state)  # already routed (a repeated event): nothing to do
    decision = await decide(session, ctx, order)
    ROUTING_CONFIDENCE.observe(decision.confidence)
    _apply_decision(order, decision)
    now = ctx.now()
    if decision.redirect:
        return redirect(session, ctx, order, decision.redirect, actor=actor, reason=decision.explanation)
    if decision.unit is None or decision.confidence < ctx.review_threshold:
        return transition(session, order, Action.hold_for_review, actor=actor, now=now,
                          reason=f"confidence {decision.confidence:.2f}: {decision.explanation}")
    return await dispatch_to(session, ctx, order, unit_code=decision.unit, actor=actor,
                             reason=decision.explanation, assisting=decision.assisting_units)


def redirect(
    session: AsyncSession, ctx: DomainContext, order: WorkOrder, line: EmergencyLine, *, actor: str, reason: str
) -> State:
    """Hand the order to an emergency line instead of dispatching it; the line gets the caller's
    number and the unmasked text, since it must act at once."""
    now = ctx.now()
    state = transition(session, order, Action.redirect, actor=actor, now=now, reason=reason,
                       data={"redirect": line.value})
    order.redirect = line.value
    repo.add_outbox(session, EventEnvelope(
        type=EMERGENCY_TYPE, subject=order.id, topic=EMERGENCY_TOPIC, time=now,
        data=EmergencyEvent(work_order_id=order.id, line=line.value, text=order.text, address=order.address,
                            caller_name=order.caller_name, caller_phone=order.caller_phone,
                            explanation=reason, at=now).model_dump(mode="json")), now)
    return state


def unit_or_error(ctx: DomainContext, code: str) -> Unit:
    unit = ctx.router.units().get(code)
    if unit is None:
        raise UnknownUnit(code)
    return unit


async def dispatch_to(
    session: AsyncSession,
    ctx: DomainContext,
    order: WorkOrder,
    *,
    unit_code: str,
    actor: str,
    reason: str | None,
    action: Action = Action.dispatch,
    assisting: list[str] | None = None,
) -> State:
    """Hand the order to `unit_code` with fresh clocks, and tell the unit on its own topic."""
    unit = unit_or_error(ctx, unit_code)
    now = ctx.now()
    whistle_class = WhistleClass(order.whistle_class or WhistleClass.ordinary.value)
    deadlines = deadlines_for(whistle_class, now, ctx.calendar, ctx.clock_policy)
    current = await repo.open_dispatch(session, order.id)
    if current is not None:
        current.ended_at = now
        current.outcome = current.outcome or action.value
    order.unit = unit.code
    order.level = unit.level.value
    order.whistle_class = whistle_class.value
    order.claim_due = deadlines.claim_due
    order.first_contact_due = deadlines.first_contact_due
    order.resolve_due = deadlines.resolve_due
    order.claimed_at = None
    session.add(Dispatch(
        work_order_id=order.id, unit=unit.code, level=unit.level.value, whistle_class=whistle_class.value,
        dispatched_at=now, claim_due=deadlines.claim_due, first_contact_due=deadlines.first_contact_due,
        resolve_due=deadlines.resolve_due,
    ))
    clocks = {"claim_due": deadlines.claim_due.isoformat(),
              "first_contact_due": deadlines.first_contact_due.isoformat(),
              "resolve_due": deadlines.resolve_due.isoformat()}
    state = transition(session, order, action, actor=actor, now=now, reason=reason,
                       data={"unit": unit.code, **clocks})
    contact = None
    if not order.confidential and order.caller_phone:
        # The unit that must contact the citizen is the one place the number goes unmasked.
        contact = Contact(name=order.caller_name, phone=order.caller_phone)
    payload = DispatchedEvent(
        **_order_summary(order), unit_name=unit.name, lead_unit=unit.code, text=order.text_masked,
        address=order.address, matter_name=(order.routing or {}).get("matter_name"), assisting_units=assisting or [],
        contact=contact, confidential=order.confidential, reason=reason, reopen_count=order.reopen_count,
        claim_due=deadlines.claim_due, first_contact_due=deadlines.first_contact_due,
        resolve_due=deadlines.resolve_due, reply_topic=UNIT_REPLIES_TOPIC,
    )
    repo.add_outbox(session, EventEnvelope(type=DISPATCHED_TYPE, subject=order.id, topic=dispatch_topic(unit.code),
                                           time=now, data=payload.model_dump(mode="json")), now)
    # 协办: assisting units learn of the order on their own topics; only the lead claims and resolves.
    for code in assisting or []:
        helper = ctx.router.units().get(code)
        if helper is None or helper.code == unit.code:
            continue
        copy = payload.model_copy(update={"role": "assisting", "unit_name": helper.name, "contact": None})
        repo.add_outbox(session, EventEnvelope(type=DISPATCHED_TYPE, subject=order.id,
                                               topic=dispatch_topic(helper.code), time=now,
                                               data=copy.model_dump(mode="json")), now)
    return state


# ---- unit actions ----------------------------------------------------------------------------
async def claim(session: AsyncSession, ctx: DomainContext, order_id: str, *, unit: str, actor: str | None) -> State:
    order = await load_for_update(session, order_id)
    check_unit_may_act(order.id, order.unit, unit)
    now = ctx.now()
    state = transition(session, order, Action.claim, actor=actor or unit, now=now,
                       data={"on_time": order.claim_due is None or now <= order.claim_due})
    order.claimed_at = now
    current = await repo.open_dispatch(session, order.id)
    if current is not None:
        current.claimed_at = now
    return state


async def resolve(
    session: AsyncSession, ctx: DomainContext, order_id: str, *, unit: str, actor: str | None, note: str | None
) -> State:
    order = await load_for_update(session, order_id)
    check_unit_may_act(order.id, order.unit, unit)
    now = ctx.now()
    state = transition(session, order, Action.resolve, actor=actor or unit, now=now, reason=note,
                       data={"on_time": order.resolve_due is None or now <= order.resolve_due})
    order.resolved_at = now
    order.resolved_by = unit
    order.resolved_level = unit_or_error(ctx, unit).level.value
    current = await repo.open_dispatch(session, order.id)
    if current is not None:
        current.ended_at, current.outcome = now, "resolved"
    return state


async def return_order(
    session: AsyncSession, ctx: DomainContext, order_id: str, *, unit: str, actor: str | None, reason: str
) -> State:
    """退单: the unit says the order is not theirs; it goes back to the dispatchers' review queue."""
    order = await load_for_update(session, order_id)
    check_unit_may_act(order.id, order.unit, unit)
    now = ctx.now()
    state = transition(session, order, Action.return_, actor=actor or unit, now=now, reason=reason,
                       data={"returned_by": unit})
    order.return_count += 1
    current = await repo.open_dispatch(session, order.id)
    if current is not None:
        current.ended_at, current.outcome = now, "returned"
    return state


async def rate(session: AsyncSession, ctx: DomainContext, order_id: str, rating: RateIn, *, actor: str) -> State:
    """The citizen's rating after 回访: satisfied closes the order, unsatisfied reopens it (重办)."""
    order = await load_for_update(session, order_id)
    if rating.citizen_token is not None:
        check_citizen_token(order, rating.citizen_token)
    now = ctx.now()
    action = action_for_rating(rating.rating)
    data = {"rating": rating.rating.value, "solved": rating.solved}
    order.rating, order.solved = rating.rating.value, rating.solved
    if action is Action.close:
        state = transition(session, order, Action.close, actor=actor, now=now, reason=rating.comment, data=data)
        order.closed_at = now
        order.closed_day = ctx.local_day(now)
        await repo.bump_resolution_count(session, day=order.closed_day, township=order.township,
                                         level=order.resolved_level or Level.county.value, delta=1)
        return state
    order.reopen_count += 1
    return await dispatch_to(session, ctx, order, unit_code=order.resolved_by or order.unit or "county_centre",
                             actor=actor, reason=rating.comment or "citizen unsatisfied", action=Action.reopen)
