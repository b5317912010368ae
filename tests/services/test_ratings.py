"""回访 and ratings on the embedded default, with time moved by hand: one rating per resolution,
unsatisfied reopens to the same unit with fresh clocks and a second reopen makes a hard case, no
rating in time closes unrated, and the 631 report counts each order once through reopen cycles."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from services.bootstrap import Runtime
from services.db.tables import Rating, WorkOrder
from services.scheduled import close_unrated_orders
from services.settings import CoreSettings
from tests.support.factories import ManualClock, appeal, key_headers, order_in_state, running_system, unit_acts
from tests.support.waiting import eventually

# Tuesday 2026-11-17, 10:00 in the county: a working morning. The rating window is 7 days.
CLOCK = ManualClock(datetime(2026, 11, 17, 2, 0, tzinfo=UTC))
WINDOW = timedelta(days=7)
STREET_LIGHT = "小区门口的路灯坏了好几天了，晚上很黑，老人出门不方便。"


@pytest.fixture(scope="module")
async def system(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[tuple[Runtime, httpx.AsyncClient]]:
    # The scheduled job is left to the tests (it would run only hourly here): they call it when they
    # have moved the clock.
    settings = CoreSettings(data_dir=Path(tmp_path_factory.mktemp("ratings")), database_url=None,
                            kafka_bootstrap_servers=None, relay_poll_seconds=0.05, unrated_check_seconds=3600)
    async with running_system(settings, CLOCK) as pair:
        yield pair


async def resolved_order(client: httpx.AsyncClient, text: str | None = None) -> tuple[dict[str, Any], str]:
    accepted = (await client.post("/v1/appeals", json=appeal(text) if text else appeal())).json()
    order = await eventually(lambda: order_in_state(client, accepted["work_order_id"], "dispatched"),
                             what="dispatch")
    await handle(client, order["id"], order["unit"])
    return order, accepted["citizen_token"]


async def handle(client: httpx.AsyncClient, order_id: str, unit: str) -> None:
    for step, body in (("claim", {}), ("resolve", {"reply": "管道已修复，已恢复供水"})):
        response = await unit_acts(client, order_id, unit, step, body)
        assert response.status_code == 200, response.text


async def rate(client: httpx.AsyncClient, order_id: str, token: str, rating: str) -> httpx.Response:
    return await client.post(f"/v1/work-orders/{order_id}/rate",
                             json={"rating": rating, "solved": rating != "unsatisfied", "citizen_token": token})


async def callback(client: httpx.AsyncClient, order_id: str, **body: Any) -> httpx.Response:
    operator = await key_headers(client.runtime, "operator")  # type: ignore[attr-defined]
    return await client.post(f"/v1/work-orders/{order_id}/callback", json=body, headers=operator)


async def view(client: httpx.AsyncClient, order_id: str) -> dict[str, Any]:
    body: dict[str, Any] = (await client.get(f"/v1/work-orders/{order_id}")).json()
    return body


async def test_one_rating_per_resolution(system: tuple[Runtime, httpx.AsyncClient]) -> None:
    runtime, client = system
    order, token = await resolved_order(client)
    citizen = await client.get(f"/v1/appeals/{order['id']}", headers={"X-Citizen-Token": token})
    assert citizen.json()["reply"] == "管道已修复，已恢复供水" and citizen.json()["can_rate"]
    assert (await rate(client, order["id"], token, "satisfied")).json()["state"] == "closed"
    again = await rate(client, order["id"], token, "unsatisfied")
    assert again.status_code == 409
    centre = await callback(client, order["id"], contacted=True, solved=False, rating="unsatisfied")
    assert centre.status_code == 409
    async with runtime.sessions() as session:
        n = (await session.execute(select(func.count()).select_from(Rating)
                                   .where(Rating.work_order_id == order["id"]))).scalar_one()
    assert n == 1
    assert (await view(client, order["id"]))["state"] == "closed"


async def test_callback_that_reaches_nobody_keeps_the_order_waiting_and_one_that_does_closes_it(
    system: tuple[Runtime, httpx.AsyncClient],
) -> None:
    _, client = system
    order, _ = await resolved_order(client)
    unreached = await callback(client, order["id"], contacted=False, comment="无人接听")
    assert unreached.status_code == 200 and unreached.json()["state"] == "resolved"
    incomplete = await callback(client, order["id"], contacted=True, solved=True)
    assert incomplete.status_code == 422 and "rating" in incomplete.json()["message"]
    reached = await callback(client, order["id"], contacted=True, solved=True, rating="basically_satisfied")
    assert reached.json()["state"] == "closed"
    history = (await view(client, order["id"]))["history"]
    assert [h["action"] for h in history][-2:] == ["callback", "close"]
    assert history[-1]["actor"].startswith("operator/key_")


async def test_unsatisfied_reopens_to_the_same_unit_and_a_second_reopen_makes_it_hard(
    system: tuple[Runtime, httpx.AsyncClient],
) -> None:
    _, client = system
    order, token = await resolved_order(client, text=STREET_LIGHT)
    assert order["whistle_class"] == "ordinary"
    CLOCK.advance(timedelta(hours=3))
    assert (await rate(client, order["id"], token, "unsatisfied")).json()["state"] == "dispatched"
    first = await view(client, order["id"])
    assert first["unit"] == order["unit"] and first["whistle_class"] == "ordinary"
    assert first["claim_due"] > order["claim_due"] and first["resolve_due"] > order["resolve_due"]
    await handle(client, order["id"], order["unit"])
    CLOCK.advance(timedelta(hours=3))
    reopened = await callback(client, order["id"], contacted=True, solved=False, rating="unsatisfied")
    assert reopened.json()["state"] == "dispatched"
    second = await view(client, order["id"])
    assert second["whistle_class"] == "hard" and second["unit"] == order["unit"]
    # A hard case's clocks: 15 working days to resolve rather than 5.
    assert datetime.fromisoformat(second["resolve_due"]) - CLOCK() > timedelta(days=15)
    assert [h["action"] for h in second["history"]].count("reopen") == 2


async def test_no_rating_in_time_closes_unrated_and_a_late_unsatisfied_answer_reopens(
    system: tuple[Runtime, httpx.AsyncClient],
) -> None:
    runtime, client = system
    order, token = await resolved_order(client)
    CLOCK.advance(WINDOW - timedelta(hours=1))
    await close_unrated_orders(runtime.sessions, runtime.ctx)
    assert (await view(client, order["id"]))["state"] == "resolved"
    CLOCK.advance(timedelta(hours=2))
    assert await close_unrated_orders(runtime.sessions, runtime.ctx) >= 1
    closed = await view(client, order["id"])
    assert closed["state"] == "closed" and closed["history"][-1]["actor"] == "system:rating-window"
    assert await close_unrated_orders(runtime.sessions, runtime.ctx) == 0  # nothing twice
    late = await rate(client, order["id"], token, "unsatisfied")
    assert late.json()["state"] == "dispatched"
    assert (await view(client, order["id"]))["history"][-1]["from_state"] == "closed"


async def test_the_631_report_counts_each_order_once_through_reopen_cycles(
    system: tuple[Runtime, httpx.AsyncClient],
) -> None:
    runtime, client = system
    supervisor = await key_headers(runtime, "supervisor")
    order, token = await resolved_order(client)
    unit = order["unit"]
    # resolved -> closed unrated -> reopened late -> resolved -> unsatisfied -> resolved -> satisfied
    CLOCK.advance(WINDOW + timedelta(hours=1))
    await close_unrated_orders(runtime.sessions, runtime.ctx)
    await checked_631(runtime, client, supervisor)
    assert (await callback(client, order["id"], contacted=True, solved=False,
                           rating="unsatisfied")).json()["state"] == "dispatched"
    await checked_631(runtime, client, supervisor)
    await handle(client, order["id"], unit)
    assert (await rate(client, order["id"], token, "unsatisfied")).json()["state"] == "dispatched"
    await handle(client, order["id"], unit)
    assert (await rate(client, order["id"], token, "satisfied")).json()["state"] == "closed"
    counts = await checked_631(runtime, client, supervisor)
    assert sum(counts.values()) >= 1


async def checked_631(runtime: Runtime, client: httpx.AsyncClient, supervisor: dict[str, str]) -> dict[str, int]:
    """The maintained 631 figures equal a recount of the closed orders from the orders themselves."""
    await runtime.relay.drain()
    report = (await client.get("/v1/reports/631", params={"from": "2026-01-01", "to": "2027-12-31"},
                               headers=supervisor)).json()
    maintained = {r["level"]: r["count"] for r in report["levels"]}
    async with runtime.sessions() as session:
        rows = (await session.execute(select(WorkOrder.resolved_level, func.count())
                                      .where(WorkOrder.state == "closed").group_by(WorkOrder.resolved_level))).all()
    recount = {level: n for level, n in rows}
    assert {k: v for k, v in maintained.items() if v} == recount
    assert report["total"] == sum(recount.values())
    return recount
