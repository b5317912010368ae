"""并单 with coordinates, on the embedded default and on PostgreSQL: the near-duplicate check reads
only the open orders that can be at the new appeal's place (those with coordinates inside the
latitudes and longitudes of its band, and every one without coordinates), and merges as before: a
report of the same lamp 100 m away joins the first, one 2 km away (north or east) does not."""

from __future__ import annotations

import math
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from intake.duplicates import coordinate_band
from services.bootstrap import Runtime
from services.db import repositories as repo
from services.settings import CoreSettings
from tests.support.factories import order_in_state, running_system
from tests.support.postgres import create_database, drop_database
from tests.support.waiting import eventually

LAMP = "解放路新华小区门口那排路灯全部不亮，已经两个晚上了，走路黑漆漆的很危险。"
AGAIN = "新华小区门口解放路的路灯又坏了，晚上黑得看不见路，老人出来散步差点摔跤。"
METRES_PER_DEGREE = 6_371_000 * 3.141592653589793 / 180


@pytest.fixture(params=["sqlite", "postgresql"])
async def system(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[tuple[Runtime, httpx.AsyncClient]]:
    name, url = await create_database() if request.param == "postgresql" else (None, None)
    settings = CoreSettings(data_dir=tmp_path, database_url=url, kafka_bootstrap_servers=None, relay_poll_seconds=0.05)
    try:
        async with running_system(settings) as pair:
            yield pair
    finally:
        if name is not None:
            await drop_database(name)


def _lamp(text: str, external_id: str, lat: float | None, north_m: float = 0.0, *, binhu: bool = False,
          east_m: float = 0.0) -> dict[str, Any]:
    """The lamp report at 解放路新华小区, or (`binhu`) the same words at 滨湖路翠湖苑 of another town."""
    address = "城关镇解放路新华小区门口"
    if binhu:
        text, address = (x.replace("解放路", "滨湖路").replace("新华小区", "翠湖苑").replace("城关镇", "东湖街道")
                         for x in (text, address))
    body: dict[str, Any] = {"channel": "web", "text": text, "address": address, "external_id": external_id}
    if lat is not None:
        east = east_m / (METRES_PER_DEGREE * math.cos(math.radians(lat)))
        body["location"] = {"lat": round(lat + north_m / METRES_PER_DEGREE, 6), "long": round(110.0 + east, 6)}
    return body


@pytest.mark.integration
async def test_only_orders_that_can_be_at_the_place_are_compared_and_merging_is_unchanged(
    system: tuple[Runtime, httpx.AsyncClient],
) -> None:
    runtime, client = system
    root = (await client.post("/v1/appeals", json=_lamp(LAMP, "root", 30.0))).json()
    assert root["state"] != "merged", root
    await eventually(lambda: order_in_state(client, root["work_order_id"], "dispatched", "pending_review"),
                     what="the first report routed")
    far = (await client.post("/v1/appeals", json=_lamp(AGAIN, "far", 30.0, north_m=2000))).json()
    assert far["state"] != "merged", far
    east = (await client.post("/v1/appeals", json=_lamp(AGAIN, "east", 30.0, east_m=2000))).json()
    assert east["state"] != "merged", east
    near = (await client.post("/v1/appeals", json=_lamp(AGAIN, "near", 30.0, north_m=100))).json()
    assert near["state"] == "merged" and near["merged_into"] == root["work_order_id"], near
    garbage = _lamp("东湖工业园门口垃圾堆了一个星期没人清运", "none", None)
    unplaced = (await client.post("/v1/appeals", json=garbage)).json()

    # The query itself: from a point 150 m north of the root, the root is in the band; the far
    # reports (2 km north, 2 km east) are not; the one without coordinates always is.
    policy = runtime.ctx.duplicates
    now = runtime.ctx.now()
    async with runtime.sessions() as session:
        everything = {r.id for r in await repo.duplicate_candidates(
            session, since=now - timedelta(days=1), until=now + timedelta(days=1), exclude="")}
        banded = {r.id for r in await repo.duplicate_candidates(
            session, since=now - timedelta(days=1), until=now + timedelta(days=1), exclude="",
            band=coordinate_band(30.0 + 150 / METRES_PER_DEGREE, 110.0, policy))}
    assert {root["work_order_id"], far["work_order_id"], east["work_order_id"], unplaced["work_order_id"]} <= everything
    assert root["work_order_id"] in banded and unplaced["work_order_id"] in banded
    assert far["work_order_id"] not in banded and east["work_order_id"] not in banded


@pytest.mark.integration
async def test_an_incident_is_compared_whole_when_one_of_its_reports_can_be_at_the_place(
    system: tuple[Runtime, httpx.AsyncClient],
) -> None:
    """The first report 500 m south (or west) of the new one is outside its band, the one merged into
    it 250 m south (west) is inside: the incident is read whole and the new report joins it."""
    _, client = system
    for lat, way in ((33.0, "north_m"), (34.0, "east_m")):
        root = (await client.post("/v1/appeals", json=_lamp(LAMP, f"whole-root-{lat}", lat))).json()
        await eventually(lambda root=root: order_in_state(client, root["work_order_id"], "dispatched",
                                                          "pending_review"), what="the first report routed")
        member = (await client.post("/v1/appeals", json=_lamp(AGAIN, f"whole-member-{lat}", lat, **{way: 250}))).json()
        assert member["state"] == "merged" and member["merged_into"] == root["work_order_id"], member
        new = (await client.post("/v1/appeals", json=_lamp(AGAIN, f"whole-new-{lat}", lat, **{way: 500}))).json()
        assert new["state"] == "merged" and new["merged_into"] == root["work_order_id"], new
async def test_exact_repeats_are_answered_with_the_first_order_whether_or_not_open_orders_are_near(
    system: tuple[Runtime, httpx.AsyncClient],
) -> None:
    _, client = system
    for external_id, lat in (("alone", 31.0), ("placeless", None)):
        first = await client.post("/v1/appeals", json=_lamp(LAMP, external_id, lat))
        again = await client.post("/v1/appeals", json=_lamp(LAMP, external_id, lat))
        assert first.status_code == 201 and again.status_code == 200, (first.text, again.text)
        assert again.json()["work_order_id"] == first.json()["work_order_id"]
        other = await client.post("/v1/appeals", json=_lamp(AGAIN, external_id, lat))
        assert other.status_code == 422 and other.json()["error"] == "repeat_conflict", other.text
    # A repeat of an appeal that was merged: the same answer again (merged, into the same order).
    root = (await client.post("/v1/appeals", json=_lamp(LAMP, "root2", 32.0, binhu=True))).json()
    await eventually(lambda: order_in_state(client, root["work_order_id"], "dispatched", "pending_review"),
                     what="the first report routed")
    merged = await client.post("/v1/appeals", json=_lamp(AGAIN, "near2", 32.0, north_m=50, binhu=True))
    again = await client.post("/v1/appeals", json=_lamp(AGAIN, "near2", 32.0, north_m=50, binhu=True))
    assert merged.json()["state"] == "merged" and again.status_code == 200, (merged.text, again.text)
    assert again.json()["work_order_id"] == merged.json()["work_order_id"]
    assert again.json()["merged_into"] == root["work_order_id"]


@pytest.mark.integration
async def test_the_banded_candidates_are_the_newest_orders_whose_incident_has_a_report_in_the_band(
    system: tuple[Runtime, httpx.AsyncClient],
) -> None:
    """The query against its definition, on orders written straight into the table: of the newest
    `limit` open or merged orders of the window (other than the one excluded), every report of each
    incident (an order and those merged into it) with a report inside the band or without
    coordinates, newest first; with the limit smaller than the orders, states that are left out,
    incidents spread across the band's edge and orders outside the window."""
    import random

    from sqlalchemy import insert

    from services.db.tables import WorkOrder

    runtime, _ = system
    now = runtime.ctx.now()
    rng = random.Random(11)
    rows: list[dict[str, Any]] = []
    for i in range(160):
        merged = rng.random() < 0.3 and i > 10
        lat = None if rng.random() < 0.1 else round(40.0 + rng.uniform(-0.05, 0.05), 5)
        lon = None if lat is None or rng.random() < 0.05 else round(120.0 + rng.uniform(-0.05, 0.05), 5)
        rows.append({
            "id": f"wo_band{i:04d}", "channel": "web", "fingerprint": "f", "text": "t", "text_masked": f"t{i}",
            "created_at": now, "updated_at": now, "reported_at": now - timedelta(minutes=i * 7),
            "state": "merged" if merged else rng.choice(["received", "dispatched", "claimed", "resolved", "closed"]),
            "merged_into": f"wo_band{rng.randrange(i):04d}" if merged else None,
            "latitude": lat, "longitude": lon,
        })
    async with runtime.sessions() as session, session.begin():
        await session.execute(insert(WorkOrder.__table__), rows)
    since, until, limit = now - timedelta(hours=15), now, 60
    open_states = {"received", "pending_review", "dispatched", "claimed", "merged"}
    bands: list[tuple[float, float, float | None, float | None]] = [
        (39.99, 40.0, None, None), (40.02, 40.021, None, None), (39.9, 39.91, None, None), (39.95, 40.05, None, None),
        (39.95, 40.05, 119.99, 120.0), (39.99, 40.0, 120.0, 120.03), (39.95, 40.05, 120.2, 120.3)]
    for band in bands:
        south, north, west, east = band
        exclude = f"wo_band{rng.randrange(40):04d}"
        newest = sorted((r for r in rows if since <= r["reported_at"] <= until and r["id"] != exclude
                         and r["state"] in open_states), key=lambda r: r["reported_at"], reverse=True)[:limit]
        here = {r["merged_into"] or r["id"] for r in newest
                if r["latitude"] is None or r["longitude"] is None
                or (south <= r["latitude"] <= north and (west is None or west <= r["longitude"] <= east))}
        expected = [r["id"] for r in newest if (r["merged_into"] or r["id"]) in here]
        async with runtime.sessions() as session:
            got = await repo.duplicate_candidates(session, since=since, until=until, exclude=exclude,
                                                  band=band, limit=limit)
        assert [r.id for r in got] == expected, band
        assert all(r.text_masked == f"t{int(r.id[-4:])}" for r in got)
