"""The migrations build exactly the schema the tables declare, and go down and up again."""

from __future__ import annotations

import asyncio

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
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
