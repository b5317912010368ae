"""The report bench's set-based load (bench/report_load.py) makes the same aggregates and tracks as
the reports consumer's own fold: a few thousand synthetic orders are generated with their lifecycle
events, then `rebuild` (what `hotline reports rebuild` runs) recomputes everything from those
events, and every row must be the same. So the figures measured at ten million orders are figures
of aggregates the system itself would have kept."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import pytest

from services.db import reports as store
from services.db.engine import make_engine, make_session_factory
from services.reports.consumer import rebuild
from tests.support.postgres import ADMIN_DSN, create_database, drop_database

pytestmark = pytest.mark.integration

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from report_load import load  # noqa: E402

ZONE = ZoneInfo("Asia/Shanghai")


async def test_the_bench_load_equals_what_the_consumer_folds_from_the_same_events() -> None:
    name, url = await create_database()
    engine = make_engine(url)
    try:
        conn = await asyncpg.connect(f"{ADMIN_DSN.rsplit('/', 1)[0]}/{name}")
        try:
            await load(conn, 3000, seed=7, events=True, say=lambda _: None)
            counts = dict(await conn.fetch("SELECT state, n FROM state_counts"))
            by_state = dict(await conn.fetch("SELECT state, count(*) FROM work_orders GROUP BY state"))
            whistled = await conn.fetchval("SELECT count(*) FROM bench_steps WHERE whistled")
        finally:
            await conn.close()
        assert counts == by_state and set(by_state) == {"dispatched", "claimed", "resolved", "closed", "redirected"}
        assert whistled > 0
        sessions = make_session_factory(engine)
        async with sessions() as session:
            loaded: dict[str, list[tuple[Any, ...]]] = await store.all_rows(session)
        folded = await rebuild(sessions, lambda at: at.astimezone(ZONE).date())
        assert folded > 3000 * 4
        async with sessions() as session:
            rebuilt = await store.all_rows(session)
        assert loaded.keys() == rebuilt.keys()
        for table, rows in rebuilt.items():
            assert len(loaded[table]) == len(rows), table
            missing = sorted(set(rows) - set(loaded[table]))[:5]
            extra = sorted(set(loaded[table]) - set(rows))[:5]
            assert not missing and not extra, (table, missing, extra)
        metrics = {row[2] for row in rebuilt["report_tallies"]}
        assert {"returned", "reopened", "reopen_closed", "supervision_notify", "whistle_blown", "reported_on_time",
                "basically_satisfied", "first_auto", "redirected"} <= metrics
    finally:
        await engine.dispose()
        await drop_database(name)
