"""Scheduled jobs, run by the runtime of the service that owns them (feedback: closing orders
nobody rated in time). Each is safe to run in several replicas at once and again after a restart:
it acts only on what is due, under row locks, and rechecks each row it locked."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.context import DomainContext
from services.orders.ratings import close_unrated

log = logging.getLogger(__name__)


async def close_unrated_orders(sessions: async_sessionmaker[AsyncSession], ctx: DomainContext, *,
                               batch: int = 200, after_commit: Callable[[], None] = lambda: None) -> int:
    """Close, unrated, every resolved order past its rating window, a batch per transaction.
    How many were closed."""
    total = 0
    while True:
        async with sessions() as session, session.begin():
            closed = await close_unrated(session, ctx, limit=batch)
        total += closed
        if closed:
            after_commit()
        if closed < batch:
            return total


async def every(stop: asyncio.Event, seconds: float, job: Callable[[], Awaitable[object]], name: str) -> None:
    """Run `job` now and then every `seconds` until `stop` is set; a failing run is logged and the
    next one tries again."""
    while not stop.is_set():
        try:
            await job()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("scheduled job %s failed; it runs again in %.0f s", name, seconds)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), seconds)
