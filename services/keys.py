"""API keys: issued with a role (and a unit for unit keys), shown once, stored as a hash,
revocable. `hotline keys create|list|revoke` and the auth dependency use these."""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from intake.masking import mask_text
from schemas.access import Principal, Role
from schemas.validation import no_control_characters
from services.db import api_keys
from services.db.tables import ApiKey
from services.errors import UnknownUnit

KEY_PREFIX = "hk_"


def key_hash(secret: str) -> str:
    # Keys are 32 random bytes: a plain SHA-256 is enough (no dictionary to guess from).
    return hashlib.sha256(secret.encode()).hexdigest()


NAME_CHARS = 100  # api_keys.name


@dataclass(frozen=True)
class IssuedKey:
    id: str
    secret: str  # shown once, never stored
    role: Role
    unit: str | None
    name: str


async def create_key(
    session: AsyncSession, *, role: Role, unit: str | None, name: str, now: datetime,
    known_units: Callable[[str], bool],
) -> IssuedKey:
    """A new key. A unit key names one known unit; other roles name none. The name (who holds it,
    for the list) is at most NAME_CHARS characters of text, kept with personal numbers masked."""
    if len(name) > NAME_CHARS:
        raise ValueError(f"--name: at most {NAME_CHARS} characters")
    try:
        no_control_characters(name)
    except ValueError as exc:
        raise ValueError(f"--name: {exc}") from None
    if role is Role.unit:
        if not unit:
            raise ValueError("a unit key needs --unit CODE: the one unit it acts for")
        if not known_units(unit):
            raise UnknownUnit(unit)
    elif unit:
        raise ValueError(f"only unit keys are scoped to a unit; {role.value} keys see the whole county")
    name = mask_text(name)  # shown in the list and on the dashboard: a number typed into it, masked
    key_id = f"key_{secrets.token_hex(6)}"
    secret = f"{KEY_PREFIX}{secrets.token_urlsafe(32)}"
    session.add(ApiKey(id=key_id, key_hash=key_hash(secret), role=role.value, unit=unit,
                       name=name or role.value, created_at=now))
    await session.flush()
    return IssuedKey(id=key_id, secret=secret, role=role, unit=unit, name=name or role.value)


async def revoke_key(session: AsyncSession, key_id: str, now: datetime) -> bool:
    key = await api_keys.get_key(session, key_id)
    if key is None or key.revoked_at is not None:
        return False
    key.revoked_at = now
    return True


def _principal(row: ApiKey) -> Principal:
    return Principal(key_id=row.id, role=Role(row.role), name=row.name, unit=row.unit)


SESSION_PREFIX = "ds_"


@dataclass(frozen=True)
class SessionTimes:
    """How long a dashboard sign-in lasts: at most `lifetime` from the sign-in (a working shift),
    and it ends sooner when not used for `idle` (a browser closed or left signed in elsewhere)."""

    lifetime: timedelta
    idle: timedelta

    def ends(self, created_at: datetime, now: datetime) -> datetime:
        return min(created_at + self.lifetime, now + self.idle)


# A sign-in in use is moved on at most this often: not one write per refresh of the page.
_TOUCH_EVERY = timedelta(minutes=1)


async def open_dashboard_session(session: AsyncSession, key_id: str, now: datetime, times: SessionTimes) -> str:
    """A new sign-in to the dashboard for the key `key_id`: the random session id to give the
    browser (never stored; the table keeps its hash). Its row's `expires_at` is when it ends unless
    used before. Sign-ins that have ended are deleted on the way."""
    await api_keys.drop_dashboard_sessions(session, ended_by=now)
    session_id = f"{SESSION_PREFIX}{secrets.token_urlsafe(32)}"
    api_keys.add_dashboard_session(session, key_hash(session_id), key_id, now, times.ends(now, now))
    return session_id


async def dashboard_session_principal(session: AsyncSession, session_id: str, now: datetime,
                                      times: SessionTimes) -> Principal | None:
    """Who a dashboard session id signs in, or None once it has ended (its lifetime over, or unused
    for the idle time), been signed out of, or its key been revoked. A use moves its idle end on."""
    found = await api_keys.key_of_dashboard_session(session, key_hash(session_id), now)
    if found is None:
        return None
    key, sign_in = found
    ends = times.ends(sign_in.created_at, now)
    if ends - sign_in.expires_at >= _TOUCH_EVERY:
        sign_in.expires_at = ends
    return _principal(key)


async def close_dashboard_session(session: AsyncSession, session_id: str) -> None:
    await api_keys.drop_dashboard_sessions(session, id_hash=key_hash(session_id))


class KeyCache:
    """Looks keys up by hash, remembering answers for `ttl` seconds so that a busy intake does not
    read the keys table on every request. A revoked key stops working within `ttl`."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], ttl: float = 5.0) -> None:
        self.sessions = sessions
        self.ttl = ttl
        self._seen: dict[str, tuple[float, Principal | None]] = {}

    async def principal(self, secret: str) -> Principal | None:
        digest = key_hash(secret)
        cached = self._seen.get(digest)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        async with self.sessions() as session:
            row = await api_keys.key_by_hash(session, digest)
        found = _principal(row) if row else None
        if len(self._seen) > 10_000:
            self._seen.clear()
        self._seen[digest] = (time.monotonic() + self.ttl, found)
        return found

    def forget(self) -> None:
        self._seen.clear()
