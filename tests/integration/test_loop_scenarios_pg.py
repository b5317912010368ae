"""The feedback scenarios of tests/support/loop_scenarios.py on PostgreSQL + a real broker (Tansu):
events travel through the outbox and Kafka, the reports consumer keeps the 631 figures from the
lifecycle topic, and time is a ManualClock the scenarios move."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from services.bootstrap import Runtime
from services.settings import CoreSettings
from tests.support import loop_scenarios as scenario
from tests.support.broker import TansuBroker
from tests.support.factories import ManualClock, running_system

pytestmark = pytest.mark.integration

# Tuesday 2026-10-13, 10:00 in the county: a working morning after the National Day holidays.
CLOCK = ManualClock(datetime(2026, 10, 13, 2, 0, tzinfo=UTC))


@pytest.fixture(scope="module")
async def system(pg_url: str, broker: TansuBroker) -> AsyncIterator[tuple[Runtime, httpx.AsyncClient]]:
    settings = CoreSettings(database_url=pg_url, kafka_bootstrap_servers=broker.bootstrap,
                            relay_poll_seconds=0.05, kafka_client_id="hotline-loop")
    async with running_system(settings, CLOCK) as pair:
        yield pair


async def test_a_return_a_redispatch_and_arbitration(system: tuple[Runtime, httpx.AsyncClient]) -> None:
    outcome = await scenario.return_redispatch_and_arbitration(*system)
    assert outcome["queue"]["arbitration"]


async def test_one_rating_per_resolution(system: tuple[Runtime, httpx.AsyncClient]) -> None:
    await scenario.one_rating_per_resolution(*system)


async def test_a_reopen_and_a_second_one_making_it_hard(system: tuple[Runtime, httpx.AsyncClient]) -> None:
    await scenario.reopened_twice_becomes_hard(*system, CLOCK)


async def test_unrated_closes_after_the_window_and_631_counts_each_order_once(
    system: tuple[Runtime, httpx.AsyncClient],
) -> None:
    outcome = await scenario.unrated_closes_and_631_counts_once(*system, CLOCK, timedelta(days=7))
    assert sum(outcome["631"][-1].values()) >= 1
