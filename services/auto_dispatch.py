"""Which orders the router dispatches on its own: per-matter review thresholds learned from the
centre's own dispatch history (router.thresholds), read from the database and refreshed by the
router service while it runs, so the share dispatched without a dispatcher grows as the centre
works and a matter that keeps coming back is held for review.

What counts as an outcome of the router's decision (its matter and calibrated confidence, as
stored with the order when it was routed):
- against it: the unit returned the order (退单), a dispatcher overrode or reassigned it (a
  routing correction), or a dispatcher sent to an emergency line what the router dispatched;
- for it: the order was resolved or closed with neither;
- orders still in a unit's hands, or merged, invalid or withdrawn, are no evidence yet.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from router.thresholds import DispatchOutcome, MatterThresholds, learn_thresholds
from schemas.lifecycle import State
from services.context import DomainContext
from services.db.tables import RoutingCorrection, WorkOrder

log = logging.getLogger(__name__)

_SETTLED = (State.resolved.value, State.closed.value, State.redirected.value)


def outcome_of(routing: dict[str, Any] | None, *, state: str, returns: int, corrected: bool) -> DispatchOutcome | None:
    """The router's decision on one order and whether it held; None when there is no router
    decision to judge (an emergency it redirected itself, no matter) or no evidence yet."""
    if not routing or routing.get("redirect") or not routing.get("matter"):
        return None
    confidence = routing.get("confidence")
    if not isinstance(confidence, int | float):
        return None
    wrong = corrected or returns > 0 or state == State.redirected.value
    if not wrong and state not in _SETTLED:
        return None
    return DispatchOutcome(str(routing["matter"]), float(confidence), not wrong)


async def dispatch_outcomes(session: AsyncSession, *, since: datetime, limit: int = 50_000) -> list[DispatchOutcome]:
    """The outcomes of the router's decisions on orders received since `since`, newest first, at
    most `limit` (one index walked backwards on created_at)."""
    # A correction comes after the order was received, so the ones since `since` are all there are.
    corrected = WorkOrder.id.in_(select(RoutingCorrection.work_order_id).where(RoutingCorrection.at >= since))
    rows: Sequence[Any] = (await session.execute(
        select(WorkOrder.routing, WorkOrder.state, WorkOrder.return_count, corrected.label("corrected"))
        .where(WorkOrder.created_at >= since,
               or_(WorkOrder.state.in_(_SETTLED), WorkOrder.return_count > 0, corrected))
        .order_by(WorkOrder.created_at.desc(), WorkOrder.id.desc())
        .limit(limit)
    )).all()
    outcomes = []
    for r in rows:
        outcome = outcome_of(r.routing, state=r.state, returns=r.return_count or 0, corrected=bool(r.corrected))
        if outcome is not None:
            outcomes.append(outcome)
    return outcomes


async def refresh_thresholds(
    sessions: async_sessionmaker[AsyncSession], ctx: DomainContext, *, history: timedelta,
    target: float, min_orders: int,
) -> MatterThresholds:
    """Learn the per-matter thresholds from the last `history` of outcomes and install them in
    `ctx` (the default is `ctx.review_threshold`). Returns what was installed."""
    async with sessions() as session:
        outcomes = await dispatch_outcomes(session, since=ctx.now() - history)
    learned = learn_thresholds(outcomes, default=ctx.review_threshold, target=target, min_orders=min_orders)
    ctx.thresholds = learned
    lowered = sum(1 for t in learned.by_matter.values() if t < learned.default)
    log.info("review thresholds learned from %d outcomes: %d matters dispatched from a lower confidence, "
             "%d held back", len(outcomes), lowered, len(learned.by_matter) - lowered)
    return learned
