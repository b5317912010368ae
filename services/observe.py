"""Fills the gauges that come from the database and the broker when /metrics is scraped: at most
once every `min_interval` seconds per process, so a busy scraper costs a few indexed counts."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING

from schemas.lifecycle import State
from services.db import observation
from services.db import repositories as repo
from services.metrics import (
    BROKER_UP,
    DATABASE_UP,
    OUTBOX_BACKLOG,
    OUTBOX_OLDEST_AGE,
    OVERDUE,
    RELAY_LEADER,
    WORK_ORDERS,
)

if TYPE_CHECKING:
    from services.bootstrap import Runtime

log = logging.getLogger(__name__)

_last_refresh: dict[int, float] = {}


async def refresh(runtime: Runtime, *, min_interval: float = 5.0, timeout: float = 5.0) -> None:
    """Update the database, broker and relay gauges from `runtime` (seconds)."""
    key = id(runtime)
    if time.monotonic() - _last_refresh.get(key, float("-inf")) < min_interval:
        return
    _last_refresh[key] = time.monotonic()
    RELAY_LEADER.set(1 if runtime.relay.is_leader else 0)
    try:
        BROKER_UP.set(1 if await asyncio.wait_for(runtime.bus.ready(), timeout) else 0)
    except (TimeoutError, OSError):
        BROKER_UP.set(0)
    try:
        await asyncio.wait_for(_from_database(runtime), timeout)
        DATABASE_UP.set(1)
    except Exception as exc:  # the gauge says it; /metrics itself must still answer
        log.warning("metrics: database not readable: %s", exc)
        DATABASE_UP.set(0)


async def _from_database(runtime: Runtime) -> None:
    now = runtime.ctx.now()
    async with runtime.sessions() as session:
        backlog, oldest = await observation.outbox_backlog(session)
        states = await repo.count_by_state(session)
        overdue = await observation.overdue_counts(session, now)
    OUTBOX_BACKLOG.set(backlog)
    OUTBOX_OLDEST_AGE.set(max(0.0, (now - oldest).total_seconds()) if oldest else 0.0)
    for state in [*(s.value for s in State), *states]:
        WORK_ORDERS.labels(state).set(states.get(state, 0))
    for clock, count in overdue.items():
        OVERDUE.labels(clock).set(count)
