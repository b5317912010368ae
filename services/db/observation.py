"""Read-only queries for metrics and `hotline status`: small indexed counts, never a full read of
the orders (the outbox index holds only unpublished rows; orders are counted through ix_work_orders_state_created)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from schemas.lifecycle import IN_HANDS_STATES
from services.db.tables import OutboxEvent, WorkOrder

# Which due time an order in a state can be late for (first contact: until the unit has reached the citizen).
OVERDUE_CLOCKS: dict[str, tuple[str, ...]] = {
    "claim": ("dispatched",),
    "first_contact": IN_HANDS_STATES,
    "resolve": IN_HANDS_STATES,
}


async def outbox_backlog(session: AsyncSession) -> tuple[int, datetime | None]:
    """(unpublished rows, creation time of the oldest of them)."""
    stmt = select(func.count(), func.min(OutboxEvent.created_at)).where(OutboxEvent.published_at.is_(None))
    count, oldest = (await session.execute(stmt)).one()
    return int(count), oldest


async def overdue_counts(session: AsyncSession, now: datetime) -> dict[str, int]:
    """Open orders past each due time, by clock name."""
    due = {"claim": WorkOrder.claim_due, "first_contact": WorkOrder.first_contact_due, "resolve": WorkOrder.resolve_due}
    out: dict[str, int] = {}
    for clock, states in OVERDUE_CLOCKS.items():
        stmt = select(func.count()).select_from(WorkOrder).where(WorkOrder.state.in_(states), due[clock] < now)
        if clock == "first_contact":
            stmt = stmt.where(WorkOrder.first_contact_at.is_(None))
        out[clock] = int((await session.execute(stmt)).scalar_one())
    return out
