"""On PostgreSQL + Kafka: an appeal POSTed over HTTP reaches its unit's dispatch topic as a
CloudEvent that a plain consumer (knowing nothing of our code) reads; the loop then closes and the
631 report counts it. With the broker stopped, appeals are still accepted and nothing is lost."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer
from sqlalchemy import func, select

from services.bootstrap import Runtime
from services.db.tables import OutboxEvent, ProcessedEvent
from tests.support.broker import TansuBroker
from tests.support.factories import appeal, close_the_loop, key_headers, order_in_state
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration


async def read_dispatch_record(bootstrap: str, unit: str, order_id: str, timeout: float = 30.0) -> list[Any]:
    """Every record for `order_id` on the unit's topic, read by a plain aiokafka consumer."""
    consumer = AIOKafkaConsumer(
        f"hotline.dispatch.{unit}",
        bootstrap_servers=bootstrap,
        group_id=f"unit-system-{uuid.uuid4().hex[:6]}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    found: list[Any] = []
    try:
        deadline = asyncio.get_running_loop().time() + timeout
        while not found and asyncio.get_running_loop().time() < deadline:
            batches = await consumer.getmany(timeout_ms=500)
            for records in batches.values():
                found += [r for r in records if r.key == order_id.encode()]
        # Give a duplicate, if any, a chance to show up.
        for records in (await consumer.getmany(timeout_ms=1000)).values():
            found += [r for r in records if r.key == order_id.encode()]
    finally:
        await consumer.stop()
    return found


async def test_appeal_reaches_the_units_topic_as_a_cloudevent_and_the_loop_closes(
    kafka_system: tuple[Runtime, httpx.AsyncClient], broker: TansuBroker
) -> None:
    runtime, client = kafka_system
    supervisor = await key_headers(runtime, "supervisor")
    before = {
        r["level"]: r["count"] for r in (await client.get("/v1/reports/631", headers=supervisor)).json()["levels"]
    }
    accepted = await client.post("/v1/appeals", json=appeal(caller_phone="13912345678", external_id="it-1"))
    assert accepted.status_code == 201, accepted.text
    order_id, token = accepted.json()["work_order_id"], accepted.json()["citizen_token"]
    order = await eventually(lambda: order_in_state(client, order_id, "dispatched"), what="dispatch")

    records = await read_dispatch_record(broker.bootstrap, order["unit"], order_id)
    assert records, "no dispatch event on the unit's topic"
    headers = {k: v.decode() for k, v in records[0].headers}
    assert headers["ce_specversion"] == "1.0"
    assert headers["ce_type"] == "org.hotline.workorder.dispatched"
    assert headers["ce_subject"] == order_id
    assert headers["ce_source"] and headers["ce_id"] and headers["ce_time"]
    assert headers["content-type"] == "application/json"
    body = json.loads(records[0].value)
    assert body["work_order_id"] == order_id and body["unit"] == order["unit"]
    assert body["contact"]["phone"] == "13912345678"
    assert body["claim_due"] and body["resolve_due"]

    closed = await close_the_loop(client, order_id, order["unit"], token)
    assert closed["state"] == "closed"
    level = closed["resolved_level"]

    async def counted() -> bool:  # the reports consumer reads the lifecycle topic in its own time
        report = (await client.get("/v1/reports/631", headers=supervisor)).json()
        return {r["level"]: r["count"] for r in report["levels"]}[level] == before[level] + 1

    await eventually(counted, what="the close in the 631 report")


async def test_appeal_is_accepted_while_the_broker_is_down_and_delivered_once_when_it_returns(
    kafka_system: tuple[Runtime, httpx.AsyncClient], broker: TansuBroker
) -> None:
    runtime, client = kafka_system
    broker.pause()
    try:
        accepted = await client.post("/v1/appeals", json=appeal(external_id="it-broker-down"))
        assert accepted.status_code == 201, accepted.text
        order_id = accepted.json()["work_order_id"]
        await asyncio.sleep(1.0)  # the relay is trying and failing meanwhile
        assert (await client.get(f"/v1/work-orders/{order_id}")).json()["state"] == "received"
    finally:
        broker.resume()

    order = await eventually(
        lambda: order_in_state(client, order_id, "dispatched"), timeout=90, what="dispatch after the broker came back"
    )
    records = await read_dispatch_record(broker.bootstrap, order["unit"], order_id)
    assert records, "the dispatch event was lost"

    async with runtime.sessions() as session:
        received_ids = (
            (
                await session.execute(
                    select(OutboxEvent.event_id).where(
                        OutboxEvent.key == order_id, OutboxEvent.type == "org.hotline.workorder.received"
                    )
                )
            )
            .scalars()
            .all()
        )
        assert len(received_ids) == 1
        handled = (
            await session.execute(
                select(func.count())
                .select_from(ProcessedEvent)
                .where(ProcessedEvent.consumer == "hotline-router", ProcessedEvent.event_id == received_ids[0])
            )
        ).scalar_one()
        assert handled == 1

    async def outbox_drained() -> bool:
        async with runtime.sessions() as session:
            n = (
                await session.execute(
                    select(func.count())
                    .select_from(OutboxEvent)
                    .where(OutboxEvent.key == order_id, OutboxEvent.published_at.is_(None))
                )
            ).scalar_one()
        return n == 0

    await eventually(outbox_drained, what="every outbox row of the order published")
