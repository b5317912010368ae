"""The report aggregates, maintained event by event by the reports consumer, equal a full recount
from the orders' own records (work orders, hand-overs, history, supervision records, extensions)
after a randomised run with returns, reopens, 上报 escalations, extensions, overrides and clocks
running late under the supervision sweep; delivering every event again changes nothing; and
`rebuild` from history gives the same aggregates again."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from sqlalchemy import select

from feedback.tallies import TRACK_FIELDS
from schemas.events import LIFECYCLE_TOPIC
from services.bootstrap import Runtime
from services.bus.memory import InProcessBus
from services.consumers import idempotent
from services.db import reports as store
from services.db.tables import Dispatch, Extension, SupervisionRecord, WorkOrder, WorkOrderHistory
from services.reports.consumer import REPORTS_CONSUMER, rebuild, reports_effect
from services.settings import CoreSettings
from tests.support.clocks import sweep
from tests.support.factories import ManualClock, key_headers, running_system

DEMO_APPEALS = Path(__file__).parents[2] / "services" / "data" / "demo_appeals.yaml"
# Late evening in the county on the last days of January: the run crosses days, a week and a month.
START = datetime(2026, 1, 29, 13, 0, tzinfo=UTC)
SOME_UNITS = ("tw_chengguan", "tw_baisha", "vl_chengguan_jiefang", "water_utility", "housing", "market")


class Run:
    def __init__(self, runtime: Runtime, client: httpx.AsyncClient, clock: ManualClock, rng: random.Random) -> None:
        self.runtime, self.client, self.clock, self.rng = runtime, client, clock, rng
        self.tokens: dict[str, str] = {}

    async def submit(self, appeal: dict[str, Any]) -> None:
        response = await self.client.post("/v1/appeals", json=appeal)
        assert response.status_code == 201, response.text
        body = response.json()
        self.tokens[body["work_order_id"]] = body["citizen_token"]

    async def order(self, order_id: str) -> dict[str, Any]:
        body: dict[str, Any] = (await self.client.get(f"/v1/work-orders/{order_id}")).json()
        return body

    async def act(self, order_id: str) -> None:
        """One random thing that may happen to the order in its present state. The system may
        refuse some (a return after arbitration, 上报 from above a village, a second extension):
        a refusal writes nothing, and the run goes on."""
        order, rng = await self.order(order_id), self.rng
        state, unit = order["state"], order.get("unit")
        if state in ("dispatched", "claimed"):
            step = rng.choices(["claim" if state == "dispatched" else "resolve", "return", "report-up", "extension"],
                               [0.6, 0.15, 0.15, 0.1])[0]
            body = {"return": {"reason": "not_our_remit", "text": "不属于本单位职责"},
                    "resolve": {"reply": "已处理，已回复群众"}, "report-up": {"reason": "村里协调不了，请镇里处理"},
                    "extension": {"days": rng.randint(1, 3), "reason": "需要协调多个部门"}}.get(step, {})
            headers = await key_headers(self.runtime, "unit", unit)
            response = await self.client.post(f"/v1/work-orders/{order_id}/{step}", json=body, headers=headers)
            assert response.status_code in (200, 201) or (response.status_code == 409 and step != "claim"), \
                response.text
            if step == "extension" and response.status_code == 201 and rng.random() < 0.8:
                decision = rng.choice(["approve", "refuse"])
                decided = await self.client.post(f"/v1/extensions/{response.json()['id']}/decision",
                                                 json={"decision": decision, "reason": "按规定处理"},
                                                 headers=await key_headers(self.runtime, "dispatcher"))
                assert decided.status_code == 200, decided.text
        elif state == "resolved":
            rating = rng.choices(["satisfied", "basically_satisfied", "unsatisfied"], [0.6, 0.2, 0.2])[0]
            response = await self.client.post(f"/v1/work-orders/{order_id}/rate", json={
                "rating": rating, "solved": rating != "unsatisfied" or rng.random() < 0.2,
                "citizen_token": self.tokens[order_id]})
            assert response.status_code == 200, response.text
        elif state == "pending_review":
            body = {"action": "override", "unit": rng.choice(SOME_UNITS)}
            if rng.random() < 0.1:
                body = {"action": "invalidate", "reason": "测试来电"}
            headers = await key_headers(self.runtime, "dispatcher")
            response = await self.client.post(f"/v1/work-orders/{order_id}/review", json=body, headers=headers)
            assert response.status_code == 200, response.text

    async def later(self) -> None:
        """Time passes; the supervision sweep raises what fell due meanwhile."""
        self.clock.advance(self.rng.choice([timedelta(minutes=10), timedelta(hours=1), timedelta(hours=3),
                                            timedelta(hours=9), timedelta(days=2)]))
        await sweep(self.runtime)


# ---- the recount: every aggregate computed afresh from the orders' own records ----------------
def _local(runtime: Runtime, at: datetime) -> date:
    return runtime.ctx.local_day(at)


def _buckets(day: date) -> list[tuple[str, date]]:
    return [("d", day), ("w", day - timedelta(days=day.weekday())), ("m", day.replace(day=1)),
            ("y", day.replace(month=1, day=1))]


def _unit_of(actor: str) -> str:
    return actor.split(":", 1)[1].split("/", 1)[0]


async def recount(runtime: Runtime) -> dict[str, list[tuple[Any, ...]]]:
    day_of = lambda at: _local(runtime, at)  # noqa: E731
    async with runtime.sessions() as session:
        orders = {o.id: o for o in (await session.execute(select(WorkOrder))).scalars()}
        dispatches = (await session.execute(select(Dispatch).order_by(Dispatch.id))).scalars().all()
        history = (await session.execute(select(WorkOrderHistory).order_by(WorkOrderHistory.id))).scalars().all()
        supervision = (await session.execute(select(SupervisionRecord))).scalars().all()
        extensions = (await session.execute(select(Extension))).scalars().all()
    units = runtime.ctx.router.units()
    tallies: Counter[tuple[str, date, str, str, str]] = Counter()
    places: Counter[tuple[date, str, str, str]] = Counter()

    def tally(metric: str, at: datetime | date, township: str = "", unit: str = "", level: str = "",
              n: int = 1) -> None:
        day = at if isinstance(at, date) and not isinstance(at, datetime) else day_of(at)
        tallies[(metric, day, township, unit, level)] += n

    for r in supervision:
        tally(f"supervision_{r.level}", r.raised_at, orders[r.work_order_id].township or "", r.unit)
    for e in extensions:
        tally("extension_requested", e.requested_at, orders[e.work_order_id].township or "", e.unit)
        if e.state == "approved":
            tally("extension_approved", e.decided_at, orders[e.work_order_id].township or "", e.unit)
    for o in orders.values():
        tally("received", o.created_at)
        if o.state == "closed":
            tally("closed", o.closed_at, o.township or "", o.resolved_by, o.resolved_level)
    first_of: dict[str, Dispatch] = {}
    for d in dispatches:
        o = orders[d.work_order_id]
        where = {"township": o.township or "", "unit": d.unit, "level": d.level}
        tally("handed_over", d.dispatched_at, **where)
        if d.claimed_at is not None:
            tally("claimed", d.dispatched_at, **where)
            if d.claimed_at <= d.claim_due:
                tally("claimed_on_time", d.dispatched_at, **where)
        if d.outcome == "resolved":
            tally("resolved", d.dispatched_at, **where)
            if d.ended_at is not None and d.ended_at <= d.resolve_due:
                tally("resolved_on_time", d.dispatched_at, **where)
        if d.outcome == "returned":
            tally("returned", d.dispatched_at, **where)
        if d.outcome == "escalate":
            tally("escalated", d.dispatched_at, **where)
        if d.work_order_id not in first_of:
            first_of[d.work_order_id] = d
            tally("first_handed_over", d.dispatched_at, **where)
            if d.outcome == "returned":
                tally("first_returned", d.dispatched_at, **where)
            places[(day_of(d.dispatched_at), o.township or "", o.village or "", o.matter or "")] += 1
    by_order: dict[str, list[WorkOrderHistory]] = {}
    for h in history:
        by_order.setdefault(h.work_order_id, []).append(h)
    for order_id, steps in by_order.items():
        o = orders[order_id]
        township = o.township or ""
        responded = False
        resolver = ""
        open_reopen: tuple[date, str] | None = None
        for h in steps:
            if h.action in ("dispatch", "redirect") and not responded:
                responded = True
                tally("responded", h.at)
                tally("response_seconds", h.at, n=round((h.at - o.created_at).total_seconds()))
                if h.action == "dispatch" and h.actor == "router":
                    tally("first_auto", h.at, township, h.data["unit"], units[h.data["unit"]].level.value)
            if h.action == "redirect":
                tally("redirected", h.at, township)
            if h.action == "resolve":
                resolver = _unit_of(h.actor)
            where = {"township": township, "unit": resolver, "level": units[resolver].level.value if resolver else ""}
            rating = (h.data or {}).get("rating")
            if h.action in ("close", "reopen") and rating:
                tally("rated", h.at, **where)
                if h.data.get("solved"):
                    tally("solved", h.at, **where)
                tally(rating, h.at, **where)
            if h.action == "reopen":
                tally("reopened", h.at, **where)
                open_reopen = (day_of(h.at), resolver)
            if h.action == "close" and open_reopen is not None:
                tally("reopen_closed", open_reopen[0], township, open_reopen[1])
                open_reopen = None
    expected_tallies = Counter()
    for (metric, day, township, unit, level), n in tallies.items():
        for grain, start in _buckets(day):
            expected_tallies[(grain, start, metric, township, unit, level)] += n
            expected_tallies[(grain, start, metric, "*", unit, level)] += n  # the roll-ups
            expected_tallies[(grain, start, metric, "*", "*", level)] += n
    expected_places = Counter()
    for (day, township, village, matter), n in places.items():
        for grain, start in _buckets(day):
            expected_places[(grain, start, township, village, matter)] += n
    return {
        "report_tallies": sorted((*k, n) for k, n in expected_tallies.items() if n),
        "report_places": sorted((*k, n) for k, n in expected_places.items() if n),
        "closed": sorted((o.id, day_of(o.closed_at), o.township or "", o.resolved_level)
                         for o in orders.values() if o.state == "closed"),
    }


async def maintained(runtime: Runtime) -> dict[str, list[tuple[Any, ...]]]:
    async with runtime.sessions() as session:
        rows = await store.all_rows(session)
    tracks = rows.pop("report_orders")
    return {**rows, "tracks": tracks}


@pytest.fixture
def settings(tmp_path: Path) -> CoreSettings:
    return CoreSettings(data_dir=tmp_path, database_url=None, kafka_bootstrap_servers=None)


@pytest.mark.parametrize("seed", [7, 5])
async def test_maintained_aggregates_equal_a_full_recount_after_a_random_run(settings: CoreSettings, seed: int) -> None:
    rng = random.Random(seed)
    appeals = yaml.safe_load(DEMO_APPEALS.read_text(encoding="utf-8"))
    clock = ManualClock(START)
    async with running_system(settings, clock) as (runtime, client):
        run = Run(runtime, client, clock, rng)
        for appeal in rng.sample(appeals, 24):
            await run.submit(appeal)
            if rng.random() < 0.3:
                await run.later()
        await runtime.relay.drain()
        for _ in range(160):
            await run.act(rng.choice(list(run.tokens)))
            if rng.random() < 0.35:
                await run.later()
            if rng.random() < 0.2:
                await runtime.relay.drain()
        for _ in range(8):  # then a few more steps for every order, no time passing: reopened ones close again
            for order_id in list(run.tokens):
                await run.act(order_id)
        await runtime.relay.drain()

        got, want = await maintained(runtime), await recount(runtime)
        assert got["report_places"] == want["report_places"]
        assert got["report_tallies"] == want["report_tallies"]
        at = {name: TRACK_FIELDS.index(name) for name in TRACK_FIELDS}
        closed_tracks = sorted((t[0], t[at["closed_day"]], t[at["closed_township"]], t[at["resolved_level"]])
                               for t in got["tracks"] if t[at["closed_day"]] is not None)
        assert closed_tracks == want["closed"]
        # the run exercised what it is meant to
        metrics = {row[2] for row in got["report_tallies"]}
        assert {"returned", "reopened", "closed", "claimed_on_time", "unsatisfied", "reopen_closed", "escalated",
                "extension_requested", "extension_approved", "supervision_remind", "supervision_supervise"} <= metrics
        assert any(row[2] == "handed_over" and row[6] > 0 for row in got["report_tallies"])
        assert {date(2026, 1, 1), date(2026, 2, 1)} <= {row[1] for row in got["report_tallies"] if row[0] == "m"}

        # every event delivered again: nothing changes
        bus = runtime.bus
        assert isinstance(bus, InProcessBus)
        again = idempotent(REPORTS_CONSUMER, runtime.sessions, runtime.ctx, reports_effect(runtime.ctx))
        for event in bus.topic_log(LIFECYCLE_TOPIC):
            await again(event)
        assert await maintained(runtime) == got

        # and a rebuild from history gives the same again
        folded = await rebuild(runtime.sessions, runtime.ctx.local_day, runtime.ctx.now)
        assert folded == len({e.id for e in bus.topic_log(LIFECYCLE_TOPIC)})
        assert await maintained(runtime) == got
