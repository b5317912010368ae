"""How long a list page takes on PostgreSQL when one unit has many orders: its newest page, a page
deep in its history (from a cursor), one state of the unit, and every order newest first.

    .venv/bin/python bench/bench_lists.py [--orders 100000] [--rounds 50]

Builds its own database (127.0.0.1:5432, dropped afterwards), loads the orders with one SQL
statement per 50,000, and prints the median and 95th percentile of each query, through the
repository functions the API uses (services.db.order_lists)."""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from services.db.engine import make_engine, make_session_factory
from services.db.order_lists import Cursor, OrderFilter, all_orders, unit_orders
from tests.support.bulk_orders import load_orders
from tests.support.postgres import create_database, drop_database

UNIT = "urban_mgmt"
PAGE = 50


async def timed(rounds: int, query: Any) -> tuple[float, float]:
    """(median, p95) milliseconds of `rounds` runs of `query()`."""
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        await query()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[int(0.95 * (len(times) - 1))]


async def main(orders: int, rounds: int) -> None:
    name, url = await create_database()
    engine = make_engine(url)
    try:
        start = time.perf_counter()
        await load_orders(engine, unit=UNIT, n=orders, tag="a")
        await load_orders(engine, unit="housing", n=max(1, orders // 10), tag="b")
        print(f"loaded {orders:,} orders of {UNIT} and {max(1, orders // 10):,} of housing "
              f"in {time.perf_counter() - start:.1f} s")
        sessions = make_session_factory(engine)
        async with sessions() as session:
            middle = (await all_orders(session, OrderFilter(unit=UNIT), None, orders // 2))[-1]
            deep = Cursor(middle.created_at, middle.id)

            async def newest() -> None:
                await unit_orders(session, UNIT, OrderFilter(), None, PAGE + 1)

            async def halfway() -> None:
                await unit_orders(session, UNIT, OrderFilter(), deep, PAGE + 1)

            async def one_state() -> None:
                await unit_orders(session, UNIT, OrderFilter(states=("claimed",)), None, PAGE + 1)

            async def everything() -> None:
                await all_orders(session, OrderFilter(), None, PAGE + 1)

            print(f"{'query (page of ' + str(PAGE) + ')':<42} {'median ms':>10} {'p95 ms':>8}")
            for label, query in (("a unit's newest page", newest), ("a unit's page halfway back (cursor)", halfway),
                                 ("a unit's newest claimed orders", one_state),
                                 ("every order, newest page (staff)", everything)):
                session.expunge_all()
                median, p95 = await timed(rounds, query)
                print(f"{label:<42} {median:>10.2f} {p95:>8.2f}")
    finally:
        await engine.dispose()
        await drop_database(name)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args()
    asyncio.run(main(args.orders, args.rounds))
