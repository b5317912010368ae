"""The report endpoints over a seeded run: the figures match the orders, townships can be named
three ways, bad parameters are 422 naming the field, every report exports CSV, and the numbers
lead to the orders behind them."""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from services.settings import CoreSettings
from tests.support.escalation_scenarios import village_times_out_rises_whistles_and_rates
from tests.support.factories import ManualClock, key_headers, running_system
from tests.support.seeding import seed

START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # 09:00 on a Monday in the county
PERIOD = {"from": "2026-03-01", "to": "2026-03-31"}
SEVEN_STAGES = ["首接响应", "精准派单", "认领处置", "工单督办", "统计分析", "考核考评", "结果运用"]
REPORTS = ("631", "631/orders", "rates", "assessment", "hotspots", "supervision", "stages", "trend")


@pytest.fixture(scope="module")
async def seeded(tmp_path_factory: pytest.TempPathFactory
                 ) -> AsyncIterator[tuple[httpx.AsyncClient, dict[str, str], dict[str, dict[str, Any]]]]:
    settings = CoreSettings(data_dir=Path(tmp_path_factory.mktemp("reports")), database_url=None,
                            kafka_bootstrap_servers=None)
    clock = ManualClock(START)
    async with running_system(settings, clock) as (runtime, client):
        orders = await seed(runtime, client, clock)
        yield client, await key_headers(runtime, "supervisor"), orders


Seeded = tuple[httpx.AsyncClient, dict[str, str], dict[str, dict[str, Any]]]


async def test_631_counts_the_closed_orders_by_the_level_that_resolved_them(seeded: Seeded) -> None:
    client, supervisor, orders = seeded
    closed = [o for o in orders.values() if o["state"] == "closed"]
    report = (await client.get("/v1/reports/631", params=PERIOD, headers=supervisor)).json()
    assert report["total"] == len(closed) > 5
    by_level = Counter(o["level"] for o in closed)
    for row in report["levels"]:
        assert row["count"] == by_level[row["level"]]
        assert row["gap"] == pytest.approx(row["share"] - row["target"], abs=1e-4)
    assert sum(r["share"] for r in report["levels"]) == pytest.approx(1.0, abs=1e-3)
    # the drill-down gives exactly the orders behind each count
    for row in report["levels"]:
        page = (await client.get("/v1/reports/631/orders", params={**PERIOD, "level": row["level"]},
                                 headers=supervisor)).json()
        assert sorted(o["work_order_id"] for o in page["orders"]) == sorted(
            o["id"] for o in closed if o["level"] == row["level"])


async def test_a_township_is_named_by_code_unit_code_or_name_and_an_unknown_one_is_422(seeded: Seeded) -> None:
    client, supervisor, orders = seeded
    answers = [(await client.get("/v1/reports/631", params={**PERIOD, "township": name}, headers=supervisor)).json()
               for name in ("chengguan", "tw_chengguan", "城关镇")]
    assert answers[0] == answers[1] == answers[2]
    assert answers[0]["township"] == "chengguan" and answers[0]["township_name"] == "城关镇"
    page = (await client.get("/v1/reports/631/orders", params={**PERIOD, "township": "城关镇"},
                             headers=supervisor)).json()
    assert answers[0]["total"] == len(page["orders"]) > 0
    assert {o["township"] for o in page["orders"]} == {"chengguan"}
    assert all(orders[o["work_order_id"]]["state"] == "closed" for o in page["orders"])
    unknown = await client.get("/v1/reports/631", params={**PERIOD, "township": "atlantis"}, headers=supervisor)
    assert unknown.status_code == 422 and unknown.json()["fields"][0]["field"].endswith("township")


async def test_an_unknown_matter_in_the_hot_spot_drill_down_is_422_naming_it(seeded: Seeded) -> None:
    """hotspots/orders?matter=<no such matter> answered 200 with an empty page, as if nothing had happened."""
    client, supervisor, _ = seeded
    hot = (await client.get("/v1/reports/hotspots", params=PERIOD, headers=supervisor)).json()
    known = hot["hotspots"][0]["matter"] if hot["hotspots"] else None
    if known is not None:
        page = await client.get("/v1/reports/hotspots/orders", params={**PERIOD, "matter": known}, headers=supervisor)
        assert page.status_code == 200, page.text
    unknown = await client.get("/v1/reports/hotspots/orders", params={**PERIOD, "matter": "water.no_such_matter"},
                               headers=supervisor)
    assert unknown.status_code == 422, unknown.text
    body = unknown.json()
    assert body["fields"][0]["field"].endswith("matter") and "water.no_such_matter" in body["message"], body


@pytest.mark.parametrize("params, field", [
    ({"from": "2026-03-10", "to": "2026-03-01"}, "to"),
    ({"from": "2026-02-30"}, "from"),
    ({"from": "yesterday"}, "from"),
    ({"from": "0.0"}, "from"),
    ({"to": "1700000000"}, "to"),
    ({"from": "2026-03-01T09:00:00"}, "from"),  # a date-time without its offset is no day
    ({"from": "2026-3-1"}, "from"),
    ({"from": "9999-12-31T23:59:59Z"}, "from"),  # its county day is past year 9999 (was a 500)
    ({"to": "0001-01-01T00:00:00+14:00"}, "to"),
    ({"weights": "speed:1"}, "weights"),
])
async def test_bad_parameters_are_422_naming_the_field(seeded: Seeded, params: dict[str, str], field: str) -> None:
    client, supervisor, _ = seeded
    for report in REPORTS if field != "weights" else ("rates", "assessment", "stages"):
        response = await client.get(f"/v1/reports/{report}", params=params, headers=supervisor)
        assert response.status_code == 422, (report, response.text)
        assert field in response.json()["message"]


async def test_a_date_time_with_its_offset_is_the_county_day_it_falls_on(seeded: Seeded) -> None:
    client, supervisor, _ = seeded
    by_day = (await client.get("/v1/reports/631", params=PERIOD, headers=supervisor)).json()
    # 2026-02-28T16:30Z is 00:30 on 1 March in the county; 2026-03-31T23:00+08:00 is 31 March
    by_instant = (await client.get("/v1/reports/631", params={"from": "2026-02-28T16:30:00Z",
                                                              "to": "2026-03-31T23:00:00+08:00"},
                                   headers=supervisor)).json()
    assert by_instant == by_day


async def test_a_report_from_the_earliest_day_compares_with_the_days_before_it(seeded: Seeded) -> None:
    """Hot spots compare with the period before, which for one starting on 1990-01-01 lies before the
    earliest day one may ask for: it was a 500 ('from: 1989-12-01 is outside 1990-2100')."""
    client, supervisor, _ = seeded
    for period in ({"from": "1990-01-01", "to": "1990-01-31"}, {"from": "1990-01-01", "to": "2100-12-31"}):
        answer = await client.get("/v1/reports/hotspots", params=period, headers=supervisor)
        assert answer.status_code == 200, answer.text
    assert answer.json()["previous_from"] == "1879-01-01"


@pytest.mark.parametrize("report", REPORTS)
async def test_every_report_exports_csv(seeded: Seeded, report: str) -> None:
    client, supervisor, _ = seeded
    by_param = await client.get(f"/v1/reports/{report}", params={**PERIOD, "format": "csv"}, headers=supervisor)
    by_accept = await client.get(f"/v1/reports/{report}", params=PERIOD, headers={**supervisor, "Accept": "text/csv"})
    for response in (by_param, by_accept):
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
        assert response.text == by_param.text
        rows = list(csv.DictReader(io.StringIO(response.text.lstrip("\ufeff"))))
        assert rows or report == "supervision"


async def test_the_states_export_csv_and_an_empty_list_keeps_its_header(seeded: Seeded) -> None:
    client, supervisor, _ = seeded
    counts = (await client.get("/v1/reports/states", headers=supervisor)).json()
    states = await client.get("/v1/reports/states", params={"format": "csv"}, headers=supervisor)
    assert states.status_code == 200 and states.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(states.text.lstrip("\ufeff"))))
    assert {r["state"]: int(r["count"]) for r in rows} == counts and counts
    nothing = {"from": "2025-01-01", "to": "2025-01-31", "format": "csv"}
    for report in ("631/orders", "hotspots/orders", "supervision"):
        empty = await client.get(f"/v1/reports/{report}", params=nothing, headers=supervisor)
        header = next(csv.reader(io.StringIO(empty.text.lstrip("\ufeff"))), [])
        assert empty.status_code == 200 and "work_order_id" in header, (report, empty.text)


async def test_rates_and_assessment_agree_with_what_the_units_did(seeded: Seeded) -> None:
    client, supervisor, orders = seeded
    rates = (await client.get("/v1/reports/rates", params=PERIOD, headers=supervisor)).json()
    handed = [o for o in orders.values() if any(h["action"] in ("dispatch", "reopen") for h in o["history"])]
    hand_overs = sum(1 for o in handed for h in o["history"] if h["action"] in ("dispatch", "reopen"))
    assert rates["overall"]["response"]["denominator"] == hand_overs
    ratings = sum(1 for o in orders.values() for h in o["history"] if h["action"] in ("close", "reopen")
                  and h["actor"] == "citizen")
    assert rates["overall"]["satisfaction"]["denominator"] == ratings
    unsatisfied = sum(1 for o in orders.values() for h in o["history"] if h["action"] == "reopen")
    assert rates["overall"]["satisfaction"]["numerator"] == ratings - unsatisfied > 0
    assert set(rates["definitions"]) >= {"response", "solution", "satisfaction", "composite"}
    weighted = (await client.get("/v1/reports/rates", params={**PERIOD, "weights": "response:0,solution:0,"
                                                             "satisfaction:1"}, headers=supervisor)).json()
    assert weighted["overall"]["composite"] == weighted["overall"]["satisfaction"]["value"]
    assessment = (await client.get("/v1/reports/assessment", params=PERIOD, headers=supervisor)).json()
    assert [u["rank"] for u in assessment["units"]] == list(range(1, len(assessment["units"]) + 1))
    scores = [u["score"] for u in assessment["units"] if u["score"] is not None]
    assert scores == sorted(scores, reverse=True)
    assert sum(u["reopened"] for u in assessment["units"]) == unsatisfied


async def test_hot_spots_stages_and_trend_show_the_run(seeded: Seeded) -> None:
    client, supervisor, orders = seeded
    spots = (await client.get("/v1/reports/hotspots", params={**PERIOD, "limit": 100}, headers=supervisor)).json()
    handed = [o for o in orders.values() if any(h["action"] == "dispatch" for h in o["history"])]
    assert sum(h["count"] for h in spots["hotspots"]) == len(handed)
    for spot in spots["hotspots"]:
        assert len(spot["orders"]) == min(spot["count"], 5) and spot["trend"] == "new"
        page = (await client.get(spot["orders_url"], headers=supervisor)).json()
        assert all(orders[o["work_order_id"]]["matter"] == spot["matter"] for o in page["orders"])
    stages = (await client.get("/v1/reports/stages", params=PERIOD, headers=supervisor)).json()["stages"]
    assert [s["name"] for s in stages] == SEVEN_STAGES
    assert all(s["value"] is not None for s in stages)
    trend = (await client.get("/v1/reports/trend", params=PERIOD, headers=supervisor)).json()
    assert sum(d["count"] for d in trend["orders_per_day"]) == len(orders)
    assert len(trend["orders_per_day"]) == 31
    states = (await client.get("/v1/reports/states", headers=supervisor)).json()
    assert states == dict(Counter(o["state"] for o in orders.values()))


async def test_whistles_late_reports_and_township_ratings_reach_the_assessment_and_supervision(
        tmp_path: Path) -> None:
    settings = CoreSettings(data_dir=tmp_path, database_url=None, kafka_bootstrap_servers=None,
                            auto_report_up_clocks="resolve", sweep_seconds=3600)  # the test sweeps itself
    clock = ManualClock(START)
    async with running_system(settings, clock) as (runtime, client):
        supervisor = await key_headers(runtime, "supervisor")
        standing: list[dict[str, Any]] = []

        async def while_late(order_id: str) -> None:
            await runtime.relay.drain()
            report = (await client.get("/v1/reports/supervision", headers=supervisor)).json()
            standing.extend(o for o in report["orders"] if o["work_order_id"] == order_id)
            by_unit = {c["unit"]: c for c in report["counts"]}
            assert by_unit["housing"]["supervise"] == 1 and "water_utility" not in by_unit
            only = (await client.get("/v1/reports/supervision", params={"unit": "housing", "level": "supervise"},
                                     headers=supervisor)).json()["orders"]
            assert [(o["work_order_id"], o["role"]) for o in only] == [(order_id, "summoned")]
            exported = (await client.get("/v1/reports/supervision", params={"format": "csv"},
                                         headers=supervisor)).text
            rows = list(csv.DictReader(io.StringIO(exported.lstrip("\ufeff"))))
            since = {r["work_order_id"] + r["unit"]: r["since"] for r in rows}
            for o in report["orders"]:  # the spreadsheet reads county time; the JSON is UTC like the whole API
                local = datetime.fromisoformat(o["since"]).astimezone(ZoneInfo("Asia/Shanghai"))
                assert since[o["work_order_id"] + o["unit"]] == local.isoformat(timespec="seconds")
                assert since[o["work_order_id"] + o["unit"]].endswith("+08:00")

        seen = await village_times_out_rises_whistles_and_rates(runtime, client, clock, while_late)
        await runtime.relay.drain()
        # the department late to 报到 was on the supervision list beside the lead's own clocks, by unit
        # and level, until it reported
        assert [(o["unit"], o["role"], o["clock"], o["level"]) for o in standing if o["role"] == "summoned"] == [
            ("housing", "summoned", "report", "supervise")]
        assert all(o["unit"] == "tw_chengguan" for o in standing if o["role"] == "lead")
        period = {"from": START.date().isoformat(), "to": clock.current.date().isoformat()}
        units = {u["unit"]: u for u in (await client.get("/v1/reports/assessment", params=period,
                                                         headers=supervisor)).json()["units"]}
        water, housing = units["water_utility"], units["housing"]
        assert (water["township_rating"], water["reported_on_time"]["value"]) == (5, 1)
        assert (housing["township_rating"], housing["reported_on_time"]["value"]) == (2, 0)
        village = units[seen["village"]]
        assert village["supervision_remind"] >= 1 and village["supervision_supervise"] >= 1
        supervision = (await client.get("/v1/reports/supervision", params=period, headers=supervisor)).json()
        assert supervision["escalated"] == 1 and supervision["raised"]["remind"] >= 1
        assert not [o for o in supervision["orders"] if o["role"] == "summoned"]  # housing has reported since
        stages = {s["key"]: s for s in (await client.get("/v1/reports/stages", params=period,
                                                         headers=supervisor)).json()["stages"]}
        assert stages["supervision"]["detail"]["whistles"] == 1
