"""What a consumer's fetch wait costs on the test broker (Tansu), and what it buys.

Tansu answers a waiting fetch only when the wait runs out, so a record produced while a consumer's
fetch is parked waits for it. For each wait given, one consumer group reads a 6-partition topic
while one record is produced at a random moment every 50-150 ms; printed: produced (acks in) ->
read, ms p50 / p90 / max, and the broker's CPU (% of one core) while that consumer idles for 5 s.

    .venv/bin/python bench/bench_fetch_wait.py [--waits 100,20] [--records 80]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.broker import TansuBroker  # noqa: E402


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / 100  # utime + stime, in clock ticks of 10 ms


async def one_wait(bootstrap: str, pid: int, wait_ms: int, records: int) -> str:
    topic = f"wait-{wait_ms}-{time.time_ns()}"
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, num_partitions=6, replication_factor=1)])
    finally:
        await admin.close()
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=topic, enable_auto_commit=False,
                                auto_offset_reset="earliest", fetch_max_wait_ms=wait_ms)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=0)
    await consumer.start()
    await producer.start()
    sent: dict[bytes, float] = {}
    delays: list[float] = []

    async def read() -> None:
        while len(delays) < records:
            for batch in (await consumer.getmany(timeout_ms=500)).values():
                now = time.monotonic()
                delays.extend((now - sent[r.key]) * 1000 for r in batch if r.key in sent)

    try:
        reader = asyncio.create_task(read())
        await asyncio.sleep(1.0)  # the group formed, the first fetches parked
        for i in range(records):
            await asyncio.sleep(random.uniform(0.05, 0.15))
            key = str(i).encode()
            await producer.send_and_wait(topic, b"x", key=key)
            sent[key] = time.monotonic()
        await asyncio.wait_for(reader, 10)
        before, start = cpu_seconds(pid), time.monotonic()
        idle = asyncio.create_task(consumer.getmany(timeout_ms=5000))
        await asyncio.sleep(5.0)
        busy = (cpu_seconds(pid) - before) / (time.monotonic() - start) * 100
        idle.cancel()
    finally:
        await producer.stop()
        await consumer.stop()
    delays.sort()
    return (f"fetch wait {wait_ms:>4} ms: read after p50 {statistics.median(delays):.0f}, "
            f"p90 {delays[int(0.9 * (len(delays) - 1))]:.0f}, max {delays[-1]:.0f} ms ({len(delays)} records); "
            f"broker idle with this consumer {busy:.1f}% of a core")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--waits", default="100,20", help="fetch waits to try, ms, comma-separated")
    parser.add_argument("--records", type=int, default=80)
    args = parser.parse_args()
    broker = TansuBroker(Path(tempfile.mkdtemp(prefix="hotline-fetch-wait-")))
    broker.start()
    try:
        assert broker.process is not None
        for wait in (int(w) for w in args.waits.split(",")):
            print(await one_wait(broker.bootstrap, broker.process.pid, wait, args.records), flush=True)
    finally:
        broker.stop()


if __name__ == "__main__":
    asyncio.run(main())
