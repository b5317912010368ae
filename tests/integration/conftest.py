"""The system on the real PostgreSQL and a real Kafka-protocol broker (Tansu)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from services.bootstrap import Runtime
from services.settings import CoreSettings
from tests.support.broker import TansuBroker
from tests.support.factories import running_system

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
async def kafka_system(pg_url: str, broker: TansuBroker) -> AsyncIterator[tuple[Runtime, httpx.AsyncClient]]:
    settings = CoreSettings(database_url=pg_url, kafka_bootstrap_servers=broker.bootstrap,
                            relay_poll_seconds=0.05, kafka_client_id="hotline-test")
    async with running_system(settings) as pair:
        yield pair
