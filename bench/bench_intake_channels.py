"""Intake throughput per channel on PostgreSQL + a Kafka-protocol broker.

Starts a Tansu broker and `hotline serve intake` (one uvicorn worker, access log off; its outbox relay
publishes every `received` event to the broker) on 127.0.0.1 with a fresh PostgreSQL database, issues
an operator key with `hotline keys create`, then posts each channel's own payload (its required fields,
a caller's phone, varied matters and places, each its own incident) as fast as CONCURRENCY clients are answered. The
channels take turns, ROUNDS times over, so a noisy neighbour hurts them alike; the median per channel
is printed, with how many were merged (并单) into an open order, and the relay's backlog at the end.

Usage: python bench/bench_intake_channels.py [--per-channel N] [--rounds R] [--concurrency C]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench_intake import transport, wait_ready  # noqa: E402

from tests.support.broker import TansuBroker, free_port  # noqa: E402
from tests.support.postgres import create_database, drop_database  # noqa: E402
from tests.support.shared_secrets import SHARED_SECRETS  # noqa: E402

MATTERS = [
    "从早上开始停水，一直没有通知什么时候来水，家里老人做饭都没水。",
    "路灯坏了一整排，晚上黑漆漆的，走路很危险。",
    "楼下烧烤店的油烟直排进居民楼，窗户都不敢开。",
    "垃圾池满了好几天没人清运，臭气熏天。",
    "路面塌了一个大坑，电动车骑过去差点摔倒。",
    "工地晚上十二点还在施工，噪音吵得睡不着。",
    "下水道堵了，污水漫到路上。",
    "公交站的站牌被撞倒了，一直没人修。",
]
PLACES = ["城关镇解放社区", "东湖镇湖滨社区", "白沙镇沙洲村", "西岭镇岭下村", "南桥镇", "北山乡北山村",
          "城关镇文昌社区", "白沙镇白沙大道"]


START = datetime.now(UTC)


def body(channel: str, i: int, tag: str, serial: int) -> dict[str, Any]:
    """The i-th appeal of `channel`: its own required fields, a matter and a place that vary. Each is
    its own incident: `serial` (unique over the run) picks one of the places x matters, and every
    round of those its reported_at 73 hours from the last, outside the duplicate window, so the
    duplicate check runs in full and nothing is merged."""
    place = PLACES[serial % len(PLACES)]
    matter = MATTERS[(serial // len(PLACES)) % len(MATTERS)]
    slot = serial // (len(PLACES) * len(MATTERS))
    text = f"{place}{i % 97 + 1}号附近{matter}"
    common: dict[str, Any] = {"channel": channel, "text": text, "address": f"{place}{i % 97 + 1}号",
                              "external_id": f"{tag}-{i}", "caller_phone": f"139{i % 100_000_000:08d}",
                              "reported_at": (START - timedelta(hours=73 * slot)).isoformat()}
    extra: dict[str, dict[str, Any]] = {
        "12345_phone": {"caller_name": "张先生"},
        "12315": {"business": {"name": f"惠民超市{i % 50}店"}, "goods_or_service": "牛奶", "demand": "退款",
                  "text": f"在{place}的超市买到过期{i % 9 + 1}天的牛奶，商家不给退。"},
        "web": {}, "mini_program": {}, "wechat": {},
        "grid_worker": {"grid_code": f"G-{i % 40:02d}", "worker_id": f"W-{i % 17}"},
        "online_opinion": {"platform": "微博", "url": f"https://weibo.example/p/{tag}{i}"},
        "upper_transfer": {"upper_body": "市12345中心", "reference_no": f"SZ-{tag}-{i}",
                           "deadline": "2027-06-30T17:00:00+08:00"},
        "offline_visit": {"visit_kind": "来访"},
        "email": {"sender": f"citizen{i}@example.cn"},
        "sms": {"sender": f"139{i % 100_000_000:08d}"},
    }
    return {**common, **extra[channel]}


CHANNELS = ["12345_phone", "12315", "web", "mini_program", "wechat", "grid_worker", "online_opinion",
            "upper_transfer", "offline_visit", "email", "sms"]


def operator_key(env: dict[str, str]) -> str:
    out = subprocess.run([sys.executable, "-m", "services.cli", "keys", "create", "--role", "operator",
                          "--name", "bench operator"], cwd=ROOT, env=env, check=True, capture_output=True,
                         text=True).stdout
    return next(line.split()[1] for line in out.splitlines() if line.startswith("key:"))


async def one_channel(base: str, key: str, channel: str, n: int, concurrency: int, tag: str,
                      serials: Iterator[int]) -> tuple[float, Counter[str]]:
    """Post n appeals of one channel; appeals/s accepted and the states they were answered with."""
    numbers = iter(range(n))
    states: Counter[str] = Counter()
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(base_url=base, timeout=60, transport=transport(concurrency),
                                 headers=headers) as client:
        async def worker() -> None:
            for i in numbers:
                response = await client.post("/v1/appeals", json=body(channel, i, tag, next(serials)),
                                             headers={"Idempotency-Key": f"{channel}-{tag}-{i}"})
                if response.status_code != 201:
                    raise RuntimeError(f"{channel}: {response.status_code} {response.text[:200]}")
                states[response.json().get("state", "?")] += 1

        start = time.monotonic()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return n / (time.monotonic() - start), states


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--per-channel", type=int, default=200, help="appeals per channel per round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds over all channels; medians reported")
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="hotline-bench-channels-"))
    broker = TansuBroker(workdir)
    broker.start()
    name, url = await create_database()
    env = {**os.environ, "DATABASE_URL": url, "KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap, **SHARED_SECRETS,
           "HOTLINE_KAFKA_MISSING_TOPICS": "create"}
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "services.cli", "serve", "intake", "--port", str(port), "--no-access-log"],
        cwd=ROOT, env=env, stdout=(workdir / "intake.log").open("wb"), stderr=subprocess.STDOUT)
    rates: dict[str, list[float]] = {c: [] for c in CHANNELS}
    states: dict[str, Counter[str]] = {c: Counter() for c in CHANNELS}
    try:
        await wait_ready(base, timeout=120)
        key = operator_key(env)
        serials = itertools.count()
        for r, channel in itertools.product(range(args.rounds), CHANNELS):
            rate, seen = await one_channel(base, key, channel, args.per_channel, args.concurrency, f"r{r}",
                                           serials)
            rates[channel].append(rate)
            states[channel] += seen
        async with httpx.AsyncClient(base_url=base, timeout=30) as client:
            metrics = (await client.get("/metrics")).text
    finally:
        server.terminate()
        server.wait(30)
        broker.stop()
        await drop_database(name)
    backlog = next((line.split()[-1] for line in metrics.splitlines()
                    if line.startswith("hotline_outbox_backlog_events")), "?")
    load = os.getloadavg()[0]
    print(f"machine: {os.cpu_count()} cores, load average {load:.1f}; PostgreSQL 127.0.0.1:5432; Tansu broker; "
          f"`hotline serve intake`, one uvicorn worker, access log off; {args.concurrency} clients; "
          f"{args.per_channel} appeals per channel per round, {args.rounds} rounds")
    print(f"{'channel':<16}{'median appeals/s':>18}   rounds                 merged (并单)")
    for channel in CHANNELS:
        merged = states[channel].get("merged", 0)
        total = sum(states[channel].values())
        print(f"{channel:<16}{statistics.median(rates[channel]):>18,.0f}   "
              f"{', '.join(f'{x:,.0f}' for x in rates[channel]):<22} {merged}/{total}")
    every = [x for values in rates.values() for x in values]
    print(f"all channels: median {statistics.median(every):,.0f} appeals/s; outbox backlog at the end: {backlog} "
          "events (the relay publishes while intake accepts)")


if __name__ == "__main__":
    asyncio.run(main())
