"""API keys: looked up by their hash, listed and read for administration; the dashboard's sign-ins
made from them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.db.tables import ApiKey, DashboardSession


async def key_by_hash(session: AsyncSession, key_hash: str) -> ApiKey | None:
    stmt = select(ApiKey).where(ApiKey.key_hash == key_hash, ApiKey.revoked_at.is_(None))
    return (await session.execute(stmt)).scalar_one_or_none()


async def list_keys(session: AsyncSession, *, include_revoked: bool = False) -> Sequence[ApiKey]:
    stmt = select(ApiKey).order_by(ApiKey.created_at)
    if not include_revoked:
        stmt = stmt.where(ApiKey.revoked_at.is_(None))
    return (await session.execute(stmt)).scalars().all()


async def get_key(session: AsyncSession, key_id: str) -> ApiKey | None:
    return await session.get(ApiKey, key_id)


def add_dashboard_session(session: AsyncSession, id_hash: str, key_id: str, now: datetime, until: datetime) -> None:
    session.add(DashboardSession(id_hash=id_hash, key_id=key_id, created_at=now, expires_at=until))


async def drop_dashboard_sessions(session: AsyncSession, *, id_hash: str | None = None,
                                  ended_by: datetime | None = None) -> None:
    """Delete one sign-in (by its hash), and/or every one that has ended by `ended_by`."""
    if id_hash is not None:
        await session.execute(delete(DashboardSession).where(DashboardSession.id_hash == id_hash))
    if ended_by is not None:
        await session.execute(delete(DashboardSession).where(DashboardSession.expires_at <= ended_by))


async def key_of_dashboard_session(session: AsyncSession, id_hash: str,
                                   now: datetime) -> tuple[ApiKey, DashboardSession] | None:
    """The key a sign-in was made from and the sign-in, while it has not ended and the key is not
    revoked."""
    stmt = (select(ApiKey, DashboardSession).join(DashboardSession, DashboardSession.key_id == ApiKey.id)
            .where(DashboardSession.id_hash == id_hash, DashboardSession.expires_at > now,
                   ApiKey.revoked_at.is_(None)))
    row = (await session.execute(stmt)).one_or_none()
    return (row[0], row[1]) if row is not None else None
