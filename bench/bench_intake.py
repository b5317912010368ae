"""Intake throughput and accepted->dispatch latency on PostgreSQL + a Kafka-protocol broker.

Starts a Tansu broker and the four services as separate processes (`hotline serve intake` …, one
uvicorn worker each, as in production; `--together` runs `hotline serve all` instead) on
127.0.0.1 with a fresh PostgreSQL database, then:
  1. throughput: CONCURRENCY clients post TOTAL appeals as fast as they are answered;
  2. waits until the router has dispatched that backlog (so phase 3 measures latency, not backlog);
  3. latency: appeals offered at a fixed RATE per second for SECONDS; a plain aiokafka consumer
     on every unit's dispatch topic notes when each order's dispatch event arrives.
Prints medians and percentiles. Usage: python bench/bench_intake.py [--total N] [--rate R] ...
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from aiokafka import AIOKafkaConsumer

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.broker import TansuBroker, free_port  # noqa: E402
from tests.support.postgres import create_database, drop_database  # noqa: E402
from tests.support.shared_secrets import SHARED_SECRETS  # noqa: E402

TEXTS = [
    "小区从早上开始停水，一直没有通知什么时候来水。",
    "楼上邻居半夜吵闹，沟通无果，请社区调解。",
    "公司拖欠工资两个月，老板不接电话。",
    "路口红绿灯坏了，早高峰很乱。",
    "楼下烧烤店的油烟直排进居民楼，窗户都不敢开，请城管处理。",
    "超市卖过期食品，要求处理。",
]


def transport(connections: int = 10) -> httpx.AsyncHTTPTransport:
    # TCP_NODELAY: otherwise Nagle + delayed ACK stall every POST (headers and body are two writes) ~40 ms.
    return httpx.AsyncHTTPTransport(limits=httpx.Limits(max_connections=connections),
                                    socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)])


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def wait_ready(base: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient() as client:
        while time.monotonic() < deadline:
            try:
                if (await client.get(f"{base}/readyz")).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.3)
    raise RuntimeError("service did not become ready")


async def post(client: httpx.AsyncClient, i: int, tag: str) -> tuple[str, float]:
    body = {"channel": "web", "text": TEXTS[i % len(TEXTS)], "address": "城关镇", "external_id": f"{tag}-{i}"}
    response = await client.post("/v1/appeals", json=body)
    response.raise_for_status()
    return response.json()["work_order_id"], time.monotonic()


async def throughput(base: str, total: int, concurrency: int, tag: str) -> float:
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(total):
        queue.put_nowait(i)
    async with httpx.AsyncClient(base_url=base, timeout=30, transport=transport(concurrency)) as client:
        async def worker() -> None:
            while not queue.empty():
                await post(client, queue.get_nowait(), tag)

        start = time.monotonic()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return total / (time.monotonic() - start)


async def drained(base: str, timeout: float = 600) -> float:
    """Seconds until no order is left in `received` (the router has caught up)."""
    start = time.monotonic()
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        while time.monotonic() - start < timeout:
            if not (await client.get("/v1/reports/states")).json().get("received"):
                return time.monotonic() - start
            await asyncio.sleep(0.5)
    raise RuntimeError("the router did not catch up")


async def latency(base: str, units_base: str, bootstrap: str, rate: float, seconds: float
                  ) -> tuple[list[float], int, int]:
    async with httpx.AsyncClient(base_url=units_base, timeout=30) as client:
        units = [u["topic"] for u in (await client.get("/v1/units")).json()]
    async with httpx.AsyncClient(base_url=base, timeout=30, transport=transport(64)) as client:
        consumer = AIOKafkaConsumer(*units, bootstrap_servers=bootstrap, group_id=f"bench-{time.time_ns()}",
                                    auto_offset_reset="earliest", enable_auto_commit=False, fetch_max_wait_ms=50)
        await consumer.start()
        arrivals: dict[str, float] = {}
        stop = asyncio.Event()

        async def consume() -> None:
            while not stop.is_set():
                for records in (await consumer.getmany(timeout_ms=200)).values():
                    now = time.monotonic()
                    for r in records:
                        arrivals.setdefault(r.key.decode(), now)

        consuming = asyncio.create_task(consume())
        accepted: dict[str, float] = {}
        n = int(rate * seconds)
        start = time.monotonic()
        tasks = []
        for i in range(n):
            await asyncio.sleep(max(0.0, start + i / rate - time.monotonic()))
            tasks.append(asyncio.create_task(post(client, i, f"lat{int(start)}")))
        for order_id, at in await asyncio.gather(*tasks):
            accepted[order_id] = at
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not set(accepted) <= set(arrivals):
            await asyncio.sleep(0.2)
        stop.set()
        await consuming
        await consumer.stop()
    lat = [(arrivals[o] - t) * 1000 for o, t in accepted.items() if o in arrivals]
    return lat, len(accepted), len(lat)  # unseen ones were held for review or redirected


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--total", type=int, default=2000, help="appeals in the throughput phase")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3, help="throughput rounds; the median is reported")
    parser.add_argument("--rate", type=float, default=50.0, help="offered appeals/s in the latency phase")
    parser.add_argument("--together", action="store_true", help="all four services in one process")
    parser.add_argument("--seconds", type=float, default=15.0)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="hotline-bench-"))
    broker = TansuBroker(workdir)
    broker.start()
    name, url = await create_database()
    env = {**os.environ, "DATABASE_URL": url, "KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap, **SHARED_SECRETS,
           "HOTLINE_RELAY_POLL_SECONDS": "0.2"}  # the default: NOTIFY wakes the relay
    names = ["all"] if args.together else ["intake", "router", "escalation", "feedback"]
    urls: dict[str, str] = {}
    servers = []
    for service in names:
        port = free_port()
        urls[service] = f"http://127.0.0.1:{port}"
        servers.append(subprocess.Popen(
            [sys.executable, "-m", "services.cli", "serve", service, "--port", str(port), "--no-access-log"],
            cwd=ROOT, env=env, stdout=(workdir / f"{service}.log").open("wb"), stderr=subprocess.STDOUT,
        ))
    intake = urls.get("intake", urls.get("all", ""))
    router = urls.get("router", intake)
    feedback = urls.get("feedback", intake)
    try:
        for base in urls.values():
            await wait_ready(base)
        rates = []
        for n in range(args.rounds):
            rates.append(await throughput(intake, args.total // args.rounds, args.concurrency, f"tp{n}"))
        rate = statistics.median(rates)
        catch_up = await drained(feedback)
        lat, sent, seen = await latency(intake, router, broker.bootstrap, args.rate, args.seconds)
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(20)
        broker.stop()
        await drop_database(name)
    layout = "one process running all four services" if args.together else "four service processes"
    print(f"machine: {os.cpu_count()} cores; PostgreSQL 127.0.0.1:5432; Tansu broker; {layout}, one uvicorn "
          "worker each; access log off")
    print(f"intake throughput: median {rate:,.0f} appeals/s accepted over {args.rounds} rounds "
          f"({', '.join(f'{r:,.0f}' for r in rates)}; {args.total} appeals, {args.concurrency} clients)")
    print(f"router caught up with that backlog {catch_up:.1f} s after the last appeal was accepted "
          f"(about {args.total / (args.total / rate + catch_up):,.0f} appeals/s routed end to end)")
    print(f"accepted -> dispatch event on the unit's topic at {args.rate:.0f}/s offered for {args.seconds:.0f}s: "
          f"{seen}/{sent} seen" + (" (the rest were held for a dispatcher's review)" if seen < sent else ""))
    if lat:
        print(f"  latency p50 {statistics.median(lat):.0f} ms, p90 {percentile(lat, 0.9):.0f} ms, "
              f"p99 {percentile(lat, 0.99):.0f} ms, max {max(lat):.0f} ms")


if __name__ == "__main__":
    asyncio.run(main())
