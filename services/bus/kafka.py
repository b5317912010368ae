"""Kafka adapter (aiokafka), plain Kafka protocol only.

Producer: acks=all, no idempotent producer (the outbox + idempotent consumers give the safety),
sends pipelined and awaited together. Consumers: one group per service, auto-commit off,
earliest reset, offsets committed only after the handler's database transaction committed.
Topics come from the plan (`hotline kafka topics apply`, services.topics); only with
HOTLINE_KAFKA_MISSING_TOPICS=create does the bus create what it lacks, with the partition count we
mean (brokers that auto-create would pick their own).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Mapping, Sequence
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError
from aiokafka.partitioner import DefaultPartitioner, murmur2

from schemas.events import DISPATCH_TOPIC_PREFIX, EventEnvelope
from services.bus.base import BatchHandler, Handler, RawRecord, Subscription, UnreadableHandler
from services.bus.cloudevents import UnreadableRecord, from_kafka, to_kafka
from services.metrics import CONSUMER_LAG, EVENTS_DEAD_LETTERED, EVENTS_FAILED
from services.naming import snake_case

log = logging.getLogger(__name__)

# aiokafka's murmur2 is pure Python (~10 µs for an order id); an order's events (received and
# dispatched on the lifecycle topic, dispatched on its unit's topic) are keyed alike and published
# within moments of each other, so the relay hashes each key about once instead of three times.
_key_hash = functools.lru_cache(maxsize=8192)(murmur2)


def partition_for_key(key: bytes | None, all_partitions: list[int], available: list[int]) -> int:
    """aiokafka's DefaultPartitioner (Kafka's own: murmur2 of the key), its hash remembered."""
    if key is None:
        return int(DefaultPartitioner()(key, all_partitions, available))
    return all_partitions[(_key_hash(key) & 0x7FFFFFFF) % len(all_partitions)]


class KafkaBus:
    def __init__(
        self,
        bootstrap_servers: str,
        *,
        client_id: str = "hotline",
        dispatch_partitions: int = 3,
        default_partitions: int = 6,
        replication_factor: int = 1,
        retry_seconds: float = 1.0,
        fetch_max_wait_ms: int = 100,
        consumer_fetch_max_wait_ms: Mapping[str, int] | None = None,
        create_topics: bool = True,
    ) -> None:
        self.bootstrap_servers = bootstrap_servers
        self.client_id = client_id
        self.dispatch_partitions = dispatch_partitions
        self.default_partitions = default_partitions
        self.replication_factor = replication_factor
        self.retry_seconds = retry_seconds
        self.fetch_max_wait_ms = fetch_max_wait_ms
        # Per consumer group, where one is on the path of every appeal: a broker that answers a
        # waiting fetch only when the wait expires (Tansu) holds each record up to that long.
        self.consumer_fetch_max_wait_ms = dict(consumer_fetch_max_wait_ms or {})
        self.create_topics = create_topics  # False: topics come from `hotline kafka topics apply`
        self._producer: AIOKafkaProducer | None = None
        self._subscriptions: list[Subscription] = []
        self._tasks: list[asyncio.Task[None]] = []
        self._known_topics: set[str] = set()
        self._stopping = asyncio.Event()

    # ---- lifecycle -------------------------------------------------------------------------
    async def start(self) -> None:
        self._stopping.clear()
        for sub in self._subscriptions:
            self._tasks.append(asyncio.create_task(self._consume(sub), name=f"consumer:{sub.consumer}"))

    async def stop(self) -> None:
        self._stopping.set()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks.clear()
        if self._producer is not None:
            with contextlib.suppress(Exception):
                await self._producer.stop()
            self._producer = None

    async def ready(self) -> bool:
        admin = AIOKafkaAdminClient(bootstrap_servers=self.bootstrap_servers, request_timeout_ms=3000)
        try:
            await asyncio.wait_for(admin.start(), 5)
            await asyncio.wait_for(admin.list_topics(), 5)
            return True
        except (TimeoutError, KafkaError, OSError):
            return False
        finally:
            with contextlib.suppress(Exception):
                await admin.close()

    # ---- topics ----------------------------------------------------------------------------
    def partitions_for(self, topic: str) -> int:
        return self.dispatch_partitions if topic.startswith(DISPATCH_TOPIC_PREFIX) else self.default_partitions

    async def ensure_topics(self, topics: Sequence[str]) -> None:
        """Create the topics we have not seen yet (existing ones are left as they are)."""
        missing = [t for t in dict.fromkeys(topics) if t not in self._known_topics]
        if not missing or not self.create_topics:  # provisioned by the operator: a send to a missing topic fails
            return
        admin = AIOKafkaAdminClient(bootstrap_servers=self.bootstrap_servers, client_id=self.client_id)
        await admin.start()
        try:
            existing = set(await admin.list_topics())
            new = [
                NewTopic(t, num_partitions=self.partitions_for(t), replication_factor=self.replication_factor)
                for t in missing
                if t not in existing
            ]
            if new:
                with contextlib.suppress(TopicAlreadyExistsError):
                    await admin.create_topics(new)
            self._known_topics.update(missing)
        finally:
            await admin.close()

    def forget_topics(self) -> None:
        """Forget which topics exist (after a broker restart that lost them)."""
        self._known_topics.clear()

    # ---- produce ---------------------------------------------------------------------------
    async def _get_producer(self) -> AIOKafkaProducer:
        if self._producer is None:
            producer = AIOKafkaProducer(
                bootstrap_servers=self.bootstrap_servers,
                client_id=self.client_id,
                acks="all",
                enable_idempotence=False,
                linger_ms=0,
                request_timeout_ms=10_000,
                partitioner=partition_for_key,
            )
            try:
                await producer.start()
            except BaseException:
                with contextlib.suppress(Exception):
                    await producer.stop()
                raise
            self._producer = producer
        return self._producer

    async def publish(self, events: Sequence[EventEnvelope]) -> None:
        if not events:
            return
        try:
            await self.ensure_topics([e.topic for e in events])
            producer = await self._get_producer()
            futures = []
            for event in events:
                key, value, headers = to_kafka(event)
                futures.append(await producer.send(event.topic, value=value, key=key, headers=headers))
            await asyncio.gather(*futures)
        except BaseException:
            # A broken connection can leave the producer unusable: start afresh next time.
            self.forget_topics()
            if self._producer is not None:
                with contextlib.suppress(Exception):
                    await self._producer.stop()
                self._producer = None
            raise

    # ---- consume ---------------------------------------------------------------------------
    def subscribe(
        self, consumer: str, topics: Sequence[str], handler: Handler, *, batch: BatchHandler | None = None,
        unreadable: UnreadableHandler | None = None,
    ) -> None:
        self._subscriptions.append(Subscription(consumer, frozenset(topics), handler, batch, unreadable))

    async def _consume(self, sub: Subscription) -> None:
        while not self._stopping.is_set():
            consumer = AIOKafkaConsumer(
                *sub.topics,
                bootstrap_servers=self.bootstrap_servers,
                client_id=f"{self.client_id}-{sub.consumer}",
                group_id=sub.consumer,
                enable_auto_commit=False,
                auto_offset_reset="earliest",
                max_poll_records=200,
                fetch_max_wait_ms=self.consumer_fetch_max_wait_ms.get(sub.consumer, self.fetch_max_wait_ms),
            )
            try:
                await self.ensure_topics(sorted(sub.topics))
                await consumer.start()
                await self._consume_loop(consumer, sub)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("consumer %s lost its broker (%s); retrying", sub.consumer, exc)
                self.forget_topics()
                await asyncio.sleep(self.retry_seconds)
            finally:
                with contextlib.suppress(Exception):
                    await consumer.stop()

    async def _consume_loop(self, consumer: AIOKafkaConsumer, sub: Subscription) -> None:
        while not self._stopping.is_set():
            batches = await consumer.getmany(timeout_ms=500, max_records=200)
            if not batches:
                continue
            if sub.batch is not None:
                await self._handle_together(consumer, sub, batches)
                continue
            # Partitions are independent (one key lives on one partition), so they are handled
            # concurrently; within a partition records are handled strictly in order.
            results = await asyncio.gather(*(self._handle_partition(sub, tp, records)
                                             for tp, records in batches.items()))
            commits: dict[TopicPartition, int] = {}
            for tp, (next_offset, failed) in zip(batches, results, strict=True):
                if next_offset is not None:
                    commits[TopicPartition(tp.topic, tp.partition)] = next_offset
                if failed is not None:
                    consumer.seek(tp, failed)
            if commits:
                await consumer.commit(commits)
            self._record_lag(consumer, sub, batches, commits)
            if any(failed is not None for _, failed in results):
                await asyncio.sleep(self.retry_seconds)

    async def _handle_together(
        self, consumer: AIOKafkaConsumer, sub: Subscription, batches: dict[TopicPartition, list[Any]]
    ) -> None:
        """Everything fetched at once goes to the batch handler in one call (each partition's
        records in order); on failure every partition goes back to its first record."""
        assert sub.batch is not None
        events: list[EventEnvelope] = []
        try:
            for tp, records in batches.items():
                for record in records:
                    try:
                        events.append(from_kafka(tp.topic, record.key, record.value, record.headers))
                    except UnreadableRecord as exc:
                        await self._unreadable(sub, tp, record, exc)
            if events:
                await sub.batch(events)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("consumer %s failed on a batch of %d; will retry", sub.consumer, len(events))
            for tp in batches:
                EVENTS_FAILED.labels(sub.consumer, tp.topic).inc()
            for tp, records in batches.items():
                consumer.seek(tp, records[0].offset)
            await asyncio.sleep(self.retry_seconds)
            return
        commits = {TopicPartition(tp.topic, tp.partition): records[-1].offset + 1 for tp, records in batches.items()}
        await consumer.commit(commits)
        self._record_lag(consumer, sub, batches, commits)

    def _record_lag(self, consumer: AIOKafkaConsumer, sub: Subscription, batches: dict[TopicPartition, list[Any]],
                    commits: dict[TopicPartition, int]) -> None:
        """Lag per partition: the broker's high watermark minus our committed position; when the
        broker has not reported a watermark, what we fetched and have not committed."""
        for tp, records in batches.items():
            committed = commits.get(TopicPartition(tp.topic, tp.partition))
            highwater = consumer.highwater(tp)
            if highwater is not None and committed is not None:
                lag = max(0, highwater - committed)
            else:
                lag = len(records) if committed is None else max(0, records[-1].offset + 1 - committed)
            CONSUMER_LAG.labels(sub.consumer, tp.topic, str(tp.partition)).set(lag)

    async def _handle_partition(
        self, sub: Subscription, tp: TopicPartition, records: list[Any]
    ) -> tuple[int | None, int | None]:
        """(offset to commit, offset to retry from) after handling `records` in order."""
        done: int | None = None
        for record in records:
            try:
                try:
                    event = from_kafka(tp.topic, record.key, record.value, record.headers)
                except UnreadableRecord as exc:
                    await self._unreadable(sub, tp, record, exc)
                else:
                    await sub.handler(event)
            except asyncio.CancelledError:
                raise
            except Exception:
                # The handler's own refusals are dealt with inside it: what reaches here is the
                # database or broker failing, which a retry of this record can get past.
                log.exception("consumer %s failed on %s@%s; will retry", sub.consumer, tp, record.offset)
                EVENTS_FAILED.labels(sub.consumer, tp.topic).inc()
                return (done + 1 if done is not None else None), record.offset
            done = record.offset
        return (done + 1 if done is not None else None), None

    async def _unreadable(self, sub: Subscription, tp: TopicPartition, record: Any, exc: UnreadableRecord) -> None:
        """A record that is not a readable event: never retried as such (it would never read), but
        handed to the subscription's dead-letter handler, or logged and skipped."""
        EVENTS_DEAD_LETTERED.labels(sub.consumer, tp.topic, snake_case(type(exc).__name__)).inc()
        if sub.unreadable is None:
            log.error("consumer %s skips unreadable record %s@%s: %s", sub.consumer, tp, record.offset, exc)
            return
        raw = RawRecord(topic=tp.topic, partition=tp.partition, offset=record.offset, key=record.key,
                        value=record.value, headers=tuple(record.headers or ()))
        await sub.unreadable(raw, exc)
