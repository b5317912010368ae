"""A unit with 100,000 orders sees its newest at once: on PostgreSQL each list page is one index
walked backwards from the cursor, stopping after the page — no sort, no scan of the unit's history."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from services.db.engine import make_engine
from services.db.order_lists import Cursor, OrderFilter, all_orders_stmt, helping_stmt, led_stmt
from tests.support.bulk_orders import load_orders
from tests.support.postgres import create_database, drop_database

pytestmark = pytest.mark.integration

UNIT = "urban_mgmt"  # 100,000 orders
SMALL = "housing"  # 10,000 among them
N = 100_000


@pytest.fixture(scope="module")
async def loaded() -> AsyncIterator[AsyncEngine]:
    name, url = await create_database()
    engine = make_engine(url)
    try:
        await load_orders(engine, unit=UNIT, n=N, tag="a")
        await load_orders(engine, unit=SMALL, n=N // 10, tag="b")
        yield engine
    finally:
        await engine.dispose()
        await drop_database(name)


async def plan(conn: AsyncConnection, stmt: Any) -> str:
    compiled = stmt.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    params = tuple(compiled.params[k] for k in compiled.positiontup)
    rows = (await conn.exec_driver_sql(f"EXPLAIN (ANALYZE, COSTS OFF) {compiled}", params)).all()
    return "\n".join(r[0] for r in rows)


def newest_read_only(text: str, limit: int) -> None:
    """The plan walks an index backwards and stops after the page: no sort, and no node reads (or
    reads and throws away) more than a page's worth of rows."""
    assert "Sort" not in text, text
    assert "Index Scan Backward" in text, text
    counts = [int(part.split("rows=")[1].split()[0]) for part in text.split("actual")[1:]]
    assert max(counts) <= limit, text
    removed = [int(line.split(":")[1]) for line in text.splitlines() if "Rows Removed by Filter" in line]
    assert sum(removed) <= limit, text


async def test_a_units_newest_page_and_the_next_come_straight_from_its_index(loaded: AsyncEngine) -> None:
    async with loaded.connect() as conn:
        first = await plan(conn, led_stmt(UNIT, OrderFilter(), None, 51))
        newest_read_only(first, 51)
        rows = (await conn.execute(led_stmt(UNIT, OrderFilter(), None, 51))).all()  # rows, not ORM objects
        assert [o.id for o in rows[:2]] == [f"wo_bulk_a_{N}", f"wo_bulk_a_{N - 1}"]
        after = Cursor(rows[49].created_at, rows[49].id)
        second = await plan(conn, led_stmt(UNIT, OrderFilter(), after, 51))
        newest_read_only(second, 51)
        page = (await conn.execute(led_stmt(UNIT, OrderFilter(), after, 51))).all()
        assert page[0].id == f"wo_bulk_a_{N - 50}"


async def test_one_state_of_a_unit_and_every_order_are_index_walks_too(loaded: AsyncEngine) -> None:
    async with loaded.connect() as conn:
        small = await plan(conn, led_stmt(SMALL, OrderFilter(), None, 51))
        assert "ix_work_orders_unit_created" in small
        newest_read_only(small, 51)
        claimed = await plan(conn, led_stmt(UNIT, OrderFilter(states=("claimed",)), None, 51))
        assert "ix_work_orders_unit_state_created" in claimed
        newest_read_only(claimed, 51)
        helping = await plan(conn, helping_stmt(UNIT, OrderFilter(), None, 51))
        assert "ix_order_units_helping" in helping and "ix_order_units_unit" not in helping, helping
        everything = await plan(conn, all_orders_stmt(OrderFilter(), None, 51))
        assert "ix_work_orders_created" in everything
        newest_read_only(everything, 51)
        staffs_view_of_a_unit = await plan(conn, all_orders_stmt(OrderFilter(unit=SMALL), None, 51))
        assert "ix_work_orders_unit_created" in staffs_view_of_a_unit
        newest_read_only(staffs_view_of_a_unit, 51)
