"""Bad input gets a 4xx naming the problem and writes nothing; repeats return the same order."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from services.bootstrap import Runtime
from services.db.tables import OutboxEvent, WorkOrder, WorkOrderHistory
from services.settings import CoreSettings
from tests.support.factories import appeal, running_system


@pytest.fixture(scope="module")
async def system(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[tuple[Runtime, httpx.AsyncClient]]:
    settings = CoreSettings(data_dir=Path(tmp_path_factory.mktemp("intake")), database_url=None,
                            kafka_bootstrap_servers=None, max_body_bytes=16_384)
    async with running_system(settings) as pair:
        yield pair


async def _row_counts(runtime: Runtime) -> tuple[int, int, int]:
    async with runtime.sessions() as session:
        counts = []
        for table in (WorkOrder, WorkOrderHistory, OutboxEvent):
            counts.append((await session.execute(select(func.count()).select_from(table))).scalar_one())
    return counts[0], counts[1], counts[2]


@pytest.mark.parametrize(
    ("body", "status", "named"),
    [
        ({"channel": "12345_phone"}, 422, "text"),
        ({"channel": "fax_machine", "text": "路灯坏了好几天了"}, 422, "channel"),
        ({"channel": "web", "text": "   "}, 422, "text"),
        ({"channel": "web", "text": "路灯坏了", "caller_phone": "call me maybe"}, 422, "caller_phone"),
        ({"channel": "web", "text": "路灯坏了", "colour": "red"}, 422, "colour"),
        ({"channel": "web", "text": "路" * 5001}, 422, "text"),
        ({"channel": "web", "text": "路" * 9000}, 413, "body"),
    ],
)
async def test_bad_appeal_is_refused_naming_the_field_and_writes_nothing(
    system: tuple[Runtime, httpx.AsyncClient], body: dict[str, Any], status: int, named: str
) -> None:
    runtime, client = system
    before = await _row_counts(runtime)
    response = await client.post("/v1/appeals", json=body)
    assert response.status_code == status, response.text
    assert named in response.json()["message"]
    assert await _row_counts(runtime) == before


async def test_malformed_json_is_refused(system: tuple[Runtime, httpx.AsyncClient]) -> None:
    runtime, client = system
    before = await _row_counts(runtime)
    response = await client.post("/v1/appeals", content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert response.json()["error"] == "malformed_json"
    assert response.json()["message"].startswith("body: not valid JSON")
    assert await _row_counts(runtime) == before


async def test_same_channel_and_external_id_returns_the_existing_order(
    system: tuple[Runtime, httpx.AsyncClient],
) -> None:
    runtime, client = system
    first = await client.post("/v1/appeals", json=appeal(external_id="ext-42"))
    before = await _row_counts(runtime)
    again = await client.post("/v1/appeals", json=appeal(external_id="ext-42"))
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["work_order_id"] == first.json()["work_order_id"]
    assert again.json()["created"] is False and again.json()["citizen_token"] is None
    assert (await _row_counts(runtime))[0] == before[0]
    other_channel = await client.post("/v1/appeals", json=appeal(external_id="ext-42", channel="web"))
    assert other_channel.status_code == 201


async def test_same_idempotency_key_returns_the_existing_order(system: tuple[Runtime, httpx.AsyncClient]) -> None:
    _, client = system
    first = await client.post("/v1/appeals", json=appeal(), headers={"Idempotency-Key": "k-1"})
    again = await client.post("/v1/appeals", json=appeal(), headers={"Idempotency-Key": "k-1"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["work_order_id"] == first.json()["work_order_id"]


async def test_phone_numbers_never_reach_the_lifecycle_topic(system: tuple[Runtime, httpx.AsyncClient]) -> None:
    runtime, client = system
    body = appeal(text="停水三天了，请回电13812345678", caller_phone="13812345678")
    response = await client.post("/v1/appeals", json=body)
    assert response.status_code == 201
    await runtime.relay.drain()
    async with runtime.sessions() as session:
        rows = (await session.execute(select(OutboxEvent).where(OutboxEvent.topic == "hotline.lifecycle"))).scalars()
        assert all("13812345678" not in str(r.data) for r in rows)
