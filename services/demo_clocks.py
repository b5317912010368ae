"""The demo's second half: clocks that act. On the demo's own clock, moved on instead of waited
for: a village passes an order up (上报), the township blows the whistle (吹哨) on two departments,
one reports for duty late (部门报到) and the township rates both (以下评上); the sweep reminds (提醒)
and supervises (督办) a unit that has not claimed its order; a unit asks for more time (延期) and a
dispatcher approves it. Every step goes through the real API with the role's own key."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from services.bootstrap import Runtime

Keys = Callable[..., Awaitable[dict[str, str]]]

# Tuesday 17 November 2026, 10:00 in the county: a working morning.
DEMO_START = datetime(2026, 11, 17, 2, 0, tzinfo=UTC)


class DemoClock:
    """The demo's time: starts on a working morning and is moved on, never waited for."""

    def __init__(self, start: datetime = DEMO_START) -> None:
        self.current = start

    def __call__(self) -> datetime:
        return self.current


def _local(runtime: Runtime, moment: datetime | str) -> str:
    when = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    return when.astimezone(runtime.ctx.timezone).strftime("%m-%d %H:%M")


async def _dispatched(client: httpx.AsyncClient, runtime: Runtime, operator: dict[str, str], text: str,
                      address: str) -> dict[str, Any]:
    accepted = await client.post("/v1/appeals", headers=operator,
                                 json={"channel": "12345_phone", "text": text, "address": address})
    accepted.raise_for_status()
    await runtime.relay.drain()
    order: dict[str, Any] = (await client.get(f"/v1/work-orders/{accepted.json()['work_order_id']}",
                                              headers=operator)).json()
    return order


async def _sweep(runtime: Runtime) -> None:
    assert runtime.sweeper is not None  # the demo runs every role, the escalation one included
    await runtime.sweeper.run_once()
    await runtime.relay.drain()


async def clocks_that_act(client: httpx.AsyncClient, runtime: Runtime, keys: Keys, clock: DemoClock,
                          echo: Callable[[str], None]) -> dict[str, Any]:
    operator, dispatcher, supervisor = await keys("operator"), await keys("dispatcher"), await keys("supervisor")
    echo("")
    echo(f"Clocks that act (the demo's own clock, now {_local(runtime, clock.current)} county time):")

    # 上报: a community cannot settle a dispute that spans several compounds.
    order = await _dispatched(client, runtime, operator,
                              "楼上邻居每天半夜在家里敲敲打打，吵得人睡不着，上门沟通也没用，请社区帮忙调解。",
                              "城关镇解放社区")
    order_id, village = order["id"], order["unit"]
    village_key = await keys("unit", village)
    (await client.post(f"/v1/work-orders/{order_id}/claim", json={}, headers=village_key)).raise_for_status()
    up = await client.post(f"/v1/work-orders/{order_id}/report-up", headers=village_key,
                           json={"reason": "涉及相邻小区违建施工，社区协调不了"})
    up.raise_for_status()
    township = up.json()["unit"]
    echo(f"  上报: {village} claimed {order_id}, could not settle it and passed it up to {township}, "
         "which got it with fresh clocks.")

    # 吹哨 / 报到: the township calls two county departments; 紧急 gives them 30 minutes to report.
    township_key = await keys("unit", township)
    blown_at = clock.current
    whistle = await client.post(f"/v1/work-orders/{order_id}/whistle", headers=township_key,
                                json={"class": "紧急", "departments": ["housing", "urban_mgmt"],
                                      "reason": "噪音来自违规施工，需要住建和城管到场"})
    whistle.raise_for_status()
    echo(f"  吹哨: {township} blew the whistle (紧急) at {_local(runtime, blown_at)}: housing and urban_mgmt "
         f"must report by {_local(runtime, whistle.json()['summons'][0]['report_due'])}.")
    clock.current = blown_at + timedelta(minutes=12)
    first = await client.post(f"/v1/work-orders/{order_id}/report-duty", headers=await keys("unit", "urban_mgmt"),
                              json={"note": "执法队员已到场"})
    first.raise_for_status()
    clock.current = blown_at + timedelta(minutes=31)
    await _sweep(runtime)
    clock.current = blown_at + timedelta(minutes=45)
    late = await client.post(f"/v1/work-orders/{order_id}/report-duty", headers=await keys("unit", "housing"),
                             json={})
    late.raise_for_status()
    echo(f"  报到: urban_mgmt reported after 12 minutes (on time: {first.json()['on_time']}); housing had not "
         f"reported at 31 minutes, so the sweep raised 督办 on its 报到 clock; it came after 45 minutes "
         f"(on time: {late.json()['on_time']}).")
    rated = await client.post(f"/v1/work-orders/{order_id}/whistle-ratings", headers=township_key, json={
        "ratings": [{"department": "urban_mgmt", "rating": 5, "comment": "及时到场"},
                    {"department": "housing", "rating": 2, "comment": "迟到"}]})
    rated.raise_for_status()
    echo(f"  以下评上: {township} rated urban_mgmt 5 and housing 2; the assessment report counts them.")

    # 提醒 and 督办 from the sweep: a unit that does not claim its order in time.
    lamps = await _dispatched(client, runtime, operator,
                              "人民路上的路灯坏了一整排，晚上黑漆漆的，行人走路很危险，请尽快修理。", "城关镇")
    claim_due = datetime.fromisoformat(lamps["claim_due"])
    clock.current = claim_due - timedelta(minutes=20)
    await _sweep(runtime)
    clock.current = claim_due + timedelta(minutes=1)
    await _sweep(runtime)
    listed = (await client.get(f"/v1/supervision?unit={lamps['unit']}", headers=supervisor)).json()["items"]
    levels = sorted({i["level"] for i in listed if i["work_order_id"] == lamps["id"]})
    echo(f"  提醒 / 督办: {lamps['unit']} had until {_local(runtime, claim_due)} to claim {lamps['id']}; the sweep "
         f"reminded it 20 minutes before and raised 督办 a minute after (supervision list: {', '.join(levels)}); "
         "each level also went to the unit's own topic and to hotline.supervision.")

    # 延期: the unit claims, asks for three more working days before its due time; a dispatcher approves.
    unit_key = await keys("unit", lamps["unit"])
    (await client.post(f"/v1/work-orders/{lamps['id']}/claim", json={}, headers=unit_key)).raise_for_status()
    asked = await client.post(f"/v1/work-orders/{lamps['id']}/extension", headers=unit_key,
                              json={"days": 3, "reason": "需要更换整条线路的电缆，等材料"})
    asked.raise_for_status()
    decided = await client.post(f"/v1/extensions/{asked.json()['id']}/decision", headers=dispatcher,
                                json={"decision": "approve", "reason": "工程量大，同意延期"})
    decided.raise_for_status()
    echo(f"  延期: {lamps['unit']} asked for 3 more working days; the dispatcher approved: the resolve clock moved "
         f"from {_local(runtime, lamps['resolve_due'])} to {_local(runtime, decided.json()['new_due'])}.")
    return {"passed_up": order_id, "township": township, "late_on_time": late.json()["on_time"],
            "supervision_levels": levels, "extension": decided.json()["state"]}
