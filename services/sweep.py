"""The supervision sweep: a scheduled job of the escalation service (and of `serve all` / the
embedded runtime). Every `interval` seconds it takes the orders whose `next_check_at` has come, in
batches, each batch one transaction (records, events and the next look commit together or not at
all), so a sweep stopped half-way leaves nothing half-done and the next one picks up the rest.

Several replicas may sweep at once: on PostgreSQL each batch locks its orders with FOR UPDATE
SKIP LOCKED, so they share the due orders instead of doing them twice; supervision records are
unique per clock and level besides, and only a record this transaction inserted is announced.
Time comes from the context's clock (`ctx.now`), so tests move time instead of sleeping.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.context import DomainContext
from services.metrics import SWEEP_SECONDS
from services.orders.supervision import sweep_batch

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SweepResult:
    orders: int
    raised: int
    passed_up: int
    batches: int


class Sweeper:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        ctx: DomainContext,
        *,
        batch_size: int = 500,
        interval: float = 15.0,
        after_commit: Callable[[], None] = lambda: None,
    ) -> None:
        self.sessions = sessions
        self.ctx = ctx
        self.batch_size = batch_size
        self.interval = interval
        self.after_commit = after_commit  # wakes the outbox relay
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Sweep now instead of at the next interval (tests, after moving a manual clock)."""
        self._wake.set()

    async def run_once(self) -> SweepResult:
        """Handle every order due at this instant, batch after batch, until none is left."""
        started = time.perf_counter()
        now = self.ctx.now()
        orders = raised = passed_up = batches = 0
        while True:
            async with self.sessions() as session, session.begin():
                batch = await sweep_batch(session, self.ctx, now, self.batch_size)
            if batch.orders == 0:
                break
            batches += 1
            orders, raised, passed_up = orders + batch.orders, raised + batch.raised, passed_up + batch.passed_up
            if batch.raised or batch.passed_up:
                self.after_commit()
            if batch.orders < self.batch_size:
                break
        SWEEP_SECONDS.observe(time.perf_counter() - started)
        if raised or passed_up:
            log.info("sweep at %s: %d orders looked at, %d levels raised, %d passed up", now.isoformat(), orders,
                     raised, passed_up)
        return SweepResult(orders, raised, passed_up, batches)

    async def run_forever(self, stop: asyncio.Event) -> None:
        """Sweep every `interval` seconds until `stop` is set; a failed sweep is logged and retried
        at the next interval (its transaction rolled back: nothing half-done)."""
        while not stop.is_set():
            try:
                await self.run_once()
            except Exception:
                log.exception("supervision sweep failed; retrying in %.0f s", self.interval)
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                waits = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self._wake.wait())]
                try:
                    await asyncio.wait_for(asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED), self.interval)
                finally:
                    for waiting in waits:
                        waiting.cancel()
