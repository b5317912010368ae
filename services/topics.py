"""Every Kafka topic the configuration needs, and provisioning them (`hotline kafka topics plan|apply`).

The services do not rely on a broker's automatic topic creation: an operator applies the plan once
(and again after adding a unit), and a service started against Kafka with a topic missing refuses
to start (HOTLINE_KAFKA_MISSING_TOPICS=fail, the default) or creates it (=create, for development).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from schemas.events import FIXED_TOPICS, dispatch_topic
from services.settings import CoreSettings


@dataclass(frozen=True)
class TopicSpec:
    name: str
    partitions: int
    replication_factor: int
    config: dict[str, str] = field(default_factory=dict)

    def line(self) -> str:
        settings = "".join(f" {k}={v}" for k, v in sorted(self.config.items()))
        return f"{self.name}\tpartitions={self.partitions}\treplication_factor={self.replication_factor}{settings}"


def topic_plan(settings: CoreSettings, unit_codes: Iterable[str]) -> list[TopicSpec]:
    """The fixed topics and one dispatch topic per handling unit, with the configured partitions and
    replication factor; with three or more replicas, `min.insync.replicas=2` (acks=all then means
    two copies)."""
    rf = settings.kafka_replication_factor
    config = {"min.insync.replicas": "2"} if rf >= 3 else {}
    fixed = [TopicSpec(t, settings.kafka_lifecycle_partitions, rf, config) for t in FIXED_TOPICS]
    units = [TopicSpec(dispatch_topic(code), settings.kafka_dispatch_partitions, rf, config)
             for code in sorted(set(unit_codes))]
    return fixed + units


def plan_for(settings: CoreSettings) -> list[TopicSpec]:
    """The plan for the shipped gazetteer and department catalogue (what the router dispatches to)."""
    from services.bootstrap import load_router

    return topic_plan(settings, load_router(settings).units())


async def existing_topics(bootstrap_servers: str, client_id: str = "hotline-topics") -> dict[str, int]:
    """Topic name -> partition count, as the broker reports them."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id=client_id, request_timeout_ms=10_000)
    await admin.start()
    try:
        described = await admin.describe_topics()
    finally:
        await admin.close()
    return {t["topic"]: len(t.get("partitions") or []) for t in described if not t.get("error_code")}


async def missing_topics(bootstrap_servers: str, plan: Iterable[TopicSpec]) -> list[str]:
    """The topics of the plan the broker does not have (names only: one metadata request)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id="hotline-topics",
                                request_timeout_ms=10_000)
    await admin.start()
    try:
        have = set(await admin.list_topics())
    finally:
        await admin.close()
    return [spec.name for spec in plan if spec.name not in have]


async def apply_plan(bootstrap_servers: str, plan: list[TopicSpec]) -> list[tuple[TopicSpec, str]]:
    """Create what is missing; leave what exists (a partition count that differs is reported, never
    changed: adding partitions moves keys between them). Returns (spec, outcome) for each topic."""
    have = await existing_topics(bootstrap_servers)
    new = [spec for spec in plan if spec.name not in have]
    if new:
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id="hotline-topics",
                                    request_timeout_ms=30_000)
        await admin.start()
        try:
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics([
                    NewTopic(s.name, num_partitions=s.partitions, replication_factor=s.replication_factor,
                             topic_configs=s.config) for s in new
                ])
        finally:
            await admin.close()
    outcomes = []
    for spec in plan:
        if spec.name not in have:
            outcomes.append((spec, "created"))
        elif have[spec.name] != spec.partitions:
            outcomes.append((spec, f"exists with {have[spec.name]} partitions (left as it is)"))
        else:
            outcomes.append((spec, "exists"))
    return outcomes


class MissingTopics(RuntimeError):
    """Topics of the plan are not on the broker, and the services are not to create them."""

    def __init__(self, missing: list[str]) -> None:
        self.missing = missing
        shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
        super().__init__(f"{len(missing)} Kafka topic(s) of the plan are missing ({shown}): run "
                         "`hotline kafka topics apply` (or set HOTLINE_KAFKA_MISSING_TOPICS=create)")


async def require_topics(settings: CoreSettings, unit_codes: Iterable[str]) -> None:
    """At start-up: every topic of the plan exists, or is created when the settings say so; else
    MissingTopics."""
    plan = topic_plan(settings, unit_codes)
    servers = settings.kafka_bootstrap_servers or ""
    if settings.kafka_missing_topics == "create":
        await apply_plan(servers, plan)
        return
    missing = await missing_topics(servers, plan)
    if missing:
        raise MissingTopics(missing)


async def consumer_group_lag(bootstrap_servers: str,
                             groups: Mapping[str, Sequence[str]]) -> dict[str, int | None]:
    """Each group's total lag over the partitions of its topics it has committed on (None: no
    offsets yet). The partitions are named in the offset fetch: asking for "all of the group's"
    is a form some Kafka-protocol brokers (Tansu) answer in a shape the client cannot read."""
    from aiokafka import AIOKafkaConsumer, TopicPartition

    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id="hotline-status",
                                request_timeout_ms=10_000)
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap_servers, client_id="hotline-status")
    try:
        await admin.start()
        await consumer.start()
        out: dict[str, int | None] = {}
        await consumer.topics()  # the cluster's metadata: every topic's partitions
        for group, topics in groups.items():
            partitions = [TopicPartition(topic, p) for topic in topics
                          for p in sorted(consumer.partitions_for_topic(topic) or ())]
            fetched = await admin.list_consumer_group_offsets(group, partitions=partitions) if partitions else {}
            committed = {tp: meta for tp, meta in fetched.items() if meta.offset >= 0}
            if not committed:
                out[group] = None
                continue
            ends = await consumer.end_offsets(list(committed))
            out[group] = sum(max(0, ends[tp] - meta.offset) for tp, meta in committed.items() if meta.offset >= 0)
        return out
    finally:
        await consumer.stop()
        await admin.close()
