"""The states report reads counts the database maintains; they always equal a full count."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select, update

from services.db import repositories as repo
from services.db.engine import make_engine, make_session_factory
from services.db.migrate import upgrade
from services.db.state_counts import fold_state_counts
from services.db.tables import STATE_COUNT_DELTAS, WorkOrder
from tests.support.postgres import create_database, drop_database

pytestmark = pytest.mark.integration


def order(n: int) -> WorkOrder:
    now = datetime.now(UTC)
    return WorkOrder(id=f"wo_count_{n}", channel="web", external_id=f"count-{n}", fingerprint="f", text="t",
                     text_masked="t", confidential=False, state="received", return_count=0, reopen_count=0,
                     created_at=now, updated_at=now)


@pytest.mark.parametrize("backend", ["postgresql", "sqlite"])
async def test_state_counts_follow_inserts_transitions_and_deletes(backend: str, tmp_path: Path) -> None:
    if backend == "postgresql":
        name, url = await create_database()
    else:
        name, url = "", f"sqlite+aiosqlite:///{tmp_path}/counts.db"
        await asyncio.to_thread(upgrade, url)
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    try:
        async def writer(first: int) -> None:  # concurrent writers land on their own shards
            async with sessions() as session, session.begin():
                session.add_all([order(n) for n in range(first, first + 10)])

        await asyncio.gather(*(writer(k * 10) for k in range(3)))
        async with sessions() as session, session.begin():
            await session.execute(update(WorkOrder).where(WorkOrder.id.in_([f"wo_count_{n}" for n in range(12)]))
                                  .values(state="dispatched"))
            await session.execute(update(WorkOrder).where(WorkOrder.id == "wo_count_0").values(state="claimed"))
            await session.execute(update(WorkOrder).where(WorkOrder.id == "wo_count_1").values(state="dispatched"))
            await session.execute(delete(WorkOrder).where(WorkOrder.id == "wo_count_29"))
        async with sessions() as session:
            counted = await repo.count_by_state(session)
            actual = dict((await session.execute(
                select(WorkOrder.state, func.count()).group_by(WorkOrder.state))).all())
        assert counted == actual == {"received": 17, "dispatched": 11, "claimed": 1}
        # Folding the appended deltas into the counts (the feedback service's job) changes no count,
        # and leaves no delta behind; a fold with nothing to fold is harmless.
        await asyncio.gather(fold_state_counts(engine), fold_state_counts(engine))
        await fold_state_counts(engine)
        async with sessions() as session:
            assert await repo.count_by_state(session) == actual
            left = (await session.execute(select(func.count()).select_from(STATE_COUNT_DELTAS))).scalar_one()
        assert left == 0
    finally:
        await engine.dispose()
        if name:
            await drop_database(name)


async def test_a_units_queue_is_read_from_one_index_in_order() -> None:
    """list_orders(unit, state) needs no sort and no scan of the unit's other orders, however
    long the history: the plan is one index range, already in created_at order."""
    name, url = await create_database()
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            await conn.exec_driver_sql("SET enable_seqscan = off")
            plan = "\n".join(row[0] for row in (await conn.exec_driver_sql(
                "EXPLAIN SELECT * FROM work_orders WHERE unit = 'u' AND state = 'dispatched' "
                "ORDER BY created_at LIMIT 100")).all())
        assert "ix_work_orders_unit_state_created" in plan
        assert "Sort" not in plan
    finally:
        await engine.dispose()
        await drop_database(name)
