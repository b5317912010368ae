"""Helpers for the clock and supervision tests: sweeping at the manual clock's instant, reading what
the sweep recorded and announced, and seeding many dispatched orders straight into the database."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from escalation.clocks import deadlines_for
from services.bootstrap import Runtime
from services.context import DomainContext
from services.db.tables import Dispatch, OutboxEvent, SupervisionRecord, WorkOrder
from services.sweep import SweepResult


async def sweep(runtime: Runtime) -> SweepResult:
    """One sweep at the runtime's current (manual) time, its events published."""
    assert runtime.sweeper is not None
    result = await runtime.sweeper.run_once()
    await runtime.relay.drain()
    return result


async def records(runtime: Runtime, order_id: str) -> list[tuple[str, str, str]]:
    """(clock, unit, level) of every supervision record of the order, in the order raised."""
    async with runtime.sessions() as session:
        rows = await session.execute(
            select(SupervisionRecord.clock, SupervisionRecord.unit, SupervisionRecord.level)
            .where(SupervisionRecord.work_order_id == order_id).order_by(SupervisionRecord.id))
        return [(c, u, level) for c, u, level in rows.all()]


async def outbox(runtime: Runtime, order_id: str, *, topic: str | None = None,
                 type_: str | None = None) -> list[dict[str, Any]]:
    """The data of every event written for the order (optionally on one topic / of one type)."""
    async with runtime.sessions() as session:
        stmt = select(OutboxEvent).where(OutboxEvent.key == order_id).order_by(OutboxEvent.id)
        if topic:
            stmt = stmt.where(OutboxEvent.topic == topic)
        if type_:
            stmt = stmt.where(OutboxEvent.type == type_)
        return [{"type": e.type, "topic": e.topic, **e.data} for e in (await session.execute(stmt)).scalars()]


async def seed_dispatched(session: AsyncSession, ctx: DomainContext, count: int, *, unit: str, at: datetime,
                          whistle_class: str = "ordinary") -> list[str]:
    """`count` orders dispatched to `unit` at `at`, written directly (no routing) and due for a look
    at once: for sweeping many orders at the same time."""
    deadlines = deadlines_for(whistle_class, at, ctx.calendar, ctx.clock_policy)
    ids = []
    for _ in range(count):
        order_id = f"wo_seed_{uuid.uuid4().hex[:16]}"
        ids.append(order_id)
        session.add(WorkOrder(
            id=order_id, channel="12345_phone", fingerprint="seed", text="种子工单", text_masked="种子工单",
            state="dispatched", whistle_class=whistle_class, level="county", unit=unit, confidential=False,
            claim_due=deadlines.claim_due, first_contact_due=deadlines.first_contact_due,
            resolve_due=deadlines.resolve_due, return_count=0, reopen_count=0, supervision_level="none",
            next_check_at=at,  # look at once: the sweep works out what is due and when to look next
            created_at=at, updated_at=at,
        ))
    await session.flush()
    session.add_all([Dispatch(work_order_id=order_id, unit=unit, level="county", whistle_class=whistle_class,
                              dispatched_at=at, claim_due=deadlines.claim_due,
                              first_contact_due=deadlines.first_contact_due, resolve_due=deadlines.resolve_due)
                     for order_id in ids])
    return ids
