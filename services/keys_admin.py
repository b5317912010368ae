"""The `hotline keys` commands: each opens the configured database, does one thing, commits."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from router.service import Router
from schemas.access import Role
from services.db import api_keys
from services.db.engine import make_engine, make_session_factory
from services.db.migrate import upgrade
from services.keys import IssuedKey, create_key, revoke_key
from services.settings import CoreSettings


@asynccontextmanager
async def _transaction() -> AsyncIterator[AsyncSession]:
    """One transaction on the configured database (the embedded file is set up on first use)."""
    settings = CoreSettings()
    if settings.is_sqlite:
        await asyncio.to_thread(upgrade, settings.effective_database_url)
    engine = make_engine(settings.effective_database_url)
    try:
        async with make_session_factory(engine)() as session, session.begin():
            yield session
    finally:
        await engine.dispose()


async def create(role: str, unit: str | None, name: str) -> IssuedKey:
    units = Router.default().units() if unit else {}
    async with _transaction() as session:
        return await create_key(session, role=Role(role), unit=unit, name=name, now=datetime.now(UTC),
                                known_units=lambda code: code in units)


async def listing(*, include_revoked: bool) -> list[tuple[str, ...]]:
    async with _transaction() as session:
        keys = await api_keys.list_keys(session, include_revoked=include_revoked)
    return [(k.id, k.role, k.unit or "-", k.name, k.created_at.isoformat(timespec="seconds"),
             f"revoked {k.revoked_at.isoformat(timespec='seconds')}" if k.revoked_at else "live") for k in keys]


async def revoke(key_id: str) -> bool:
    async with _transaction() as session:
        return await revoke_key(session, key_id, datetime.now(UTC))
