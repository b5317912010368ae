"""The end-to-end path on the embedded default: SQLite file and the in-process bus."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from schemas.events import DISPATCHED_TYPE, EventEnvelope, dispatch_topic
from services.bootstrap import Runtime
from services.bus.memory import InProcessBus
from services.db.tables import ProcessedEvent
from services.settings import CoreSettings
from tests.support.factories import (
    NEIGHBOUR_NOISE,
    ManualClock,
    appeal,
    as_unit,
    close_the_loop,
    key_headers,
    order_in_state,
    running_system,
    unit_acts,
)
from tests.support.waiting import eventually

# Tuesday 2026-11-17, 10:00 in the county (02:00 UTC): a working morning.
CLOCK = ManualClock(datetime(2026, 11, 17, 2, 0, tzinfo=UTC))


@pytest.fixture(scope="module")
async def system(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[tuple[Runtime, httpx.AsyncClient]]:
    settings = CoreSettings(data_dir=Path(tmp_path_factory.mktemp("embedded")), database_url=None,
                            kafka_bootstrap_servers=None, relay_poll_seconds=0.05)
    async with running_system(settings, CLOCK) as pair:
        yield pair


async def test_appeal_is_dispatched_claimed_resolved_rated_and_counted(
    system: tuple[Runtime, httpx.AsyncClient],
) -> None:
    runtime, client = system
    supervisor = await key_headers(runtime, "supervisor")
    before = (await client.get("/v1/reports/631", headers=supervisor)).json()
    accepted = await client.post("/v1/appeals", json=appeal(caller_phone="13912345678"))
    assert accepted.status_code == 201, accepted.text
    order_id, token = accepted.json()["work_order_id"], accepted.json()["citizen_token"]

    order = await eventually(lambda: order_in_state(client, order_id, "dispatched"), what="dispatch")
    assert order["claim_due"] and order["resolve_due"]
    bus = runtime.bus
    assert isinstance(bus, InProcessBus)

    async def unit_events() -> list[EventEnvelope]:
        return [e for e in bus.topic_log(dispatch_topic(order["unit"])) if e.subject == order_id]

    events = await eventually(unit_events, what="the dispatch event on the unit's topic")
    assert [e.type for e in events] == [DISPATCHED_TYPE]
    assert events[0].data["contact"]["phone"] == "13912345678"  # the unit must be able to call back

    closed = await close_the_loop(client, order_id, order["unit"], token)
    assert closed["state"] == "closed"
    assert [h["action"] for h in closed["history"]] == ["receive", "dispatch", "claim", "resolve", "close"]
    after = (await client.get("/v1/reports/631", headers=supervisor)).json()
    level = closed["resolved_level"]
    count = {r["level"]: r["count"] for r in after["levels"]}
    count_before = {r["level"]: r["count"] for r in before["levels"]}
    assert count[level] == count_before[level] + 1
    assert after["total"] == before["total"] + 1


async def test_village_matter_goes_to_the_village_and_counts_at_village_level(
    system: tuple[Runtime, httpx.AsyncClient],
) -> None:
    _, client = system
    accepted = await client.post("/v1/appeals", json=appeal(NEIGHBOUR_NOISE, address="城关镇解放社区"))
    order_id = accepted.json()["work_order_id"]
    order = await eventually(lambda: order_in_state(client, order_id, "dispatched"), what="dispatch")
    assert order["level"] == "village"
    closed = await close_the_loop(client, order_id, order["unit"], accepted.json()["citizen_token"])
    assert closed["resolved_level"] == "village"


async def test_unsatisfied_citizen_reopens_the_order_with_a_fresh_clock(
    system: tuple[Runtime, httpx.AsyncClient],
) -> None:
    _, client = system
    accepted = await client.post("/v1/appeals", json=appeal())
    order_id, token = accepted.json()["work_order_id"], accepted.json()["citizen_token"]
    order = await eventually(lambda: order_in_state(client, order_id, "dispatched"), what="dispatch")
    unit = order["unit"]
    await unit_acts(client, order_id, unit, "claim")
    await unit_acts(client, order_id, unit, "resolve", {"reply": "已修复"})
    CLOCK.advance(timedelta(days=1))
    reopened = await client.post(f"/v1/work-orders/{order_id}/rate",
                                 json={"rating": "unsatisfied", "solved": False, "citizen_token": token})
    assert reopened.status_code == 200
    body = (await client.get(f"/v1/work-orders/{order_id}")).json()
    assert body["state"] == "dispatched" and body["unit"] == unit
    assert body["claim_due"] > order["claim_due"]
    assert body["history"][-1]["action"] == "reopen"


async def test_wrong_unit_cannot_claim_and_resolve_before_claim_is_refused(
    system: tuple[Runtime, httpx.AsyncClient],
) -> None:
    _, client = system
    order_id = (await client.post("/v1/appeals", json=appeal())).json()["work_order_id"]
    order = await eventually(lambda: order_in_state(client, order_id, "dispatched"), what="dispatch")
    wrong = await unit_acts(client, order_id, "tax", "claim")
    assert wrong.status_code == 404 and order["unit"] not in wrong.text  # no hint of who owns it
    early = await unit_acts(client, order_id, order["unit"], "resolve", {"reply": "已修复"})
    assert early.status_code == 409
    assert "cannot resolve a work order that is dispatched" in early.json()["message"]


async def test_unknown_order_is_404(system: tuple[Runtime, httpx.AsyncClient]) -> None:
    _, client = system
    response = await unit_acts(client, "wo_nope", "tax", "claim")
    assert response.status_code == 404 and "wo_nope" in response.json()["message"]


async def test_same_matter_again_at_the_same_community_is_a_hard_case(
    system: tuple[Runtime, httpx.AsyncClient],
) -> None:
    _, client = system
    text = "小区三单元楼道里又堆满了纸箱和旧家具，挡着消防通道，一直没人清理。"
    classes = []
    for i in range(2):
        # Reported weeks apart: not one incident reported twice (that would be merged), the same problem back.
        order_id = (await client.post("/v1/appeals", json=appeal(
            text, address="东湖街道湖滨社区", external_id=f"repeat-{i}",
            reported_at=f"2026-11-{1 + 20 * i:02d}T09:00:00+08:00"))).json()["work_order_id"]
        order = await eventually(lambda o=order_id: order_in_state(client, o, "dispatched", "pending_review"),
                                 what="routing")
        classes.append(order["whistle_class"])
    assert classes[1] == "hard"
    assert "similar order" in order["routing"]["explanation"]


async def test_a_returned_order_tells_its_citizen_no_unit_and_no_date_until_it_has_a_new_one(
    system: tuple[Runtime, httpx.AsyncClient],
) -> None:
    """Back in the review queue after 退单, the citizen's view went on naming the unit that returned it and
    that unit's expected completion ('handled by 住房和城乡建设局, expected 12-08'), though nobody has it."""
    _, client = system
    lamps = appeal("北山乡政府门口那段路的路灯坏了三盏，晚上一片黑", address="北山乡")
    accepted = (await client.post("/v1/appeals", json=lamps)).json()
    order_id, token = accepted["work_order_id"], accepted["citizen_token"]
    order = await eventually(lambda: order_in_state(client, order_id, "dispatched"), what="dispatch")
    returned = await unit_acts(client, order_id, order["unit"], "return",
                               {"reason": "not_our_remit", "text": "不归我们"})
    assert returned.status_code == 200, returned.text
    body = (await client.get(f"/v1/appeals/{order_id}", headers={"X-Citizen-Token": token})).json()
    assert body["state"] == "pending_review" and body["steps"][-1]["what"].startswith("重新派单中"), body
    assert body["handled_by"] is None and body["resolve_due"] is None, body


async def test_a_returned_order_shows_staff_no_unit_no_claim_and_no_due_times_until_it_has_a_new_one(
    system: tuple[Runtime, httpx.AsyncClient],
) -> None:
    """The staff views kept what the citizen's no longer showed (59f5821): the order view, the list items
    and the clocks named the unit that returned it, its claimed_at and its due times, in the review queue."""
    runtime, client = system
    lamps = appeal("东湖街道湖滨社区菜市场旁边的路灯坏了两盏，晚上看不见路", address="东湖街道湖滨社区")
    order_id = (await client.post("/v1/appeals", json=lamps)).json()["work_order_id"]
    order = await eventually(lambda: order_in_state(client, order_id, "dispatched", "pending_review"), what="routing")
    if order["state"] == "pending_review":  # a dispatcher confirms the router's unit
        confirmed = await client.post(f"/v1/work-orders/{order_id}/review", json={"action": "confirm"},
                                      headers=await key_headers(runtime, "dispatcher"))
        assert confirmed.status_code == 200, confirmed.text
        order = (await client.get(f"/v1/work-orders/{order_id}")).json()
    unit = order["unit"]
    assert (await unit_acts(client, order_id, unit, "claim")).status_code == 200
    returned = await unit_acts(client, order_id, unit, "return", {"reason": "not_our_remit", "text": "不归我们"})
    assert returned.status_code == 200, returned.text
    view = (await client.get(f"/v1/work-orders/{order_id}")).json()
    assert view["state"] == "pending_review", view
    assert (view["unit"], view["claim_due"], view["first_contact_due"], view["resolve_due"]) == (None,) * 4, view
    page = (await client.get("/v1/work-orders", params={"state": "pending_review", "limit": 500})).json()
    item = next(i for i in page["items"] if i["id"] == order_id)
    assert (item["unit"], item["claim_due"], item["first_contact_due"], item["resolve_due"]) == (None,) * 4, item
    clocks = (await client.get(f"/v1/work-orders/{order_id}/clocks",
                               headers=await key_headers(runtime, "dispatcher"))).json()
    assert (clocks["unit"], clocks["claimed_at"], clocks["claim_due"], clocks["first_contact_due"],
            clocks["resolve_due"]) == (None,) * 5, clocks


async def test_citizen_follows_their_own_order_with_the_token_and_nobody_else_can(
    system: tuple[Runtime, httpx.AsyncClient],
) -> None:
    _, client = system
    accepted = (await client.post("/v1/appeals", json=appeal(caller_phone="13912345678"))).json()
    order_id, token = accepted["work_order_id"], accepted["citizen_token"]
    await eventually(lambda: order_in_state(client, order_id, "dispatched"), what="dispatch")
    mine = await client.get(f"/v1/appeals/{order_id}", headers={"X-Citizen-Token": token})
    assert mine.status_code == 200
    body = mine.json()
    assert body["state"] == "dispatched" and body["handled_by"] and not body["can_rate"]
    assert [s["what"][:3] for s in body["steps"]] == ["已受理", "已派单"]
    assert "13912345678" not in mine.text
    stranger = await client.get(f"/v1/appeals/{order_id}", headers={"X-Citizen-Token": "guess"})
    assert stranger.status_code == 404
    # No token at all is a 404 as for an unknown order (no probing for ids), checked before the order
    # is looked up so that every id answers alike, but naming the missing header: a citizen who forgot
    # it is not told that the order just submitted does not exist.
    unknown_id = "wo_00000000000000000000"
    for follow in (f"/v1/appeals/{order_id}", f"/v1/appeals/{unknown_id}"):
        anonymous = await client.get(follow)
        assert anonymous.status_code == 404 and anonymous.json()["error"] == "citizen_token_missing", anonymous.text
        assert "X-Citizen-Token" in anonymous.json()["message"]
        assert anonymous.json()["message"].replace(unknown_id, order_id).count(order_id) == 1
        leaving = await client.post(f"{follow}/withdraw", json={})
        assert leaving.status_code == 404 and leaving.json()["message"] == anonymous.json()["message"]


async def test_unit_lists_its_own_open_orders(system: tuple[Runtime, httpx.AsyncClient]) -> None:
    _, client = system
    order_id = (await client.post("/v1/appeals", json=appeal())).json()["work_order_id"]
    order = await eventually(lambda: order_in_state(client, order_id, "dispatched"), what="dispatch")
    mine = (await client.get(f"/v1/units/{order['unit']}/work-orders", params={"state": "dispatched"},
                             headers=await as_unit(client.runtime, order["unit"]))).json()
    assert order_id in [o["id"] for o in mine["items"]]
    other = (await client.get("/v1/units/tax/work-orders")).json()
    assert order_id not in [o["id"] for o in other["items"]]
    assert (await client.get("/v1/units/nobody/work-orders")).status_code == 422


async def test_assisting_units_hear_of_the_order_but_only_the_lead_claims_it(
    system: tuple[Runtime, httpx.AsyncClient],
) -> None:
    runtime, client = system
    text = "学校食堂的饭菜变质发馊，好几个孩子吃完拉肚子，学校还不承认，请教育和市场监管部门一起查一查。"
    order_id = (await client.post("/v1/appeals", json=appeal(text, caller_phone="13912345678"))).json()["work_order_id"]
    order = await eventually(lambda: order_in_state(client, order_id, "dispatched"), what="dispatch")
    helpers = order["routing"]["assisting_units"]
    assert helpers, "a multi-department matter names its assisting units"
    bus = runtime.bus
    assert isinstance(bus, InProcessBus)

    async def helper_copy() -> list[EventEnvelope]:
        return [e for e in bus.topic_log(dispatch_topic(helpers[0])) if e.subject == order_id]

    [copy] = await eventually(helper_copy, what="the assisting unit's copy")
    assert copy.data["role"] == "assisting" and copy.data["lead_unit"] == order["unit"]
    assert copy.data["contact"] is None  # only the lead calls the citizen back
    sees = await client.get(f"/v1/work-orders/{order_id}", headers=await as_unit(runtime, helpers[0]))
    assert sees.status_code == 200 and sees.json()["contact"] is None
    refused = await unit_acts(client, order_id, helpers[0], "claim")
    assert refused.status_code == 403 and order["unit"] not in refused.text


async def test_a_phone_number_in_a_rating_comment_is_masked_on_the_lifecycle_topic(
    system: tuple[Runtime, httpx.AsyncClient],
) -> None:
    runtime, client = system
    accepted = (await client.post("/v1/appeals", json=appeal())).json()
    order_id = accepted["work_order_id"]
    order = await eventually(lambda: order_in_state(client, order_id, "dispatched"), what="dispatch")
    await unit_acts(client, order_id, order["unit"], "claim")
    await unit_acts(client, order_id, order["unit"], "resolve", {"reply": "已回电13512345678"})
    await client.post(f"/v1/work-orders/{order_id}/rate", json={
        "rating": "satisfied", "solved": True, "comment": "有事再打我电话13512345678",
        "citizen_token": accepted["citizen_token"]})
    await runtime.relay.drain()
    bus = runtime.bus
    assert isinstance(bus, InProcessBus)
    events = [e for e in bus.topic_log("hotline.lifecycle") if e.subject == order_id]
    assert {e.data.get("action") for e in events} >= {"resolve", "close"}
    assert all("13512345678" not in str(e.data) for e in events)


async def test_unit_replies_on_the_reply_topic_act_once_and_bad_ones_are_refused(
    system: tuple[Runtime, httpx.AsyncClient],
) -> None:
    runtime, client = system
    order_id = (await client.post("/v1/appeals", json=appeal())).json()["work_order_id"]
    order = await eventually(lambda: order_in_state(client, order_id, "dispatched"), what="dispatch")
    claim = EventEnvelope(type="org.hotline.unit.claim", subject=order_id, topic="hotline.unit-replies",
                          source=f"urn:hotline:unit:{order['unit']}", data={"unit": order["unit"]})
    await runtime.bus.publish([claim, claim])  # delivered twice: acted on once
    body = (await client.get(f"/v1/work-orders/{order_id}")).json()
    assert body["state"] == "claimed" and [h["action"] for h in body["history"]].count("claim") == 1

    bad = EventEnvelope(type="org.hotline.unit.resolve", subject=order_id, topic="hotline.unit-replies",
                        source=f"urn:hotline:unit:{order['unit']}", data={"note": "no unit named"})
    await runtime.bus.publish([bad])  # refused and recorded, not retried forever
    async with runtime.sessions() as session:
        outcome = (await session.execute(select(ProcessedEvent.outcome).where(
            ProcessedEvent.event_id == bad.id))).scalar_one()
    assert outcome.startswith("refused") and "unit" in outcome
    assert (await client.get(f"/v1/work-orders/{order_id}")).json()["state"] == "claimed"
