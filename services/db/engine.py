"""Engines and sessions. Built in an app's lifespan or a CLI command, never at import time."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine


def make_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    """An async engine for PostgreSQL (asyncpg) or the embedded SQLite file (aiosqlite)."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # One connection: SQLite has one writer anyway, and a single connection serialises
        # transactions instead of failing them with "database is locked".
        engine = create_async_engine(
            url, echo=echo, pool_size=1, max_overflow=0, pool_timeout=120, connect_args={"timeout": 30},
            hide_parameters=True,
        )

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    # hide_parameters: an error's text (which reaches logs) never carries the citizen's data.
    # No pre-ping: it cost a round trip (three statements) on every checkout. A connection that
    # died is found on use instead: the statement fails (the request answers 503, a consumer
    # retries), SQLAlchemy recognises the disconnect and replaces the pool's connections.
    return create_async_engine(url, echo=echo, pool_size=32, max_overflow=16, hide_parameters=True)


# The leading relay LISTENs here; another process that wrote outbox rows NOTIFYs it after its commit
# (services.relay.OutboxRelay.wake), never from inside the writing transaction (migration 0015).
OUTBOX_CHANNEL = "hotline_outbox"


def make_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


# SQLSTATE classes of a database that is not there or not taking work now: connection (08),
# insufficient resources (53), operator intervention — shutdown, restart (57), system error (58).
_UNAVAILABLE_CLASSES = frozenset({"08", "53", "57", "58"})


def database_unavailable(exc: BaseException) -> bool:
    """Whether `exc` says the database is unavailable (an outage: retry later), rather than that it
    refused what it was sent (a value, a statement: a bug of ours, which no retry mends)."""
    if isinstance(exc, OperationalError | InterfaceError | PoolTimeout | OSError | TimeoutError):
        return True
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    code = getattr(exc.orig, "pgcode", None) or getattr(exc.orig, "sqlstate", None)
    return code is None or str(code)[:2] in _UNAVAILABLE_CLASSES  # no SQLSTATE: the driver or the link
