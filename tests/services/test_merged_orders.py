"""并单 on the embedded default: a merged order follows its root (the caller sees the root's state and
reply, and rates the outcome on their own order), a dispatcher can undo the merge (unlink), and the
631 counts the matter once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from services.bootstrap import Runtime
from services.db.tables import OutboxEvent, WorkOrderHistory
from services.settings import CoreSettings
from tests.support.factories import ManualClock, key_headers, order_in_state, running_system
from tests.support.waiting import eventually

CLOCK = ManualClock(datetime(2026, 11, 17, 2, 0, tzinfo=UTC))


def lamp(text: str, address: str = "城关镇解放路新华小区门口", **fields: Any) -> dict[str, Any]:
    return {"channel": "12345_phone", "text": text, "address": address, **fields}


FIRST = "解放路新华小区门口那排路灯全部不亮，已经两个晚上了，走路黑漆漆的很危险。"
AGAIN = "新华小区门口解放路的路灯又坏了，晚上黑得看不见路，老人出来散步差点摔跤。"


@pytest.fixture(scope="module")
async def system(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[tuple[Runtime, httpx.AsyncClient]]:
    settings = CoreSettings(data_dir=Path(tmp_path_factory.mktemp("merged")), database_url=None,
                            kafka_bootstrap_servers=None, relay_poll_seconds=0.05)
    async with running_system(settings, CLOCK) as pair:
        yield pair


async def _merged_pair(client: httpx.AsyncClient, first: str, again: str) -> tuple[dict[str, Any], dict[str, Any]]:
    root = (await client.post("/v1/appeals", json=lamp(first))).json()
    await eventually(lambda: order_in_state(client, root["work_order_id"], "dispatched", "pending_review"),
                     what="the first report routed")
    CLOCK.advance(timedelta(minutes=40))
    merged = (await client.post("/v1/appeals", json=lamp(again))).json()
    assert merged["state"] == "merged" and merged["merged_into"] == root["work_order_id"], merged
    return root, merged


async def _history(runtime: Runtime, order_id: str) -> list[WorkOrderHistory]:
    async with runtime.sessions() as session:
        return list((await session.execute(select(WorkOrderHistory).where(WorkOrderHistory.work_order_id == order_id)
                                           .order_by(WorkOrderHistory.id))).scalars())


async def test_a_dispatcher_unlinks_a_merged_order_and_it_is_routed_as_its_own(
    system: tuple[Runtime, httpx.AsyncClient],
) -> None:
    runtime, client = system
    root, merged = await _merged_pair(client, FIRST.replace("两个", "三个"), AGAIN.replace("老人", "小孩"))
    url = f"/v1/work-orders/{merged['work_order_id']}/unlink"
    dispatcher = await key_headers(runtime, "dispatcher")
    assert (await client.post(url, json={"reason": "另一段路"})).status_code == 403  # an operator may not
    assert (await client.post(url, json={}, headers=dispatcher)).status_code == 422  # a reason is required
    not_merged = await client.post(f"/v1/work-orders/{root['work_order_id']}/unlink", json={"reason": "试试"},
                                   headers=dispatcher)
    assert not_merged.status_code == 409 and not_merged.json()["error"] == "transition_not_allowed"

    done = await client.post(url, json={"reason": "不是同一段路：解放路北段另一处路灯"}, headers=dispatcher)
    assert done.status_code == 200, done.text
    assert done.json()["state"] in ("dispatched", "pending_review")
    history = await _history(runtime, merged["work_order_id"])
    unlink = next(h for h in history if h.action == "unlink")
    assert unlink.from_state == "merged" and unlink.to_state == "received"
    assert unlink.actor.startswith("dispatcher/") and "解放路北段" in (unlink.reason or "")
    assert (unlink.data or {}).get("unlinked_from") == root["work_order_id"]
    assert history[-1].action in ("dispatch", "hold_for_review")  # routed like any new order
    async with runtime.sessions() as session:
        types = set((await session.execute(select(OutboxEvent.type).where(
            OutboxEvent.key == merged["work_order_id"]))).scalars())
    assert "org.hotline.workorder.unlinked" in types

    view = (await client.get(f"/v1/appeals/{merged['work_order_id']}",
                             headers={"X-Citizen-Token": merged["citizen_token"]})).json()
    assert view["merged"] is False and view["state"] == done.json()["state"]
    assert any("单独办理" in s["what"] for s in view["steps"])
    again = await client.post(url, json={"reason": "再来一次"}, headers=dispatcher)
    assert again.status_code == 409
