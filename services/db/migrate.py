"""Apply the Alembic migrations programmatically (`hotline db upgrade`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
T = TypeVar("T")


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url)
    cfg.set_main_option(
        "file_template", "%%(year)d_%%(month).2d_%%(day).2d_%%(rev)s_%%(slug)s"
    )
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at `url` up to `revision`. Blocking: call via asyncio.to_thread in a loop."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(url), revision)


def analyze(url: str) -> None:
    """Refresh PostgreSQL's planner statistics of the database at `url` (nothing on SQLite). Blocking.
    After migrations: an index built on a filled table, or a table rewritten, can leave a row count
    without column statistics, and the planner then reads the near-duplicate candidates by scanning
    the whole window (0.67 -> 2.45 ms at 1,500 orders, growing with the window) until autovacuum's
    next ANALYZE (docs/history/throughput.md)."""
    if url.startswith("postgresql"):
        _on_connection(url, lambda c: c.exec_driver_sql("ANALYZE"), autocommit=True)


def downgrade(url: str, revision: str) -> None:
    command.downgrade(alembic_config(url), revision)


def current_revision(url: str) -> str | None:
    """The revision the database at `url` is at (None: no migrations applied). Blocking."""
    from alembic.runtime.migration import MigrationContext

    revision: str | None = _on_connection(url, lambda c: MigrationContext.configure(c).get_current_revision())
    return revision


def _on_connection(url: str, work: Callable[[Connection], T], *, autocommit: bool = False) -> T:
    """`work` run on one connection to the database at `url`, through an engine of its own disposed after. Blocking."""
    import asyncio

    from services.db.engine import make_engine

    async def run() -> T:
        engine = make_engine(url)
        try:
            async with engine.connect() as conn:
                if autocommit:
                    await conn.execution_options(isolation_level="AUTOCOMMIT")
                return await conn.run_sync(work)
        finally:
            await engine.dispose()

    return asyncio.run(run())
