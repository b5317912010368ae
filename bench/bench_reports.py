"""Reports at scale: load ORDERS synthetic work orders with their history into a fresh PostgreSQL
database, generated inside the database (bench/report_load.py: INSERT … SELECT from
generate_series — work orders, history, the units' hands, and the reports consumer's aggregates and
tracks by the definitions of feedback.tallies written set-based; a test proves them equal to what
`hotline reports rebuild` folds from the same history's events), then time every report endpoint,
the states report and the lists through the feedback app (HTTP in process: routing, the queries,
JSON), for a month, a year and an odd period, with and without a township.

Usage: python bench/bench_reports.py [--orders 10000000] [--repeat 30] [--keep]
       python bench/bench_reports.py --reuse NAME     # measure a database an earlier --keep run loaded
Prints the load time per step, the table sizes, and p50/p90 per report.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from report_load import ROLLUPS, fill_flags, load  # noqa: E402

from feedback.tallies import OrderTrack, Tallier  # noqa: E402
from schemas.access import Role  # noqa: E402
from services.apps.feedback import create_feedback_app  # noqa: E402
from services.bootstrap import build_runtime  # noqa: E402
from services.db.migrate import upgrade  # noqa: E402
from services.keys import create_key  # noqa: E402
from services.settings import CoreSettings  # noqa: E402
from tests.support.postgres import ADMIN_DSN, create_database, drop_database  # noqa: E402

LOCAL = timedelta(hours=8)  # Asia/Shanghai, no daylight saving
TABLES = ("work_orders", "work_order_history", "order_units", "report_orders", "report_tallies", "report_places",
          )


# ---- measure ----------------------------------------------------------------------------------
PERIODS = {
    "month": {"from": "2026-10-01", "to": "2026-10-31"},
    "year": {"from": "2025-01-01", "to": "2025-12-31"},
    "31 days, odd": {"from": "2026-09-17", "to": "2026-10-17"},  # no whole month: days at both ends
    "11 months, odd": {"from": "2025-03-15", "to": "2026-02-14"},
}
REPORT_TARGET_MS, LIST_TARGET_MS = 50, 10


def cases() -> list[tuple[str, str, dict[str, str], int]]:
    """(name, path, parameters, target p50 in ms)."""
    out = [("baseline: /healthz (the app's own cost per request)", "/healthz", {}, LIST_TARGET_MS)]
    for name, period in PERIODS.items():
        out += [
            (f"631 {name}", "/v1/reports/631", period, REPORT_TARGET_MS),
            (f"631 {name}, township", "/v1/reports/631", {**period, "township": "城关镇"}, REPORT_TARGET_MS),
            (f"rates {name}", "/v1/reports/rates", period, REPORT_TARGET_MS),
            (f"assessment {name}", "/v1/reports/assessment", period, REPORT_TARGET_MS),
            (f"hotspots {name}", "/v1/reports/hotspots", period, REPORT_TARGET_MS),
            (f"hotspots {name}, township", "/v1/reports/hotspots", {**period, "township": "chengguan"},
             REPORT_TARGET_MS),
            (f"stages {name}", "/v1/reports/stages", period, REPORT_TARGET_MS),
            (f"supervision {name}", "/v1/reports/supervision", period, REPORT_TARGET_MS),
        ]
    month = PERIODS["month"]
    out += [
        ("631 drill-down month, township, village level", "/v1/reports/631/orders",
         {**month, "township": "chengguan", "level": "village", "limit": "100"}, REPORT_TARGET_MS),
        ("trend 30 days", "/v1/reports/trend", {"from": "2026-11-01", "to": "2026-11-30"}, REPORT_TARGET_MS),
        ("631 year as CSV", "/v1/reports/631", {**PERIODS["year"], "format": "csv"}, REPORT_TARGET_MS),
        ("dashboard data (all panels)", "/dashboard/data", {}, REPORT_TARGET_MS),
        ("states (orders per state)", "/v1/reports/states", {}, LIST_TARGET_MS),
        ("list: every order, newest 50", "/v1/work-orders", {"limit": "50"}, LIST_TARGET_MS),
        ("list: every claimed order, newest 50", "/v1/work-orders", {"state": "claimed", "limit": "50"},
         LIST_TARGET_MS),
        ("list: a department's orders, newest 50", "/v1/units/housing/work-orders", {"limit": "50"},
         LIST_TARGET_MS),
        ("list: a department's open orders", "/v1/units/housing/work-orders",
         {"state": ["dispatched", "claimed"], "limit": "50"}, LIST_TARGET_MS),
        ("list: a village's orders, newest 50", "/v1/units/vl_chengguan_jiefang/work-orders", {"limit": "50"},
         LIST_TARGET_MS),
        ("list: supervision records, newest 50", "/v1/supervision", {"limit": "50"}, LIST_TARGET_MS),
    ]
    return out


async def measure(url: str, repeat: int) -> list[tuple[str, float, float, int, int]]:
    settings = CoreSettings(database_url=url, kafka_bootstrap_servers=None)
    runtime = await build_runtime(settings)
    app = create_feedback_app(settings, runtime=runtime)
    async with runtime.sessions() as session, session.begin():
        issued = await create_key(session, role=Role.supervisor, unit=None, name="bench", now=datetime.now(UTC),
                                  known_units=lambda _: True)
    headers = {"Authorization": f"Bearer {issued.secret}"}
    results = []
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench",
                                     headers=headers) as client:
            for name, path, params, target in cases():
                first = await client.get(path, params=params)
                if first.status_code == 404 and path == "/v1/supervision":
                    continue  # served by the escalation service, not the feedback app
                assert first.status_code == 200, (name, first.text[:300])
                samples = []
                for _ in range(repeat):
                    t0 = time.perf_counter()
                    response = await client.get(path, params=params)
                    samples.append((time.perf_counter() - t0) * 1000)
                    assert response.status_code == 200
                samples.sort()
                results.append((name, statistics.median(samples), samples[int(0.9 * (len(samples) - 1))],
                                len(first.content), target))
    finally:
        await runtime.engine.dispose()
    return results


def fold_rate(events_per_order: int = 6, orders: int = 20_000) -> float:
    """Events per second through the consumer's own fold (feedback.tallies), no database."""
    tallier = Tallier(lambda at: (at + LOCAL).date())
    base = datetime(2026, 3, 2, 1, tzinfo=UTC)
    events = []
    for i in range(orders):
        oid = f"wo_{i}"
        summary = {"work_order_id": oid, "township": "chengguan", "village": "chengguan.jiefang",
                   "matter": "community.noise", "unit": "vl_chengguan_jiefang", "level": "village"}
        at = (base + timedelta(minutes=i)).isoformat()
        events += [
            (oid, "org.hotline.workorder.received", {**summary, "state": "received", "at": at}),
            (oid, "x", {**summary, "action": "dispatch", "actor": "router", "state": "dispatched", "at": at}),
            (oid, "x", {**summary, "action": "claim", "on_time": True, "state": "claimed", "at": at}),
            (oid, "x", {**summary, "action": "resolve", "on_time": True, "state": "resolved", "at": at}),
            (oid, "x", {**summary, "action": "close", "rating": "satisfied", "solved": True, "state": "closed",
                        "at": at}),
            (oid, "x", {**summary, "action": "progress", "state": "closed", "at": at}),
        ][:events_per_order]
    tracks: dict[str, OrderTrack] = {}
    t0 = time.perf_counter()
    for oid, kind, data in events:
        track = tracks.get(oid) or tracks.setdefault(oid, OrderTrack(work_order_id=oid))
        tallier.apply(track, kind, data)
    return len(events) / (time.perf_counter() - t0)


def machine() -> str:
    load1, load5, _ = os.getloadavg()
    return (f"{platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"load average {load1:.1f} / {load5:.1f} (1 / 5 min)")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--seed", type=int, default=631)
    parser.add_argument("--keep", action="store_true", help="keep the database (its name is printed)")
    parser.add_argument("--load-only", action="store_true", help="load and keep the database, measure nothing")
    parser.add_argument("--reuse", metavar="NAME", help="measure a database an earlier --keep run loaded (no load)")
    args = parser.parse_args()
    base = ADMIN_DSN.rsplit("/", 1)[0]
    if args.reuse:
        name = args.reuse
        url = f"{base.replace('postgresql://', 'postgresql+asyncpg://')}/{name}"
        await asyncio.to_thread(upgrade, url)  # migrations newer than the load, if any
    else:
        name, url = await create_database()
    dsn = f"{base}/{name}"
    print(machine())
    try:
        conn = await asyncpg.connect(dsn)
        try:
            if not args.reuse:
                print(f"database {name}: generating {args.orders:,} orders with their history inside PostgreSQL …",
                      flush=True)
                t0 = time.perf_counter()
                await load(conn, args.orders, args.seed)
                print(f"load: {time.perf_counter() - t0:.0f} s in all", flush=True)
            elif not await conn.fetchval("SELECT EXISTS (SELECT FROM report_flags)"):
                # loaded before the supervision list had its own table: made from the staging table
                t0 = time.perf_counter()
                await fill_flags(conn)
                print(f"report_flags made from the kept staging table in {time.perf_counter() - t0:.0f} s")
            rolled_up = "SELECT EXISTS (SELECT FROM report_tallies WHERE township = '*')"
            if args.reuse and not await conn.fetchval(rolled_up):
                t0 = time.perf_counter()
                await conn.execute(ROLLUPS)
                print(f"report_tallies' roll-ups added in {time.perf_counter() - t0:.0f} s")
            if args.reuse:  # what autovacuum does for a live system: the aggregates' visibility maps current
                await conn.execute("VACUUM ANALYZE report_tallies, report_places, report_flags")
            for table in TABLES:
                rows = await conn.fetchval("SELECT reltuples::bigint FROM pg_class WHERE relname = $1", table)
                size = await conn.fetchval("SELECT pg_size_pretty(pg_total_relation_size($1::regclass))", table)
                print(f"  {table:<20} {rows:>12,} rows (estimate) {size:>10}")
            size = await conn.fetchval("SELECT pg_size_pretty(pg_database_size(current_database()))")
            print(f"  database size        {size}")
        finally:
            await conn.close()
        if args.load_only:
            return
        print(f"\nthrough the feedback app, {args.repeat} runs each (ms); target p50: reports {REPORT_TARGET_MS}, "
              f"states and lists {LIST_TARGET_MS}", flush=True)
        print(f"  {'what':<50} {'p50':>8} {'p90':>8} {'bytes':>9}")
        over = 0
        for report, p50, p90, size_bytes, target in await measure(url, args.repeat):
            mark = "" if p50 <= target else f"   > {target} ms"
            over += p50 > target
            print(f"  {report:<50} {p50:>8.1f} {p90:>8.1f} {size_bytes:>9,}{mark}", flush=True)
        print(f"  {over} over target")
        rate = fold_rate()
        print(f"\nthe consumer's fold (feedback.tallies, no database): {rate:,.0f} events/s on one core")
        print(machine())
    finally:
        if not (args.keep or args.load_only or args.reuse):
            await drop_database(name)
        else:
            print(f"kept database {name} (measure again: --reuse {name})")


if __name__ == "__main__":
    asyncio.run(main())
