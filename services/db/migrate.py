"""Apply the Alembic migrations programmatically (`hotline db upgrade`)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


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
    if not url.startswith("postgresql"):
        return
    import asyncio

    from sqlalchemy import text

    from services.db.engine import make_engine

    async def run() -> None:
        engine = make_engine(url)
        try:
            async with engine.connect() as conn:
                await conn.execution_options(isolation_level="AUTOCOMMIT")
                await conn.execute(text("ANALYZE"))
        finally:
            await engine.dispose()

    asyncio.run(run())


def downgrade(url: str, revision: str) -> None:
    command.downgrade(alembic_config(url), revision)


def current_revision(url: str) -> str | None:
    """The revision the database at `url` is at (None: no migrations applied). Blocking."""
    import asyncio

    from alembic.runtime.migration import MigrationContext

    from services.db.engine import make_engine

    async def read() -> str | None:
        engine = make_engine(url)
        try:
            async with engine.connect() as conn:
                return await conn.run_sync(lambda c: MigrationContext.configure(c).get_current_revision())
        finally:
            await engine.dispose()

    return asyncio.run(read())
