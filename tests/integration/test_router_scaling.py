"""Two router processes share the lifecycle topic's partitions (one consumer group), route in
batches, and nothing is routed twice: every received order gets exactly one routing step."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from schemas.events import EventEnvelope
from services.apps.intake import create_intake_app
from services.bootstrap import Runtime, build_runtime
from services.bus.base import BatchHandler
from services.db.tables import ProcessedEvent, WorkOrder, WorkOrderHistory
from services.settings import CoreSettings
from tests.support.broker import TansuBroker
from tests.support.factories import appeal
from tests.support.postgres import create_database, drop_database
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

TEXTS = ["小区从早上开始停水，一直没有通知什么时候来水。", "路口红绿灯坏了，早高峰很乱。",
         "楼下烧烤店的油烟直排进居民楼，窗户都不敢开，请城管处理。", "公司拖欠工资两个月，老板不接电话。"]


def counting(runtime: Runtime, tally: dict[str, int], name: str) -> None:
    """Count the events each runtime's router is handed (before start: subscriptions are data)."""
    subs = runtime.bus._subscriptions  # type: ignore[attr-defined]
    for i, sub in enumerate(subs):
        if sub.consumer == "hotline-router" and sub.batch is not None:
            inner: BatchHandler = sub.batch

            async def batch(events: Sequence[EventEnvelope], inner: BatchHandler = inner) -> None:
                await inner(events)
                tally[name] += len(events)

            subs[i] = dataclasses.replace(sub, batch=batch)


@pytest.fixture
async def two_routers(tmp_path: Path) -> AsyncIterator[tuple[Runtime, Runtime, httpx.AsyncClient, dict[str, int]]]:
    broker = TansuBroker(tmp_path)
    broker.start()
    name, url = await create_database()
    settings = CoreSettings(database_url=url, kafka_bootstrap_servers=broker.bootstrap, kafka_missing_topics="create",
                            relay_poll_seconds=0.05,
                            kafka_client_id="hotline-two-routers")
    tally = {"first": 0, "second": 0}
    first = await build_runtime(settings, roles=("intake", "router"))
    second = await build_runtime(settings, roles=("router",))
    counting(first, tally, "first")
    counting(second, tally, "second")
    await first.start()
    await second.start()
    app = create_intake_app(settings, runtime=first)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hotline.test") as c:
            yield first, second, c, tally
    finally:
        await second.stop()
        await first.stop()
        broker.stop()
        await drop_database(name)


async def test_two_routers_share_the_work_and_route_each_order_once(
    two_routers: tuple[Runtime, Runtime, httpx.AsyncClient, dict[str, int]],
) -> None:
    first, _, client, tally = two_routers
    accepted: list[str] = []

    async def submit_wave() -> bool:
        for _ in range(20):
            n = len(accepted)
            body = appeal(TEXTS[n % len(TEXTS)] + f"（{n}号）", channel="web", external_id=f"two-routers-{n}")
            response = await client.post("/v1/appeals", json=body)
            assert response.status_code == 201, response.text
            accepted.append(response.json()["work_order_id"])
        return min(tally.values()) > 0 or len(accepted) >= 400

    # Keep submitting until both routers have been handed work (the group rebalances as the
    # second joins), then wait for every order to be routed.
    await eventually(submit_wave, timeout=120, interval=0.5, what="both routers to take part")

    async def all_routed() -> bool:
        async with first.sessions() as session:
            left = (await session.execute(select(func.count()).select_from(WorkOrder).where(
                WorkOrder.id.in_(accepted), WorkOrder.state == "received"))).scalar_one()
        return left == 0

    await eventually(all_routed, timeout=120, interval=0.2, what="every order routed")
    async with first.sessions() as session:
        steps = dict((await session.execute(
            select(WorkOrderHistory.work_order_id, func.count())
            .where(WorkOrderHistory.work_order_id.in_(accepted), WorkOrderHistory.from_state == "received")
            .group_by(WorkOrderHistory.work_order_id))).all())
        claimed = (await session.execute(select(func.count()).select_from(ProcessedEvent).where(
            ProcessedEvent.consumer == "hotline-router"))).scalar_one()
        # An appeal intake merges into an open one at once (并单) is never the router's to route.
        merged_at_intake = (await session.execute(select(func.count()).select_from(WorkOrder).where(
            WorkOrder.id.in_(accepted), WorkOrder.state == "merged"))).scalar_one()
    assert steps == dict.fromkeys(accepted, 1)  # routed, and routed once
    assert claimed >= len(accepted) - merged_at_intake
    assert tally["first"] > 0 and tally["second"] > 0
