"""The outbox relay on PostgreSQL: one leader at a time, rows published in order, a failed
publish leaves every row queued for the next try."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime

import asyncpg
import pytest
from sqlalchemy import delete, func, select, text

from intake.vault import SEALED_FIELDS, Vault
from schemas.events import EventEnvelope
from services.bus.memory import InProcessBus
from services.db import repositories as repo
from services.db.engine import make_engine, make_session_factory
from services.db.tables import OutboxEvent
from services.relay import OutboxRelay
from tests.support.postgres import ADMIN_DSN, create_database, drop_database

pytestmark = pytest.mark.integration


class FlakyBus(InProcessBus):
    """The in-process bus with a broker outage that can be switched on."""

    def __init__(self) -> None:
        super().__init__()
        self.down = False

    async def publish(self, events: Sequence[EventEnvelope]) -> None:
        if self.down:
            raise ConnectionError("broker unreachable")
        await super().publish(events)


async def test_only_one_relay_leads_and_a_failed_publish_loses_nothing() -> None:
    name, url = await create_database()  # its own database: no other relay may hold the lock
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    bus = FlakyBus()
    first, second = OutboxRelay(engine, bus), OutboxRelay(engine, bus)
    try:
        assert await first._acquire_leadership() is True
        assert await second._acquire_leadership() is False

        async with sessions() as session, session.begin():
            await session.execute(delete(OutboxEvent).where(OutboxEvent.topic == "test.relay"))
            for i in range(5):
                repo.add_outbox(session, EventEnvelope(type="t", subject=f"wo_{i % 2}", topic="test.relay",
                                                       data={"n": i}), datetime.now(UTC))
        bus.down = True
        with pytest.raises(ConnectionError):
            await first.run_once()
        async with sessions() as session:
            waiting = (await session.execute(select(func.count()).select_from(OutboxEvent).where(
                OutboxEvent.topic == "test.relay", OutboxEvent.published_at.is_(None)))).scalar_one()
        assert waiting == 5

        bus.down = False
        await first.drain()
        assert [e.data["n"] for e in bus.topic_log("test.relay")] == [0, 1, 2, 3, 4]
        async with sessions() as session:
            waiting = (await session.execute(select(func.count()).select_from(OutboxEvent).where(
                OutboxEvent.topic == "test.relay", OutboxEvent.published_at.is_(None)))).scalar_one()
        assert waiting == 0

        await first._drop_leadership()
        second.follower_retry_seconds = 0
        assert await second._acquire_leadership() is True  # the lock passes on when the leader goes
    finally:
        await first._drop_leadership()
        await second._drop_leadership()
        await engine.dispose()
        await drop_database(name)


async def test_sealed_personal_fields_are_opened_as_published_and_a_key_that_cannot_holds_nothing_back(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The outbox keeps the lead unit's contact sealed; the relay opens it into the published event.
    A row the configured keys cannot open still goes out, without those fields, and is logged."""
    name, url = await create_database()
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    bus, vault = InProcessBus(), Vault.ephemeral()
    relay = OutboxRelay(engine, bus, open_data=vault.open_fields)
    try:
        contact = {"phone": "13812345678"}
        async with sessions() as session, session.begin():
            for n, sealer in enumerate((vault, Vault.ephemeral())):  # the second: a key nobody has now
                body = sealer.seal_fields({"n": n, "contact": contact}, ("contact",))
                repo.add_outbox(session, EventEnvelope(type="t", subject="wo_1", topic="test.sealed", data=body),
                                datetime.now(UTC))
        async with sessions() as session:
            resting = [r.data for r in (await session.execute(select(OutboxEvent).where(
                OutboxEvent.topic == "test.sealed").order_by(OutboxEvent.id))).scalars()]
        assert all(r["contact"] is None and SEALED_FIELDS in r and "13812345678" not in str(r) for r in resting)
        await relay.drain()
        published = [e.data for e in bus.topic_log("test.sealed")]
        assert published == [{"n": 0, "contact": contact}, {"n": 1, "contact": None}]
        assert "cannot be opened" in caplog.text
    finally:
        await relay._drop_leadership()
        await engine.dispose()
        await drop_database(name)


async def test_each_read_marks_the_batch_published_before_it_and_leaves_it_out() -> None:
    """The relay's cycle is one statement and one publish: the read of the next batch marks the
    batch just published (with the time its acks came back) and does not read it again, although
    its own snapshot cannot see that marking."""
    name, url = await create_database()
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    bus = InProcessBus()
    acked = datetime(2026, 12, 1, 19, 0, tzinfo=UTC)
    relay = OutboxRelay(engine, bus, batch_size=2, now=lambda: acked)

    async def waiting() -> int:
        async with sessions() as session:
            return (await session.execute(select(func.count()).select_from(OutboxEvent).where(
                OutboxEvent.published_at.is_(None)))).scalar_one()

    try:
        assert await relay._acquire_leadership() is True
        async with sessions() as session, session.begin():
            for i in range(3):
                repo.add_outbox(session, EventEnvelope(type="t", subject="wo_1", topic="test.relay",
                                                       data={"n": i}), datetime.now(UTC))
        assert await relay._publish_next() == 2
        assert await waiting() == 3  # published, marked by the next read
        assert await relay._publish_next() == 1
        assert await waiting() == 1
        assert await relay._publish_next() == 0
        assert await waiting() == 0
        assert [e.data["n"] for e in bus.topic_log("test.relay")] == [0, 1, 2]  # each once, in order
        async with sessions() as session:
            marked = set((await session.execute(select(OutboxEvent.published_at))).scalars())
        assert marked == {acked}
    finally:
        await relay._drop_leadership()
        await engine.dispose()
        await drop_database(name)


async def test_the_leaders_connection_never_returns_to_the_pool_with_its_commits_unflushed() -> None:
    """The leader marks rows on its lock's connection without waiting for the disk; that setting
    must not reach the pool, whose connections commit appeals that are acknowledged afterwards."""
    name, url = await create_database()
    engine = make_engine(url)
    relay = OutboxRelay(engine, InProcessBus())
    try:
        assert await relay._acquire_leadership() is True
        assert relay._leader_conn is not None
        leader = (await relay._leader_conn.execute(text("SELECT pg_backend_pid()"))).scalar()
        assert (await relay._leader_conn.execute(text("SHOW synchronous_commit"))).scalar() == "off"
        await relay._drop_leadership()
        async with engine.connect() as conn:
            assert (await conn.execute(text("SHOW synchronous_commit"))).scalar() == "on"
            assert (await conn.execute(text("SELECT pg_backend_pid()"))).scalar() != leader
    finally:
        await relay._drop_leadership()
        await engine.dispose()
        await drop_database(name)


async def test_another_process_commit_wakes_the_leading_relay_at_once() -> None:
    """Another process's wake() after its commit reaches the leader as a NOTIFY while it waits, also
    after it has checked its lock again (a session inside a transaction hears no notification until
    that transaction ends). The writing transaction itself notifies nobody: PostgreSQL would make
    every such commit wait for the one before it to reach the disk (migration 0015)."""
    name, url = await create_database()
    engine = make_engine(url)
    writer_engine = make_engine(url)  # another service's: its relay follows
    writers = make_session_factory(writer_engine)
    relay = OutboxRelay(engine, InProcessBus(), lock_check_seconds=0)  # its lock checked every iteration
    follower = OutboxRelay(writer_engine, InProcessBus())
    try:
        assert await relay._acquire_leadership() is True
        assert await follower._acquire_leadership() is False
        for i in range(3):
            assert await relay._acquire_leadership() is True  # the check every iteration makes
            relay._wake.clear()
            async with writers() as session, session.begin():
                repo.add_outbox(session, EventEnvelope(type="t", subject="wo_1", topic="test.relay",
                                                       data={"n": i}), datetime.now(UTC))
            if i == 0:  # the commit alone: no notification
                with pytest.raises(TimeoutError):
                    await asyncio.wait_for(relay._wake.wait(), 0.3)
            follower.wake()
            await asyncio.wait_for(relay._wake.wait(), 1.0)
        for _ in range(50):  # many wakes at once: coalesced, and every one heard
            follower.wake()
        relay._wake.clear()
        follower.wake()
        await asyncio.wait_for(relay._wake.wait(), 1.0)
    finally:
        await relay._drop_leadership()
        await engine.dispose()
        await writer_engine.dispose()
        await drop_database(name)


async def test_the_leader_checks_its_lock_connection_every_so_often_not_every_batch() -> None:
    """Between checks a lock connection that died goes unnoticed (no round trip per batch); the next
    check finds it, and the relay takes the lock again on a new connection."""
    name, url = await create_database()
    engine = make_engine(url)
    relay = OutboxRelay(engine, InProcessBus(), lock_check_seconds=3600)
    admin = await asyncpg.connect(ADMIN_DSN)
    try:
        assert await relay._acquire_leadership() is True
        assert relay._leader_conn is not None
        first_backend = (await relay._leader_conn.execute(text("SELECT pg_backend_pid()"))).scalar()
        await admin.execute("SELECT pg_terminate_backend($1)", first_backend)
        assert await relay._acquire_leadership() is True  # not checked yet: still believes it leads
        relay.lock_check_seconds = 0
        relay.follower_retry_seconds = 0
        assert await relay._acquire_leadership() is True  # checked: the dead connection dropped, the lock taken anew
        assert relay._leader_conn is not None
        assert (await relay._leader_conn.execute(text("SELECT pg_backend_pid()"))).scalar() != first_backend
    finally:
        await admin.close()
        await relay._drop_leadership()
        await engine.dispose()
        await drop_database(name)
