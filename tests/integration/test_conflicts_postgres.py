"""Two conflicting actions on one order at the same moment, on PostgreSQL: the order row is locked
FOR UPDATE, so one wins and the other gets a clear 409 — never both, never a half-done mix.

To make "the same moment" certain, the test holds the order's row lock itself until both requests
have passed their checks and are waiting for it, then lets go."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from services.bootstrap import Runtime
from services.settings import CoreSettings
from tests.support.factories import appeal, as_unit, key_headers, order_in_state, running_system, unit_acts
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

STREET_LIGHT = "小区门口的路灯坏了好几天了，晚上很黑，老人出门不方便。"
# each test's at a building of its own: the same words at one place within the window are one
# incident (并单), merged into the first and never dispatched


@pytest.fixture(scope="module")
async def pg_system(pg_url: str) -> AsyncIterator[tuple[Runtime, httpx.AsyncClient]]:
    settings = CoreSettings(database_url=pg_url, kafka_bootstrap_servers=None, relay_poll_seconds=0.05)
    async with running_system(settings) as pair:
        yield pair


@pytest.fixture(scope="module")
async def holder(pg_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(pg_url)
    try:
        yield engine
    finally:
        await engine.dispose()


async def at_once(holder: AsyncEngine, order_id: str, *requests: Any) -> list[httpx.Response]:
    """Run `requests` (coroutines) while the order's row is locked, release it once all of them
    wait for the lock, and return their responses."""
    async with holder.connect() as conn:
        await conn.execute(text("BEGIN"))
        await conn.execute(text("SELECT id FROM work_orders WHERE id = :id FOR UPDATE"), {"id": order_id})
        tasks = [asyncio.ensure_future(r) for r in requests]

        async def all_waiting() -> bool:
            # pg_stat_activity is a snapshot per transaction: look afresh each time.
            await conn.execute(text("SELECT pg_stat_clear_snapshot()"))
            waiting = (await conn.execute(text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND query LIKE 'SELECT work_orders.%'"))).scalar_one()
            return waiting >= len(tasks)

        try:
            await eventually(all_waiting, timeout=30, what="both requests waiting for the order's row")
        finally:
            await conn.execute(text("COMMIT"))
        return list(await asyncio.gather(*tasks))


async def claimed_order(client: httpx.AsyncClient, external_id: str) -> dict[str, Any]:
    body = appeal(STREET_LIGHT, external_id=external_id, address="城关镇文昌社区41栋")
    order_id = (await client.post("/v1/appeals", json=body)).json()["work_order_id"]
    order = await eventually(lambda: order_in_state(client, order_id, "dispatched"), what="dispatch")
    assert (await unit_acts(client, order_id, order["unit"], "claim")).status_code == 200
    return order


async def test_a_resolve_and_a_reassign_at_once_one_wins_the_other_is_409(
    pg_system: tuple[Runtime, httpx.AsyncClient], holder: AsyncEngine
) -> None:
    runtime, client = pg_system
    order = await claimed_order(client, "conflict-1")
    unit, other = order["unit"], ("tw_chengguan" if order["unit"] != "tw_chengguan" else "urban_mgmt")
    resolve, reassign = await at_once(
        holder, order["id"],
        client.post(f"/v1/work-orders/{order['id']}/resolve", json={"reply": "已修复"},
                    headers=await as_unit(runtime, unit)),
        client.post(f"/v1/work-orders/{order['id']}/reassign", json={"unit": other, "reason": "镇管道路"},
                    headers=await key_headers(runtime, "dispatcher")),
    )
    assert sorted([resolve.status_code, reassign.status_code]) == [200, 409], (resolve.text, reassign.text)
    loser = resolve if resolve.status_code == 409 else reassign
    assert loser.json()["message"]  # says what happened: resolved already, or no longer with the unit
    after = (await client.get(f"/v1/work-orders/{order['id']}")).json()
    if resolve.status_code == 200:
        assert (after["state"], after["unit"]) == ("resolved", unit)
    else:
        assert (after["state"], after["unit"]) == ("dispatched", other)
        assert "no longer with" in resolve.json()["message"]
    assert [h["action"] for h in after["history"]].count("resolve") + \
        [h["action"] for h in after["history"]].count("reassign") == 1


async def test_two_claims_of_one_order_at_once_one_is_409(
    pg_system: tuple[Runtime, httpx.AsyncClient], holder: AsyncEngine
) -> None:
    runtime, client = pg_system
    body = appeal(STREET_LIGHT, external_id="conflict-2", address="城关镇人民路社区42栋")
    order_id = (await client.post("/v1/appeals", json=body)).json()["work_order_id"]
    order = await eventually(lambda: order_in_state(client, order_id, "dispatched"), what="dispatch")
    headers = await as_unit(runtime, order["unit"])
    url = f"/v1/work-orders/{order_id}/claim"
    first, second = await at_once(holder, order_id, client.post(url, json={}, headers=headers),
                                  client.post(url, json={}, headers=headers))
    assert sorted([first.status_code, second.status_code]) == [200, 409]
    loser = first if first.status_code == 409 else second
    assert "cannot claim a work order that is claimed" in loser.json()["message"]
    history = (await client.get(f"/v1/work-orders/{order_id}")).json()["history"]
    assert [h["action"] for h in history].count("claim") == 1


async def test_a_citizen_rating_and_the_centres_callback_at_once_make_one_rating(
    pg_system: tuple[Runtime, httpx.AsyncClient], holder: AsyncEngine
) -> None:
    runtime, client = pg_system
    body = appeal(STREET_LIGHT, external_id="conflict-3", address="城关镇城南社区43栋")
    accepted = (await client.post("/v1/appeals", json=body)).json()
    order_id = accepted["work_order_id"]
    order = await eventually(lambda: order_in_state(client, order_id, "dispatched"), what="dispatch")
    await unit_acts(client, order_id, order["unit"], "claim")
    await unit_acts(client, order_id, order["unit"], "resolve", {"reply": "已修复"})
    rate, call = await at_once(
        holder, order_id,
        client.post(f"/v1/work-orders/{order_id}/rate",
                    json={"rating": "satisfied", "solved": True, "citizen_token": accepted["citizen_token"]}),
        client.post(f"/v1/work-orders/{order_id}/callback",
                    json={"contacted": True, "solved": False, "rating": "unsatisfied"},
                    headers=await key_headers(runtime, "operator")),
    )
    assert sorted([rate.status_code, call.status_code]) == [200, 409], (rate.text, call.text)
    state = (await client.get(f"/v1/work-orders/{order_id}")).json()["state"]
    assert state == ("closed" if rate.status_code == 200 else "dispatched")
