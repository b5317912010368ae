"""What a handling unit does with an order in its hands: claim, resolve, return."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from feedback.actions import check_unit_may_act
from schemas.lifecycle import Action, State
from services.context import DomainContext
from services.db import repositories as repo
from services.orders.lifecycle import (
    load_for_update,
    transition,
    unit_or_error,
)


# ---- unit actions ----------------------------------------------------------------------------
async def claim(session: AsyncSession, ctx: DomainContext, order_id: str, *, unit: str, actor: str) -> State:
    order = await load_for_update(session, order_id)
    check_unit_may_act(order.id, order.unit, unit)
    now = ctx.now()
    state = transition(session, order, Action.claim, actor=actor, now=now,
                       data={"on_time": order.claim_due is None or now <= order.claim_due})
    order.claimed_at = now
    current = await repo.open_dispatch(session, order.id)
    if current is not None:
        current.claimed_at = now
    return state


async def resolve(
    session: AsyncSession, ctx: DomainContext, order_id: str, *, unit: str, actor: str, note: str | None
) -> State:
    order = await load_for_update(session, order_id)
    check_unit_may_act(order.id, order.unit, unit)
    now = ctx.now()
    state = transition(session, order, Action.resolve, actor=actor, now=now, reason=note,
                       data={"on_time": order.resolve_due is None or now <= order.resolve_due})
    order.resolved_at = now
    order.resolved_by = unit
    order.resolved_level = unit_or_error(ctx, unit).level.value
    current = await repo.open_dispatch(session, order.id)
    if current is not None:
        current.ended_at, current.outcome = now, "resolved"
    return state


async def return_order(
    session: AsyncSession, ctx: DomainContext, order_id: str, *, unit: str, actor: str, reason: str
) -> State:
    """退单: the unit says the order is not theirs; it goes back to the dispatchers' review queue."""
    order = await load_for_update(session, order_id)
    check_unit_may_act(order.id, order.unit, unit)
    now = ctx.now()
    state = transition(session, order, Action.return_, actor=actor, now=now, reason=reason,
                       data={"returned_by": unit})
    order.return_count += 1
    await repo.set_order_units(session, order.id, {}, now)  # out of the unit's hands until re-dispatched
    current = await repo.open_dispatch(session, order.id)
    if current is not None:
        current.ended_at, current.outcome = now, "returned"
    return state
