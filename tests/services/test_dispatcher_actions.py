"""What dispatchers do with orders units hand back or hold (embedded default): returns with their
reasons in the review queue, arbitration (仲裁) after repeated returns, and reassigning (改派) an
order already with a unit."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from schemas.events import RECALLED_TYPE, dispatch_topic
from services.bootstrap import Runtime
from services.bus.memory import InProcessBus
from services.db.tables import RoutingCorrection
from services.settings import CoreSettings
from tests.support import loop_scenarios as scenario
from tests.support.factories import ManualClock, appeal, as_unit, key_headers, order_in_state, running_system, unit_acts
from tests.support.waiting import eventually

CLOCK = ManualClock(datetime(2026, 11, 17, 2, 0, tzinfo=UTC))
STREET_LIGHT = "小区门口的路灯坏了好几天了，晚上很黑，老人出门不方便。"


@pytest.fixture(scope="module")
async def system(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[tuple[Runtime, httpx.AsyncClient]]:
    settings = CoreSettings(data_dir=Path(tmp_path_factory.mktemp("dispatchers")), database_url=None,
                            kafka_bootstrap_servers=None, relay_poll_seconds=0.05)
    async with running_system(settings, CLOCK) as pair:
        yield pair


async def dispatcher(client: httpx.AsyncClient) -> dict[str, str]:
    return await key_headers(client.runtime, "dispatcher")  # type: ignore[attr-defined]


async def test_repeated_returns_go_to_arbitration_and_the_arbitrated_unit_cannot_return(
    system: tuple[Runtime, httpx.AsyncClient],
) -> None:
    await scenario.return_redispatch_and_arbitration(*system)


async def test_a_dispatcher_reassigns_an_order_in_hand_with_fresh_clocks_and_the_old_unit_loses_it(
    system: tuple[Runtime, httpx.AsyncClient],
) -> None:
    runtime, client = system
    # a building of its own: the scenarios' street lights are other incidents (并单 would merge it)
    accepted = await client.post("/v1/appeals", json=appeal(STREET_LIGHT, address="城关镇县前社区40栋"))
    order_id = accepted.json()["work_order_id"]
    order = await eventually(lambda: order_in_state(client, order_id, "dispatched"), what="dispatch")
    old = order["unit"]
    assert (await unit_acts(client, order_id, old, "claim")).status_code == 200
    CLOCK.advance(timedelta(hours=2))
    new = "tw_chengguan" if old != "tw_chengguan" else "urban_mgmt"
    url = f"/v1/work-orders/{order_id}/reassign"
    headers = await dispatcher(client)
    assert (await client.post(url, json={"unit": new}, headers=headers)).status_code == 422  # reason required
    moved = await client.post(url, json={"unit": new, "reason": "路灯在镇管道路上"}, headers=headers)
    assert moved.status_code == 200, moved.text
    assert moved.json()["unit"] == new and moved.json()["state"] == "dispatched"
    body = (await client.get(f"/v1/work-orders/{order_id}")).json()
    assert body["claim_due"] > order["claim_due"] and body["history"][-1]["action"] == "reassign"
    assert body["history"][-1]["actor"].startswith("dispatcher/key_")
    assert (await client.get(f"/v1/work-orders/{order_id}", headers=await as_unit(runtime, old))).status_code == 404
    assert (await unit_acts(client, order_id, new, "claim")).status_code == 200

    await runtime.relay.drain()
    bus = runtime.bus
    assert isinstance(bus, InProcessBus)
    recalls = [e for e in bus.topic_log(dispatch_topic(old)) if e.type == RECALLED_TYPE and e.subject == order_id]
    assert recalls and recalls[0].data["reason"] == "路灯在镇管道路上"
    async with runtime.sessions() as session:
        corrections = (await session.execute(select(RoutingCorrection).where(
            RoutingCorrection.work_order_id == order_id))).scalars().all()
    assert [(c.source, c.original_unit, c.corrected_unit) for c in corrections] == [("reassign", old, new)]

    same = await client.post(url, json={"unit": new, "reason": "再派一次"}, headers=headers)
    assert same.status_code == 409 and "already" in same.json()["message"]
    await unit_acts(client, order_id, new, "resolve", {"reply": "已修复"})
    late = await client.post(url, json={"unit": old, "reason": "改回去"}, headers=headers)
    assert late.status_code == 409 and "resolved" in late.json()["message"]


async def test_reassigning_to_another_department_takes_a_matter_it_handles_or_clears_the_old_one(
    system: tuple[Runtime, httpx.AsyncClient],
) -> None:
    runtime, client = system
    text = "镇上农资店卖给我们的农药是假的，打了三遍稻田里的虫一点没少，好几户都上当了。"
    order_id = (await client.post("/v1/appeals", json=appeal(text))).json()["work_order_id"]
    order = await eventually(lambda: order_in_state(client, order_id, "dispatched"), what="dispatch")
    assert (order["unit"], order["matter"]) == ("agriculture", "agriculture.farm_inputs")
    url = f"/v1/work-orders/{order_id}/reassign"
    headers = await dispatcher(client)

    # market assists with farm inputs: the matter stays
    moved = await client.post(url, json={"unit": "market", "reason": "农资店经营问题"}, headers=headers)
    assert moved.status_code == 200, moved.text
    assert (await client.get(f"/v1/work-orders/{order_id}")).json()["matter"] == "agriculture.farm_inputs"

    # a matter the department neither owns nor assists with is refused, naming the problem; nothing moves
    wrong = await client.post(url, json={"unit": "education", "reason": "改派", "matter": "agriculture.subsidy"},
                              headers=headers)
    assert wrong.status_code == 422 and wrong.json()["error"] == "matter_of_another_department"
    assert (await client.get(f"/v1/work-orders/{order_id}")).json()["unit"] == "market"
    unknown = await client.post(url, json={"unit": "education", "reason": "改派", "matter": "no.such"},
                                headers=headers)
    assert unknown.status_code == 422 and "catalogue" in unknown.json()["message"]

    # no matter named, and the old one is not the new department's: it is cleared, not kept under the wrong owner
    moved = await client.post(url, json={"unit": "education", "reason": "涉及学校"}, headers=headers)
    assert moved.status_code == 200, moved.text
    body = (await client.get(f"/v1/work-orders/{order_id}")).json()
    assert (body["unit"], body["matter"], body["dept"]) == ("education", None, "education")

    # a matter the new department owns is taken
    named = sorted(m.code for m in runtime.ctx.router.parts.catalogue if m.dept == "agriculture")[0]
    moved = await client.post(url, json={"unit": "agriculture", "reason": "还是农业的", "matter": named},
                              headers=headers)
    assert moved.status_code == 200, moved.text
    assert (await client.get(f"/v1/work-orders/{order_id}")).json()["matter"] == named
    async with runtime.sessions() as session:
        corrections = (await session.execute(select(RoutingCorrection).where(
            RoutingCorrection.work_order_id == order_id).order_by(RoutingCorrection.id))).scalars().all()
    assert [(c.corrected_unit, c.original_matter, c.corrected_matter) for c in corrections] == [
        ("market", "agriculture.farm_inputs", None), ("education", "agriculture.farm_inputs", None),
        ("agriculture", None, named)]
