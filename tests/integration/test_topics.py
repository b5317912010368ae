"""Topics are provisioned from the plan, idempotently, and a service refuses to start against a
broker that lacks one (instead of relying on automatic creation)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.structs import OffsetAndMetadata

from schemas.events import FIXED_TOPICS
from services.bootstrap import build_runtime
from services.settings import CoreSettings
from services.status import CONSUMER_GROUPS
from services.topics import MissingTopics, apply_plan, consumer_group_lag, existing_topics, topic_plan
from tests.support.broker import TansuBroker
from tests.support.shared_secrets import SHARED_SECRETS

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


async def test_status_reads_each_consumer_groups_lag_from_the_broker(empty_broker: TansuBroker) -> None:
    """`hotline status` with a broker: the router's, feedback's and the reports consumer's lag."""
    assert {"hotline-router", "hotline-feedback", "hotline-reports"} <= set(CONSUMER_GROUPS)
    await apply_plan(empty_broker.bootstrap, topic_plan(CoreSettings(), []))
    producer = AIOKafkaProducer(bootstrap_servers=empty_broker.bootstrap)
    await producer.start()
    try:
        for _ in range(5):
            await producer.send_and_wait("hotline.lifecycle", b"{}", key=b"wo_1", partition=0)
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(bootstrap_servers=empty_broker.bootstrap, group_id="hotline-router",
                                enable_auto_commit=False)
    await consumer.start()
    try:
        consumer.assign([TopicPartition("hotline.lifecycle", 0)])
        await consumer.commit({TopicPartition("hotline.lifecycle", 0): OffsetAndMetadata(2, "")})
    finally:
        await consumer.stop()
    lag = await consumer_group_lag(empty_broker.bootstrap, CONSUMER_GROUPS)
    assert lag["hotline-router"] == 3 and lag["hotline-feedback"] is None and lag["hotline-reports"] is None


def test_serve_against_a_broker_without_the_topics_fails_in_one_line(empty_broker: TansuBroker, pg_url: str,
                                                                      tmp_path: Path) -> None:
    environment = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    environment.update({"HOTLINE_DATA_DIR": str(tmp_path), "KAFKA_BOOTSTRAP_SERVERS": empty_broker.bootstrap,
                        "DATABASE_URL": pg_url,
                        **SHARED_SECRETS})
    done = subprocess.run([sys.executable, "-m", "services.cli", "serve", "router", "--port", "0"],
                          capture_output=True, text=True, env=environment, timeout=120)
    assert done.returncode == 1, done.stderr
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("hotline: error: ") and "hotline kafka topics apply" in line
