"""Queries of the escalation tables: due orders for the sweep, supervision records, whistle calls
and summons, extensions. Like services.db.repositories, nothing here commits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from schemas.lifecycle import IN_HANDS_STATES
from services.db.repositories import among, insert_for
from services.db.tables import (
    Base,
    Dispatch,
    Extension,
    OutboxEvent,
    SupervisionRecord,
    WhistleCall,
    WhistleSummons,
    WorkOrder,
    WorkOrderHistory,
)


# ---- the sweep -------------------------------------------------------------------------------
async def lock_due_orders(session: AsyncSession, now: datetime, limit: int) -> Sequence[WorkOrder]:
    """Up to `limit` orders whose next look is due, locked for this transaction. On PostgreSQL
    rows another sweep holds are skipped (FOR UPDATE SKIP LOCKED), so sweeps in several replicas
    share the work instead of queueing on it; SQLite has one writer and ignores the clause."""
    stmt = (
        select(WorkOrder)
        .where(WorkOrder.next_check_at <= now)
        .order_by(WorkOrder.next_check_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return (await session.execute(stmt)).scalars().all()


async def open_dispatches(session: AsyncSession, order_ids: Sequence[str]) -> dict[str, Any]:
    """Each order's current hand-over (the newest that has not ended) as a row of the dispatches
    table (read only: plain rows, no ORM objects), in one query."""
    if not order_ids:
        return {}
    table = Dispatch.__table__
    stmt = (
        select(table)
        .where(among(session, table.c.work_order_id, order_ids), table.c.ended_at.is_(None))
        .order_by(table.c.id)
    )
    return {d.work_order_id: d for d in (await session.execute(stmt)).all()}


async def pending_summons(session: AsyncSession, order_ids: Sequence[str]) -> dict[str, list[Any]]:
    """Departments summoned to these orders that have not reported yet, with their call's
    township and class (rows: id, work_order_id, department, summoned_at, report_due, call_id,
    township, whistle_class)."""
    found: dict[str, list[Any]] = {}
    if not order_ids:
        return found
    stmt = (
        select(WhistleSummons.id, WhistleSummons.work_order_id, WhistleSummons.department,
               WhistleSummons.summoned_at, WhistleSummons.report_due, WhistleCall.id.label("call_id"),
               WhistleCall.township, WhistleCall.whistle_class)
        .join(WhistleCall, WhistleCall.id == WhistleSummons.call_id)
        .where(among(session, WhistleSummons.work_order_id, order_ids), WhistleSummons.reported_at.is_(None))
        .order_by(WhistleSummons.id)
    )
    for row in (await session.execute(stmt)).all():
        found.setdefault(row.work_order_id, []).append(row)
    return found


async def raised_levels(session: AsyncSession, order_ids: Sequence[str]) -> dict[str, frozenset[str]]:
    """clock key -> levels already raised, for the orders' clocks."""
    if not order_ids:
        return {}
    stmt = select(SupervisionRecord.clock_key, SupervisionRecord.level).where(
        among(session, SupervisionRecord.work_order_id, order_ids))
    levels: dict[str, set[str]] = {}
    for key, level in (await session.execute(stmt)).all():
        levels.setdefault(key, set()).add(level)
    return {key: frozenset(v) for key, v in levels.items()}


async def insert_supervision_records(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> set[tuple[str, str]]:
    """Insert the records that do not exist yet (ON CONFLICT DO NOTHING on clock key + level) and
    return the (clock key, level) pairs this call inserted: only those may be announced. One
    statement, executed for many rows (compiled once, sent in batches by the driver)."""
    if not rows:
        return set()
    stmt = (
        insert_for(session)(SupervisionRecord)
        .on_conflict_do_nothing(index_elements=["clock_key", "level"])
        .returning(SupervisionRecord.clock_key, SupervisionRecord.level)
    )
    result = await session.execute(stmt, list(rows))
    return {(key, level) for key, level in result.all()}


async def add_many(session: AsyncSession, outbox: Sequence[dict[str, Any]], history: Sequence[dict[str, Any]]) -> None:
    """Bulk inserts of outbox and history rows (the sweep writes thousands at a time)."""
    if outbox:
        session.info["outbox_written"] = True  # the commit wakes the relay (services.db.engine)
        await session.execute(insert(Base.metadata.tables[OutboxEvent.__tablename__]), list(outbox))
    if history:
        await session.execute(insert(Base.metadata.tables[WorkOrderHistory.__tablename__]), list(history))


# ---- supervision list ------------------------------------------------------------------------
def _newest_first(stmt: Any, at: Any, row_id: Any, after: tuple[datetime, int] | None, limit: int) -> Any:
    """`stmt` ordered newest first on (at, id), from just after the cursor `after`: keyset
    pagination, which stays fast on an index however deep the page."""
    if after is not None:
        stmt = stmt.where(or_(at < after[0], and_(at == after[0], row_id < after[1])))
    return stmt.order_by(at.desc(), row_id.desc()).limit(limit)


async def supervision_page(
    session: AsyncSession, *, unit: str | None, level: str | None, open_only: bool,
    after: tuple[datetime, int] | None, limit: int,
) -> Sequence[tuple[SupervisionRecord, WorkOrder]]:
    """Supervision records, newest first, with their orders."""
    stmt = select(SupervisionRecord, WorkOrder).join(WorkOrder, WorkOrder.id == SupervisionRecord.work_order_id)
    if unit:
        stmt = stmt.where(SupervisionRecord.unit == unit)
    if level:
        stmt = stmt.where(SupervisionRecord.level == level)
    if open_only:
        stmt = stmt.where(WorkOrder.state.in_(IN_HANDS_STATES))
    stmt = _newest_first(stmt, SupervisionRecord.raised_at, SupervisionRecord.id, after, limit)
    return list((await session.execute(stmt)).all())


# ---- whistle ---------------------------------------------------------------------------------
async def summons_of(session: AsyncSession, order_id: str, department: str) -> list[tuple[WhistleSummons, WhistleCall]]:
    """Every summons of `department` to the order, oldest first, with its call; locked."""
    stmt = (
        select(WhistleSummons, WhistleCall)
        .join(WhistleCall, WhistleCall.id == WhistleSummons.call_id)
        .where(WhistleSummons.work_order_id == order_id, WhistleSummons.department == department)
        .order_by(WhistleSummons.id)
        .with_for_update()
    )
    return list((await session.execute(stmt)).all())


async def call_summons(session: AsyncSession, call_id: int) -> list[WhistleSummons]:
    stmt = select(WhistleSummons).where(WhistleSummons.call_id == call_id).order_by(WhistleSummons.id).with_for_update()
    return list((await session.execute(stmt)).scalars())


async def latest_call(session: AsyncSession, order_id: str, township: str) -> WhistleCall | None:
    stmt = (
        select(WhistleCall)
        .where(WhistleCall.work_order_id == order_id, WhistleCall.township == township)
        .order_by(WhistleCall.id.desc())
        .limit(1)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def get_call(session: AsyncSession, call_id: int) -> WhistleCall | None:
    return await session.get(WhistleCall, call_id)


# ---- extensions ------------------------------------------------------------------------------
async def get_extension(session: AsyncSession, extension_id: int, *, for_update: bool = False) -> Extension | None:
    stmt = select(Extension).where(Extension.id == extension_id)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def latest_extension(session: AsyncSession, order_id: str) -> Extension | None:
    stmt = select(Extension).where(Extension.work_order_id == order_id).order_by(Extension.id.desc()).limit(1)
    return (await session.execute(stmt)).scalar_one_or_none()


async def pending_extension(session: AsyncSession, dispatch_id: int) -> Extension | None:
    stmt = select(Extension).where(Extension.dispatch_id == dispatch_id, Extension.state == "pending").limit(1)
    return (await session.execute(stmt)).scalar_one_or_none()


async def extensions_page(
    session: AsyncSession, *, state: str | None, after: tuple[datetime, int] | None, limit: int
) -> Sequence[tuple[Extension, WorkOrder, datetime | None]]:
    """Extensions newest first, with their orders and when their hand-over ended (None: it goes on).
    Pending ones are those a dispatcher can still decide; a request left undecided whose hand-over
    has ended (resolved, returned, reassigned, passed up) has nothing left to extend: lapsed."""
    stmt = (select(Extension, WorkOrder, Dispatch.ended_at).join(WorkOrder, WorkOrder.id == Extension.work_order_id)
            .join(Dispatch, Dispatch.id == Extension.dispatch_id))
    if state in ("pending", "lapsed"):
        ended = Dispatch.ended_at.is_(None) if state == "pending" else Dispatch.ended_at.is_not(None)
        stmt = stmt.where(Extension.state == "pending", ended)
    elif state:
        stmt = stmt.where(Extension.state == state)
    stmt = _newest_first(stmt, Extension.requested_at, Extension.id, after, limit)
    return list((await session.execute(stmt)).all())
