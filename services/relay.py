"""The outbox relay: publishes committed outbox rows in id order, then marks them sent.

One relay is active at a time: on PostgreSQL the leader holds a session-level advisory lock on a
dedicated connection (any number of service replicas may run a relay; the others wait). Rows are
read, published (every send awaited, acks=all), then marked published — by the statement that
reads the next batch, which the leader runs at once (one database round trip a cycle): a crash in
between re-publishes (duplicates are possible, loss is not; consumers are idempotent). The leader
makes sure its lock's connection is alive every `lock_check_seconds`, not before every batch (a
round trip each, on the path of every event under load): a connection that dies in between loses
the lock, which another relay may take while this one publishes on until its next check — two
relays for at most that long, which can repeat an event (as a crash can), never lose one.

Every process calls `wake()` after a commit that wrote outbox rows. In the leader's process that
wakes it at once; elsewhere it sends the leader a NOTIFY on a connection of its own, after the
commit and outside any writing transaction: PostgreSQL serialises the commits of transactions that
NOTIFY (each holds a lock until its WAL is on disk), so a notification sent from inside every
appeal's transaction made all of them commit one at a time, none sharing a flush. The NOTIFYs of
one process are coalesced: one in flight, the next at most `notify_seconds` later, covering every
commit in between. The relay's polling remains the fallback (a lost notification, a writer that
never wakes it).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from intake.exceptions import VaultError
from intake.vault import SEALED_FIELDS
from schemas.events import EventEnvelope
from services.bus.base import EventBus
from services.db import repositories as repo
from services.db.engine import OUTBOX_CHANNEL
from services.metrics import EVENTS_PUBLISHED, RELAY_ERRORS, RELAY_LEADER
from services.tracing import publish_spans

log = logging.getLogger(__name__)

RELAY_LOCK_KEY = 0x486F746C  # "Hotl": the advisory lock that elects the one active relay


def _envelope(row: Row[Any], open_data: Callable[[dict[str, Any]], dict[str, Any]]) -> EventEnvelope:
    return EventEnvelope(
        id=row.event_id, type=row.type, source=row.source, subject=row.key, time=row.time,
        topic=row.topic, data=_opened(row, open_data), traceparent=row.traceparent, tracestate=row.tracestate,
    )


def _opened(row: Row[Any], open_data: Callable[[dict[str, Any]], dict[str, Any]]) -> dict[str, Any]:
    """The row's body with its sealed personal fields opened. Keys that cannot open them (a
    misconfigured rotation; services refuse to start so) must not hold every later event back: the
    event goes out without them, and the unit reads the contact from the order when the keys are
    right again."""
    try:
        return open_data(row.data)
    except VaultError:
        log.error("outbox event %s: its personal fields cannot be opened with the configured keys; published "
                  "without them", row.event_id)
        return {k: v for k, v in row.data.items() if k != SEALED_FIELDS}


class OutboxRelay:
    def __init__(
        self,
        engine: AsyncEngine,
        bus: EventBus,
        *,
        batch_size: int = 500,
        poll_seconds: float = 0.2,
        lock_check_seconds: float = 1.0,
        notify_seconds: float = 0.002,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        open_data: Callable[[dict[str, Any]], dict[str, Any]] = lambda data: data,
    ) -> None:
        self.engine = engine
        self.open_data = open_data  # opens an event body's sealed personal fields (Vault.open_fields)
        self.bus = bus
        self.batch_size = batch_size
        self.poll_seconds = poll_seconds
        self.now = now
        self._wake = asyncio.Event()
        self._leader_conn: AsyncConnection | None = None
        self.is_leader = False
        self.follower_retry_seconds = 2.0  # how often a non-leader tries to take over
        self.lock_check_seconds = lock_check_seconds  # how often the leader checks its lock's connection
        self._last_attempt = float("-inf")
        self._lock_checked = float("-inf")
        self.notify_seconds = notify_seconds  # the least time between two NOTIFYs this process sends
        self._tell = False  # rows committed since the last NOTIFY was sent
        self._teller: asyncio.Task[None] | None = None
        # Rows published (acks in) and not yet marked, with the time their acks came back.
        self._published: tuple[Sequence[int], datetime] = ((), now())
        self._leader_use = asyncio.Lock()  # one statement at a time on the lock's connection

    def wake(self) -> None:
        """A hint that new rows were committed (call it after the commit); polling remains the
        fallback. Wakes this relay, and, on PostgreSQL when another process may lead, that one."""
        self._wake.set()
        if self.is_leader or self.engine.dialect.name != "postgresql":
            return
        self._tell = True
        if self._teller is None:
            with contextlib.suppress(RuntimeError):  # no running loop: nothing to tell it with
                self._teller = asyncio.get_running_loop().create_task(self._tell_leader(), name="outbox-wake")

    async def _tell_leader(self) -> None:
        """NOTIFY the leading relay while commits keep asking for it; one in flight at a time."""
        try:
            while self._tell:
                self._tell = False
                try:
                    async with self.engine.connect() as conn:
                        raw = (await conn.get_raw_connection()).driver_connection
                        assert raw is not None
                        await raw.execute(f"NOTIFY {OUTBOX_CHANNEL}")  # autocommit: no write, no flush
                except Exception as exc:  # the leader polls anyway
                    log.debug("outbox relay: NOTIFY not sent (%s)", exc)
                    return
                await asyncio.sleep(self.notify_seconds)
        finally:
            self._teller = None

    @contextlib.asynccontextmanager
    async def _statement(self) -> AsyncIterator[AsyncConnection]:
        """A connection for one statement: on PostgreSQL in autocommit (the statement is its own
        transaction: no BEGIN, COMMIT or ROLLBACK round trips) — the leader's own lock connection,
        whose commits do not wait for the disk (`_acquire_leadership`) —, elsewhere in a transaction."""
        if self._leader_conn is not None:
            async with self._leader_use:
                yield self._leader_conn
            return
        async with self.engine.connect() as conn:
            if self.engine.dialect.name == "postgresql":
                await conn.execution_options(isolation_level="AUTOCOMMIT")
                yield conn
            else:
                async with conn.begin():
                    yield conn

    async def run_once(self) -> int:
        """Publish one batch and mark it published; return how many events went out."""
        sent = await self._publish_next()
        await self._mark_published()
        return sent

    async def _publish_next(self) -> int:
        """Read a batch and publish it. The batch published before is marked by the same statement
        as the read (one round trip a cycle, not two); this one stays in `_published` until the
        next read or `_mark_published`. A crash in between re-publishes it, as a crash between
        the publish and the marking always could."""
        ids, at = self._published
        async with self._statement() as conn:
            rows = await repo.unpublished(conn, self.batch_size, marking=ids, at=at)
        self._published = ((), at)
        events = [_envelope(r, self.open_data) for r in rows]
        if not events:
            return 0
        with publish_spans(events) as traced:
            await self.bus.publish(traced)
        self._published = ([r.id for r in rows], self.now())
        for event in events:
            EVENTS_PUBLISHED.labels(event.topic).inc()
        return len(events)

    async def _mark_published(self) -> None:
        ids, at = self._published
        if ids:
            async with self._statement() as conn:
                await repo.mark_published(conn, ids, at)
            self._published = ((), at)

    async def drain(self) -> int:
        """Publish until the outbox is empty (tests, demo, shutdown)."""
        total = 0
        while n := await self.run_once():
            total += n
        return total

    async def _acquire_leadership(self) -> bool:
        if self.engine.dialect.name != "postgresql":
            return True  # the embedded default is one process
        if self._leader_conn is not None:
            if time.monotonic() - self._lock_checked < self.lock_check_seconds:
                return True
            try:
                async with self._leader_use:
                    await self._leader_conn.execute(text("SELECT 1"))
                self._lock_checked = time.monotonic()
                return True
            except Exception:
                await self._drop_leadership()
        if time.monotonic() - self._last_attempt < self.follower_retry_seconds:
            return False  # another relay leads; do not knock on every wake-up
        self._last_attempt = time.monotonic()
        conn = await self.engine.connect()
        try:
            # Autocommit: a session inside a transaction hears no NOTIFY until it ends, and the
            # lock check each iteration would otherwise open one (the relay then woke only on its
            # own process's wake() or its poll interval).
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            got = (await conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": RELAY_LOCK_KEY})).scalar()
            if got:
                # The relay's reads and markings run on this connection. A marking is the only
                # write, and it need not wait for its WAL to reach the disk (each did, 10-35 ms on
                # this machine, in every batch's path): a crash that loses it publishes those rows
                # again, as a crash between publish and marking always could; none is lost.
                await conn.execute(text("SET synchronous_commit TO off"))
        except Exception:
            with contextlib.suppress(Exception):  # it may hold the lock or the setting: not for the pool
                await conn.invalidate()
            await conn.close()
            raise
        if got:
            self._leader_conn = conn
            self._lock_checked = time.monotonic()
            await self._listen(conn)
            return True
        await conn.close()
        return False

    async def _listen(self, conn: AsyncConnection) -> None:
        """Wake on NOTIFY from any process's commit that wrote outbox rows."""
        try:
            raw = (await conn.get_raw_connection()).driver_connection
            assert raw is not None
            await raw.add_listener(OUTBOX_CHANNEL, self._on_notify)
        except Exception as exc:  # polling still works without it
            log.warning("outbox relay: LISTEN failed (%s); polling only", exc)

    def _on_notify(self, *_: object) -> None:
        self._wake.set()

    async def _drop_leadership(self) -> None:
        """Release the lock, then discard the connection: back in the pool it would hand its
        `synchronous_commit = off` to intake's and the router's commits (an appeal acknowledged
        before its commit is on disk), and, if the unlock failed, the lock. Unlocked explicitly
        first, so that another relay can take over at once."""
        conn, self._leader_conn = self._leader_conn, None
        self.is_leader = False
        RELAY_LEADER.set(0)
        if conn is None:
            return
        try:
            raw = (await conn.get_raw_connection()).driver_connection
            if raw is not None:
                await raw.remove_listener(OUTBOX_CHANNEL, self._on_notify)
            await conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": RELAY_LOCK_KEY})
        except Exception as exc:
            log.debug("outbox relay: unlock failed (%s); the connection is closed instead", exc)
        with contextlib.suppress(Exception):
            await conn.invalidate()
        with contextlib.suppress(Exception):
            await conn.close()

    async def run_forever(self, stop: asyncio.Event) -> None:
        backoff = self.poll_seconds
        while not stop.is_set():
            # Cleared before the batch is read, so that rows committed while it is published wake
            # the next one at once.
            self._wake.clear()
            sent = 0
            try:
                self.is_leader = await self._acquire_leadership()
                RELAY_LEADER.set(1 if self.is_leader else 0)
                if self.is_leader:
                    sent = await self._publish_next()
                backoff = self.poll_seconds
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                RELAY_ERRORS.inc()
                log.warning("outbox relay: %s; rows stay queued and will be retried", exc)
                await self._drop_leadership()
                backoff = min(max(backoff * 2, 0.5), 5.0)
            if sent:
                continue  # the next read marks this batch, and more may be waiting
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), backoff)
        if self.is_leader:
            with contextlib.suppress(Exception):  # if not, the next leader publishes them again
                await self._mark_published()
        await self._drop_leadership()
        if self._teller is not None:  # a NOTIFY on its way: let it finish before the engine goes
            with contextlib.suppress(Exception):
                await asyncio.wait_for(asyncio.shield(self._teller), 1.0)
