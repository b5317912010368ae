"""Lists newest first with a cursor and filters, and the audit of who did what (embedded default)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.bootstrap import Runtime
from services.settings import CoreSettings
from tests.support.factories import ManualClock, appeal, as_unit, key_headers, order_in_state, running_system, unit_acts
from tests.support.waiting import eventually

CLOCK = ManualClock(datetime(2026, 11, 17, 2, 0, tzinfo=UTC))
# Seven different city-management matters for one unit: the same matter at the same place again within
# days would be one incident, merged (并单), and not a list entry of its own.
MATTERS = ("人民路上的路灯坏了好几天了，晚上很黑。", "建设路菜市场门口有人占道摆摊卖菜，行人车辆都过不去。",
           "解放路上渣土车夜里运土，沿路撒得到处都是泥。", "新华路一家烧烤店油烟直接排到居民楼，呛得人没法开窗。",
           "中山路的垃圾桶好几天没人清运了，臭气熏天。", "东风路人行道两边墙上贴满了小广告，很难看。",
           "汽车站附近的工地夜里施工到凌晨，噪音吵得睡不着。")


@pytest.fixture(scope="module")
async def system(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[tuple[Runtime, httpx.AsyncClient]]:
    settings = CoreSettings(data_dir=Path(tmp_path_factory.mktemp("lists")), database_url=None,
                            kafka_bootstrap_servers=None, relay_poll_seconds=0.05)
    async with running_system(settings, CLOCK) as pair:
        yield pair


@pytest.fixture(scope="module")
async def seven(system: tuple[Runtime, httpx.AsyncClient]) -> list[dict[str, Any]]:
    """Seven city-management orders for one unit, a minute apart, oldest first."""
    _, client = system
    orders = []
    for n in range(7):
        CLOCK.advance(timedelta(minutes=1))
        body = appeal(MATTERS[n], address="城关镇", external_id=f"list-{n}")
        order_id = (await client.post("/v1/appeals", json=body)).json()["work_order_id"]
        orders.append(await eventually(lambda o=order_id: order_in_state(client, o, "dispatched"), what="dispatch"))
    assert len({o["unit"] for o in orders}) == 1
    return orders


async def pages(client: httpx.AsyncClient, url: str, headers: dict[str, str], **params: Any) -> list[list[str]]:
    """Every page of a list, following next_cursor."""
    out, cursor = [], None
    while True:
        body = (await client.get(url, params={**params, **({"cursor": cursor} if cursor else {})},
                                 headers=headers)).json()
        out.append([item["id"] for item in body["items"]])
        cursor = body["next_cursor"]
        if cursor is None:
            return out


async def test_a_unit_sees_its_newest_orders_first_a_page_at_a_time(
    system: tuple[Runtime, httpx.AsyncClient], seven: list[dict[str, Any]],
) -> None:
    runtime, client = system
    unit = seven[0]["unit"]
    mine = await as_unit(runtime, unit)
    got = await pages(client, f"/v1/units/{unit}/work-orders", mine, limit=3)
    newest_first = [o["id"] for o in reversed(seven)]
    assert [len(p) for p in got] == [3, 3, 1]
    assert [i for p in got for i in p] == newest_first
    staff = await pages(client, "/v1/work-orders", await key_headers(runtime, "dispatcher"), unit=unit, limit=4)
    assert [i for p in staff for i in p] == newest_first


async def test_filters_by_state_class_overdue_and_period(
    system: tuple[Runtime, httpx.AsyncClient], seven: list[dict[str, Any]],
) -> None:
    runtime, client = system
    unit = seven[0]["unit"]
    mine = await as_unit(runtime, unit)
    url = f"/v1/units/{unit}/work-orders"
    assert (await unit_acts(client, seven[0]["id"], unit, "claim")).status_code == 200
    claimed = (await client.get(url, params={"state": "claimed"}, headers=mine)).json()["items"]
    assert [o["id"] for o in claimed] == [seven[0]["id"]]
    both = (await client.get(url, params=[("state", "claimed"), ("state", "dispatched")], headers=mine)).json()
    assert len(both["items"]) == 7
    urgent = (await client.get(url, params={"class": "urgent"}, headers=mine)).json()["items"]
    assert urgent == []
    assert (await client.get(url, params={"overdue": "true"}, headers=mine)).json()["items"] == []
    CLOCK.advance(timedelta(hours=6))  # past the 2 working hours to claim (ordinary)
    late = (await client.get(url, params={"overdue": "true"}, headers=mine)).json()["items"]
    assert {o["id"] for o in late} == {o["id"] for o in seven[1:]} and all(o["overdue"] for o in late)
    today = (await client.get(url, params={"from": "2026-11-17", "to": "2026-11-17"}, headers=mine)).json()
    assert len(today["items"]) == 7
    before = (await client.get(url, params={"to": "2026-11-16"}, headers=mine)).json()
    assert before["items"] == []
    wrong = await client.get(url, params={"from": "2026-11-18", "to": "2026-11-17"}, headers=mine)
    assert wrong.status_code == 422 and "to" in wrong.json()["message"]
    for not_a_day in ("0.0", "2026-11-17T09:00", "17/11/2026"):
        refused = await client.get(url, params={"from": not_a_day}, headers=mine)
        assert refused.status_code == 422 and "from" in refused.json()["message"], not_a_day
    bad = await client.get(url, params={"cursor": "not-a-cursor"}, headers=mine)
    assert bad.status_code == 422 and "cursor" in bad.json()["message"]


async def test_assisting_units_list_the_order_and_a_returned_order_leaves_the_list(
    system: tuple[Runtime, httpx.AsyncClient], seven: list[dict[str, Any]],
) -> None:
    runtime, client = system
    lead = seven[0]["unit"]
    helper = "housing" if lead != "housing" else "market"
    order = seven[3]
    asked = await unit_acts(client, order["id"], lead, "request-assistance", {"units": [helper], "reason": "协助"})
    assert asked.status_code == 200
    theirs = (await client.get(f"/v1/units/{helper}/work-orders", headers=await as_unit(runtime, helper))).json()
    assert [(o["id"], o["role"]) for o in theirs["items"]] == [(order["id"], "assisting")]
    other = (await client.get(f"/v1/units/{helper}/work-orders", headers=await as_unit(runtime, lead)))
    assert other.status_code == 403
    back = await unit_acts(client, seven[4]["id"], lead, "return", {"reason": "not_our_remit", "text": "非本单位"})
    assert back.status_code == 200
    ids = {o["id"] for o in (await client.get(f"/v1/units/{lead}/work-orders",
                                                headers=await as_unit(runtime, lead))).json()["items"]}
    assert seven[4]["id"] not in ids and seven[3]["id"] in ids
    # The staff's list of the unit's orders is the unit's own list: the returned order is the review
    # queue's now, though the row still names the unit until it is dispatched again.
    staff = {o["id"] for o in (await client.get("/v1/work-orders", params={"unit": lead},
                                                headers=await key_headers(runtime, "dispatcher"))).json()["items"]}
    assert staff == ids
    queued = (await client.get("/v1/review-queue", headers=await key_headers(runtime, "dispatcher"))).json()
    assert seven[4]["id"] in {o["work_order_id"] for o in queued["items"]}


async def test_the_audit_names_the_authenticated_actor_of_every_action(
    system: tuple[Runtime, httpx.AsyncClient], seven: list[dict[str, Any]],
) -> None:
    runtime, client = system
    unit = seven[0]["unit"]
    supervisor = await key_headers(runtime, "supervisor")
    order = seven[5]
    await unit_acts(client, order["id"], unit, "claim", {"note": "签收"})
    await unit_acts(client, order["id"], unit, "progress", {"note": "联系了13912345678的王先生"})
    trail = (await client.get("/v1/audit", params={"order": order["id"]}, headers=supervisor)).json()["items"]
    actions = [(e["action"], e["actor"].split("/")[0]) for e in trail]
    assert actions[:2] == [("progress", f"unit:{unit}"), ("claim", f"unit:{unit}")]
    assert actions[-1] == ("receive", "operator")  # entered by the operator's key, not a free-text name
    assert "13912345678" not in str(trail)
    actor = trail[0]["actor"]
    theirs = await pages(client, "/v1/audit", supervisor, actor=actor, limit=2)
    flat = [i for p in theirs for i in p]
    assert len(flat) == len(set(flat)) >= 4 and all(len(p) <= 2 for p in theirs)
    everyone = (await client.get("/v1/audit", headers=supervisor))
    assert everyone.status_code == 422
    unit_key = await as_unit(runtime, unit)
    assert (await client.get("/v1/audit", params={"actor": actor}, headers=unit_key)).status_code == 403


@pytest.mark.parametrize(("url", "params", "field"), [
    ("/v1/work-orders", {"from": "0001-01-01"}, "from"),
    ("/v1/work-orders", {"to": "9999-12-31"}, "to"),
    # instants whose county day is past what a date can hold (was a 500: OverflowError)
    ("/v1/work-orders", {"from": "9999-12-31T23:59:59+00:00"}, "from"),
    ("/v1/work-orders", {"to": "0001-01-01T00:00:00+14:00"}, "to"),
    ("/v1/work-orders", {"from": "2026-12-02", "to": "2026-12-01"}, "to (2026-12-01) is before from (2026-12-02)"),
    ("/v1/audit", {"actor": "x", "cursor": "WyIyMDI2LTAxLTAxVDAwOjAwOjAwKzAwOjAwIiw5OTk5OTk5OTk5OTk5OTk5OTk5OV0"},
     "cursor"),  # [instant, 99999999999999999999]: past any row id
    ("/v1/supervision", {"cursor": "MjAyNi0wMS0wMVQwMDowMDowMHwx"}, "cursor"),  # 2026-01-01T00:00:00|1: no offset
    ("/v1/supervision", {"unit": "atlantis"}, "unit 'atlantis'"),  # as every other list: was 200, empty
    ("/v1/extensions", {"cursor": "MjAyNi0wMS0wMVQwMDowMDowMCswMDowMHw5OTk5OTk5OTk5OTk5OTk5OTk5OQ=="}, "cursor"),
    # 9999-12-31T23:59:59-14:00: an instant past what a UTC time can hold (was a 500: OverflowError)
    ("/v1/extensions", {"cursor": "OTk5OS0xMi0zMVQyMzo1OTo1OS0xNDowMHwx"}, "cursor"),
    ("/v1/supervision", {"cursor": "OTk5OS0xMi0zMVQyMzo1OTo1OS0xNDowMHwx"}, "cursor"),
    ("/v1/work-orders", {"cursor": "WyI5OTk5LTEyLTMxVDIzOjU5OjU5LTE0OjAwIiwid29feCJd"}, "cursor"),
])
async def test_dates_and_cursors_no_list_can_use_are_422_naming_them(
    system: tuple[Runtime, httpx.AsyncClient], url: str, params: dict[str, str], field: str,
) -> None:
    runtime, client = system
    response = await client.get(url, params=params, headers=await key_headers(runtime, "admin"))
    assert response.status_code == 422 and field in response.json()["message"], response.text


async def test_an_unknown_unit_or_township_is_named_in_a_few_characters_not_echoed_whole(
    system: tuple[Runtime, httpx.AsyncClient],
) -> None:
    """A 5,000-character unit or township came back whole in the error's message (and its fields)."""
    runtime, client = system
    supervisor = await key_headers(runtime, "supervisor")
    long = "x" * 5000
    for path, params in (("/v1/work-orders", {"unit": long}), (f"/v1/units/{long}/work-orders", {}),
                         ("/v1/reports/631", {"township": long}), ("/v1/reports/supervision", {"unit": long})):
        answer = await client.get(path, params=params, headers=supervisor)
        assert answer.status_code == 422 and "xxxxxxxxxx" in answer.text, answer.text[:200]
        assert len(answer.text) < 600, (path, len(answer.text))
