"""延期: the lead unit asks for more time before its resolve clock runs out; a dispatcher decides.
An approval moves the resolve due time (escalation.clocks.extend) and the order's next look."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from escalation.clocks import bounded, check_extension_request, extend, rebuild_deadlines
from escalation.exceptions import ExtensionNotPending, InvalidExtension
from intake.masking import mask_text
from schemas.escalation import Decision, ExtensionDecisionIn, ExtensionIn, ExtensionState
from schemas.events import (
    EXTENSION_APPROVED_TYPE,
    EXTENSION_REFUSED_TYPE,
    EXTENSION_REQUESTED_TYPE,
    LIFECYCLE_TOPIC,
    dispatch_topic,
)
from schemas.lifecycle import IN_HANDS_STATES, State
from schemas.payloads import ExtensionFact
from services.context import DomainContext
from services.db import escalation as esc_repo
from services.db import repositories as repo
from services.db.tables import Dispatch, Extension, WorkOrder
from services.errors import ExtensionNotFound
from services.orders.acting import UnitActor, order_for_unit
from services.orders.dispatch import upper_deadline
from services.orders.escalation import announce
from services.orders.lifecycle import load_for_update, order_summary
from services.orders.supervision import reschedule


def _fact(order: WorkOrder, ext: Extension, *, actor: str, resolve_due: datetime) -> ExtensionFact:
    return ExtensionFact(
        **order_summary(order), action=f"extension_{ext.state}" if ext.state != "pending" else "extension_requested",
        actor=actor, at=ext.decided_at or ext.requested_at, extension_id=ext.id,
        requesting_unit=ext.unit, days=ext.days, extension_state=ext.state, requested_at=ext.requested_at,
        resolve_due=resolve_due, new_resolve_due=ext.new_due, reason=ext.reason, decision_reason=ext.decision_reason,
    )


async def request_extension(session: AsyncSession, ctx: DomainContext, order_id: str, who: UnitActor,
                            body: ExtensionIn) -> State:
    """The lead unit asks for `days` more working days, strictly before its resolve due time (a late
    request is refused: ExtensionTooLate). One request waits for a decision at a time."""
    order = await order_for_unit(session, order_id, who)
    current = await repo.open_dispatch(session, order.id)
    if order.state not in IN_HANDS_STATES or current is None:
        raise InvalidExtension(f"the order is {order.state}: an extension is asked for while the unit works it")
    now = ctx.now()
    check_extension_request(body.days, now, current.resolve_due)
    if await esc_repo.pending_extension(session, current.id) is not None:
        raise InvalidExtension("an extension of this order is already waiting for a dispatcher's decision")
    ext = Extension(work_order_id=order.id, dispatch_id=current.id, unit=who.unit, requested_at=now,
                    requested_by=who.actor, days=body.days, reason=mask_text(body.reason),
                    state=ExtensionState.pending.value)  # kept masked, as every history reason is
    session.add(ext)
    await session.flush()
    announce(session, order, action="request_extension", actor=who.actor, now=now,
             event_type=EXTENSION_REQUESTED_TYPE, reason=body.reason,
             payload=_fact(order, ext, actor=who.actor, resolve_due=current.resolve_due))
    return State(order.state)


async def decide_extension(session: AsyncSession, ctx: DomainContext, extension_id: int, body: ExtensionDecisionIn,
                           *, actor: str) -> Extension:
    """A dispatcher approves (the resolve clock moves by the days asked, counted from its due time)
    or refuses a pending extension. The unit hears of it on its own topic."""
    ext = await esc_repo.get_extension(session, extension_id, for_update=True)
    if ext is None:
        raise ExtensionNotFound(extension_id)
    order = await load_for_update(session, ext.work_order_id)
    if ext.state != ExtensionState.pending.value:
        raise ExtensionNotPending(f"extension {ext.id} was {ext.state} already")
    current = await session.get(Dispatch, ext.dispatch_id)
    if current is None or current.ended_at is not None:
        raise ExtensionNotPending(f"extension {ext.id} was for a hand-over that has ended (the order is "
                                  f"{order.state}): nothing to extend")
    now = ctx.now()
    before = current.resolve_due
    ext.decided_at, ext.decided_by, ext.decision_reason = now, actor, mask_text(body.reason)
    if body.decision is Decision.approve:
        deadlines = rebuild_deadlines(current.whistle_class, current.dispatched_at, claim_due=current.claim_due,
                                      first_contact_due=current.first_contact_due, resolve_due=current.resolve_due,
                                      policy=ctx.clock_policy)
        longer = bounded(extend(deadlines, ext.days, ext.requested_at, ctx.calendar), upper_deadline(order))
        ext.state, ext.new_due = ExtensionState.approved.value, longer.resolve_due
        current.resolve_due, current.extended = longer.resolve_due, True
        order.resolve_due = longer.resolve_due
        event_type = EXTENSION_APPROVED_TYPE
    else:
        ext.state = ExtensionState.refused.value
        event_type = EXTENSION_REFUSED_TYPE
    announce(session, order, action=f"extension_{ext.state}", actor=actor, now=now, event_type=event_type,
             reason=body.reason, payload=_fact(order, ext, actor=actor, resolve_due=before),
             topics=(LIFECYCLE_TOPIC, dispatch_topic(ext.unit)))
    await reschedule(session, ctx, order)
    return ext
