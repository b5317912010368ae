"""On PostgreSQL + Kafka: every connection of the running system killed under it (pg_terminate_backend,
as a failover or an administrator does) costs at most one 503 per pool, never a 500 nor a run of
failures; the relay takes its leadership again and every appeal accepted before and after is
dispatched, without a restart."""

from __future__ import annotations

import asyncio

import asyncpg
import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from services.bootstrap import Runtime
from services.db.tables import OutboxEvent
from tests.support.factories import appeal, order_in_state
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration


async def _terminate_every_connection(pg_url: str) -> int:
    url = make_url(pg_url)
    admin = await asyncpg.connect(host=url.host, port=url.port, user=url.username, database="postgres")
    try:
        killed = await admin.fetch("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                   "WHERE datname = $1 AND pid <> pg_backend_pid()", url.database)
    finally:
        await admin.close()
    return len(killed)


async def test_every_connection_terminated_under_the_running_system_costs_at_most_one_503(
    kafka_system: tuple[Runtime, httpx.AsyncClient], pg_url: str
) -> None:
    runtime, client = kafka_system

    async def submit(tag: str) -> httpx.Response:
        return await client.post("/v1/appeals", json=appeal(external_id=f"it-terminated-{tag}"))

    warm = await asyncio.gather(*(submit(f"before-{i}") for i in range(12)))  # several pooled connections
    assert {r.status_code for r in warm} == {201}
    assert await _terminate_every_connection(pg_url) >= 2  # the pool's and the relay's lock connection

    statuses: list[int] = []
    accepted = [r.json()["work_order_id"] for r in warm]
    for i in range(30):
        answer = await submit(f"after-{i}")
        statuses.append(answer.status_code)
        if answer.status_code == 201:
            accepted.append(answer.json()["work_order_id"])
    assert 500 not in statuses and statuses.count(503) <= 1, statuses
    assert statuses[-20:] == [201] * 20, statuses

    for order_id in accepted:
        await eventually(lambda o=order_id: order_in_state(client, o, "dispatched", "pending_review", "merged"),
                         timeout=60, what=f"{order_id} routed after the connections were killed")

    async def outbox_drained() -> bool:
        async with runtime.sessions() as session:
            stmt = select(func.count()).select_from(OutboxEvent).where(OutboxEvent.published_at.is_(None))
            return (await session.execute(stmt)).scalar_one() == 0

    await eventually(outbox_drained, timeout=60, what="every event published")
