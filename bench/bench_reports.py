"""Reports at scale: load ORDERS work orders with their history into a fresh PostgreSQL database by
COPY (work orders, their history records, the reports consumer's track of each order and the
report aggregates it keeps), then time every report endpoint, for a month and for a year, with and
without a township, through the feedback app (HTTP in process: routing, the queries, JSON).

The synthetic county is the demo county (its townships, villages, units and catalogue matters)
over three years; every order is received, handed over (some returned and handed over again),
claimed, resolved and mostly closed, some rated unsatisfied and reopened, some supervised. The
aggregates are computed from that same synthetic history in bulk (numpy), with the definitions
of feedback.tallies; the consumer's own fold speed is measured separately on a sample (so the
time `hotline reports rebuild` would take for the whole history can be read off).

Usage: python bench/bench_reports.py [--orders 10000000] [--repeat 30] [--keep]
Prints the load time, the table sizes, and p50/p90 per report.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from feedback.tallies import Metric, OrderTrack, Tallier  # noqa: E402
from schemas.access import Role  # noqa: E402
from services.apps.feedback import create_feedback_app  # noqa: E402
from services.bootstrap import build_runtime, load_router  # noqa: E402
from services.db.migrate import upgrade  # noqa: E402
from services.keys import create_key  # noqa: E402
from services.settings import CoreSettings  # noqa: E402
from tests.support.postgres import ADMIN_DSN, create_database, drop_database  # noqa: E402

FIRST_DAY = date(2024, 1, 1)
LAST_DAY = date(2026, 11, 30)
LOCAL = timedelta(hours=8)  # Asia/Shanghai, no daylight saving
CHUNK = 500_000


# ---- the synthetic county ---------------------------------------------------------------------
class County:
    def __init__(self) -> None:
        router = load_router(CoreSettings())
        gaz = router.parts.gazetteer
        self.townships = sorted({p.township for p in gaz.places.values() if p.kind == "township" and p.township})
        villages = sorted((p.township, p.code, p.unit) for p in gaz.places.values()
                          if p.kind in ("village", "community") and p.township)
        # places: a village/community, or the township itself (village "")
        self.places = [(t, v, u) for t, v, u in villages] + [(t, "", f"tw_{t}") for t in self.townships]
        matters = list(router.parts.catalogue)
        self.matters = [(m.code, m.dept or "", m.level.value) for m in matters]
        zipf = 1.0 / np.arange(1, len(self.matters) + 1) ** 0.8
        self.matter_p = zipf / zipf.sum()
        place_w = np.array([3.0 if v else 1.0 for _, v, _ in self.places])
        self.place_p = place_w / place_w.sum()
        self.units = sorted(router.units())
        self.unit_level = {c: u.level.value for c, u in router.units().items()}


def _days(n: int, rng: np.random.Generator) -> np.ndarray:
    return rng.integers(0, (LAST_DAY - FIRST_DAY).days + 1, n)


class Synthetic:
    """One chunk of orders: the columns every table is made from."""

    def __init__(self, county: County, start: int, n: int, rng: np.random.Generator) -> None:
        self.n = n
        self.ids = np.array([f"wo_bench_{i:09d}" for i in range(start, start + n)])
        self.day = _days(n, rng)
        self.second = rng.integers(8 * 3600, 20 * 3600, n)  # local time of day received
        self.place = rng.choice(len(county.places), n, p=county.place_p)
        self.matter = rng.choice(len(county.matters), n, p=county.matter_p)
        self.response = rng.exponential(600, n).astype(np.int64) + 30
        self.auto = rng.random(n) < 0.85
        self.redirected = rng.random(n) < 0.01
        self.returned = (rng.random(n) < 0.04) & ~self.redirected
        self.claim_on_time = rng.random(n) < 0.92
        self.resolve_on_time = rng.random(n) < 0.88
        r = rng.random(n)
        self.final = np.where(self.redirected, 5, np.select([r < 0.01, r < 0.03, r < 0.06], [0, 1, 2], 3))
        # 0 dispatched, 1 claimed, 2 resolved (awaiting rating), 3 closed, 5 redirected
        self.rating = rng.choice(3, n, p=[0.78, 0.12, 0.10])  # satisfied / basically / unsatisfied
        self.reopened = (self.rating == 2) & (self.final == 3)
        self.close_after = rng.integers(0, 10, n)
        s = rng.random(n)
        self.supervision = np.select([s < 0.005, s < 0.02, s < 0.07], [3, 2, 1], 0)  # notify/supervise/remind
        t, v, u = zip(*county.places, strict=True)
        self.township = np.array(t)[self.place]
        self.village = np.array(v)[self.place]
        place_unit = np.array(u)[self.place]
        codes, depts, levels = zip(*county.matters, strict=True)
        self.matter_code = np.array(codes)[self.matter]
        dept = np.array(depts)[self.matter]
        level = np.array(levels)[self.matter]
        township_unit = np.char.add("tw_", self.township)
        self.unit = np.where(level == "county", np.where(dept == "", "county_centre", dept),
                             np.where((level == "village") & (self.village != ""), place_unit, township_unit))
        self.level = np.array([county.unit_level.get(x, "county") for x in self.unit])


# ---- COPY -------------------------------------------------------------------------------------
def _utc(day: int, second: int) -> datetime:
    return datetime(FIRST_DAY.year, FIRST_DAY.month, FIRST_DAY.day, tzinfo=UTC) + timedelta(
        days=int(day), seconds=int(second)) - LOCAL


STATE_NAMES = {0: "dispatched", 1: "claimed", 2: "resolved", 3: "closed", 5: "redirected"}


def orders_rows(s: Synthetic) -> Iterator[tuple[Any, ...]]:
    for i in range(s.n):
        created = _utc(s.day[i], s.second[i])
        state = STATE_NAMES[int(s.final[i])]
        closed = _utc(s.day[i] + s.close_after[i], s.second[i]) if state == "closed" else None
        yield (s.ids[i], "12345_phone", "bench", "合成工单", "合成工单", False, state, "ordinary",
               s.level[i], s.unit[i], s.matter_code[i], s.township[i], s.village[i] or None,
               closed, closed.date() if closed else None, int(s.returned[i]), int(s.reopened[i]),
               created, created)


ORDER_COLUMNS = ("id", "channel", "fingerprint", "text", "text_masked", "confidential", "state", "whistle_class",
                 "level", "unit", "matter", "township", "village", "closed_at", "closed_day", "return_count",
                 "reopen_count", "created_at", "updated_at")
HISTORY_COLUMNS = ("work_order_id", "at", "actor", "action", "from_state", "to_state")


def history_rows(s: Synthetic) -> Iterator[tuple[Any, ...]]:
    for i in range(s.n):
        oid = s.ids[i]
        at = _utc(s.day[i], s.second[i])
        yield (oid, at, "channel:12345_phone", "receive", None, "received")
        at += timedelta(seconds=int(s.response[i]))
        if s.redirected[i]:
            yield (oid, at, "router", "redirect", "received", "redirected")
            continue
        unit_actor = f"unit:{s.unit[i]}/bench"
        yield (oid, at, "router" if s.auto[i] else "dispatcher/bench", "dispatch", "received", "dispatched")
        if s.returned[i]:
            at += timedelta(hours=1)
            yield (oid, at, unit_actor, "return", "dispatched", "pending_review")
            at += timedelta(minutes=30)
            yield (oid, at, "dispatcher/bench", "dispatch", "pending_review", "dispatched")
        final = int(s.final[i])
        if final >= 1:
            at += timedelta(hours=1)
            yield (oid, at, unit_actor, "claim", "dispatched", "claimed")
        if final >= 2:
            at += timedelta(days=1)
            yield (oid, at, unit_actor, "resolve", "claimed", "resolved")
        if final == 3:
            if s.reopened[i]:
                at += timedelta(hours=4)
                yield (oid, at, "citizen", "reopen", "resolved", "dispatched")
                yield (oid, at + timedelta(hours=1), unit_actor, "claim", "dispatched", "claimed")
                yield (oid, at + timedelta(hours=20), unit_actor, "resolve", "claimed", "resolved")
            yield (oid, _utc(s.day[i] + s.close_after[i], s.second[i]), "citizen", "close", "resolved", "closed")


def tracks_rows(s: Synthetic) -> Iterator[tuple[Any, ...]]:
    first = [FIRST_DAY + timedelta(days=int(d)) for d in s.day]
    for i in range(s.n):
        state = STATE_NAMES[int(s.final[i])]
        handed = not s.redirected[i]
        day = first[i] if handed else None
        closed = FIRST_DAY + timedelta(days=int(s.day[i] + s.close_after[i])) if state == "closed" else None
        open_ = state in ("dispatched", "claimed")
        level = ("none", "remind", "supervise", "notify")[int(s.supervision[i])] if open_ else "none"
        resolved = state in ("resolved", "closed")
        yield (s.ids[i], state, _utc(s.day[i], s.second[i]), s.township[i], s.village[i], s.matter_code[i],
               s.unit[i] if handed else "", s.level[i] if handed else "", day, s.township[i], open_,
               (1 + int(s.returned[i]) + int(s.reopened[i])) if handed else 0, state != "dispatched" and handed,
               day, s.township[i] if handed else "", s.village[i] if handed else "",
               s.matter_code[i] if handed else "", s.unit[i] if resolved else "", s.level[i] if resolved else "",
               closed, s.township[i] if closed else "", closed, "satisfied" if closed else "", True if closed else None,
               None, "", "", False, level, _utc(s.day[i] + 1, s.second[i]) if level != "none" else None)


TRACK_COLUMNS = ("work_order_id", "state", "received_at", "township", "village", "matter", "unit", "level",
                 "handover_day", "handover_township", "handover_open", "handovers", "claimed", "first_day",
                 "hot_township", "hot_village", "hot_matter", "resolved_unit", "resolved_level", "closed_day",
                 "closed_township", "rating_day", "rating", "rating_solved", "reopen_day", "reopen_unit",
                 "reopen_township", "reopen_closed", "supervision", "supervision_at")


# ---- the aggregates, from the same synthetic history ------------------------------------------
class Tallies:
    """Sums per (metric, day, township, unit, level) and per (day, township, village, matter), kept as
    integer-encoded keys (numpy), summed per chunk and spread to the day/week/month/year buckets."""

    def __init__(self, county: County) -> None:
        self.metrics = np.array(sorted(m.value for m in Metric))
        self.townships = np.array(sorted({"", *county.townships}))
        self.units = np.array(sorted({"", *county.units}))
        self.levels = np.array(["", "county", "township", "village"])
        self.villages = np.array(sorted({v for _, v, _ in county.places} | {""}))
        self.matters = np.array(sorted(c for c, _, _ in county.matters))
        self.days = (LAST_DAY - FIRST_DAY).days + 32
        self.keys = np.zeros(0, dtype=np.int64)
        self.ns = np.zeros(0, dtype=np.int64)
        self.pkeys = np.zeros(0, dtype=np.int64)
        self.pns = np.zeros(0, dtype=np.int64)

    @staticmethod
    def _ix(vocab: np.ndarray, values: np.ndarray) -> np.ndarray:
        found = np.searchsorted(vocab, values)
        assert (vocab[np.minimum(found, len(vocab) - 1)] == values).all(), "value outside the vocabulary"
        return found.astype(np.int64)

    def _key(self, metric: int, days: np.ndarray, t: np.ndarray, u: np.ndarray, lv: np.ndarray) -> np.ndarray:
        return (((metric * self.days + days.astype(np.int64)) * len(self.townships) + t) * len(self.units)
                + u) * len(self.levels) + lv

    def add(self, metric: Metric, days: np.ndarray, townships: np.ndarray, units: np.ndarray, levels: np.ndarray,
            weights: np.ndarray | None = None) -> None:
        if len(days) == 0:
            return
        m = int(np.searchsorted(self.metrics, metric.value))
        key = self._key(m, days, self._ix(self.townships, townships), self._ix(self.units, units),
                        self._ix(self.levels, levels))
        self._pending.append((key, weights.astype(np.int64) if weights is not None else np.ones(len(key), np.int64)))

    @staticmethod
    def _sum(keys: np.ndarray, ns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        uniq, inverse = np.unique(keys, return_inverse=True)
        return uniq, np.bincount(inverse, weights=ns, minlength=len(uniq)).astype(np.int64)

    def count(self, s: Synthetic) -> None:
        self._pending: list[tuple[np.ndarray, np.ndarray]] = []
        handed = ~s.redirected
        d, t, u, lv = s.day, s.township, s.unit, s.level
        blank = np.full(s.n, "")
        self.add(Metric.received, d, blank, blank, blank)
        self.add(Metric.redirected, d[s.redirected], t[s.redirected], blank[s.redirected], blank[s.redirected])
        self.add(Metric.responded, d, blank, blank, blank)
        self.add(Metric.response_seconds, d, blank, blank, blank, s.response)
        h = handed
        for metric, mask in ((Metric.handed_over, h), (Metric.first_handed_over, h),
                             (Metric.first_auto, h & s.auto), (Metric.first_returned, h & s.returned),
                             (Metric.returned, h & s.returned), (Metric.handed_over, h & s.returned)):
            self.add(metric, d[mask], t[mask], u[mask], lv[mask])
        claimed = h & (s.final >= 1) & (s.final <= 3)
        self.add(Metric.claimed, d[claimed], t[claimed], u[claimed], lv[claimed])
        m = claimed & s.claim_on_time
        self.add(Metric.claimed_on_time, d[m], t[m], u[m], lv[m])
        resolved = h & (s.final >= 2) & (s.final <= 3)
        self.add(Metric.resolved, d[resolved], t[resolved], u[resolved], lv[resolved])
        m = resolved & s.resolve_on_time
        self.add(Metric.resolved_on_time, d[m], t[m], u[m], lv[m])
        closed = s.final == 3
        close_day = s.day + s.close_after
        for metric, mask in ((Metric.closed, closed), (Metric.rated, closed), (Metric.solved, closed & (s.rating < 2)),
                             (Metric.satisfied, closed & (s.rating == 0)),
                             (Metric.basically_satisfied, closed & (s.rating == 1)),
                             (Metric.unsatisfied, s.reopened), (Metric.rated, s.reopened),
                             (Metric.reopened, s.reopened), (Metric.reopen_closed, s.reopened),
                             (Metric.handed_over, s.reopened)):
            self.add(metric, close_day[mask], t[mask], u[mask], lv[mask])
        for level, metric in ((1, Metric.supervision_remind), (2, Metric.supervision_supervise),
                              (3, Metric.supervision_notify)):
            m = h & (s.supervision >= level)
            self.add(metric, d[m] + 1, t[m], u[m], blank[m])
        keys = np.concatenate([self.keys, *(k for k, _ in self._pending)])
        ns = np.concatenate([self.ns, *(n for _, n in self._pending)])
        self.keys, self.ns = self._sum(keys, ns)
        nv, nm = len(self.villages), len(self.matters)
        pkey = ((s.day[h].astype(np.int64) * len(self.townships) + self._ix(self.townships, t[h])) * nv
                + self._ix(self.villages, s.village[h])) * nm + self._ix(self.matters, s.matter_code[h])
        self.pkeys, self.pns = self._sum(np.concatenate([self.pkeys, pkey]),
                                         np.concatenate([self.pns, np.ones(len(pkey), np.int64)]))

    def _grains(self) -> list[tuple[str, np.ndarray, list[date]]]:
        dates = [FIRST_DAY + timedelta(days=i) for i in range(self.days)]
        week = np.array([(d - timedelta(days=d.weekday()) - FIRST_DAY).days for d in dates])
        month = np.array([(d.replace(day=1) - FIRST_DAY).days for d in dates])
        year = np.array([(d.replace(month=1, day=1) - FIRST_DAY).days for d in dates])
        return [("d", np.arange(self.days), dates), ("w", week, dates), ("m", month, dates), ("y", year, dates)]

    def tally_rows(self) -> Iterator[tuple[Any, ...]]:
        k = self.keys.copy()
        lv = k % len(self.levels)
        k //= len(self.levels)
        u = k % len(self.units)
        k //= len(self.units)
        t = k % len(self.townships)
        k //= len(self.townships)
        day = k % self.days
        metric = k // self.days
        for grain, start_of, dates in self._grains():
            keys, ns = self._sum(self._key(0, start_of[day], t, u, lv) + metric * self.days * len(self.townships)
                                 * len(self.units) * len(self.levels), self.ns)
            kk = keys.copy()
            l2 = kk % len(self.levels)
            kk //= len(self.levels)
            u2 = kk % len(self.units)
            kk //= len(self.units)
            t2 = kk % len(self.townships)
            kk //= len(self.townships)
            d2, m2 = kk % self.days, kk // self.days
            for i in np.nonzero(ns)[0]:
                yield (grain, dates[d2[i]], self.metrics[m2[i]], self.townships[t2[i]], self.units[u2[i]],
                       self.levels[l2[i]], int(ns[i]))

    def place_rows(self) -> Iterator[tuple[Any, ...]]:
        nv, nm, nt = len(self.villages), len(self.matters), len(self.townships)
        k = self.pkeys.copy()
        mt = k % nm
        k //= nm
        vl = k % nv
        k //= nv
        tw = k % nt
        day = k // nt
        for grain, start_of, dates in self._grains():
            keys, ns = self._sum(((start_of[day] * nt + tw) * nv + vl) * nm + mt, self.pns)
            kk = keys.copy()
            m2 = kk % nm
            kk //= nm
            v2 = kk % nv
            kk //= nv
            t2, d2 = kk % nt, kk // nt
            for i in range(len(keys)):
                yield (grain, dates[d2[i]], self.townships[t2[i]], self.villages[v2[i]], self.matters[m2[i]],
                       int(ns[i]))


# ---- load -------------------------------------------------------------------------------------
async def _without_indexes(conn: asyncpg.Connection, tables: tuple[str, ...]) -> list[str]:
    rows = await conn.fetch("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY($1::text[]) "
                            "AND indexname NOT IN (SELECT conname FROM pg_constraint)", list(tables))
    for r in rows:
        await conn.execute(f'DROP INDEX "{r["indexname"]}"')
    return [r["indexdef"] for r in rows]


async def load(dsn: str, orders: int, seed: int) -> dict[str, float]:
    county = County()
    rng = np.random.default_rng(seed)
    tallies = Tallies(county)
    conn = await asyncpg.connect(dsn)
    times: dict[str, float] = {}
    try:
        await conn.execute("SET synchronous_commit = off")
        big = ("work_orders", "work_order_history", "report_orders")
        indexes = await _without_indexes(conn, big)
        # foreign keys of the history would check every row: dropped for the load, put back after
        fks = await conn.fetch("SELECT conname, pg_get_constraintdef(oid) AS def, conrelid::regclass::text AS tab "
                               "FROM pg_constraint WHERE contype = 'f' AND confrelid = 'work_orders'::regclass")
        for fk in fks:
            await conn.execute(f'ALTER TABLE {fk["tab"]} DROP CONSTRAINT "{fk["conname"]}"')
        # The per-row triggers that keep state_counts would update one row per order in one
        # transaction; for a bulk load the counts are written once at the end instead.
        await conn.execute("ALTER TABLE work_orders DISABLE TRIGGER USER")
        started = time.perf_counter()
        counts = {"work_orders": 0, "work_order_history": 0, "report_orders": 0}
        for start in range(0, orders, CHUNK):
            s = Synthetic(county, start, min(CHUNK, orders - start), rng)
            counts["work_orders"] += s.n
            await conn.copy_records_to_table("work_orders", records=orders_rows(s), columns=ORDER_COLUMNS)
            history = list(history_rows(s))
            counts["work_order_history"] += len(history)
            await conn.copy_records_to_table("work_order_history", records=history, columns=HISTORY_COLUMNS)
            await conn.copy_records_to_table("report_orders", records=tracks_rows(s), columns=TRACK_COLUMNS)
            counts["report_orders"] += s.n
            tallies.count(s)
            print(f"  {start + s.n:>10,} orders loaded ({time.perf_counter() - started:.0f} s)", flush=True)
        times["copy"] = time.perf_counter() - started
        t0 = time.perf_counter()
        await conn.copy_records_to_table("report_tallies", records=tallies.tally_rows(),
                                         columns=("grain", "start", "metric", "township", "unit", "level", "n"))
        await conn.copy_records_to_table("report_places", records=tallies.place_rows(),
                                         columns=("grain", "start", "township", "village", "matter", "n"))
        times["aggregates"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        for definition in indexes:
            await conn.execute(definition)
        for fk in fks:
            await conn.execute(f'ALTER TABLE {fk["tab"]} ADD CONSTRAINT "{fk["conname"]}" {fk["def"]}')
        await conn.execute("INSERT INTO state_counts (state, shard, n) SELECT state, 0, count(*) FROM work_orders "
                           "GROUP BY state")
        await conn.execute("ALTER TABLE work_orders ENABLE TRIGGER USER")
        times["indexes"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        await conn.execute("ANALYZE")
        times["analyze"] = time.perf_counter() - t0
        for table in ("report_tallies", "report_places"):
            counts[table] = await conn.fetchval(f"SELECT count(*) FROM {table}")
        times.update({f"rows:{k}": float(v) for k, v in counts.items()})
    finally:
        await conn.close()
    return times


# ---- measure ----------------------------------------------------------------------------------
REPORTS: list[tuple[str, str, dict[str, str]]] = []


def cases() -> list[tuple[str, str, dict[str, str]]]:
    month = {"from": "2026-10-01", "to": "2026-10-31"}
    year = {"from": "2025-01-01", "to": "2025-12-31"}
    odd = {"from": "2025-03-15", "to": "2026-02-14"}  # not whole months: days at both ends
    out = []
    for name, period in (("month", month), ("year", year), ("11 months, odd days", odd)):
        out += [
            (f"631 {name}", "/v1/reports/631", period),
            (f"631 {name}, township", "/v1/reports/631", {**period, "township": "城关镇"}),
            (f"rates {name}", "/v1/reports/rates", period),
            (f"assessment {name}", "/v1/reports/assessment", period),
            (f"hotspots {name}", "/v1/reports/hotspots", period),
            (f"hotspots {name}, township", "/v1/reports/hotspots", {**period, "township": "chengguan"}),
            (f"stages {name}", "/v1/reports/stages", period),
            (f"supervision {name}", "/v1/reports/supervision", period),
        ]
    out += [
        ("631 drill-down month, township, village level", "/v1/reports/631/orders",
         {**month, "township": "chengguan", "level": "village", "limit": "100"}),
        ("trend 30 days", "/v1/reports/trend", {"from": "2026-11-01", "to": "2026-11-30"}),
        ("631 year as CSV", "/v1/reports/631", {**year, "format": "csv"}),
        ("dashboard data (all panels)", "/dashboard/data", {}),
    ]
    return out


async def measure(url: str, repeat: int) -> list[tuple[str, float, float, int]]:
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
            for name, path, params in cases():
                first = await client.get(path, params=params)
                assert first.status_code == 200, (name, first.text[:300])
                samples = []
                for _ in range(repeat):
                    t0 = time.perf_counter()
                    response = await client.get(path, params=params)
                    samples.append((time.perf_counter() - t0) * 1000)
                    assert response.status_code == 200
                samples.sort()
                results.append((name, statistics.median(samples), samples[int(0.9 * (len(samples) - 1))],
                                len(first.content)))
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


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--seed", type=int, default=631)
    parser.add_argument("--keep", action="store_true", help="keep the database (its name is printed)")
    parser.add_argument("--database", help="measure a database an earlier --keep run loaded (no load)")
    args = parser.parse_args()
    if args.database:
        name = args.database
        url = f"{ADMIN_DSN.rsplit('/', 1)[0].replace('postgresql://', 'postgresql+asyncpg://')}/{name}"
        await asyncio.to_thread(upgrade, url)  # migrations newer than the load, if any
    else:
        name, url = await create_database()
    dsn = f"{ADMIN_DSN.rsplit('/', 1)[0]}/{name}"
    try:
        if not args.database:
            print(f"database {name}: loading {args.orders:,} orders with their history by COPY …", flush=True)
            t0 = time.perf_counter()
            times = await load(dsn, args.orders, args.seed)
            total = time.perf_counter() - t0
            print(f"\nload: {total:.0f} s in all (COPY of orders, history and tracks {times['copy']:.0f} s; "
                  f"aggregates {times['aggregates']:.0f} s; indexes and foreign keys {times['indexes']:.0f} s; "
                  f"ANALYZE {times['analyze']:.0f} s)")
            for key, value in times.items():
                if key.startswith("rows:"):
                    print(f"  {key[5:]:<20} {int(value):>12,} rows")
        conn = await asyncpg.connect(dsn)
        size = await conn.fetchval("SELECT pg_size_pretty(pg_database_size(current_database()))")
        await conn.close()
        print(f"  database size        {size}")
        print(f"\nreports through the feedback app, {args.repeat} runs each (ms):")
        print(f"  {'report':<50} {'p50':>8} {'p90':>8} {'bytes':>9}")
        for report, p50, p90, size_bytes in await measure(url, args.repeat):
            mark = "" if p50 <= 50 else "   > 50 ms"
            print(f"  {report:<50} {p50:>8.1f} {p90:>8.1f} {size_bytes:>9,}{mark}")
        rate = fold_rate()
        print(f"\nthe consumer's fold (feedback.tallies, no database): {rate:,.0f} events/s on one core")
    finally:
        if not args.keep and not args.database:
            await drop_database(name)
        else:
            print(f"kept database {name}")


if __name__ == "__main__":
    asyncio.run(main())
