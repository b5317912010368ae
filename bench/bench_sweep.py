"""The supervision sweep over 1 million open clocks on PostgreSQL.

Builds a fresh database by the real migrations, bulk-loads N dispatched orders and their hand-overs
with COPY (each order has its three clocks running: claim, first contact, resolve), of which about
1 % are due for a look at the instant T (their claim reminder has come), the rest later. Then times:
  1. a sweep when nothing is due (an index probe on next_check_at), ROUNDS times;
  2. a sweep at T: every due order is locked, its clocks decided, its reminder recorded (unique per
     clock and level) and announced (three outbox events and a history record), its next look set,
     in batches of --batch; ROUNDS times, the database put back between rounds (not timed).
Prints medians (and min/max). Usage: python bench/bench_sweep.py [--orders N] [--due-share F] ...
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from escalation.clocks import deadlines_for  # noqa: E402
from services.bootstrap import build_context  # noqa: E402
from services.db.engine import make_engine, make_session_factory  # noqa: E402
from services.settings import CoreSettings  # noqa: E402
from services.sweep import Sweeper  # noqa: E402
from tests.support.postgres import create_database, drop_database  # noqa: E402

# Tuesday 17 November 2026, 11:00 in the county: a working morning.
T = datetime(2026, 11, 17, 3, 0, tzinfo=UTC)
CHUNK = 100_000

ORDER_COLUMNS = ("id", "channel", "fingerprint", "text", "text_masked", "confidential", "state", "whistle_class",
                 "level", "unit", "township", "claim_due", "first_contact_due", "resolve_due", "return_count",
                 "reopen_count", "supervision_level", "next_check_at", "created_at", "updated_at")
DISPATCH_COLUMNS = ("id", "work_order_id", "unit", "level", "whistle_class", "dispatched_at", "claim_due",
                    "first_contact_due", "resolve_due", "extended")


def dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


async def load(url: str, orders: int, due_share: float, seed: int) -> tuple[list[str], float]:
    """COPY `orders` dispatched orders and their hand-overs; the ids of the due ones; seconds taken."""
    ctx = build_context(CoreSettings(database_url=url))
    units = [u for u in ctx.router.units().values()
             if u.level.value in ("county", "village") and u.kind.value != "centre"]
    rng = random.Random(seed)
    # Due now: dispatched 1 h 45 ago (the 2-working-hour claim clock is past its 75 % reminder).
    due_start = T - timedelta(hours=1, minutes=45)
    due_clocks = deadlines_for("ordinary", due_start, ctx.calendar)
    due_ids: list[str] = []
    starts = {m: T - timedelta(minutes=m) for m in range(31)}
    later = {m: deadlines_for("ordinary", start, ctx.calendar) for m, start in starts.items()}
    started = time.perf_counter()
    conn = await asyncpg.connect(dsn(url))
    try:
        # A bulk load's usual course: secondary indexes and the per-row state-count trigger off
        # during COPY, back on (indexes rebuilt, counts set) before anything is measured.
        indexes = [r["indexdef"] for r in await conn.fetch(
            "SELECT indexdef FROM pg_indexes WHERE tablename IN ('work_orders', 'dispatches') "
            "AND indexname LIKE 'ix\\_%'")]
        await conn.execute("DROP INDEX " + ", ".join(
            r["indexname"] for r in await conn.fetch(
                "SELECT indexname FROM pg_indexes WHERE tablename IN ('work_orders', 'dispatches') "
                "AND indexname LIKE 'ix\\_%'")))
        await conn.execute("ALTER TABLE work_orders DISABLE TRIGGER USER")
        for base in range(0, orders, CHUNK):
            order_rows, dispatch_rows = [], []
            for n in range(base, min(base + CHUNK, orders)):
                order_id = f"wo_bench_{n:09d}"
                unit = units[n % len(units)]
                due = rng.random() < due_share
                if due:
                    due_ids.append(order_id)
                    start, clocks, look = due_start, due_clocks, T - timedelta(seconds=rng.randint(0, 600))
                else:
                    # Dispatched in the last half hour: the first look (its claim reminder) is still ahead.
                    minutes = rng.randint(0, 30)
                    start, clocks = starts[minutes], later[minutes]
                    look = start + timedelta(minutes=90)
                order_rows.append((order_id, "12345_phone", "bench", "压测工单", "压测工单", False, "dispatched",
                                   "ordinary", unit.level.value, unit.code, "tw_chengguan", clocks.claim_due,
                                   clocks.first_contact_due, clocks.resolve_due, 0, 0, "none", look, start, start))
                dispatch_rows.append((n + 1, order_id, unit.code, unit.level.value, "ordinary", start,
                                      clocks.claim_due, clocks.first_contact_due, clocks.resolve_due, False))
            await conn.copy_records_to_table("work_orders", records=order_rows, columns=ORDER_COLUMNS)
            await conn.copy_records_to_table("dispatches", records=dispatch_rows, columns=DISPATCH_COLUMNS)
        await conn.execute("SELECT setval(pg_get_serial_sequence('dispatches', 'id'), $1)", orders + 1)
        await conn.execute("ALTER TABLE work_orders ENABLE TRIGGER USER")
        await conn.execute("INSERT INTO state_counts (state, shard, n) VALUES ('dispatched', 0, $1) "
                           "ON CONFLICT (state, shard) DO UPDATE SET n = state_counts.n + $1", orders)
        for definition in indexes:
            await conn.execute(definition)
        await conn.execute("ANALYZE work_orders; ANALYZE dispatches")
    finally:
        await conn.close()
    return due_ids, time.perf_counter() - started


async def put_back(url: str, due_ids: list[str], looks: dict[str, datetime]) -> None:
    """Undo a sweep at T: its records, events and history gone, the due orders' looks as they were."""
    conn = await asyncpg.connect(dsn(url))
    try:
        await conn.execute("TRUNCATE supervision_records, outbox, work_order_history")
        await conn.executemany("UPDATE work_orders SET next_check_at = $2, supervision_level = 'none' WHERE id = $1",
                               [(order_id, looks[order_id]) for order_id in due_ids])
        await conn.execute("VACUUM ANALYZE work_orders")
    finally:
        await conn.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--due-share", type=float, default=0.01)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--idle-rounds", type=int, default=20)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    name, url = await create_database()
    try:
        due_ids, load_seconds = await load(url, args.orders, args.due_share, args.seed)
        print(f"loaded {args.orders:,} dispatched orders (3 running clocks each; {len(due_ids):,} due at T) "
              f"with COPY in {load_seconds:.1f} s")
        conn = await asyncpg.connect(dsn(url))
        try:
            looks = {r["id"]: r["next_check_at"] for r in await conn.fetch(
                "SELECT id, next_check_at FROM work_orders WHERE id = ANY($1)", due_ids)}
        finally:
            await conn.close()

        engine = make_engine(url)
        clock = {"now": T - timedelta(minutes=11)}
        ctx = build_context(CoreSettings(database_url=url), now=lambda: clock["now"])
        sweeper = Sweeper(make_session_factory(engine), ctx, batch_size=args.batch)
        try:
            await sweeper.run_once()  # warm the connection pool and the calendar caches
            idle = []
            for _ in range(args.idle_rounds):
                started = time.perf_counter()
                result = await sweeper.run_once()
                idle.append(time.perf_counter() - started)
                assert result.orders == 0, result
            print(f"sweep with nothing due ({args.orders:,} open orders): "
                  f"median {statistics.median(idle) * 1000:.2f} ms "
                  f"(min {min(idle) * 1000:.2f}, max {max(idle) * 1000:.2f}; {args.idle_rounds} rounds)")

            clock["now"] = T
            busy = []
            for round_ in range(args.rounds):
                started = time.perf_counter()
                result = await sweeper.run_once()
                busy.append(time.perf_counter() - started)
                print(f"  round {round_ + 1}: {result.orders:,} orders looked at, {result.raised:,} levels raised "
                      f"in {result.batches} batches, {busy[-1]:.2f} s")
                assert result.orders == len(due_ids) and result.raised == len(due_ids), result
                await put_back(url, due_ids, looks)
            median = statistics.median(busy)
            print(f"sweep with {len(due_ids):,} due ({args.due_share:.0%} of {args.orders:,}): median {median:.2f} s "
                  f"(min {min(busy):.2f}, max {max(busy):.2f}; {args.rounds} rounds) = "
                  f"{len(due_ids) / median:,.0f} due orders/s, each with a record, 3 events and a history row")
        finally:
            await engine.dispose()
    finally:
        await drop_database(name)


if __name__ == "__main__":
    asyncio.run(main())
