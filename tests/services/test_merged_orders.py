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
from tests.support.factories import ManualClock, key_headers, order_in_state, running_system, unit_acts
from tests.support.waiting import eventually

CLOCK = ManualClock(datetime(2026, 11, 17, 2, 0, tzinfo=UTC))


FIRST = "解放路新华小区门口那排路灯全部不亮，已经两个晚上了，走路黑漆漆的很危险。"
AGAIN = "新华小区门口解放路的路灯又坏了，晚上黑得看不见路，老人出来散步差点摔跤。"


@pytest.fixture(scope="module")
async def system(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[tuple[Runtime, httpx.AsyncClient]]:
    settings = CoreSettings(data_dir=Path(tmp_path_factory.mktemp("merged")), database_url=None,
                            kafka_bootstrap_servers=None, relay_poll_seconds=0.05)
    async with running_system(settings, CLOCK) as pair:
        yield pair


# Each test's pair at its own place (road, compound, town), so no test's report repeats another's.
PLACES = {"jiefang": ("解放路", "新华小区", "城关镇"), "binhu": ("滨湖路", "翠湖苑", "东湖街道"),
          "wenchang": ("文昌路", "桂花园小区", "城关镇"), "chengnan": ("建设路", "阳光花园", "城关镇")}


async def _merged_pair(client: httpx.AsyncClient, first: str, again: str, place: str = "jiefang",
                       phones: tuple[str | None, str | None] = (None, None)) -> tuple[dict[str, Any], dict[str, Any]]:
    road, compound, town = PLACES[place]

    def lamp(text: str, phone: str | None) -> dict[str, Any]:
        here = text.replace("解放路", road).replace("新华小区", compound)
        caller = {"caller_phone": phone} if phone else {}
        return {"channel": "12345_phone", "text": here, "address": f"{town}{road}{compound}门口", **caller}

    root = (await client.post("/v1/appeals", json=lamp(first, phones[0]))).json()
    assert root["state"] != "merged", root
    await eventually(lambda: order_in_state(client, root["work_order_id"], "dispatched", "pending_review"),
                     what="the first report routed")
    CLOCK.advance(timedelta(minutes=40))
    merged = (await client.post("/v1/appeals", json=lamp(again, phones[1]))).json()
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


async def _citizen(client: httpx.AsyncClient, accepted: dict[str, Any]) -> dict[str, Any]:
    response = await client.get(f"/v1/appeals/{accepted['work_order_id']}",
                                headers={"X-Citizen-Token": accepted["citizen_token"]})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def _open311(client: httpx.AsyncClient, order_id: str) -> dict[str, Any]:
    body: dict[str, Any] = (await client.get(f"/open311/v2/requests/{order_id}.json")).json()[0]
    return body


async def _reports(client: httpx.AsyncClient, supervisor: dict[str, str]) -> tuple[int, int]:
    day = CLOCK().date().isoformat()
    period = {"from": day, "to": day}
    closed = (await client.get("/v1/reports/631", params=period, headers=supervisor)).json()["total"]
    rates = (await client.get("/v1/reports/rates", params=period, headers=supervisor)).json()
    return closed, rates["overall"]["satisfaction"]["denominator"]


def _rate(accepted: dict[str, Any], rating: str = "satisfied") -> dict[str, Any]:
    return {"rating": rating, "solved": True, "citizen_token": accepted["citizen_token"]}


async def test_a_merged_order_follows_its_root_and_its_caller_rates_the_outcome_counted_once(
    system: tuple[Runtime, httpx.AsyncClient],
) -> None:
    runtime, client = system
    supervisor = await key_headers(runtime, "supervisor")
    root, merged = await _merged_pair(client, FIRST, AGAIN, "binhu")
    rid, mid = root["work_order_id"], merged["work_order_id"]
    root_now = await eventually(lambda: order_in_state(client, rid, "dispatched"), what="root dispatched")
    assert root_now is not None
    view = await _citizen(client, merged)
    assert view["merged"] is True and view["state"] == "dispatched" and view["can_rate"] is False
    assert (await _open311(client, mid))["status"] == "open"  # not closed while the root is worked on
    early = await client.post(f"/v1/work-orders/{mid}/rate", json=_rate(merged))
    assert early.status_code == 409, early.text

    before = await eventually(lambda: _reports(client, supervisor), what="reports")
    unit = root_now["unit"]
    assert (await unit_acts(client, rid, unit, "claim")).status_code == 200
    reply = "路灯线路已抢修，今晚恢复照明"
    assert (await unit_acts(client, rid, unit, "resolve", {"reply": reply})).status_code == 200

    view = await _citizen(client, merged)
    assert view["state"] == "resolved" and view["reply"] == reply and view["can_rate"] is True
    assert view["handled_by"] and view["resolve_due"]
    assert (await _open311(client, mid))["status"] == "open"
    rated = await client.post(f"/v1/work-orders/{mid}/rate", json=_rate(merged, "basically_satisfied"))
    assert rated.status_code == 200, rated.text
    assert rated.json()["state"] == "merged"  # the merged order stays merged; the root is not touched
    assert (await client.post(f"/v1/work-orders/{mid}/rate", json=_rate(merged))).status_code == 409  # once
    view = await _citizen(client, merged)
    assert view["can_rate"] is False and any(s["what"].startswith("已评价") for s in view["steps"])
    assert (await order_in_state(client, rid, "resolved")) is not None
    history = await _history(runtime, mid)
    assert history[-1].action == "rate_merged" and (history[-1].data or {})["root"] == rid
    told = [h.data or {} for h in history if h.action == "root_outcome"]
    assert told == [{"root": rid, "root_action": "resolve", "root_state": "resolved", "reply": reply}]

    closed = await client.post(f"/v1/work-orders/{rid}/rate", json=_rate(root))
    assert closed.status_code == 200 and closed.json()["state"] == "closed", closed.text
    view = await _citizen(client, merged)
    assert view["state"] == "closed" and view["reply"] == reply
    told_close = [(h.data or {}).get("root_action") for h in await _history(runtime, mid) if h.action == "root_outcome"]
    assert told_close == ["resolve", "close"]  # the 回访 and message systems hear it on hotline.lifecycle
    async with runtime.sessions() as session:
        types = list((await session.execute(select(OutboxEvent.type).where(OutboxEvent.key == mid))).scalars())
    assert types.count("org.hotline.workorder.merged_root_outcome") == 2
    o311 = await _open311(client, mid)
    assert o311["status"] == "closed" and "merged" in o311["status_notes"]
    listed_open = (await client.get("/open311/v2/requests.json", params={"status": "open"})).json()
    listed_closed = (await client.get("/open311/v2/requests.json", params={"status": "closed"})).json()
    assert mid not in {r["service_request_id"] for r in listed_open}
    assert mid in {r["service_request_id"] for r in listed_closed}

    # The matter is resolved and closed once: one more in the 631, one more rating in the rates.
    async def counted() -> tuple[int, int] | None:
        now = await _reports(client, supervisor)
        return now if now[0] == before[0] + 1 else None
    after = await eventually(counted, what="the close counted")
    assert after == (before[0] + 1, before[1] + 1)


async def test_the_centre_calls_a_merged_caller_back(system: tuple[Runtime, httpx.AsyncClient]) -> None:
    runtime, client = system
    root, merged = await _merged_pair(client, FIRST, AGAIN, "wenchang", phones=("13812345678", "13987654321"))
    rid, mid = root["work_order_id"], merged["work_order_id"]
    root_now = await eventually(lambda: order_in_state(client, rid, "dispatched"), what="root dispatched")
    assert root_now is not None
    for step, body in (("claim", {}), ("resolve", {"reply": "已修复"})):
        assert (await unit_acts(client, rid, root_now["unit"], step, body)).status_code == 200
    operator = await key_headers(runtime, "operator")

    async def to_call() -> dict[str, dict[str, Any]]:
        listed = await client.get("/v1/callbacks", headers=operator, params={"limit": 500})
        assert listed.status_code == 200, listed.text
        item = next(i for i in listed.json()["items"] if i["work_order_id"] == rid)
        assert item["reply"] == "已修复" and item["resolved_by"] == root_now["unit"]
        return {c["work_order_id"]: c for c in item["callers"]}

    # The 回访 worklist names both callers of the incident, with the numbers to dial.
    callers = await to_call()
    assert callers[rid]["contact"]["phone"] == "13812345678" and callers[rid]["merged"] is False
    assert callers[mid]["contact"]["phone"] == "13987654321" and callers[mid]["merged"] is True
    missed = await client.post(f"/v1/work-orders/{mid}/callback", json={"contacted": False})
    assert missed.status_code == 200 and missed.json()["state"] == "merged"
    assert (await to_call())[mid]["unanswered_calls"] == 1
    answer = {"contacted": True, "solved": False, "rating": "unsatisfied", "comment": "还是不亮"}
    called = await client.post(f"/v1/work-orders/{mid}/callback", json=answer)
    assert called.status_code == 200 and called.json()["state"] == "merged", called.text
    assert (await order_in_state(client, rid, "resolved")) is not None  # the root's own caller decides
    assert set(await to_call()) == {rid}  # the merged caller has answered for this resolution
    assert (await _citizen(client, merged))["can_rate"] is False

    # The incident is resolved: as its root's own caller, the merged caller has nothing left to withdraw.
    assert (await _citizen(client, merged))["can_withdraw"] is False
    late = await client.post(f"/v1/appeals/{mid}/withdraw", json={"reason": "算了"},
                             headers={"X-Citizen-Token": merged["citizen_token"]})
    assert late.status_code == 409 and late.json()["error"] == "not_withdrawable", late.text
    assert (await _citizen(client, merged))["state"] == "resolved"


async def test_intake_sees_every_report_of_an_incident_as_the_offline_detector_does(
    system: tuple[Runtime, httpx.AsyncClient],
) -> None:
    """A visit recorded at the township opens the incident, one village's complaint joins it; another
    village's complaint then stays its own order: intake checks it against the merged report too."""
    _, client = system

    async def post(text: str, address: str) -> dict[str, Any]:
        CLOCK.advance(timedelta(minutes=30))
        body = {"channel": "12345_phone", "text": text, "address": address}
        return (await client.post("/v1/appeals", json=body)).json()  # type: ignore[no-any-return]

    visit = await post("村民来访，反映今年种粮补贴迟迟没有发放", "北山乡")
    assert visit["state"] != "merged", visit
    village = await post("大坪村今年的种粮补贴到现在还没发到户", "北山乡大坪村")
    assert village["state"] == "merged" and village["merged_into"] == visit["work_order_id"], village
    other = await post("松林村的种粮补贴也一直没发", "北山乡松林村")
    assert other["state"] != "merged", other


async def test_a_merged_caller_may_withdraw_and_a_withdrawn_roots_incident_is_handed_on(
    system: tuple[Runtime, httpx.AsyncClient],
) -> None:
    runtime, client = system
    root, merged = await _merged_pair(client, FIRST, AGAIN, "chengnan")
    road, compound, town = PLACES["chengnan"]
    CLOCK.advance(timedelta(minutes=30))
    third = (await client.post("/v1/appeals", json={
        "channel": "mini_program", "text": f"{compound}门口{road}上的路灯一直不亮，什么时候修？",
        "address": f"{town}{road}{compound}"})).json()
    assert third["state"] == "merged" and third["merged_into"] == root["work_order_id"], third

    # The root's own caller withdraws: the earliest follower takes the incident over and is routed;
    # the other follows it instead.
    gone = await client.post(f"/v1/appeals/{root['work_order_id']}/withdraw", json={"reason": "不想等了"},
                             headers={"X-Citizen-Token": root["citizen_token"]})
    assert gone.status_code == 200 and gone.json()["state"] == "withdrawn", gone.text
    await eventually(lambda: order_in_state(client, merged["work_order_id"], "dispatched", "pending_review"),
                     what="the follower routed as its own order")
    steps = [(h.action, h.actor) for h in await _history(runtime, merged["work_order_id"])]
    assert ("unlink", "intake:并单") in steps, steps
    assert [(h.action, h.data["to"]) for h in await _history(runtime, third["work_order_id"])
            if h.action == "root_handed_on"] == [("root_handed_on", merged["work_order_id"])]
    mine = {"X-Citizen-Token": third["citizen_token"]}
    follows = (await client.get(f"/v1/appeals/{third['work_order_id']}", headers=mine)).json()
    assert follows["state"] in ("dispatched", "pending_review"), follows  # the new root's

    # A merged caller withdraws: their order stops following; the new root is untouched.
    withdrawn = await client.post(f"/v1/appeals/{third['work_order_id']}/withdraw", json={"reason": "已经修好了"},
                                  headers=mine)
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["state"] == "withdrawn"
    assert (await order_in_state(client, merged["work_order_id"], "dispatched", "pending_review"))


async def test_wages_owed_reported_again_ten_days_on_merge_into_the_open_order(
        system: tuple[Runtime, httpx.AsyncClient]) -> None:
    """A grievance that stands until resolved (wages owed) is the same one while its order is open,
    past the 72-hour window of events (HOTLINE_DUPLICATE_STANDING_WINDOW_HOURS)."""
    _, client = system
    now = CLOCK()
    first = {"channel": "12345_phone", "reported_at": (now - timedelta(days=10)).isoformat(),
             "text": "南桥工业集中区宏昌鞋业拖欠我们三个月工资，老板一直说货款没回来，二十多个工人都没拿到钱。",
             "address": "南桥镇南桥工业集中区宏昌鞋业"}
    root = (await client.post("/v1/appeals", json=first)).json()
    assert root["state"] != "merged", root
    await eventually(lambda: order_in_state(client, root["work_order_id"], "dispatched", "pending_review"),
                     what="the first report routed")
    again = {"channel": "web", "reported_at": now.isoformat(), "address": "南桥镇南桥工业集中区",
             "text": "宏昌鞋业的工资到现在还是没发，我们工人去厂里找老板也找不到人，请劳动部门帮帮我们。"}
    merged = (await client.post("/v1/appeals", json=again)).json()
    assert merged["state"] == "merged" and merged["merged_into"] == root["work_order_id"], merged


async def test_intake_reaches_back_as_far_as_a_chaser_says_its_matter_has_lasted(
    system: tuple[Runtime, httpx.AsyncClient],
) -> None:
    """A report saying the manhole cover has been gone twenty days joins the open order of the report of
    it seventeen days before: past the windows, but not past when it says it began. One telling of it
    as gone again last night, seventeen days later, is its own order."""
    _, client = system

    async def post(text: str, address: str, days_ago: float) -> dict[str, Any]:
        CLOCK.advance(timedelta(minutes=30))
        at = (CLOCK() - timedelta(days=days_ago)).isoformat()
        body = {"channel": "12345_phone", "text": text, "address": address, "reported_at": at}
        return (await client.post("/v1/appeals", json=body)).json()  # type: ignore[no-any-return]

    first = await post("桂花园小区大门口人行道上的井盖没了，就剩一个黑窟窿，差点踩进去。", "文昌路桂花园小区门口", 17)
    assert first["state"] != "merged", first
    chaser = await post("桂花园小区门口的井盖没了快二十天了，打过电话，到现在还没人管。", "桂花园小区门口", 0)
    assert chaser["state"] == "merged" and chaser["merged_into"] == first["work_order_id"], chaser
    elsewhere = await post("翠湖苑大门口人行道上的井盖没了，就剩一个黑窟窿，差点踩进去。", "滨湖路翠湖苑门口", 17)
    again = await post("翠湖苑门口的井盖又没了，昨天晚上被人偷了，黑窟窿很危险。", "翠湖苑门口", 0)
    assert again["state"] != "merged", again
    assert elsewhere["state"] != "merged", elsewhere
