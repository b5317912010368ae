"""Lists of work orders, newest first, a page at a time from a (created_at, id) keyset cursor.

Every query walks one index backwards from the cursor and stops after the page: a unit's own
orders from (unit, created_at, id) or (unit, state, created_at, id), every order from
(created_at, id) or (state, created_at, id); filters that no index leads with are checked on the
rows the walk meets. So the first page costs the same at 100 orders or 10 million.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from sqlalchemy import ColumnElement, Select, and_, literal, or_, select, text, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from schemas.lifecycle import IN_HANDS_STATES
from services.db.tables import OrderUnit, WorkOrder

OPEN_STATES = IN_HANDS_STATES  # an order a unit has: open, so it can be overdue


@dataclass(frozen=True)
class OrderFilter:
    states: tuple[str, ...] = ()
    whistle_class: str | None = None
    supervision: str | None = None  # supervision_level: none / remind / supervise / notify
    overdue_at: datetime | None = None  # only orders whose claim or resolve clock ran out by then
    since: datetime | None = None  # created at or after
    until: datetime | None = None  # created before
    unit: str | None = None  # the unit that leads the order now (see _led_by), for staff lists


@dataclass(frozen=True)
class Cursor:
    created_at: datetime
    id: str


S = TypeVar("S", bound=Select)  # type: ignore[type-arg]


def _filtered(stmt: S, f: OrderFilter, after: Cursor | None) -> S:
    if f.states:
        stmt = stmt.where(WorkOrder.state == f.states[0] if len(f.states) == 1 else WorkOrder.state.in_(f.states))
    if f.whistle_class:
        stmt = stmt.where(WorkOrder.whistle_class == f.whistle_class)
    if f.supervision:
        stmt = stmt.where(WorkOrder.supervision_level == f.supervision)
    if f.overdue_at is not None:
        late_claim = and_(WorkOrder.state == "dispatched", WorkOrder.claim_due < f.overdue_at)
        stmt = stmt.where(WorkOrder.state.in_(OPEN_STATES),
                          or_(WorkOrder.resolve_due < f.overdue_at, late_claim))
    if f.since is not None:
        stmt = stmt.where(WorkOrder.created_at >= f.since)
    if f.until is not None:
        stmt = stmt.where(WorkOrder.created_at < f.until)
    if after is not None:
        stmt = stmt.where(tuple_(WorkOrder.created_at, WorkOrder.id) < tuple_(after.created_at, after.id))
    return stmt.order_by(WorkOrder.created_at.desc(), WorkOrder.id.desc())


def _led_by(unit: str) -> tuple[ColumnElement[bool], ...]:
    """The orders `unit` leads now: work_orders.unit names it and its lead hand-over is still active.
    A returned (退单) or withdrawn order keeps its unit column until dispatched again, but is in
    nobody's hands: it belongs to the review queue, not to the unit that gave it back."""
    # OFFSET 0 keeps the check a per-row filter on the walk of (unit, created_at, id): as a semi-join
    # the planner multiplies two selectivities of the same unit, expects a handful of rows and sorts
    # all of the unit's orders instead (7,500 rows, 200 ms at 10 million orders).
    in_hand = (select(literal(1)).where(OrderUnit.work_order_id == WorkOrder.id, OrderUnit.unit == unit,
                                        OrderUnit.role == "lead", OrderUnit.active).offset(0).exists())
    return WorkOrder.unit == unit, in_hand


def all_orders_stmt(f: OrderFilter, after: Cursor | None, limit: int) -> Select[WorkOrder]:
    """Every order (staff), or with `f.unit` the orders that unit leads now (as its own list does)."""
    stmt = select(WorkOrder).where(*_led_by(f.unit)) if f.unit else select(WorkOrder)
    return _filtered(stmt, f, after).limit(limit)


def led_stmt(unit: str, f: OrderFilter, after: Cursor | None, limit: int) -> Select[WorkOrder]:
    """The orders `unit` leads and still has in hand."""
    return _filtered(select(WorkOrder).where(*_led_by(unit)), f, after).limit(limit)


def helping_stmt(unit: str, f: OrderFilter, after: Cursor | None, limit: int) -> Select[WorkOrder, str]:
    """The orders `unit` assists with (协办) or was summoned to (吹哨)."""
    return _filtered(
        select(WorkOrder, OrderUnit.role).join(OrderUnit, OrderUnit.work_order_id == WorkOrder.id)
        # Written as the partial index ix_order_units_helping is (a literal, so the planner sees it applies).
        .where(OrderUnit.unit == unit, OrderUnit.active, OrderUnit.role != literal("lead", literal_execute=True)),
        f, after,
    ).limit(limit)


async def all_orders(session: AsyncSession, f: OrderFilter, after: Cursor | None, limit: int) -> Sequence[WorkOrder]:
    """Every order (staff), newest first: at most `limit` after the cursor."""
    return (await session.execute(all_orders_stmt(f, after, limit))).scalars().all()


async def unit_orders(
    session: AsyncSession, unit: str, f: OrderFilter, after: Cursor | None, limit: int
) -> list[tuple[WorkOrder, str]]:
    """The orders in `unit`'s hands, as lead or assisting (协办) or summoned (吹哨), newest first:
    at most `limit` (order, role) after the cursor: the newest of each kind, merged."""
    if session.get_bind().dialect.name == "postgresql":
        # A unit helps with few orders, but the planner cannot tell from the statistics (it multiplies
        # unit x role x active) and plans the helping query in parallel: starting the workers costs
        # more (~4 ms) than the whole query. A list page is never worth a parallel plan.
        await session.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))
    led = (await session.execute(led_stmt(unit, f, after, limit))).scalars()
    rows: dict[str, tuple[WorkOrder, str]] = {o.id: (o, "lead") for o in led}
    for order, role in (await session.execute(helping_stmt(unit, f, after, limit))).all():
        rows.setdefault(order.id, (order, role))
    ordered = sorted(rows.values(), key=lambda r: (r[0].created_at, r[0].id), reverse=True)
    return ordered[:limit]
