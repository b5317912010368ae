"""Clocks acting on the embedded default (SQLite file, in-process bus), time moved by a ManualClock:
the sweep's reminders and 督办, a village's order passed up, a whistle, late 报到, ratings,
extensions, the supervision list, restarts and two sweeps at once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from intake.masking import find_numbers
from schemas.events import (
    DUTY_REPORTED_TYPE,
    OVERDUE_TYPE,
    RECALLED_TYPE,
    REPLY_REFUSED_TYPE,
    SUPERVISION_TOPIC,
    UNIT_REPLIES_TOPIC,
    EventEnvelope,
    dispatch_topic,
    unit_source,
)
from services.bootstrap import Runtime
from services.bus.memory import InProcessBus
from services.db.tables import Extension, WhistleCall, WhistleSummons
from services.orders import supervision as supervision_commands
from services.settings import CoreSettings
from services.sweep import Sweeper
from tests.support.clocks import outbox, records, seed_dispatched, sweep
from tests.support.escalation_scenarios import (
    STREET_LAMPS,
    at,
    clocks_of,
    dispatched,
    extension_approved_and_refused,
    village_times_out_rises_whistles_and_rates,
)
from tests.support.factories import NEIGHBOUR_NOISE, ManualClock, as_unit, key_headers, running_system, unit_acts
from tests.support.loop_scenarios import dispatched as loop_dispatched
from tests.support.loop_scenarios import rate
from tests.support.waiting import eventually

START = datetime(2026, 11, 17, 2, 0, tzinfo=UTC)  # Tuesday 10:00 in the county
CLOCK = ManualClock(START)


def settings_for(data_dir: Path, **extra: object) -> CoreSettings:
    return CoreSettings(data_dir=data_dir, database_url=None, kafka_bootstrap_servers=None, relay_poll_seconds=0.05,
                        auto_report_up_clocks="resolve", **extra)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
async def system(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[tuple[Runtime, httpx.AsyncClient]]:
    # The sweep's own loop waits an hour between runs: the tests sweep at the instants they choose.
    async with running_system(settings_for(Path(tmp_path_factory.mktemp("clocks")), sweep_seconds=3600),
                              CLOCK) as pair:
        yield pair


async def test_village_order_times_out_rises_to_the_township_whistle_late_report_and_ratings(
    system: tuple[Runtime, httpx.AsyncClient],
) -> None:
    runtime, client = system
    await village_times_out_rises_whistles_and_rates(runtime, client, CLOCK)


async def test_a_village_passes_up_on_request_and_a_township_cannot(system: tuple[Runtime, httpx.AsyncClient]) -> None:
    _, client = system
    order = await dispatched(client, NEIGHBOUR_NOISE, "城关镇解放社区")
    passed = await unit_acts(client, order["id"], order["unit"], "report-up", {"reason": "涉及多个小区，社区协调不了"})
    assert passed.status_code == 200, passed.text
    assert passed.json()["unit"] == "tw_chengguan"
    body = (await client.get(f"/v1/work-orders/{order['id']}")).json()
    assert body["history"][-1]["action"] == "escalate" and body["history"][-1]["actor"].startswith("unit:")
    refused = await unit_acts(client, order["id"], "tw_chengguan", "report-up", {"reason": "我们也解决不了"})
    assert refused.status_code == 409 and "whistle" in refused.json()["message"]
    unknown = await unit_acts(client, order["id"], "tw_chengguan", "whistle",
                              {"class": "ordinary", "departments": ["housing", "no_such_bureau"], "reason": "需要部门"})
    assert unknown.status_code == 422 and unknown.json()["error"] == "unknown_unit", unknown.text
    assert "no_such_bureau" in unknown.json()["message"]
    whistle_by_village = await unit_acts(client, order["id"], order["unit"], "whistle",
                                         {"class": "ordinary", "departments": ["housing"], "reason": "需要部门"})
    assert whistle_by_village.status_code == 404  # no longer in the village's hands


async def test_a_summoned_department_reports_for_duty_with_a_bare_post(
    system: tuple[Runtime, httpx.AsyncClient],
) -> None:
    """报到's note is optional: the department's key alone is enough, as for the other unit
    commands whose fields are all optional."""
    runtime, client = system
    order = await dispatched(client, "新华小区5栋的楼道灯坏了一个月了，晚上老人上下楼看不见", "城关镇解放社区新华小区")
    await unit_acts(client, order["id"], order["unit"], "report-up", {"reason": "涉及多个小区，社区协调不了"})
    blown = await unit_acts(client, order["id"], "tw_chengguan", "whistle",
                            {"class": "ordinary", "departments": ["housing"], "reason": "需要部门"})
    assert blown.status_code == 201, blown.text
    reported = await client.post(f"/v1/work-orders/{order['id']}/report-duty",
                                 headers=await as_unit(runtime, "housing"))
    assert reported.status_code == 200, reported.text
    assert reported.json()["department"] == "housing" and reported.json()["reported_at"]


async def test_a_department_still_awaited_is_not_summoned_twice(system: tuple[Runtime, httpx.AsyncClient]) -> None:
    """A second whistle naming a department that has not reported to the first: that department is
    not summoned again (one dispatch, one 报到 clock); naming only such departments is a 409."""
    runtime, client = system
    order = await dispatched(client, "解放社区锦绣花园的健身器材坏了好几个月，一直没人来修，孩子玩的时候很危险",
                             "城关镇解放社区锦绣花园")
    await unit_acts(client, order["id"], order["unit"], "report-up", {"reason": "涉及市政设施，社区协调不了"})
    first = await unit_acts(client, order["id"], "tw_chengguan", "whistle",
                            {"class": "ordinary", "departments": ["housing"], "reason": "需要住建"})
    assert first.status_code == 201, first.text
    again = await unit_acts(client, order["id"], "tw_chengguan", "whistle",
                            {"class": "urgent", "departments": ["housing"], "reason": "再催住建"})
    assert again.status_code == 409, again.text
    assert "housing" in again.json()["message"]
    wider = await unit_acts(client, order["id"], "tw_chengguan", "whistle",
                            {"class": "ordinary", "departments": ["housing", "urban_mgmt"], "reason": "加上城管"})
    assert wider.status_code == 201, wider.text
    assert [s["department"] for s in wider.json()["summons"]] == ["urban_mgmt"]
    told = await outbox(runtime, order["id"], topic=dispatch_topic("housing"))
    assert [e["role"] for e in told if e.get("role") == "summoned"] == ["summoned"]
    reported = await client.post(f"/v1/work-orders/{order['id']}/report-duty",
                                 headers=await as_unit(runtime, "housing"))
    assert reported.status_code == 200, reported.text
    after = await unit_acts(client, order["id"], "tw_chengguan", "whistle",
                            {"class": "ordinary", "departments": ["housing"], "reason": "住建需要再来一次"})
    assert after.status_code == 201, after.text  # reported: a new call may summon it again


async def test_an_assisting_unit_hears_when_the_village_passes_its_order_up(
    system: tuple[Runtime, httpx.AsyncClient],
) -> None:
    runtime, client = system
    order = await dispatched(client, "文昌社区翰林苑小区的化粪池满了，污水漫到路上，臭得不行", "城关镇文昌社区翰林苑")
    assert (await unit_acts(client, order["id"], order["unit"], "request-assistance",
                            {"units": ["market"], "reason": "需要协助"})).status_code == 200
    passed = await unit_acts(client, order["id"], order["unit"], "report-up", {"reason": "社区解决不了"})
    assert passed.status_code == 200, passed.text
    told = await outbox(runtime, order["id"], topic=dispatch_topic("market"), type_=RECALLED_TYPE)
    assert [e["reason"] for e in told] == ["上报: 社区解决不了"]


async def test_an_extension_approved_and_one_refused(system: tuple[Runtime, httpx.AsyncClient]) -> None:
    runtime, client = system
    await extension_approved_and_refused(runtime, client, CLOCK)


async def test_an_extension_whose_hand_over_ended_leaves_the_dispatchers_pending_queue(
    system: tuple[Runtime, httpx.AsyncClient],
) -> None:
    """Resolved (or returned, reassigned, passed up) before the decision: nothing is left to extend
    (the decision is 409), so the queue of extensions waiting for a dispatcher no longer shows it."""
    runtime, client = system
    dispatcher = await key_headers(runtime, "dispatcher")
    order = await dispatched(client, STREET_LAMPS, "城关镇")
    asked = await unit_acts(client, order["id"], order["unit"], "extension", {"days": 2, "reason": "需要采购灯具"})
    assert asked.status_code == 201, asked.text
    waiting = (await client.get("/v1/extensions?state=pending&limit=500", headers=dispatcher)).json()["items"]
    assert asked.json()["id"] in [e["id"] for e in waiting]
    for step, body in (("claim", {}), ("resolve", {"reply": "路灯已修好"})):
        assert (await unit_acts(client, order["id"], order["unit"], step, body)).status_code == 200
    decided = await client.post(f"/v1/extensions/{asked.json()['id']}/decision",
                                json={"decision": "approve", "reason": "同意"}, headers=dispatcher)
    assert decided.status_code == 409, decided.text
    waiting = (await client.get("/v1/extensions?state=pending&limit=500", headers=dispatcher)).json()["items"]
    assert asked.json()["id"] not in [e["id"] for e in waiting]
    # the list without a filter says so too: lapsed, not pending
    every = (await client.get("/v1/extensions?limit=500", headers=dispatcher)).json()["items"]
    assert {e["id"]: e["state"] for e in every}[asked.json()["id"]] == "lapsed"
    lapsed = (await client.get("/v1/extensions?state=lapsed&limit=500", headers=dispatcher)).json()["items"]
    assert [e["id"] for e in lapsed] == [asked.json()["id"]]


async def test_supervisors_list_the_overdue_newest_first_a_page_at_a_time(
    system: tuple[Runtime, httpx.AsyncClient],
) -> None:
    runtime, client = system
    supervisor = await key_headers(runtime, "supervisor")
    order = await dispatched(client, STREET_LAMPS, "城关镇")
    CLOCK.current = at((await clocks_of(client, order["id"]))["claim_due"]) + timedelta(minutes=1)
    await sweep(runtime)
    page = (await client.get("/v1/supervision?level=supervise&limit=2", headers=supervisor)).json()
    assert len(page["items"]) == 2 and page["next_cursor"]
    newest = page["items"][0]
    assert (newest["work_order_id"], newest["clock"], newest["level"]) == (order["id"], "claim", "supervise")
    assert newest["raised_at"] >= page["items"][1]["raised_at"]
    following = (await client.get(f"/v1/supervision?level=supervise&limit=2&cursor={page['next_cursor']}",
                                  headers=supervisor)).json()
    seen = {(i["work_order_id"], i["clock"]) for i in page["items"]}
    assert following["items"] and not seen & {(i["work_order_id"], i["clock"]) for i in following["items"]}
    mine = (await client.get(f"/v1/supervision?unit={order['unit']}", headers=supervisor)).json()["items"]
    assert all(i["unit"] == order["unit"] for i in mine) and mine
    bad = await client.get("/v1/supervision?cursor=nonsense", headers=supervisor)
    assert bad.status_code == 422


async def test_two_sweeps_at_once_raise_each_level_once(system: tuple[Runtime, httpx.AsyncClient]) -> None:
    runtime, _ = system
    async with runtime.sessions() as session, session.begin():
        ids = await seed_dispatched(session, runtime.ctx, 60, unit="urban_mgmt", at=CLOCK.current)
    CLOCK.advance(timedelta(days=10))  # claim and first contact past 通报, resolve past 督办
    sweepers = [Sweeper(runtime.sessions, runtime.ctx, batch_size=7) for _ in range(2)]
    results = await asyncio.gather(*(s.run_once() for s in sweepers))
    raised = [(order_id, *r) for order_id in ids for r in await records(runtime, order_id)]
    # Per order: claim and first contact 督办 + 通报, resolve 督办 (their reminders are stale: skipped).
    assert len(raised) == len(set(raised)) == 60 * 5
    assert sum(r.raised for r in results) >= len(raised)  # others' orders may be swept too
    announced = [e for order_id in ids for e in await outbox(runtime, order_id, topic=SUPERVISION_TOPIC)]
    assert len(announced) == len(raised)


async def test_a_sweep_that_fails_half_way_leaves_nothing_and_the_next_does_it_once(
    system: tuple[Runtime, httpx.AsyncClient], monkeypatch: pytest.MonkeyPatch,
) -> None:
    runtime, _ = system
    async with runtime.sessions() as session, session.begin():
        [order_id] = await seed_dispatched(session, runtime.ctx, 1, unit="urban_mgmt", at=CLOCK.current)
    CLOCK.advance(timedelta(hours=4))
    real = supervision_commands.esc_repo.add_many

    async def crash(*args: object, **kwargs: object) -> None:
        raise ConnectionError("the database went away half-way through the batch")

    monkeypatch.setattr(supervision_commands.esc_repo, "add_many", crash)
    with pytest.raises(ConnectionError):
        await runtime.sweeper.run_once()  # type: ignore[union-attr]
    assert await records(runtime, order_id) == []  # the records rolled back with the events
    monkeypatch.setattr(supervision_commands.esc_repo, "add_many", real)
    await sweep(runtime)
    first = await records(runtime, order_id)
    assert ("claim", "urban_mgmt", "supervise") in first
    await sweep(runtime)
    assert await records(runtime, order_id) == first
    assert len(await outbox(runtime, order_id, topic=SUPERVISION_TOPIC)) == len(first)


async def test_the_escalation_service_restarted_in_the_middle_of_a_clock_misses_nothing_and_repeats_nothing(
    tmp_path: Path,
) -> None:
    clock = ManualClock(START)
    settings = settings_for(tmp_path, sweep_seconds=0.05)  # the sweep's own loop does the work here
    async with running_system(settings, clock) as (runtime, client):
        order = await dispatched(client, STREET_LAMPS, "城关镇")
        claim_due = at((await clocks_of(client, order["id"]))["claim_due"])
        clock.current = claim_due - timedelta(minutes=10)  # past the reminder, before the due time
        runtime.sweeper.wake()  # type: ignore[union-attr]

        async def reminded() -> bool:
            return ("claim", order["unit"], "remind") in await records(runtime, order["id"])

        await eventually(reminded, what="the claim reminder from the running sweep")
    # The service is down while the clock runs out; it comes back with the same database.
    clock.current = claim_due + timedelta(minutes=30)
    async with running_system(settings, clock) as (runtime, client):
        async def supervised() -> bool:
            return ("claim", order["unit"], "supervise") in await records(runtime, order["id"])

        await eventually(supervised, what="the 督办 raised after the restart")
        await sweep(runtime)
        claim = [r for r in await records(runtime, order["id"]) if r[0] == "claim"]
        assert claim == [("claim", order["unit"], "remind"), ("claim", order["unit"], "supervise")]
        announced = [e for e in await outbox(runtime, order["id"], topic=SUPERVISION_TOPIC) if e["clock"] == "claim"]
        assert [e["supervision_level"] for e in announced] == ["remind", "supervise"]


async def test_escalation_commands_over_the_reply_topic_mean_what_they_mean_over_rest(
    system: tuple[Runtime, httpx.AsyncClient],
) -> None:
    runtime, client = system
    order = await dispatched(client, NEIGHBOUR_NOISE, "城关镇解放社区")
    order_id, village = order["id"], order["unit"]

    def reply(command: str, unit: str, **fields: object) -> EventEnvelope:
        return EventEnvelope(type=f"org.hotline.unit.{command}", subject=order_id, topic=UNIT_REPLIES_TOPIC,
                             source=unit_source(unit), data={"unit": unit, **fields})

    async def send(event: EventEnvelope) -> None:
        await runtime.bus.publish([event])
        await runtime.relay.drain()

    await send(reply("report_up", village, reason="涉及多个小区，社区协调不了"))
    assert (await client.get(f"/v1/work-orders/{order_id}")).json()["unit"] == "tw_chengguan"
    await send(reply("whistle", "tw_chengguan", **{"class": "紧急", "departments": ["housing"], "reason": "违建"}))
    await send(reply("report_duty", "housing", note="已到场"))
    reported = await outbox(runtime, order_id, type_=DUTY_REPORTED_TYPE)
    assert [(e["department"], e["on_time"]) for e in reported] == [("housing", True)]
    # The same refusal as over REST, answered on the unit's own topic.
    over_rest = await unit_acts(client, order_id, "housing", "report-duty", {})
    await send(reply("report_duty", "housing"))
    bus = runtime.bus
    assert isinstance(bus, InProcessBus)
    refused = [e.data for e in bus.topic_log(dispatch_topic("housing"))
               if e.type == REPLY_REFUSED_TYPE and e.subject == order_id]
    assert over_rest.status_code == 409 and refused
    assert (refused[-1]["status"], refused[-1]["message"]) == (409, over_rest.json()["message"])


async def test_a_whistle_lapses_with_its_hand_over_a_reopened_order_does_not_revive_it(
    system: tuple[Runtime, httpx.AsyncClient],
) -> None:
    """The township resolves before the summoned department reported; the citizen is unsatisfied
    and the order comes back (重办) to the same township: the old call's 报到 clock stays stopped."""
    runtime, client = system
    market_day = "城关镇农贸市场门口每逢赶集日摊位摆到马路中间，车子过不去，请镇里管一管。"
    order, token = await loop_dispatched(client, market_day, address="城关镇")
    order_id, township = order["id"], order["unit"]
    assert township == "tw_chengguan"
    assert (await unit_acts(client, order_id, township, "claim")).status_code == 200
    whistle = await unit_acts(client, order_id, township, "whistle",
                              {"class": "紧急", "departments": ["urban_mgmt"], "reason": "占道经营需要城管执法"})
    assert whistle.status_code == 201, whistle.text
    report_due = at(whistle.json()["summons"][0]["report_due"])
    CLOCK.current += timedelta(minutes=5)
    resolved = await unit_acts(client, order_id, township, "resolve", {"reply": "已协调市场管理，摊位退回市场内"})
    assert resolved.status_code == 200, resolved.text
    CLOCK.current += timedelta(minutes=5)
    assert (await rate(client, order_id, token, "unsatisfied")).json()["state"] == "dispatched"
    # The sweep looks at the reopened order when its fresh claim clock runs out, well after the old 报到 was due.
    claim_due = at((await clocks_of(client, order_id))["claim_due"])
    assert claim_due > report_due
    CLOCK.current = claim_due + timedelta(minutes=1)
    await sweep(runtime)
    assert ("claim", township, "supervise") in await records(runtime, order_id)
    assert not [r for r in await records(runtime, order_id) if r[0] == "report"]
    assert not await outbox(runtime, order_id, topic=dispatch_topic("urban_mgmt"), type_=OVERDUE_TYPE)


async def test_a_report_for_duty_goes_to_the_call_that_stands_not_one_that_lapsed(
    system: tuple[Runtime, httpx.AsyncClient],
) -> None:
    """The old call's summons lapsed with its hand-over (resolved, reopened); the township whistles
    the same department again: its 报到 answers the new call, whose clock then stops."""
    runtime, client = system
    text = "南桥镇南桥新村路口的废品收购站把废品堆到马路上，车都绕着走，请镇里管一管。"
    order, token = await loop_dispatched(client, text, address="南桥镇")
    order_id, township = order["id"], order["unit"]
    assert (await unit_acts(client, order_id, township, "claim")).status_code == 200
    old = await unit_acts(client, order_id, township, "whistle",
                          {"class": "紧急", "departments": ["urban_mgmt"], "reason": "占道经营需要城管执法"})
    assert old.status_code == 201, old.text
    CLOCK.current += timedelta(minutes=5)
    assert (await unit_acts(client, order_id, township, "resolve", {"reply": "已劝离摊贩"})).status_code == 200
    CLOCK.current += timedelta(minutes=5)
    assert (await rate(client, order_id, token, "unsatisfied")).json()["state"] == "dispatched"
    new = await unit_acts(client, order_id, township, "whistle",
                          {"class": "紧急", "departments": ["urban_mgmt"], "reason": "废品又堆回来了，再请城管"})
    assert new.status_code == 201, new.text
    reported = await client.post(f"/v1/work-orders/{order_id}/report-duty",
                                 headers=await as_unit(runtime, "urban_mgmt"))
    assert reported.status_code == 200, reported.text
    told = await outbox(runtime, order_id, type_=DUTY_REPORTED_TYPE)
    assert [e["whistle_call_id"] for e in told] == [new.json()["whistle_call_id"]]
    assert new.json()["whistle_call_id"] != old.json()["whistle_call_id"]


async def test_the_words_of_a_whistle_a_rating_and_an_extension_are_kept_and_shown_masked(
    system: tuple[Runtime, httpx.AsyncClient],
) -> None:
    """A township's reason for its whistle, its comment on a department, a unit's reason for 延期 and
    the dispatcher's reason for the decision are free text like a history reason: a phone, ID or card
    number typed into them is masked where they are stored and in every answer (the dispatcher's
    queue, the whistle call), as in the lifecycle events."""
    runtime, client = system
    phone, id_card, card = "13812345678", "42010119800101123X", "6222021234567890123"
    order = await dispatched(client, "解放社区新华小区门口的排水沟堵了半个月，一下雨就淹到楼道里",
                             "城关镇解放社区新华小区")
    passed = await unit_acts(client, order["id"], order["unit"], "report-up", {"reason": "社区协调不了"})
    assert passed.status_code == 200 and passed.json()["unit"] == "tw_chengguan", passed.text
    shown = [await unit_acts(client, order["id"], "tw_chengguan", "whistle",
                             {"class": "ordinary", "departments": ["housing"], "reason": f"请住建来，联系{phone}"})]
    assert shown[-1].status_code == 201, shown[-1].text
    assert (await unit_acts(client, order["id"], "housing", "report-duty", {})).status_code == 200
    shown.append(await unit_acts(client, order["id"], "tw_chengguan", "whistle-ratings",
                                 {"ratings": [{"department": "housing", "rating": 4, "comment": f"来得快{id_card}"}]}))
    shown.append(await unit_acts(client, order["id"], "tw_chengguan", "extension",
                                 {"days": 2, "reason": f"等业主回电{phone}"}))
    assert shown[-1].status_code == 201, shown[-1].text
    dispatcher = await key_headers(runtime, "dispatcher")
    shown.append(await client.get("/v1/extensions?state=pending&limit=500", headers=dispatcher))
    shown.append(await client.post(f"/v1/extensions/{shown[-2].json()['id']}/decision", headers=dispatcher,
                                   json={"decision": "approve", "reason": f"同意，费用打卡{card}"}))
    assert all(r.status_code in (200, 201) for r in shown), [r.text for r in shown]
    for response in shown:
        assert not find_numbers(response.text), response.text
    async with runtime.sessions() as session:
        kept = [*(await session.execute(select(WhistleCall.reason).where(WhistleCall.work_order_id == order["id"]))
                  ).scalars(),
                *(await session.execute(select(WhistleSummons.rating_comment)
                                        .where(WhistleSummons.work_order_id == order["id"]))).scalars(),
                *(await session.execute(select(Extension.reason, Extension.decision_reason)
                                        .where(Extension.work_order_id == order["id"]))).one()]
    assert len(kept) == 4 and all(kept) and not [text for text in kept if find_numbers(text)], kept


async def test_rating_a_department_of_an_earlier_whistle_says_which_call_to_name(
    system: tuple[Runtime, httpx.AsyncClient],
) -> None:
    """以下评上 rates the order's latest call unless whistle_call_id names another: a department that
    reported to the first call, when a second summoned someone else, was refused with 'housing was not
    summoned by whistle call N' and nothing said how to rate it."""
    _, client = system
    order = await dispatched(client, "文昌社区广场旁边的公共厕所堵了好几天，臭味很大", "城关镇文昌社区")
    await unit_acts(client, order["id"], order["unit"], "report-up", {"reason": "需要部门"})
    first = await unit_acts(client, order["id"], "tw_chengguan", "whistle",
                            {"class": "ordinary", "departments": ["housing"], "reason": "需要住建"})
    assert (await unit_acts(client, order["id"], "housing", "report-duty", {})).status_code == 200
    second = await unit_acts(client, order["id"], "tw_chengguan", "whistle",
                             {"class": "ordinary", "departments": ["urban_mgmt"], "reason": "还要城管"})
    assert first.status_code == second.status_code == 201, (first.text, second.text)
    rating = {"ratings": [{"department": "housing", "rating": 5}]}
    refused = await unit_acts(client, order["id"], "tw_chengguan", "whistle-ratings", rating)
    assert refused.status_code == 409, refused.text
    call = first.json()["whistle_call_id"]
    assert f"whistle_call_id {call}" in refused.json()["message"], refused.text
    rated = await unit_acts(client, order["id"], "tw_chengguan", "whistle-ratings", {**rating, "whistle_call_id": call})
    assert rated.status_code == 200 and rated.json()["summons"][0]["rating"] == 5, rated.text


async def test_status_counts_an_order_past_its_first_contact_due_until_the_citizen_is_reached(
    system: tuple[Runtime, httpx.AsyncClient],
) -> None:
    from services.db.observation import overdue_counts
    from services.db.tables import WorkOrder

    runtime, client = system
    order = await dispatched(client, STREET_LAMPS, "城关镇")
    assert (await unit_acts(client, order["id"], order["unit"], "claim", {})).status_code == 200
    async with runtime.sessions() as session:
        stored = await session.get(WorkOrder, order["id"])
        assert stored is not None and stored.first_contact_due is not None
        late = stored.first_contact_due + timedelta(seconds=1)
        before = (await overdue_counts(session, late))["first_contact"]
    assert before >= 1
    reached = await unit_acts(client, order["id"], order["unit"], "first-contact",
                              {"note": "已电话联系"})
    assert reached.status_code == 200, reached.text
    async with runtime.sessions() as session:
        assert (await overdue_counts(session, late))["first_contact"] == before - 1
