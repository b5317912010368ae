"""Queries of the escalation tables: due orders for the sweep, supervision records, whistle calls
and summons, extensions. Like services.db.repositories, nothing here commits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.db.repositories import _insert_for
from services.db.tables import (
    Dispatch,
    Extension,
    OutboxEvent,
    SupervisionRecord,
    WhistleCall,
    WhistleSummons,
    WorkOrder,
    WorkOrderHistory,
)

_CHUNK = 1000  # rows per multi-row INSERT (SQLite caps bound parameters per statement)


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


async def open_dispatches(session: AsyncSession, order_ids: Sequence[str]) -> dict[str, Dispatch]:
    """Each order's current hand-over (the newest that has not ended), in one query."""
    if not order_ids:
        return {}
    stmt = (
        select(Dispatch)
        .where(Dispatch.work_order_id.in_(order_ids), Dispatch.ended_at.is_(None))
        .order_by(Dispatch.id)
    )
    return {d.work_order_id: d for d in (await session.execute(stmt)).scalars()}


async def pending_summons(
    session: AsyncSession, order_ids: Sequence[str]
) -> dict[str, list[tuple[WhistleSummons, WhistleCall]]]:
    """Departments summoned to these orders that have not reported yet, with their calls."""
    found: dict[str, list[tuple[WhistleSummons, WhistleCall]]] = {}
    if not order_ids:
        return found
    stmt = (
        select(WhistleSummons, WhistleCall)
        .join(WhistleCall, WhistleCall.id == WhistleSummons.call_id)
        .where(WhistleSummons.work_order_id.in_(order_ids), WhistleSummons.reported_at.is_(None))
        .order_by(WhistleSummons.id)
    )
    for summons, call in (await session.execute(stmt)).all():
        found.setdefault(summons.work_order_id, []).append((summons, call))
    return found


async def raised_levels(session: AsyncSession, order_ids: Sequence[str]) -> dict[str, frozenset[str]]:
    """clock key -> levels already raised, for the orders' clocks."""
    if not order_ids:
        return {}
    stmt = select(SupervisionRecord.clock_key, SupervisionRecord.level).where(
        SupervisionRecord.work_order_id.in_(order_ids))
    levels: dict[str, set[str]] = {}
    for key, level in (await session.execute(stmt)).all():
        levels.setdefault(key, set()).add(level)
    return {key: frozenset(v) for key, v in levels.items()}


async def insert_supervision_records(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> set[tuple[str, str]]:
    """Insert the records that do not exist yet (ON CONFLICT DO NOTHING on clock key + level) and
    return the (clock key, level) pairs this call inserted: only those may be announced."""
    inserted: set[tuple[str, str]] = set()
    dialect_insert = _insert_for(session)
    for start in range(0, len(rows), _CHUNK):
        stmt = (
            dialect_insert(SupervisionRecord)
            .values(list(rows[start:start + _CHUNK]))
            .on_conflict_do_nothing(index_elements=["clock_key", "level"])
            .returning(SupervisionRecord.clock_key, SupervisionRecord.level)
        )
        inserted.update((key, level) for key, level in (await session.execute(stmt)).all())
    return inserted


async def add_many(session: AsyncSession, outbox: Sequence[dict[str, Any]], history: Sequence[dict[str, Any]]) -> None:
    """Bulk inserts of outbox and history rows (the sweep writes thousands at a time)."""
    if outbox:
        session.info["outbox_written"] = True  # the commit wakes the relay (services.db.engine)
        await session.execute(insert(OutboxEvent), list(outbox))
    if history:
        await session.execute(insert(WorkOrderHistory), list(history))


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
        stmt = stmt.where(WorkOrder.state.in_(("dispatched", "claimed")))
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
) -> Sequence[tuple[Extension, WorkOrder]]:
    """Extensions newest first, with their orders."""
    stmt = select(Extension, WorkOrder).join(WorkOrder, WorkOrder.id == Extension.work_order_id)
    if state:
        stmt = stmt.where(Extension.state == state)
    stmt = _newest_first(stmt, Extension.requested_at, Extension.id, after, limit)
    return list((await session.execute(stmt)).all())
