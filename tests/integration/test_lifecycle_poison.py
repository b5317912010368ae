"""On PostgreSQL + Kafka: records on hotline.lifecycle that read as CloudEvents but carry what the
database cannot store — a NUL in ce_id, ce_subject or the body, a subject longer than any order id —
are set aside as unreadable; the router and the reports consumer go on with the events behind them."""

from __future__ import annotations

import uuid

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from sqlalchemy import func, select

from schemas.events import LIFECYCLE_TOPIC, RECEIVED_TYPE
from services.bootstrap import Runtime
from services.db.tables import OutboxEvent, ProcessedEvent
from services.reports.consumer import REPORTS_CONSUMER
from tests.support.broker import TansuBroker
from tests.support.factories import appeal, order_in_state
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration


def _headers(ce_id: str, subject: str) -> list[tuple[str, bytes]]:
    base = {"ce_specversion": "1.0", "ce_id": ce_id, "ce_source": "urn:test:poison", "ce_type": RECEIVED_TYPE,
            "ce_subject": subject, "content-type": "application/json"}
    return [(k, v.encode()) for k, v in base.items()]


async def test_lifecycle_records_the_database_cannot_store_stall_no_consumer(
    kafka_system: tuple[Runtime, httpx.AsyncClient], broker: TansuBroker
) -> None:
    runtime, client = kafka_system
    at = b'{"at": "2026-12-01T08:00:00Z"'
    poison = [(f"p{uuid.uuid4().hex[:8]}\x00", "wo_poison_nul_id", at + b"}"),
              (uuid.uuid4().hex, "wo_poison\x00", at + b"}"), (uuid.uuid4().hex, "wo_" + "x" * 300, at + b"}"),
              (uuid.uuid4().hex, "wo_poison_data", at + b', "township": "a\\u0000b"}')]
    producer = AIOKafkaProducer(bootstrap_servers=broker.bootstrap, acks="all")
    await producer.start()
    try:
        partitions = await producer.partitions_for(LIFECYCLE_TOPIC)
        for ce_id, subject, value in poison:
            for p in partitions:  # in front of whatever partition the next order lands on
                await producer.send_and_wait(LIFECYCLE_TOPIC, key=subject.encode(), partition=p, value=value,
                                             headers=_headers(ce_id, subject))
    finally:
        await producer.stop()

    accepted = await client.post("/v1/appeals", json=appeal(external_id=f"it-poison-{uuid.uuid4().hex[:6]}"))
    assert accepted.status_code == 201, accepted.text
    order_id = accepted.json()["work_order_id"]
    await eventually(lambda: order_in_state(client, order_id, "dispatched", "pending_review", "merged"), timeout=60,
                     what="the order behind the poison routed")

    async def reports_saw_it() -> bool:
        async with runtime.sessions() as session:
            received = select(OutboxEvent.event_id).where(OutboxEvent.key == order_id,
                                                         OutboxEvent.type == RECEIVED_TYPE).scalar_subquery()
            stmt = select(func.count()).select_from(ProcessedEvent).where(
                ProcessedEvent.consumer == REPORTS_CONSUMER, ProcessedEvent.event_id == received)
            return (await session.execute(stmt)).scalar_one() == 1

    await eventually(reports_saw_it, timeout=60, what="the reports consumer past the poison")
