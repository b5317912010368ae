"""回访 and ratings on the embedded default, with time moved by hand: one rating per resolution,
unsatisfied reopens to the same unit with fresh clocks and a second reopen makes a hard case, no
rating in time closes unrated, and the 631 report counts each order once through reopen cycles.
(The same scenarios run on PostgreSQL + broker in tests/integration/test_loop_scenarios_pg.py.)"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from services.bootstrap import Runtime
from services.settings import CoreSettings
from tests.support import loop_scenarios as scenario
from tests.support.factories import ManualClock, key_headers, running_system

# Tuesday 2026-11-17, 10:00 in the county: a working morning. The rating window is 7 days.
CLOCK = ManualClock(datetime(2026, 11, 17, 2, 0, tzinfo=UTC))
WINDOW = timedelta(days=7)


@pytest.fixture(scope="module")
async def system(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[tuple[Runtime, httpx.AsyncClient]]:
    settings = CoreSettings(data_dir=Path(tmp_path_factory.mktemp("ratings")), database_url=None,
                            kafka_bootstrap_servers=None, relay_poll_seconds=0.05)
    async with running_system(settings, CLOCK) as pair:
        yield pair


async def test_one_rating_per_resolution(system: tuple[Runtime, httpx.AsyncClient]) -> None:
    await scenario.one_rating_per_resolution(*system)


async def test_callback_that_reaches_nobody_keeps_the_order_waiting_and_one_that_does_closes_it(
    system: tuple[Runtime, httpx.AsyncClient],
) -> None:
    _, client = system
    order, _ = await scenario.dispatched(client)
    await scenario.handle(client, order["id"], order["unit"])
    unreached = await scenario.callback(client, order["id"], contacted=False, comment="无人接听")
    assert unreached.status_code == 200 and unreached.json()["state"] == "resolved"
    incomplete = await scenario.callback(client, order["id"], contacted=True, solved=True)
    assert incomplete.status_code == 422 and "rating" in incomplete.json()["message"]
    reached = await scenario.callback(client, order["id"], contacted=True, solved=True, rating="basically_satisfied")
    assert reached.json()["state"] == "closed"
    history = (await scenario.view(client, order["id"]))["history"]
    assert [h["action"] for h in history][-2:] == ["callback", "close"]
    assert history[-1]["actor"].startswith("operator/key_")


async def test_the_callback_worklist_gives_the_operator_the_number_to_dial_and_nobody_else(
    system: tuple[Runtime, httpx.AsyncClient],
) -> None:
    runtime, client = system
    operator = await key_headers(runtime, "operator")
    called, _ = await scenario.dispatched(client, caller_name="王女士", caller_phone="138 1234 5678")
    secret, _ = await scenario.dispatched(client, caller_phone="13912345678", confidential=True)
    for order in (called, secret):
        await scenario.handle(client, order["id"], order["unit"], reply="已修复，电话13700001111")
    listed = await client.get("/v1/callbacks", headers=operator, params={"limit": 500})
    assert listed.status_code == 200, listed.text
    items = {i["work_order_id"]: i for i in listed.json()["items"]}
    first = items[called["id"]]
    contact = {"name": "王女士", "phone": "138 1234 5678"}  # as the caller gave it
    assert first["callers"] == [{"work_order_id": called["id"], "merged": False, "confidential": False,
                                 "contact": contact, "unanswered_calls": 0}]
    assert first["reply"] == "已修复，电话137****1111"  # the unit's words, numbers masked
    assert "13912345678" not in listed.text  # 保密: no number, even for the centre's own operator
    assert items[secret["id"]]["callers"][0]["contact"] is None
    assert items[secret["id"]]["callers"][0]["confidential"] is True
    dues = [i["rating_due"] for i in listed.json()["items"]]
    assert dues == sorted(dues)  # the soonest to close unrated first

    # One page at a time: the cursor walks the same list.
    walked, cursor = [], None
    while True:
        page = (await client.get("/v1/callbacks", headers=operator,
                                 params={"limit": 1, **({"cursor": cursor} if cursor else {})})).json()
        walked += [i["work_order_id"] for i in page["items"]]
        if not (cursor := page["next_cursor"]):
            break
    assert walked == list(items)

    # Only the centre's operators (and admins) see the worklist and its numbers.
    unit = await key_headers(runtime, "unit", unit=called["unit"])
    assert (await client.get("/v1/callbacks", headers=unit)).status_code == 403
    bad = await client.get("/v1/callbacks", headers=operator, params={"cursor": "nonsense"})
    assert bad.status_code == 422 and "cursor" in bad.json()["message"]

    # Once the citizen has answered, the order leaves the worklist.
    await scenario.callback(client, called["id"], contacted=True, solved=True, rating="satisfied")
    again = (await client.get("/v1/callbacks", headers=operator, params={"limit": 500})).json()
    assert called["id"] not in {i["work_order_id"] for i in again["items"]}


async def test_unsatisfied_reopens_to_the_same_unit_and_a_second_reopen_makes_it_hard(
    system: tuple[Runtime, httpx.AsyncClient],
) -> None:
    await scenario.reopened_twice_becomes_hard(*system, CLOCK)


async def test_no_rating_in_time_closes_unrated_and_the_631_report_counts_each_order_once(
    system: tuple[Runtime, httpx.AsyncClient],
) -> None:
    await scenario.unrated_closes_and_631_counts_once(*system, CLOCK, WINDOW)


async def test_a_reopened_order_shows_no_resolution_among_its_clocks(system: tuple[Runtime, httpx.AsyncClient]) -> None:
    _, client = system
    order, token = await scenario.dispatched(client)
    await scenario.handle(client, order["id"], order["unit"])
    resolved = (await client.get(f"/v1/work-orders/{order['id']}/clocks")).json()
    assert resolved["resolved_at"] is not None
    assert (await scenario.rate(client, order["id"], token, "unsatisfied")).json()["state"] == "dispatched"
    clocks = (await client.get(f"/v1/work-orders/{order['id']}/clocks")).json()
    assert clocks["resolved_at"] is None and clocks["claimed_at"] is None and clocks["unit"] == order["unit"]


async def test_a_wrong_token_answers_exactly_as_an_unknown_order(system: tuple[Runtime, httpx.AsyncClient]) -> None:
    _, client = system
    order, _ = await scenario.dispatched(client)
    wrong = await client.get(f"/v1/appeals/{order['id']}", headers={"X-Citizen-Token": "not-the-token"})
    unknown = await client.get("/v1/appeals/wo_00000000000000000000", headers={"X-Citizen-Token": "not-the-token"})
    rated = await client.post(f"/v1/work-orders/{order['id']}/rate",
                              json={"rating": "satisfied", "solved": True, "citizen_token": "not-the-token"})
    for response in (wrong, unknown, rated):
        assert response.status_code == 404 and response.json()["error"] == "order_not_found", response.text


async def test_the_citizen_may_rate_with_the_token_header_they_follow_the_order_with(
    system: tuple[Runtime, httpx.AsyncClient],
) -> None:
    _, client = system
    order, token = await scenario.dispatched(client)
    await scenario.handle(client, order["id"], order["unit"])
    url = f"/v1/work-orders/{order['id']}/rate"
    missing = await client.post(url, json={"rating": "satisfied", "solved": True})
    unknown = await client.post("/v1/work-orders/wo_00000000000000000000/rate", json={"rating": "satisfied",
                                                                                     "solved": True})
    # Without a token, a known and an unknown id answer alike (the same 404 naming the missing token),
    # and a body that is not valid is a 422 whatever the id: nothing tells which ids exist.
    assert missing.status_code == 404 and missing.json()["error"] == "citizen_token_missing", missing.text
    assert "X-Citizen-Token" in missing.json()["message"]
    assert unknown.json()["message"] == missing.json()["message"].replace(order["id"], "wo_00000000000000000000")
    bad_known = await client.post(url, json={"rating": "great", "solved": True, "citizen_token": token})
    bad_unknown = await client.post("/v1/work-orders/wo_00000000000000000000/rate",
                                    json={"rating": "great", "solved": True, "citizen_token": token})
    assert bad_known.status_code == bad_unknown.status_code == 422, bad_unknown.text
    wrong = await client.post(url, json={"rating": "satisfied", "solved": True}, headers={"X-Citizen-Token": "x"})
    assert wrong.status_code == 404
    rated = await client.post(url, json={"rating": "satisfied", "solved": True}, headers={"X-Citizen-Token": token})
    assert rated.status_code == 200 and rated.json()["state"] == "closed", rated.text
