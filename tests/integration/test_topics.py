"""Topics are provisioned from the plan, idempotently, and a service refuses to start against a
broker that lacks one (instead of relying on automatic creation)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from schemas.events import FIXED_TOPICS
from services.bootstrap import build_runtime
from services.settings import CoreSettings
from services.topics import MissingTopics, apply_plan, existing_topics, topic_plan
from tests.support.broker import TansuBroker

pytestmark = pytest.mark.integration


@pytest.fixture
def empty_broker(tmp_path: Path) -> Iterator[TansuBroker]:
    b = TansuBroker(tmp_path)
    b.start()
    try:
        yield b
    finally:
        b.stop()


async def test_apply_creates_the_plan_once_and_leaves_it_alone_after(empty_broker: TansuBroker) -> None:
    settings = CoreSettings(kafka_bootstrap_servers=empty_broker.bootstrap, kafka_dispatch_partitions=2)
    plan = topic_plan(settings, ["education", "chengguan_town"])
    first = await apply_plan(empty_broker.bootstrap, plan)
    assert [outcome for _, outcome in first] == ["created"] * (len(FIXED_TOPICS) + 2)
    have = await existing_topics(empty_broker.bootstrap)
    assert have["hotline.dispatch.education"] == 2 and have["hotline.lifecycle"] == 6
    again = await apply_plan(empty_broker.bootstrap, plan)
    assert [outcome for _, outcome in again] == ["exists"] * (len(FIXED_TOPICS) + 2)


async def test_a_service_refuses_to_start_when_a_topic_is_missing(empty_broker: TansuBroker, pg_url: str) -> None:
    settings = CoreSettings(kafka_bootstrap_servers=empty_broker.bootstrap, database_url=pg_url)
    runtime = await build_runtime(settings, ("intake",))
    try:
        with pytest.raises(MissingTopics, match="hotline kafka topics apply"):
            await runtime.start()
    finally:
        await runtime.stop()
    assert await existing_topics(empty_broker.bootstrap) == {}  # nothing was created behind the operator's back
