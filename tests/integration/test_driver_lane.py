"""On PostgreSQL: the lane of intake's autocommitted statements (new_orders.DriverLane) keeps a
connection whose statement went through for the next one, and only such a connection; what it
keeps goes back to the pool when the pool finds a connection gone, and when the lane closes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from services.db.engine import make_engine
from services.db.new_orders import DriverLane

pytestmark = pytest.mark.integration

_PID = select(func.pg_backend_pid().label("pid"))


@pytest.fixture
async def engine(pg_url: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(pg_url)
    yield engine
    await engine.dispose()


async def _pid(lane: DriverLane) -> int:
    async with lane.checkout() as connection:
        return int((await connection.fetch(_PID, {}))[0].pid)


def _checked_out(engine: AsyncEngine) -> int:
    return engine.sync_engine.pool.checkedout()  # type: ignore[attr-defined, no-any-return]


async def test_the_lane_keeps_a_connection_for_the_next_statement_and_hands_it_back_on_close(
    engine: AsyncEngine
) -> None:
    lane = DriverLane(engine, keep=2)
    first = await _pid(lane)
    assert await _pid(lane) == first  # the same backend, not a checkout from the pool
    assert _checked_out(engine) == 1
    await lane.close()
    assert _checked_out(engine) == 0
    await _pid(lane)  # a closed lane still serves, through the pool
    assert _checked_out(engine) == 0


async def test_the_lane_keeps_no_more_than_it_may(engine: AsyncEngine) -> None:
    lane = DriverLane(engine, keep=2)
    await asyncio.gather(*(_pid(lane) for _ in range(5)))
    assert _checked_out(engine) <= 2
    await lane.close()


async def test_a_failed_statement_returns_its_connection_to_the_pool(engine: AsyncEngine) -> None:
    lane = DriverLane(engine, keep=2)
    with pytest.raises(RuntimeError):
        async with lane.checkout() as connection:
            await connection.fetch(_PID, {})
            raise RuntimeError("the caller's own failure")
    assert _checked_out(engine) == 0
    await lane.close()


async def test_kept_connections_are_replaced_once_the_pool_finds_one_gone(engine: AsyncEngine, pg_url: str) -> None:
    lane = DriverLane(engine, keep=4)

    async def held(release: asyncio.Event) -> int:
        async with lane.checkout() as connection:
            pid = int((await connection.fetch(_PID, {}))[0].pid)
            await release.wait()
            return pid

    release = asyncio.Event()
    pending = [asyncio.create_task(held(release)) for _ in range(3)]
    await asyncio.sleep(0.2)
    release.set()
    pids = await asyncio.gather(*pending)
    assert len(set(pids)) == 3 and _checked_out(engine) == 3  # three kept

    url = make_url(pg_url)
    admin = await asyncpg.connect(host=url.host, port=url.port, user=url.username, database="postgres")
    try:
        await admin.execute("SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid", pids)
    finally:
        await admin.close()

    with pytest.raises(DBAPIError) as failed:  # the first statement finds its connection gone
        await _pid(lane)
    assert failed.value.connection_invalidated
    assert await _pid(lane) not in pids  # the other kept ones are not tried: a new connection serves
    await lane.close()
    assert _checked_out(engine) == 0
