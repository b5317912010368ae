"""Clocks acting on PostgreSQL + a real broker: the same scenarios as on the embedded default, the
escalation service (its own runtime, Kafka bus) restarted in the middle of a clock, and two sweeps
on separate connection pools at once (FOR UPDATE SKIP LOCKED and unique records: each level once)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from schemas.events import SUPERVISION_TOPIC
from services.bootstrap import Runtime, build_context, build_runtime
from services.db.engine import make_engine, make_session_factory
from services.settings import CoreSettings
from services.sweep import Sweeper
from tests.support.broker import TansuBroker
from tests.support.clocks import outbox, records, seed_dispatched
from tests.support.escalation_scenarios import (
    extension_approved_and_refused,
    village_times_out_rises_whistles_and_rates,
)
from tests.support.factories import ManualClock, running_system
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

START = datetime(2026, 11, 17, 2, 0, tzinfo=UTC)  # Tuesday 10:00 in the county
CLOCK = ManualClock(START)


def settings_for(pg_url: str, broker: TansuBroker, **extra: object) -> CoreSettings:
    return CoreSettings(database_url=pg_url, kafka_bootstrap_servers=broker.bootstrap, relay_poll_seconds=0.05,
                        kafka_client_id="hotline-clocks", auto_report_up_clocks="resolve",
                        **extra)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
async def system(pg_url: str, broker: TansuBroker) -> AsyncIterator[tuple[Runtime, httpx.AsyncClient]]:
    async with running_system(settings_for(pg_url, broker, sweep_seconds=3600), CLOCK) as pair:
        yield pair


async def test_village_order_times_out_rises_to_the_township_whistle_late_report_and_ratings(
    system: tuple[Runtime, httpx.AsyncClient],
) -> None:
    runtime, client = system
    await village_times_out_rises_whistles_and_rates(runtime, client, CLOCK)


async def test_an_extension_approved_and_one_refused(system: tuple[Runtime, httpx.AsyncClient]) -> None:
    runtime, client = system
    await extension_approved_and_refused(runtime, client, CLOCK)


async def test_two_sweeps_on_separate_pools_at_once_raise_each_level_once(
    system: tuple[Runtime, httpx.AsyncClient], pg_url: str,
) -> None:
    runtime, _ = system
    async with runtime.sessions() as session, session.begin():
        ids = await seed_dispatched(session, runtime.ctx, 300, unit="urban_mgmt", at=CLOCK.current)
    CLOCK.advance(timedelta(days=10))  # claim and first contact past 通报, resolve past 督办
    engines = [make_engine(pg_url) for _ in range(2)]
    try:
        sweepers = [Sweeper(make_session_factory(e), runtime.ctx, batch_size=25) for e in engines]
        await asyncio.gather(*(s.run_once() for s in sweepers))
    finally:
        for engine in engines:
            await engine.dispose()
    raised = [(order_id, *r) for order_id in ids for r in await records(runtime, order_id)]
    assert len(raised) == len(set(raised)) == 300 * 5
    announced = [e for order_id in ids for e in await outbox(runtime, order_id, topic=SUPERVISION_TOPIC)]
    assert len(announced) == len(raised)


async def test_the_escalation_service_restarted_in_the_middle_of_a_clock_misses_nothing_and_repeats_nothing(
    pg_url: str, broker: TansuBroker,
) -> None:
    clock = ManualClock(START + timedelta(days=42))  # Tuesday 29 December, 10:00
    settings = settings_for(pg_url, broker, sweep_seconds=0.05)
    ctx = build_context(settings, now=clock)

    async def escalation_service() -> Runtime:
        service = await build_runtime(settings, ("escalation",), ctx=ctx)
        await service.start()
        return service

    service = await escalation_service()
    try:
        async with service.sessions() as session, session.begin():
            [order_id] = await seed_dispatched(session, ctx, 1, unit="urban_mgmt", at=clock.current)
        clock.advance(timedelta(hours=1, minutes=45))  # past the claim reminder (1.5 h), before its due (2 h)

        async def reminded() -> bool:
            return ("claim", "urban_mgmt", "remind") in await records(service, order_id)

        await eventually(reminded, what="the claim reminder from the running escalation service")
    finally:
        await service.stop()
    clock.advance(timedelta(hours=1))  # the claim clock runs out while the service is down
    service = await escalation_service()
    try:
        async def supervised() -> bool:
            return ("claim", "urban_mgmt", "supervise") in await records(service, order_id)

        await eventually(supervised, what="the 督办 raised after the restart")
        assert service.sweeper is not None
        await service.sweeper.run_once()
        claim = [r for r in await records(service, order_id) if r[0] == "claim"]
        assert claim == [("claim", "urban_mgmt", "remind"), ("claim", "urban_mgmt", "supervise")]
        announced = [e for e in await outbox(service, order_id, topic=SUPERVISION_TOPIC) if e["clock"] == "claim"]
        assert [e["supervision_level"] for e in announced] == ["remind", "supervise"]
    finally:
        await service.stop()
