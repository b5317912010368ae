"""The `hotline keys` commands: each opens the configured database, does one thing, commits."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from router.service import Router
from schemas.access import Role
from services.db import repositories as repo
from services.db.engine import make_engine, make_session_factory
from services.db.migrate import upgrade
from services.keys import IssuedKey, create_key, revoke_key
from services.settings import CoreSettings


async def create(role: str, unit: str | None, name: str) -> IssuedKey:
    settings = CoreSettings()
    units = Router.default().units() if unit else {}
    if settings.is_sqlite:
        await asyncio.to_thread(upgrade, settings.effective_database_url)
    engine = make_engine(settings.effective_database_url)
    try:
        async with make_session_factory(engine)() as session, session.begin():
            return await create_key(session, role=Role(role), unit=unit, name=name, now=datetime.now(UTC),
                                    known_units=lambda code: code in units)
    finally:
        await engine.dispose()


async def listing(*, include_revoked: bool) -> list[tuple[str, ...]]:
    settings = CoreSettings()
    if settings.is_sqlite:
        await asyncio.to_thread(upgrade, settings.effective_database_url)
    engine = make_engine(settings.effective_database_url)
    try:
        async with make_session_factory(engine)() as session:
            keys = await repo.list_keys(session, include_revoked=include_revoked)
        return [(k.id, k.role, k.unit or "-", k.name, k.created_at.isoformat(timespec="seconds"),
                 k.revoked_at.isoformat(timespec="seconds") if k.revoked_at else "live") for k in keys]
    finally:
        await engine.dispose()


async def revoke(key_id: str) -> bool:
    settings = CoreSettings()
    engine = make_engine(settings.effective_database_url)
    try:
        async with make_session_factory(engine)() as session, session.begin():
            return await revoke_key(session, key_id, datetime.now(UTC))
    finally:
        await engine.dispose()
