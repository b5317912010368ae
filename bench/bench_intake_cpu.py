"""Intake's own CPU per appeal on POST /v1/appeals, without an HTTP server or load generator.

The intake app (its lifespan: PostgreSQL in a fresh database, a Tansu broker) is called over raw
ASGI by CONCURRENCY tasks in this one process; the figure is this process's CPU time
(time.process_time) per accepted appeal, with the count of garbage collections and their CPU,
and the CPU the database's backends spent meanwhile per appeal (/proc, PostgreSQL on this machine). The
outbox relay is stopped (what it publishes is not intake's request path), and 300 appeals go
first, so that the near-duplicate check reads 300 open orders as under load. Every appeal is new,
at its own place (as bench/appeal.lua sends them). On a machine shared with other work the
figure is inflated with the neighbours (caches, the scheduler): compare runs alternated, not
runs apart.

`--outside-handler`: the appeal route's handler (apps/intake._lean_submit) answers at once
without touching the database, so the figure is what every request costs around it (middleware,
framework, the access log), best of three rounds.

Usage: python bench/bench_intake_cpu.py [--appeals N] [--concurrency C] [--outside-handler]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import itertools
import logging
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from starlette.types import ASGIApp, Message

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from services.apps import intake as intake_app  # noqa: E402
from services.logs import configure_logging  # noqa: E402
from services.settings import CoreSettings  # noqa: E402
from tests.support.broker import TansuBroker  # noqa: E402
from tests.support.postgres import ADMIN_DSN, create_database, drop_database  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pids: list[int]) -> dict[int, float]:
    out = {}
    for pid in pids:
        try:
            raw = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        fields = raw[raw.rindex(")") + 2:].split()
        out[pid] = (int(fields[11]) + int(fields[12])) / TICK
    return out


async def postgres_cpu(datname: str) -> dict[int, float]:
    """CPU seconds used so far by each backend of the database (by pid; /proc, utime + stime)."""
    import asyncpg

    conn = await asyncpg.connect(ADMIN_DSN)
    try:
        pids = [r["pid"] for r in await conn.fetch("SELECT pid FROM pg_stat_activity WHERE datname = $1", datname)]
    finally:
        await conn.close()
    return _cpu_seconds(pids)

TEXTS = ("小区从早上开始停水，一直没有通知什么时候来水。", "楼上邻居半夜吵闹，沟通无果，请社区调解。",
         "公司拖欠工资两个月，老板不接电话。", "路口红绿灯坏了，早高峰很乱。",
         "楼下烧烤店的油烟直排进居民楼，窗户都不敢开，请城管处理。", "超市卖过期食品，要求处理。")

def body(tag: str, i: int) -> bytes:
    """bench/appeal.lua's request: a new external id and a place of its own."""
    text, lat, long = TEXTS[i % len(TEXTS)], 20 + (i % 2000) * 0.01, 100 + (i // 2000 % 1000) * 0.01
    return (f'{{"channel":"web","text":"{text}（编号{tag}-{i}）","address":"城关镇","external_id":"{tag}-{i}",'
            f'"location":{{"lat":{lat:.2f},"long":{long:.2f}}}}}').encode()


async def post(app: ASGIApp, payload: bytes) -> int:
    """POST /v1/appeals over raw ASGI; the response's status."""
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
             "path": "/v1/appeals", "raw_path": b"/v1/appeals", "query_string": b"", "root_path": "",
             "headers": [(b"host", b"127.0.0.1"), (b"content-type", b"application/json"),
                         (b"content-length", str(len(payload)).encode())],
             "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000), "state": {}}
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": payload, "more_body": False}
        await asyncio.Event().wait()  # no disconnect
        raise AssertionError

    status: list[int] = []

    async def send(message: Message) -> None:
        if message["type"] == "http.response.start":
            status.append(message["status"])

    await app(scope, receive, send)
    return status[0]


# Every appeal of the process at a place (and with a text number) of its own: a measured batch that
# reused the warm-up's places would be merged into the warm-up's orders (并单) instead of routed.
_PLACES = itertools.count(10_000)


async def appeals(app: ASGIApp, tag: str, count: int, concurrency: int) -> None:
    left = count

    async def client() -> None:
        nonlocal left
        while left > 0:
            left -= 1
            status = await post(app, body(tag, next(_PLACES)))
            if status != 201:
                raise RuntimeError(f"POST /v1/appeals answered {status}")

    await asyncio.gather(*(client() for _ in range(concurrency)))


async def outside_handler(count: int) -> None:
    from fastapi import Request, Response

    async def at_once(request: Request) -> Response:
        await request.json()
        return Response(b'{"work_order_id":"wo_0"}', status_code=201, media_type="application/json")

    intake_app._lean_submit = at_once  # type: ignore[assignment]
    app = intake_app.create_intake_app(CoreSettings(database_url="sqlite+aiosqlite:///:memory:"),
                                       runtime=object())  # type: ignore[arg-type]  # never read
    await appeals(app, "warm", 500, 1)
    best = float("inf")
    for _ in range(3):
        began = time.process_time()
        await appeals(app, "o", count, 1)
        best = min(best, (time.process_time() - began) / count)
    print(f"outside the handler: {best * 1e6:.1f} µs of CPU per request (best of 3 x {count})")


@asynccontextmanager
async def intake_without_relay(prefix: str) -> AsyncIterator[tuple[FastAPI, str]]:
    """Intake's app, started, on a new PostgreSQL database and a Tansu broker with the topics applied,
    its outbox relay stopped (nothing else runs in the process); yields the app and the database's
    name. Both are gone afterwards."""
    broker = TansuBroker(Path(tempfile.mkdtemp(prefix=prefix)))
    broker.start()
    name, url = await create_database()
    try:
        env = {**os.environ, "DATABASE_URL": url, "KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap}
        subprocess.run([sys.executable, "-m", "services.cli", "kafka", "topics", "apply"], cwd=ROOT, env=env,
                       check=True, capture_output=True)
        app = intake_app.create_intake_app(CoreSettings(database_url=url, kafka_bootstrap_servers=broker.bootstrap))
        async with app.router.lifespan_context(app):
            for task in asyncio.all_tasks():
                if task.get_name() == "outbox-relay":
                    task.cancel()
            yield app, name
    finally:
        await drop_database(name)
        broker.stop()


async def full(count: int, concurrency: int) -> None:
    async with intake_without_relay("hotline-intake-cpu-") as (app, name):
        await appeals(app, "warm", 300, concurrency)
        gc_cpu = [0.0, 0.0]

        def timed(phase: str, _: dict[str, int]) -> None:
            if phase == "start":
                gc_cpu[1] = time.process_time()
            else:
                gc_cpu[0] += time.process_time() - gc_cpu[1]

        before = [g["collections"] for g in gc.get_stats()]
        pg_before = await postgres_cpu(name)
        gc.callbacks.append(timed)
        began, wall = time.process_time(), time.perf_counter()
        await appeals(app, "m", count, concurrency)
        cpu, wall = time.process_time() - began, time.perf_counter() - wall
        gc.callbacks.remove(timed)
        collections = [g["collections"] - b for g, b in zip(gc.get_stats(), before, strict=True)]
        pg_after = await postgres_cpu(name)
        pg = sum(cpu - pg_before.get(pid, 0.0) for pid, cpu in pg_after.items())
        print(f"intake: {count} appeals, {cpu / count * 1000:.3f} ms of CPU per appeal ({count / wall:.0f}/s "
              f"with {concurrency} clients in one process); garbage collections by generation {collections}, "
              f"{gc_cpu[0] / count * 1000:.3f} ms per appeal; PostgreSQL (the database's backends, clock ticks "
              f"of {1000 / TICK:.0f} ms) {pg / count * 1000:.3f} ms of CPU per appeal")


def run_quietly(work: Coroutine[Any, Any, None], log_level: str) -> None:
    """Run `work` on uvloop (asyncio without it), the services' log lines at `log_level` formatted and
    written, to nowhere, as a service's would be."""
    configure_logging(log_level)
    devnull = open(os.devnull, "w")
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(devnull)
    try:
        import uvloop
    except ImportError:
        asyncio.run(work)
    else:
        uvloop.run(work)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--appeals", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--outside-handler", action="store_true")
    args = parser.parse_args()
    run_quietly(outside_handler(args.appeals) if args.outside_handler else full(args.appeals, args.concurrency),
                "INFO")


if __name__ == "__main__":
    main()
