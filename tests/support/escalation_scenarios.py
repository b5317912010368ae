"""The closed loop's escalation scenarios, written once and run on the embedded default
(tests/services) and on PostgreSQL + a real broker (tests/integration). Time is a ManualClock the
scenarios move; every sweep is run at the moved instant."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

import httpx

from schemas.events import (
    DISPATCHED_TYPE,
    DUTY_REPORTED_TYPE,
    EXTENSION_APPROVED_TYPE,
    EXTENSION_REFUSED_TYPE,
    LIFECYCLE_TOPIC,
    OVERDUE_TYPE,
    RECALLED_TYPE,
    REMINDER_TYPE,
    SUPERVISION_RAISED_TYPE,
    SUPERVISION_TOPIC,
    WHISTLE_BLOWN_TYPE,
    WHISTLE_RATED_TYPE,
    dispatch_topic,
    lifecycle_type,
)
from services.bootstrap import Runtime
from tests.support.clocks import outbox, records, sweep
from tests.support.factories import NEIGHBOUR_NOISE, WATER_OUTAGE, ManualClock, appeal, as_unit, key_headers, unit_acts
from tests.support.waiting import eventually

TOWNSHIP = "tw_chengguan"
STREET_LAMPS = "人民路上的路灯坏了一整排，晚上黑漆漆的，行人走路很危险，请尽快修理。"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


async def dispatched(client: httpx.AsyncClient, text: str, address: str, **fields: Any) -> dict[str, Any]:
    """Submit an appeal and wait until the router has dispatched it; the order as the API shows it."""
    accepted = await client.post("/v1/appeals", json=appeal(text, address=address, **fields))
    assert accepted.status_code == 201, accepted.text
    order_id = accepted.json()["work_order_id"]

    async def probe() -> dict[str, Any] | None:
        body: dict[str, Any] = (await client.get(f"/v1/work-orders/{order_id}")).json()
        return body if body.get("state") == "dispatched" else None

    return await eventually(probe, timeout=60, what=f"{order_id} dispatched")


async def clocks_of(client: httpx.AsyncClient, order_id: str) -> dict[str, Any]:
    body: dict[str, Any] = (await client.get(f"/v1/work-orders/{order_id}/clocks")).json()
    return body


async def village_times_out_rises_whistles_and_rates(
        runtime: Runtime, client: httpx.AsyncClient, clock: ManualClock,
        while_late: Callable[[str], Awaitable[None]] | None = None) -> dict[str, Any]:
    """A village order times out and rises to the township (configured: the village's resolve clock),
    which blows the whistle on two departments; one reports late; the township rates both. Returns
    what the scenario saw, for the caller's own checks; `while_late(order_id)` is called while the
    late department's 报到 stands at 督办."""
    order = await dispatched(client, NEIGHBOUR_NOISE, "城关镇解放社区")
    order_id, village = order["id"], order["unit"]
    assert order["level"] == "village"
    assert (await unit_acts(client, order_id, village, "claim")).status_code == 200
    resolve_due = at((await clocks_of(client, order_id))["resolve_due"])

    # An hour before the village's resolve clock runs out: a reminder, on the village's own topic.
    clock.current = resolve_due - timedelta(hours=1)
    await sweep(runtime)
    assert ("resolve", village, "remind") in await records(runtime, order_id)
    reminders = await outbox(runtime, order_id, topic=dispatch_topic(village), type_=REMINDER_TYPE)
    assert [r["clock"] for r in reminders if r["clock"] == "resolve"] == ["resolve"]
    assert (await clocks_of(client, order_id))["next_check_at"] is not None

    # Past due: 督办, and the village's order passes up to its township with fresh clocks.
    clock.current = resolve_due + timedelta(minutes=1)
    passed = await sweep(runtime)
    assert passed.passed_up >= 1
    up = (await client.get(f"/v1/work-orders/{order_id}")).json()
    assert (up["state"], up["unit"], up["level"]) == ("dispatched", TOWNSHIP, "township")
    assert up["history"][-1]["action"] == "escalate" and up["history"][-1]["actor"] == "escalation:sweep"
    fresh = await clocks_of(client, order_id)
    assert at(fresh["resolve_due"]) > resolve_due and fresh["supervision_level"] == "none"
    escalated = await outbox(runtime, order_id, type_=lifecycle_type("escalated"))
    assert [(e["from_unit"], e["to_unit"], e["automatic"]) for e in escalated] == [(village, TOWNSHIP, True)]
    assert await outbox(runtime, order_id, topic=dispatch_topic(TOWNSHIP), type_=DISPATCHED_TYPE)
    gone = await client.get(f"/v1/work-orders/{order_id}", headers=await as_unit(runtime, village))
    assert gone.status_code == 404  # out of the village's hands
    # …and its system hears it there, on its own topic (it did not ask for this hand-over).
    recalled = await outbox(runtime, order_id, topic=dispatch_topic(village), type_=RECALLED_TYPE)
    assert [(r["unit"], r["reason"]) for r in recalled] == [
        (village, "上报: the village's clock ran out: passed up automatically")]

    # The township blows the whistle: urgent, two county departments, 30 calendar minutes to report.
    blown_at = clock.current
    whistle = await unit_acts(client, order_id, TOWNSHIP, "whistle",
                              {"class": "紧急", "departments": ["water_utility", "housing"],
                               "reason": "小区噪音扰民涉及违建施工，需要住建和供水到场"})
    assert whistle.status_code == 201, whistle.text
    call = whistle.json()
    assert call["whistle_class"] == "urgent" and call["township"] == TOWNSHIP
    assert {s["department"]: at(s["report_due"]) for s in call["summons"]} == {
        "water_utility": blown_at + timedelta(minutes=30), "housing": blown_at + timedelta(minutes=30)}
    for dept in ("water_utility", "housing"):
        summoned = await outbox(runtime, order_id, topic=dispatch_topic(dept), type_=DISPATCHED_TYPE)
        assert [(e["role"], e["lead_unit"], e["summons"]["call_class"]) for e in summoned] == [
            ("summoned", TOWNSHIP, "urgent")]
        assert summoned[0]["contact"] is None
    blown = await outbox(runtime, order_id, type_=WHISTLE_BLOWN_TYPE)
    assert blown[0]["departments"] == ["water_utility", "housing"] and blown[0]["calling_township"] == TOWNSHIP

    # Water reports after ten minutes; housing has not reported at 31 minutes: 督办 on its 报到 clock.
    clock.current = blown_at + timedelta(minutes=10)
    on_time = await unit_acts(client, order_id, "water_utility", "report-duty", {"note": "抢修队已到场"})
    assert on_time.status_code == 200, on_time.text
    assert on_time.json()["on_time"] is True
    clock.current = blown_at + timedelta(minutes=31)
    await sweep(runtime)
    raised = await records(runtime, order_id)
    assert ("report", "housing", "supervise") in raised
    assert not [r for r in raised if r[:2] == ("report", "water_utility")]  # reported: its clock stopped
    assert await outbox(runtime, order_id, topic=dispatch_topic("housing"), type_=OVERDUE_TYPE)
    if while_late is not None:
        await while_late(order_id)
    clock.current = blown_at + timedelta(minutes=40)
    late = await unit_acts(client, order_id, "housing", "report-duty", {})
    assert late.status_code == 200 and late.json()["on_time"] is False
    again = await unit_acts(client, order_id, "housing", "report-duty", {})
    assert again.status_code == 409
    reports = {e["department"]: e for e in await outbox(runtime, order_id, type_=DUTY_REPORTED_TYPE)}
    assert (reports["water_utility"]["on_time"], reports["water_utility"]["late_minutes"]) == (True, 0)
    assert (reports["housing"]["on_time"], reports["housing"]["late_minutes"]) == (False, 10)
    assert reports["housing"]["call_class"] == "urgent" and reports["housing"]["calling_township"] == TOWNSHIP

    # The township stays in charge: only it rates (以下评上), each department once.
    assert (await unit_acts(client, order_id, "water_utility", "whistle-ratings",
                            {"ratings": [{"department": "housing", "rating": 1}]})).status_code == 403
    rated = await unit_acts(client, order_id, TOWNSHIP, "whistle-ratings", {"ratings": [
        {"department": "water_utility", "rating": 5, "comment": "及时到场"},
        {"department": "housing", "rating": 2, "comment": "迟到十分钟"}]})
    assert rated.status_code == 200, rated.text
    assert {s["department"]: s["rating"] for s in rated.json()["summons"]} == {"water_utility": 5, "housing": 2}
    twice = await unit_acts(client, order_id, TOWNSHIP, "whistle-ratings",
                            {"ratings": [{"department": "housing", "rating": 3}]})
    assert twice.status_code == 409 and "already" in twice.json()["message"]
    ratings = {e["department"]: (e["rating"], e["on_time"]) for e in
               await outbox(runtime, order_id, type_=WHISTLE_RATED_TYPE)}
    assert ratings == {"water_utility": (5, True), "housing": (2, False)}
    after = (await client.get(f"/v1/work-orders/{order_id}")).json()
    assert after["unit"] == TOWNSHIP and after["state"] == "dispatched"

    # Every raised level was announced once on each of its three topics; sweeping again adds nothing.
    before = await records(runtime, order_id)
    await sweep(runtime)
    assert await records(runtime, order_id) == before
    assert len(before) == len(set(before))
    assert len(await outbox(runtime, order_id, topic=SUPERVISION_TOPIC)) == len(before)
    lifecycle = await outbox(runtime, order_id, topic=LIFECYCLE_TOPIC, type_=SUPERVISION_RAISED_TYPE)
    assert len(lifecycle) == len(before)
    assert all(e["responsible_unit"] and e["supervision_level"] and e["clock"] and "township" in e
               for e in lifecycle)
    return {"order_id": order_id, "village": village}


async def extension_approved_and_refused(runtime: Runtime, client: httpx.AsyncClient,
                                         clock: ManualClock) -> None:
    """One extension approved (the resolve clock moves by working days), one refused (it does not);
    a second request while one waits, a decision taken twice and a request after the due time are
    refused with 409."""
    dispatcher = await key_headers(runtime, "dispatcher")
    first = await dispatched(client, WATER_OUTAGE, "城关镇")
    second = await dispatched(client, STREET_LAMPS, "城关镇")
    unit, unit2 = first["unit"], second["unit"]
    before = at((await clocks_of(client, first["id"]))["resolve_due"])

    asked = await unit_acts(client, first["id"], unit, "extension", {"days": 3, "reason": "需要更换主管道，等材料"})
    assert asked.status_code == 201, asked.text
    assert asked.json()["state"] == "pending"
    assert (await unit_acts(client, first["id"], unit, "extension", {"days": 1, "reason": "再延"})).status_code == 409
    queue = (await client.get("/v1/extensions?state=pending", headers=dispatcher)).json()
    assert asked.json()["id"] in [e["id"] for e in queue["items"]]

    approved = await client.post(f"/v1/extensions/{asked.json()['id']}/decision", headers=dispatcher,
                                 json={"decision": "approve", "reason": "工程量大，同意"})
    assert approved.status_code == 200, approved.text
    moved = at(approved.json()["new_due"])
    assert moved == runtime.ctx.calendar.add_working_days(before, 3)
    assert at((await clocks_of(client, first["id"]))["resolve_due"]) == moved
    told = await outbox(runtime, first["id"], topic=dispatch_topic(unit), type_=EXTENSION_APPROVED_TYPE)
    assert [(e["days"], e["new_resolve_due"] is not None) for e in told] == [(3, True)]
    twice = await client.post(f"/v1/extensions/{asked.json()['id']}/decision", headers=dispatcher,
                              json={"decision": "refuse", "reason": "改主意"})
    assert twice.status_code == 409

    second_due = (await clocks_of(client, second["id"]))["resolve_due"]
    other = await unit_acts(client, second["id"], unit2, "extension", {"days": 2, "reason": "人手不够"})
    refused = await client.post(f"/v1/extensions/{other.json()['id']}/decision", headers=dispatcher,
                                json={"decision": "refuse", "reason": "常规问题，请按时办结"})
    assert refused.status_code == 200 and refused.json()["state"] == "refused"
    assert (await clocks_of(client, second["id"]))["resolve_due"] == second_due
    assert await outbox(runtime, second["id"], topic=dispatch_topic(unit2), type_=EXTENSION_REFUSED_TYPE)

    # Past the first order's old due time its moved clock is not overdue; past the second's, it is.
    clock.current = max(clock.current, before + timedelta(minutes=5))
    await sweep(runtime)
    assert ("resolve", unit, "supervise") not in await records(runtime, first["id"])
    clock.current = max(clock.current, at(second_due) + timedelta(minutes=5))
    late = await unit_acts(client, second["id"], unit2, "extension", {"days": 2, "reason": "还是来不及"})
    assert late.status_code == 409 and "too late" in late.json()["message"]
    await sweep(runtime)
    assert ("resolve", unit2, "supervise") in await records(runtime, second["id"])
