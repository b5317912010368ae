"""回访 and the citizen's rating: close, or reopen (重办)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from feedback.exceptions import NothingToRate
from feedback.ratings import action_for_rating
from schemas.appeals import RateIn
from schemas.lifecycle import Action, State
from schemas.taxonomy import Level
from services.context import DomainContext
from services.db import repositories as repo
from services.orders import dispatch
from services.orders.lifecycle import (
    check_citizen_token,
    load_for_update,
    transition,
)


async def rate(session: AsyncSession, ctx: DomainContext, order_id: str, rating: RateIn, *, actor: str) -> State:
    """The citizen's rating after 回访: satisfied closes the order, unsatisfied reopens it (重办)."""
    order = await load_for_update(session, order_id)
    check_citizen_token(order, rating.citizen_token)
    if order.state != State.resolved.value:
        # One rating per resolution: a closed order was rated already, an open one has nothing to rate yet.
        raise NothingToRate(order.id, order.state)
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
    return await dispatch.dispatch_to(session, ctx, order, unit_code=order.resolved_by or order.unit or "county_centre",
                             actor=actor, reason=rating.comment or "citizen unsatisfied", action=Action.reopen,
                             data=data)
