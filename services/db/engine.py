"""Engines and sessions. Built in an app's lifespan or a CLI command, never at import time."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import Session


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
    return create_async_engine(url, echo=echo, pool_size=10, max_overflow=10, pool_pre_ping=True,
                               hide_parameters=True)


OUTBOX_CHANNEL = "hotline_outbox"


class OutboxSession(Session):
    """A session that, on PostgreSQL, sends NOTIFY hotline_outbox with any commit that wrote outbox
    rows, so the relay in whichever process leads wakes at once (polling stays the fallback)."""


@event.listens_for(OutboxSession, "before_commit")
def _notify_outbox(session: Session) -> None:
    if session.info.pop("outbox_written", False) and session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": OUTBOX_CHANNEL})


def make_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False, sync_session_class=OutboxSession)
