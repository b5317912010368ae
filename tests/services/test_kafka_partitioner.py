"""The producer's partitioner is Kafka's own (aiokafka's DefaultPartitioner: murmur2 of the key), so
that an order's events keep one partition per topic whoever publishes them; only the hash is
remembered."""

from __future__ import annotations

import random
import uuid

from aiokafka.partitioner import DefaultPartitioner

from services.bus.kafka import partition_for_key


def test_every_key_lands_where_kafkas_default_partitioner_puts_it_the_second_time_too() -> None:
    rng = random.Random(11)
    default = DefaultPartitioner()
    keys = [f"wo_{uuid.UUID(int=rng.getrandbits(128)).hex}".encode() for _ in range(2000)]
    keys += [b"", b"a", "并单".encode(), bytes(range(256))]
    for key in keys:
        for count in (1, 2, 3, 6, 12, 50):
            partitions = list(range(count))
            expected = default(key, partitions, partitions)
            assert partition_for_key(key, partitions, partitions) == expected
            assert partition_for_key(key, partitions, partitions) == expected
    assert partition_for_key(None, [0, 1, 2], [2]) == 2  # no key: one of those available, as before
