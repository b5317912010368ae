"""The database stops at once (pg_ctl stop -m immediate) while appeals flow and comes back:
every appeal that got a 2xx is there afterwards and gets routed, and every outbox event is
published; requests made while it is down get an error, never a false 201."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from sqlalchemy import func, select

from services.bootstrap import Runtime
from services.db.migrate import upgrade
from services.db.tables import OutboxEvent, WorkOrder
from services.settings import CoreSettings
from tests.support.broker import TansuBroker
from tests.support.factories import appeal, order_in_state, running_system
from tests.support.own_postgres import OwnPostgres
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def own_pg() -> Iterator[OwnPostgres]:
    pg = OwnPostgres()
    pg.init()
    pg.start()
    try:
        yield pg
    finally:
        pg.stop()


@pytest.fixture(scope="module")
async def system(own_pg: OwnPostgres, broker: TansuBroker) -> AsyncIterator[tuple[Runtime, httpx.AsyncClient]]:
    await asyncio.to_thread(upgrade, own_pg.url)
    settings = CoreSettings(database_url=own_pg.url, kafka_bootstrap_servers=broker.bootstrap,
                            relay_poll_seconds=0.05, kafka_client_id="hotline-dbcrash")
    async with running_system(settings) as pair:
        yield pair


async def test_accepted_appeals_survive_a_database_crash(
    system: tuple[Runtime, httpx.AsyncClient], own_pg: OwnPostgres
) -> None:
    runtime, client = system
    accepted: list[str] = []
    for i in range(5):
        response = await client.post("/v1/appeals", json=appeal(external_id=f"pre-crash-{i}"))
        assert response.status_code == 201
        accepted.append(response.json()["work_order_id"])

    own_pg.crash()
    try:
        for i in range(3):
            response = await client.post("/v1/appeals", json=appeal(external_id=f"while-down-{i}"))
            assert response.status_code == 503, response.text  # told to retry, never a false 201
            assert "nothing was stored" in response.json()["message"]
        ready = await client.get("/readyz")
        assert ready.status_code == 503 and ready.json()["database"] is False
    finally:
        own_pg.start()

    async def recovered() -> bool:
        return (await client.get("/readyz")).status_code == 200

    await eventually(recovered, timeout=60, what="readiness after the restart")
    again = await client.post("/v1/appeals", json=appeal(external_id="after-restart"))
    assert again.status_code == 201
    accepted.append(again.json()["work_order_id"])

    for order_id in accepted:
        await eventually(lambda o=order_id: order_in_state(client, o, "dispatched"), timeout=90,
                         what=f"{order_id} routed after the crash")
    async with runtime.sessions() as session:
        stored = (await session.execute(select(func.count()).select_from(WorkOrder).where(
            WorkOrder.id.in_(accepted)))).scalar_one()

        async def outbox_empty() -> bool:
            async with runtime.sessions() as s:
                return (await s.execute(select(func.count()).select_from(OutboxEvent).where(
                    OutboxEvent.published_at.is_(None)))).scalar_one() == 0

        await eventually(outbox_empty, what="every event published")
    assert stored == len(accepted)
