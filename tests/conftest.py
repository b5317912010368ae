"""Shared fixtures: the real PostgreSQL and a real Kafka-protocol broker for integration tests."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from services.settings import CoreSettings
from services.topics import apply_plan, plan_for
from tests.support.broker import TansuBroker
from tests.support.postgres import create_database, drop_database

# The property tests search the same examples on every run, so `make test` (and CI) passes or fails
# for the code, not for the draw; HYPOTHESIS_PROFILE=explore searches fresh examples each time.
settings.register_profile("repeatable", derandomize=True, print_blob=True)
settings.register_profile("explore", derandomize=False, max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))


@pytest.fixture(scope="session")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TansuBroker]:
    b = TansuBroker(Path(tmp_path_factory.mktemp("broker")))
    b.start()
    # As in production: the operator provisions the topics before any service starts.
    asyncio.run(apply_plan(b.bootstrap, plan_for(CoreSettings(kafka_bootstrap_servers=b.bootstrap))))
    try:
        yield b
    finally:
        b.stop()


@pytest.fixture(scope="session")
async def pg_url() -> AsyncIterator[str]:
    name, url = await create_database()
    try:
        yield url
    finally:
        await drop_database(name)
