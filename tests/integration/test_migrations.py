"""The migrations build exactly the schema the tables declare, and go down and up again."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from services.db.migrate import downgrade, upgrade
from services.db.tables import Base
from tests.support.postgres import create_database, drop_database

pytestmark = pytest.mark.integration


async def _diff(url: str) -> list[object]:
    engine = create_async_engine(url)
    async with engine.connect() as conn:
        diff = await conn.run_sync(lambda c: compare_metadata(MigrationContext.configure(c), Base.metadata))
    await engine.dispose()
    return list(diff)


@pytest.mark.parametrize("backend", ["postgresql", "sqlite"])
async def test_migrated_schema_matches_the_tables_and_downgrades_cleanly(backend: str, tmp_path: object) -> None:
    if backend == "postgresql":
        name, url = await create_database()
    else:
        name, url = "", f"sqlite+aiosqlite:///{tmp_path}/m.db"
        await asyncio.to_thread(upgrade, url)
    try:
        assert await _diff(url) == []
        await asyncio.to_thread(downgrade, url, "base")
        await asyncio.to_thread(upgrade, url)
        assert await _diff(url) == []
    finally:
        if name:
            await drop_database(name)


async def _last_analyze(url: str) -> object:
    engine = create_async_engine(url)
    async with engine.connect() as conn:
        found = (await conn.execute(text(
            "SELECT last_analyze FROM pg_stat_user_tables WHERE relname = 'work_orders'"))).scalar_one()
    await engine.dispose()
    return found


def _hotline_db_upgrade(url: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "DATABASE_URL": url}
    return subprocess.run([sys.executable, "-m", "services.cli", "db", "upgrade"], capture_output=True, text=True,
                          env=environment, timeout=120)


async def test_db_upgrade_refreshes_the_planners_statistics_when_it_migrated_something() -> None:
    """An index built on a filled table can leave a row count without column statistics, and the
    near-duplicate read then scans its whole window: `hotline db upgrade` runs ANALYZE after a change."""
    name, url = await create_database()
    try:
        await asyncio.to_thread(downgrade, url, "-1")
        assert await _last_analyze(url) is None
        done = await asyncio.to_thread(_hotline_db_upgrade, url)
        assert done.returncode == 0, done.stderr
        analysed = None
        for _ in range(50):  # the statistics reach the view when the command's backend ends
            analysed = await _last_analyze(url)
            if analysed is not None:
                break
            await asyncio.sleep(0.1)
        assert analysed is not None
        again = await asyncio.to_thread(_hotline_db_upgrade, url)  # nothing to migrate: no ANALYZE
        assert again.returncode == 0, again.stderr
        await asyncio.sleep(0.5)
        assert await _last_analyze(url) == analysed
    finally:
        await drop_database(name)
