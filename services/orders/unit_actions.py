"""What a handling unit does with an order in its hands: claim, first contact, progress, resolve,
return, ask for assistance. Each is a unit command (services.orders.unit_commands): the same
handler serves REST and the Kafka reply topic."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from feedback.actions import check_first_contact, check_working, on_time
from feedback.exceptions import NotNow
from feedback.models import AssistanceIn, ClaimIn, FirstContactIn, ProgressIn, ResolveIn, ReturnIn
from feedback.ratings import rating_due
from feedback.returns import check_may_return, needs_arbitration
from schemas.lifecycle import Action, State
from services.context import DomainContext
from services.db import order_units as hands
from services.db import repositories as repo
from services.db.tables import Dispatch, WorkOrder
from services.orders.acting import UnitActor, order_for_unit
from services.orders.dispatch import dispatched_payload, send_assisting_copies
from services.orders.followers import tell_followers
from services.orders.lifecycle import record, transition, unit_or_error
from services.orders.recall import tell_recalled
from services.orders.supervision import reschedule


async def claim(session: AsyncSession, ctx: DomainContext, order_id: str, who: UnitActor, body: ClaimIn) -> State:
    """签收 / 报到, with the first contact if the unit already reached the citizen."""
    order = await order_for_unit(session, order_id, who)
    now = ctx.now()
    current = await repo.open_dispatch(session, order.id)
    if body.first_contact_at is not None:
        # Checked before the claim so that a refused contact time refuses the whole claim.
        check_first_contact(order.id, body.first_contact_at, now, _dispatched_at(order, current),
                            order.first_contact_at)
    state = transition(session, order, Action.claim, actor=who.actor, now=now, reason=body.note,
                       data={"on_time": on_time(now, order.claim_due)})
    order.claimed_at = now
    if current is not None:
        current.claimed_at = now
    if body.first_contact_at is not None:
        _first_contact(session, order, current, body.first_contact_at, who, now, note=None)
    await reschedule(session, ctx, order)
    return state


async def first_contact(
    session: AsyncSession, ctx: DomainContext, order_id: str, who: UnitActor, body: FirstContactIn
) -> State:
    """The unit reached the citizen: stops the first-contact clock."""
    order = await order_for_unit(session, order_id, who)
    now = ctx.now()
    check_working(order.id, State(order.state), "record a first contact")
    current = await repo.open_dispatch(session, order.id)
    at = body.at or now
    check_first_contact(order.id, at, now, _dispatched_at(order, current), order.first_contact_at)
    state = _first_contact(session, order, current, at, who, now, note=body.note)
    await reschedule(session, ctx, order)
    return state


def _first_contact(session: AsyncSession, order: WorkOrder, current: Dispatch | None, at: datetime,
                   who: UnitActor, now: datetime, *, note: str | None) -> State:
    order.first_contact_at = at
    if current is not None:
        current.first_contact_at = at
    return record(session, order, "first_contact", actor=who.actor, now=now, reason=note,
                  data={"at": at.isoformat(), "on_time": on_time(at, order.first_contact_due)})


def _dispatched_at(order: WorkOrder, current: Dispatch | None) -> datetime:
    return current.dispatched_at if current is not None else order.created_at


async def progress(session: AsyncSession, ctx: DomainContext, order_id: str, who: UnitActor, body: ProgressIn) -> State:
    """A progress note: lead or assisting unit; no change of state."""
    order = await order_for_unit(session, order_id, who, lead_only=False)
    check_working(order.id, State(order.state), "note progress")
    return record(session, order, "progress", actor=who.actor, now=ctx.now(), reason=body.note,
                  data={"unit": who.unit})


async def resolve(session: AsyncSession, ctx: DomainContext, order_id: str, who: UnitActor, body: ResolveIn) -> State:
    """办结 with the reply to the citizen; the rating window opens."""
    order = await order_for_unit(session, order_id, who)
    now = ctx.now()
    state = transition(session, order, Action.resolve, actor=who.actor, now=now, reason=body.note,
                       data={"on_time": on_time(now, order.resolve_due), "reply": body.reply})
    order.resolved_at = now
    order.resolved_by = who.unit
    order.resolved_level = unit_or_error(ctx, who.unit).level.value
    order.rating_due = rating_due(now, ctx.feedback)
    order.rating = order.solved = None  # a new resolution, not rated yet
    current = await repo.open_dispatch(session, order.id)
    if current is not None:
        current.ended_at, current.outcome, current.resolved_at = now, "resolved", now
    await reschedule(session, ctx, order)
    await tell_followers(session, ctx, order, "resolve", reply=body.reply)
    return state


async def return_order(
    session: AsyncSession, ctx: DomainContext, order_id: str, who: UnitActor, body: ReturnIn
) -> State:
    """退单: the order goes back to the dispatchers' review queue; from the policy's count of
    returns on, marked for arbitration (仲裁)."""
    order = await order_for_unit(session, order_id, who)
    check_may_return(order.id, order.return_count, ctx.feedback)
    now = ctx.now()
    arbitrate = needs_arbitration(order.return_count + 1, ctx.feedback)
    state = transition(session, order, Action.return_, actor=who.actor, now=now, reason=body.text,
                       data={"returned_by": who.unit, "return_reason": body.reason.value,
                             "returns": order.return_count + 1, "arbitration": arbitrate})
    order.return_count += 1
    others = [unit for unit in await hands.order_units(session, order.id) if unit != who.unit]
    await hands.set_order_units(session, order.id, {}, now)  # out of the unit's hands until re-dispatched
    tell_recalled(session, order.id, others, reason=f"退单: {body.text}", now=now)  # assisting, summoned
    current = await repo.open_dispatch(session, order.id)
    if current is not None:
        current.ended_at, current.outcome = now, "returned"
    await reschedule(session, ctx, order)
    return state


async def request_assistance(
    session: AsyncSession, ctx: DomainContext, order_id: str, who: UnitActor, body: AssistanceIn
) -> State:
    """协办: the named units get the order as assisting units (their own dispatch event, no contact)."""
    order = await order_for_unit(session, order_id, who)
    check_working(order.id, State(order.state), "ask for assistance")
    for code in body.units:
        unit_or_error(ctx, code)
    roles = await hands.order_units(session, order.id)
    new = [code for code in dict.fromkeys(body.units) if code not in roles]
    if not new:
        raise NotNow(f"{', '.join(body.units)} already {'has' if len(body.units) == 1 else 'have'} "
                     f"work order {order.id} in hand")
    now = ctx.now()
    await hands.add_order_units(session, order.id, dict.fromkeys(new, "assisting"), now)
    assisting = [u for u, r in roles.items() if r == "assisting"] + new
    state = record(session, order, "request_assistance", actor=who.actor, now=now, reason=body.reason,
                   data={"units": new})
    payload = dispatched_payload(order, unit_or_error(ctx, who.unit), reason=body.reason, assisting=assisting)
    send_assisting_copies(session, ctx, order, payload, new, now)
    return state
