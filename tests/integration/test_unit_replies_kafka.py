"""Unit replies on the real broker (Tansu) and PostgreSQL: records that cannot be read — no ce_*
headers at all, a key that is not the ce_subject, a burst of malformed ones — go to the dead-letter
topic with the reason, the unit is told on its own topic when it can be known, the partition keeps
moving and its offsets are committed, and valid replies behind them are applied."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from services.bootstrap import Runtime
from tests.support.broker import TansuBroker
from tests.support.factories import appeal, order_in_state
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

REPLIES = "hotline.unit-replies"
DLQ = "hotline.unit-replies.dlq"


def headers(order_id: str, unit: str, kind: str, **override: str | None) -> list[tuple[str, bytes]]:
    base = {"ce_specversion": "1.0", "ce_id": uuid.uuid4().hex, "ce_source": f"urn:hotline:unit:{unit}",
            "ce_type": kind, "ce_subject": order_id, "content-type": "application/json", **override}
    return [(k, v.encode()) for k, v in base.items() if v is not None]


async def read_all(bootstrap: str, topic: str, want: Any, what: str, timeout: float = 60.0) -> list[Any]:
    """Records on `topic` until `want(records)` is true (a plain consumer of our own)."""
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=f"check-{uuid.uuid4().hex[:8]}",
                                auto_offset_reset="earliest", enable_auto_commit=False)
    await consumer.start()
    found: list[Any] = []
    try:
        deadline = asyncio.get_running_loop().time() + timeout
        while not want(found):
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"timed out waiting for {what}; saw {len(found)} records")
            for records in (await consumer.getmany(timeout_ms=500)).values():
                found += records
    finally:
        await consumer.stop()
    return found


async def test_unreadable_replies_are_dead_lettered_and_valid_ones_behind_them_applied(
    kafka_system: tuple[Runtime, httpx.AsyncClient], broker: TansuBroker
) -> None:
    _, client = kafka_system
    order_id = (await client.post("/v1/appeals", json=appeal(external_id="dlq-1"))).json()["work_order_id"]
    order = await eventually(lambda: order_in_state(client, order_id, "dispatched"), what="dispatch")
    unit = order["unit"]
    claim = "org.hotline.unit.claim"
    poison_id = uuid.uuid4().hex
    burst = [
        (order_id.encode(), b"{}", headers(order_id, unit, claim, ce_type=None)),  # no ce_type
        (order_id.encode(), b"not json", headers(order_id, unit, claim)),
        (order_id.encode(), b"[1, 2]", headers(order_id, unit, claim)),
        (order_id.encode(), b"{}", headers(order_id, unit, claim, ce_specversion="0.3")),
        (order_id.encode(), b"{}", headers(order_id, unit, claim, ce_time="yesterday")),
        (order_id.encode(), b"{}", headers(order_id, unit, claim, ce_id="x" * 80)),
        (None, b"{}", headers(order_id, unit, claim)),  # no key at all
    ] * 5
    producer = AIOKafkaProducer(bootstrap_servers=broker.bootstrap, acks="all")
    await producer.start()
    try:
        # All on one partition, in this order: the valid reply comes after every bad one.
        await producer.send_and_wait(REPLIES, key=order_id.encode(), value=b"\x00\xffpoison", headers=[],
                                     partition=0)
        await producer.send_and_wait(REPLIES, key=b"wo_someone_else", value=json.dumps({"unit": unit}).encode(),
                                     headers=headers(order_id, unit, claim, ce_id=poison_id), partition=0)
        for key, value, hs in burst:
            await producer.send(REPLIES, key=key, value=value, headers=hs, partition=0)
        await producer.send_and_wait(REPLIES, key=order_id.encode(),
                                     value=json.dumps({"unit": unit, "note": "收到"}).encode(),
                                     headers=headers(order_id, unit, claim), partition=0)
        last = await producer.send_and_wait(
            REPLIES, key=order_id.encode(), value=json.dumps({"unit": unit, "note": "已到现场"}).encode(),
            headers=headers(order_id, unit, "org.hotline.unit.progress"), partition=0)
    finally:
        await producer.stop()

    async def progressed() -> dict[str, Any] | None:
        body: dict[str, Any] = (await client.get(f"/v1/work-orders/{order_id}")).json()
        return body if [h["action"] for h in body["history"]][-2:] == ["claim", "progress"] else None

    body = await eventually(progressed, timeout=90, what="the valid replies behind the bad ones")
    assert body["state"] == "claimed"

    expected = 2 + len(burst)
    mine = order_id.encode()
    letters = await read_all(broker.bootstrap, DLQ, lambda rs: len({json.loads(r.value)["offset"] for r in rs
                                                                    if r.key == mine}) >= expected,
                             "every bad record on the dead-letter topic")
    by_offset = {json.loads(r.value)["offset"]: json.loads(r.value) for r in letters if r.key == mine}
    assert len(by_offset) == expected
    poison, mismatch = sorted(by_offset.values(), key=lambda d: d["offset"])[:2]
    assert poison["reason"].startswith("missing_attribute") and poison["value_encoding"] == "base64"
    assert poison["headers"] == {} and poison["unit"] is None
    assert mismatch["reason"].startswith("key_mismatch") and mismatch["key"] == "wo_someone_else"
    assert mismatch["headers"]["ce_id"] == poison_id and mismatch["unit"] == unit
    reasons = {d["reason"].split(":")[0] for d in by_offset.values()}
    assert reasons == {"missing_attribute", "key_mismatch", "unreadable"}

    # The unit is told on its own topic of each bad record whose ce_source names it.
    refused = await read_all(broker.bootstrap, f"hotline.dispatch.{unit}",
                             lambda rs: sum(1 for r in rs if dict(r.headers)["ce_type"]
                                            == b"org.hotline.unit.reply_refused") >= expected - 1,
                             "the refusals on the unit's topic")
    answers = [json.loads(r.value) for r in refused if dict(r.headers)["ce_type"] == b"org.hotline.unit.reply_refused"]
    about_poison = [a for a in answers if a["refused_event_id"] == poison_id]
    assert about_poison and about_poison[0]["reason"] == "key_mismatch" and about_poison[0]["status"] == 400

    # The partition's offset is committed past every record: nothing is stuck behind the poison.
    # (Read as the group's own offset fetch; this consumer never joins the group.)
    watcher = AIOKafkaConsumer(bootstrap_servers=broker.bootstrap, group_id="hotline-feedback",
                               enable_auto_commit=False)
    await watcher.start()
    try:
        async def committed() -> bool:
            offset = await watcher.committed(TopicPartition(REPLIES, 0))
            return offset is not None and offset >= last.offset + 1

        await eventually(committed, timeout=30, what="the reply partition's committed offset")
    finally:
        await watcher.stop()


async def test_a_return_without_reason_is_refused_on_the_units_topic_and_changes_nothing(
    kafka_system: tuple[Runtime, httpx.AsyncClient], broker: TansuBroker
) -> None:
    _, client = kafka_system
    order_id = (await client.post("/v1/appeals", json=appeal(external_id="dlq-2"))).json()["work_order_id"]
    order = await eventually(lambda: order_in_state(client, order_id, "dispatched"), what="dispatch")
    unit = order["unit"]
    refused_id = uuid.uuid4().hex
    producer = AIOKafkaProducer(bootstrap_servers=broker.bootstrap, acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(REPLIES, key=order_id.encode(),
                                     value=json.dumps({"unit": unit, "text": "不归我们管"}).encode(),
                                     headers=headers(order_id, unit, "org.hotline.unit.return", ce_id=refused_id))
    finally:
        await producer.stop()

    def answered(records: list[Any]) -> bool:
        return any(json.loads(r.value).get("refused_event_id") == refused_id for r in records)

    records = await read_all(broker.bootstrap, f"hotline.dispatch.{unit}", answered, "the refusal")
    [answer] = [json.loads(r.value) for r in records if json.loads(r.value).get("refused_event_id") == refused_id]
    assert (answer["reason"], answer["error"], answer["status"]) == ("refused", "validation_error", 422)
    assert answer["message"] == "reason: Field required" and answer["work_order_id"] == order_id
    assert (await client.get(f"/v1/work-orders/{order_id}")).json()["state"] == "dispatched"
