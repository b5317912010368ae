"""并单 of one incident split before the report joining it came, on the embedded default: a new appeal
that repeats two open orders merges into the one first reported, and the other is merged into it too
(recalled from its unit when a unit had it), its history naming the report that linked them; a
dispatcher may unlink it."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from services.bootstrap import Runtime, build_runtime
from services.cli import app
from services.db.tables import OutboxEvent, WorkOrder, WorkOrderHistory
from services.settings import CoreSettings
from tests.support.factories import ManualClock, key_headers, order_in_state, running_system
from tests.support.waiting import eventually

# One missing manhole cover told from the compound, then from the road, then from both: the first two
# name no place of each other's, so they are two open orders until the third.
ROWS = [
    {"text": "翠湖苑门口的井盖丢了，晚上黑漆漆的很危险", "address": "东湖街道翠湖苑", "external_id": "L-1",
     "reported_at": "2026-11-20T08:00:00+08:00"},
    {"text": "滨湖路有个下水道井盖没了，一个大洞，电动车差点掉进去", "address": "滨湖路", "external_id": "L-2",
     "reported_at": "2026-11-20T10:00:00+08:00"},
    {"text": "滨湖路翠湖苑门口那个井盖丢了好几天了，还没人来装", "address": "滨湖路翠湖苑门口", "external_id": "L-3",
     "reported_at": "2026-11-20T13:00:00+08:00"},
]


def _stored(data_dir: Path) -> tuple[dict[str, WorkOrder], list[WorkOrderHistory]]:
    async def read() -> tuple[dict[str, WorkOrder], list[WorkOrderHistory]]:
        runtime = await build_runtime(CoreSettings(data_dir=data_dir / "var", database_url=None,
                                                   kafka_bootstrap_servers=None))
        try:
            async with runtime.sessions() as session:
                orders = {o.external_id: o for o in (await session.execute(select(WorkOrder))).scalars()}
                history = list((await session.execute(select(WorkOrderHistory))).scalars())
                return orders, history
        finally:
            await runtime.engine.dispose()
    return asyncio.run(read())


def test_a_report_repeating_two_open_orders_links_them_into_the_first(data_dir: Path) -> None:
    file = data_dir / "covers.jsonl"
    file.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in ROWS) + "\n", encoding="utf-8")
    done = CliRunner().invoke(app, ["import", str(file), "--channel", "offline_visit"])
    assert done.exit_code == 0, done.output
    orders, history = _stored(data_dir)
    first, second, third = orders["L-1"], orders["L-2"], orders["L-3"]
    assert first.state == "received" and first.merged_into is None
    assert (third.state, third.merged_into) == ("merged", first.id)
    assert (second.state, second.merged_into) == ("merged", first.id)
    linked = [h for h in history if h.work_order_id == second.id and h.action == "merge"]
    assert len(linked) == 1 and third.id in (linked[0].reason or "")


CLOCK = ManualClock(datetime(2026, 11, 20, 0, 0, tzinfo=UTC))


@pytest.fixture
async def system(tmp_path: Path) -> AsyncIterator[tuple[Runtime, httpx.AsyncClient]]:
    settings = CoreSettings(data_dir=tmp_path / "var", database_url=None, kafka_bootstrap_servers=None,
                            relay_poll_seconds=0.05)
    async with running_system(settings, CLOCK) as pair:
        yield pair


async def test_an_order_in_a_units_hands_is_linked_recalled_and_can_be_unlinked(
    system: tuple[Runtime, httpx.AsyncClient],
) -> None:
    runtime, client = system
    accepted: list[dict[str, Any]] = []
    for row in ROWS:
        body = {"channel": "12345_phone", "text": row["text"], "address": row["address"]}
        accepted.append((await client.post("/v1/appeals", json=body)).json())
        if len(accepted) < len(ROWS):
            assert accepted[-1]["state"] != "merged", accepted[-1]
            await eventually(lambda: order_in_state(client, accepted[-1]["work_order_id"], "dispatched"),
                             what="routed to a unit")
        CLOCK.advance(timedelta(hours=2))
    first, second, third = (a["work_order_id"] for a in accepted)
    assert accepted[-1]["state"] == "merged" and accepted[-1]["merged_into"] == first
    assert await order_in_state(client, second, "merged") is not None
    async with runtime.sessions() as session:
        assert (await session.get(WorkOrder, second)).merged_into == first  # type: ignore[union-attr]
        merge = (await session.execute(select(WorkOrderHistory).where(
            WorkOrderHistory.work_order_id == second, WorkOrderHistory.action == "merge"))).scalar_one()
        types = set((await session.execute(select(OutboxEvent.type).where(OutboxEvent.key == second))).scalars())
    assert merge.from_state == "dispatched" and third in (merge.reason or "")
    assert "org.hotline.workorder.recalled" in types  # its unit hears it can no longer act on it

    dispatcher = await key_headers(runtime, "dispatcher")
    undone = await client.post(f"/v1/work-orders/{second}/unlink", json={"reason": "另一个井盖"}, headers=dispatcher)
    assert undone.status_code == 200, undone.text
    assert undone.json()["state"] in ("dispatched", "pending_review")
