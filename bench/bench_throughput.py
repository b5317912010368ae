"""Throughput of Hotline beside the floors of this machine, measured in one interleaved run.

  floor A  bare asyncpg: appeal INSERT + outbox INSERT + COMMIT on 8 connections;
  floor B  a minimal FastAPI app (bench/floor_app.py; uvicorn, uvloop + httptools, one worker)
           doing floor A's two inserts, driven by `wrk -c32` with bench/appeal.lua;
  intake   Hotline's four services (one process each) on PostgreSQL and a Tansu broker, POST
           /v1/appeals driven by the same wrk script.

The three alternate for --rounds rounds (medians reported); between rounds Hotline drains its
backlog so that no phase pays for another's, and its database's statistics are refreshed as
autovacuum would on a live system (Hotline.analyze). Then:
  end to end  wrk drives intake for --e2e-seconds; the figure is appeals accepted, routed,
              dispatched and on the unit's topic per second, from the first request until the last
              dispatch event arrived; a ledger checks that nothing was lost;
  latency     appeals offered at a fixed rate (half the end-to-end figure) by a small raw-socket
              HTTP client; accepted (2xx received) -> dispatch event read from the unit's topic;
  shutdown    SIGTERM to intake under load: how long it takes to stop, and that every
              acknowledged appeal was stored and routed.
The unit topics are read (one consumer on all of them, standing for the units) for the end-to-end
and latency phases, not during the rounds: idle, it costs the broker about a third of a core,
which the floors and intake competed for (--watch-throughout: as before 2026-12-02).
CPU per appeal per process comes from /proc/<pid>/stat (utime + stime, children included); for
PostgreSQL, from the backends connected to the phase's database, also split by the service each
backend serves (its client's socket, from `ss`). --pg-stats ends with what PostgreSQL wrote per
stored order (rows per table, HOT updates) and each index's scans. The load generators' own CPU
per request is reported so that one can see they are not the bottleneck.

The last line is always `ratios: intake/floorB=… end_to_end/floorB=…`.
Usage: python bench/bench_throughput.py [--quick] [--rounds N] [--seconds S] ...
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
from aiokafka import AIOKafkaConsumer

ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

from floor_sql import insert_appeal  # noqa: E402
from pg_table_stats import table_stats  # noqa: E402

from services.relay import RELAY_LOCK_KEY  # noqa: E402
from tests.support.broker import TansuBroker, free_port  # noqa: E402
from tests.support.postgres import ADMIN_DSN, create_database, drop_database  # noqa: E402
from tests.support.shared_secrets import SHARED_SECRETS  # noqa: E402

SERVICES = ("intake", "router", "escalation", "feedback")
TICK = os.sysconf("SC_CLK_TCK")
DISPATCH_PREFIX = "hotline.dispatch."


# ---- CPU accounting from /proc ----------------------------------------------------------------
def _stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, CPU seconds used by `pid` itself and its waited-for children)."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rindex(")") + 2:].split()
    # fields[0] is field 3 (state): utime=14, stime=15, cutime=16, cstime=17 -> indexes 11..14
    return int(fields[1]), sum(int(f) for f in fields[11:15]) / TICK


def _tree(root: int) -> list[int]:
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (st := _stat(int(entry))) is not None:
            parents.setdefault(st[0], []).append(int(entry))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(parents.get(pid, []))
    return out


def tree_cpu(root: int) -> dict[int, float]:
    """CPU seconds of `root` and every live descendant, by pid."""
    return {pid: st[1] for pid in _tree(root) if (st := _stat(pid)) is not None}


def cpu_delta(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU spent between two readings; a process born in between counts from zero."""
    return sum(after[pid] - before.get(pid, 0.0) for pid in after)


async def backend_pids(datname: str) -> dict[int, int]:
    """The database's backends: pid -> the client's TCP port (0 when not over TCP)."""
    conn = await asyncpg.connect(ADMIN_DSN)
    try:
        rows = await conn.fetch("SELECT pid, client_port FROM pg_stat_activity WHERE datname = $1", datname)
    finally:
        await conn.close()
    return {r["pid"]: r["client_port"] or 0 for r in rows}


def port_owners() -> dict[int, int]:
    """Local TCP port -> pid of the process that holds the socket (from `ss`, which needs root to
    name other users' processes; empty when it cannot)."""
    try:
        out = subprocess.run(["ss", "-tnpH"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return {}
    owners = {}
    for line in out.splitlines():
        match = re.search(r"\S+:(\d+)\s+\S+:5432\s.*pid=(\d+)", line)
        if match:
            owners[int(match.group(1))] = int(match.group(2))
    return owners


async def relay_holder(datname: str, processes: dict[str, int]) -> str:
    """The service whose relay holds the outbox relay's lock (its CPU includes the relay's)."""
    conn = await asyncpg.connect(ADMIN_DSN)
    try:
        pid = await conn.fetchval(
            "SELECT l.pid FROM pg_locks l JOIN pg_database d ON d.oid = l.database "
            "WHERE l.locktype = 'advisory' AND l.granted AND l.objid = $1::bigint::oid AND d.datname = $2",
            RELAY_LOCK_KEY, datname)
    finally:
        await conn.close()
    if pid is None:
        return "nobody"
    meter = CpuMeter(processes, datname)
    meter._note_clients({pid: (await backend_pids(datname)).get(pid, 0)})
    return meter.clients.get(pid, f"backend {pid}")


@dataclass
class CpuMeter:
    """CPU of named process trees plus the PostgreSQL backends of one database."""

    processes: dict[str, int]
    datname: str
    start: dict[str, dict[int, float]] = field(default_factory=dict)
    clients: dict[int, str] = field(default_factory=dict)  # backend pid -> our process it serves
    self_start: float = 0.0
    began: float = 0.0
    wall: float = 0.0  # seconds between begin() and end()

    async def begin(self) -> None:
        self.began = time.monotonic()
        self.start = {name: tree_cpu(pid) for name, pid in self.processes.items()}
        pg = await backend_pids(self.datname)
        self._note_clients(pg)
        self.start["postgres"] = {pid: st[1] for pid in pg if (st := _stat(pid)) is not None}
        self.self_start = _self_cpu()

    def _note_clients(self, backends: dict[int, int]) -> None:
        """Which of our processes each backend serves (for PostgreSQL's CPU by client)."""
        owners = port_owners()
        trees = {name: set(_tree(pid)) for name, pid in self.processes.items()}
        for backend, port in backends.items():
            client = owners.get(port)
            for name, members in trees.items():
                if client in members:
                    self.clients[backend] = name

    async def end(self) -> dict[str, float]:
        """CPU seconds per process since begin(); 'bench' is this process (its load generator);
        'pg:<name>' PostgreSQL's backends serving process <name>."""
        out = {name: cpu_delta(self.start[name], tree_cpu(pid)) for name, pid in self.processes.items()}
        backends = await backend_pids(self.datname)
        self._note_clients(backends)
        pg = set(backends) | set(self.start["postgres"])
        now = {pid: st[1] for pid in pg if (st := _stat(pid)) is not None}
        out["postgres"] = cpu_delta(self.start["postgres"], now)
        for pid, cpu in now.items():
            if (name := self.clients.get(pid)) is not None:
                key = f"pg:{name}"
                out[key] = out.get(key, 0.0) + cpu - self.start["postgres"].get(pid, 0.0)
        out["bench"] = _self_cpu() - self.self_start
        self.wall = time.monotonic() - self.began
        return out


def _self_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# ---- wrk --------------------------------------------------------------------------------------
def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("wrk not found: installing it from Debian (apt-get install -y wrk)", flush=True)
        subprocess.run(["apt-get", "update", "-qq"], check=False, capture_output=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False, capture_output=True)
        found = shutil.which("wrk")
        if found:
            return found
    sys.exit("error: this benchmark drives HTTP with wrk; install it (Debian: apt-get install -y wrk) and retry")


@dataclass
class WrkResult:
    requests: int
    ok: int
    seconds: float
    cpu: float  # the load generator's own CPU seconds
    p50_ms: float
    p99_ms: float

    @property
    def rate(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0


async def run_wrk(base: str, seconds: float, tag: str, connections: int = 32) -> WrkResult:
    proc = await asyncio.create_subprocess_exec(
        ensure_wrk(), "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "10s",
        "-s", str(BENCH / "appeal.lua"), base,
        env={**os.environ, "BENCH_TAG": tag, "BENCH_PLACE_OFFSET": str(place_offset(tag))},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )
    pid = proc.pid
    out = (await proc.communicate())[0].decode(errors="replace")
    # the child has been reaped by asyncio; its CPU is in RUSAGE_CHILDREN, measured around the call
    del pid
    match = re.search(r"BENCH requests=(\d+) status_errors=(\d+) socket_errors=(\d+) duration_us=(\d+) "
                      r"p50_us=(\d+) p99_us=(\d+)", out)
    if not match:
        raise RuntimeError(f"wrk gave no summary:\n{out}")
    requests, status_errors, _socket_errors, duration_us, p50, p99 = map(int, match.groups())
    return WrkResult(requests=requests, ok=requests - status_errors, seconds=duration_us / 1e6, cpu=0.0,
                     p50_ms=p50 / 1000, p99_ms=p99 / 1000)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


async def wrk_measured(base: str, seconds: float, tag: str) -> WrkResult:
    before = _children_cpu()
    result = await run_wrk(base, seconds, tag)
    result.cpu = _children_cpu() - before
    return result


# ---- a small raw HTTP/1.1 client for the fixed-rate phase ---------------------------------------
class RawClient:
    """Keep-alive connections, one request at a time each; far cheaper per request than httpx."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []

    async def post(self, path: str, body: bytes) -> tuple[int, bytes]:
        """One request; on a kept-alive connection the server has closed meanwhile (uvicorn closes
        idle ones after 5 s), once more on a new one — safe, every body carries its external id."""
        while self.idle:
            reader, writer = self.idle.pop()
            if writer.is_closing():
                continue
            try:
                return await self._exchange(reader, writer, path, body)
            except (ConnectionError, asyncio.IncompleteReadError, IndexError, RuntimeError):
                # uvloop raises RuntimeError ("the handler is closed") writing to a closed transport
                writer.close()
                break
        reader, writer = await asyncio.open_connection(self.host, self.port)
        return await self._exchange(reader, writer, path, body)

    async def _exchange(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str, body: bytes
                        ) -> tuple[int, bytes]:
        writer.write(b"POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
                     % (path.encode(), self.host.encode(), len(body), body))
        status_line = await reader.readline()
        length = 0
        while (line := await reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            if name.lower() == b"content-length":
                length = int(value)
        payload = await reader.readexactly(length)
        self.idle.append((reader, writer))
        return int(status_line.split()[1]), payload

    def close(self) -> None:
        for _, writer in self.idle:
            writer.close()


TEXTS = ("小区从早上开始停水，一直没有通知什么时候来水。", "路口红绿灯坏了，早高峰很乱。",
         "楼下烧烤店的油烟直排进居民楼，窗户都不敢开，请城管处理。", "公司拖欠工资两个月，老板不接电话。")


def appeal_text(i: int) -> str:
    return TEXTS[i % len(TEXTS)]


# Every request of a run has its own place, about a kilometre from any other (the same grid as
# bench/appeal.lua): intake's near-duplicate check runs in full and merges nothing, so every appeal
# is routed and dispatched. Each load phase (tag) takes its own block of the grid.
_PLACE_BLOCKS: dict[str, int] = {}


def place_offset(tag: str) -> int:
    return _PLACE_BLOCKS.setdefault(tag, len(_PLACE_BLOCKS) * 100_000)


def appeal_body(tag: str, i: int) -> bytes:
    place = place_offset(tag) + i
    return json.dumps({"channel": "web", "text": f"{appeal_text(i)}（编号{tag}-{i}）", "address": "城关镇",
                       "external_id": f"{tag}-{i}",
                       "location": {"lat": round(20 + place % 2000 * 0.01, 2),
                                    "long": round(100 + place // 2000 % 1000 * 0.01, 2)}},
                      ensure_ascii=False).encode()


# ---- the unit topics ------------------------------------------------------------------------------
class TopicWatch:
    """Reads every unit's dispatch topic from the start and notes when each order first appears.
    It stands for the units' consumers in the end-to-end and latency phases (and is stopped for
    the rounds of floors and intake unless --watch-throughout)."""

    def __init__(self, bootstrap: str) -> None:
        self.bootstrap = bootstrap
        self.arrivals: dict[str, float] = {}
        self.records = 0
        self._task: asyncio.Task[None] | None = None
        self._consumer: AIOKafkaConsumer | None = None

    async def start(self) -> None:
        probe = AIOKafkaConsumer(bootstrap_servers=self.bootstrap)
        await probe.start()
        try:
            topics = sorted(t for t in await probe.topics() if t.startswith(DISPATCH_PREFIX))
        finally:
            await probe.stop()
        self._consumer = AIOKafkaConsumer(*topics, bootstrap_servers=self.bootstrap, group_id=f"bench-{time.time_ns()}",
                                          auto_offset_reset="earliest", enable_auto_commit=False,
                                          fetch_max_wait_ms=50, max_partition_fetch_bytes=4 << 20)
        await self._consumer.start()
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        assert self._consumer is not None
        while True:
            batches = await self._consumer.getmany(timeout_ms=100, max_records=5000)
            now = time.monotonic()
            for records in batches.values():
                self.records += len(records)
                for r in records:
                    self.arrivals.setdefault(r.key.decode(), now)

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._consumer:
            await self._consumer.stop()
        self._task = self._consumer = None

    async def catch_up(self, dsn: str, timeout: float = 120) -> float:
        """Wait until every order dispatched so far has been read (a watcher started afresh reads
        every unit topic from the start); seconds waited."""
        start = time.monotonic()
        conn = await asyncpg.connect(dsn)
        try:
            dispatched = {r["id"] for r in await conn.fetch("SELECT id FROM work_orders WHERE state = 'dispatched'")}
        finally:
            await conn.close()
        while time.monotonic() - start < timeout and not dispatched <= self.arrivals.keys():
            await asyncio.sleep(0.1)
        return time.monotonic() - start


# ---- the systems under test -------------------------------------------------------------------------
@dataclass
class Hotline:
    datname: str
    dsn: str
    urls: dict[str, str]
    procs: dict[str, subprocess.Popen[bytes]]

    @property
    def intake(self) -> str:
        return self.urls["intake"]

    async def backlog(self, like: str | None = None) -> tuple[int, int]:
        """(orders still `received`, outbox rows not yet published)."""
        conn = await asyncpg.connect(self.dsn)
        try:
            received = await conn.fetchval("SELECT count(*) FROM work_orders WHERE state = 'received'")
            unpublished = await conn.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL")
        finally:
            await conn.close()
        return int(received), int(unpublished)

    async def analyze(self) -> None:
        """What autovacuum does on a live system, which a run is too short to see (it looks every
        minute, and first when a table has grown by a tenth): statistics of the tables as they now
        are. Plans the services cached while the tables were empty are made again; without this,
        the reports consumer kept a sequential scan of report_orders, planned at ten rows, for
        the whole run (12 ms a batch at 9,000 orders, growing with every order)."""
        conn = await asyncpg.connect(self.dsn)
        try:
            await conn.execute("ANALYZE")
        finally:
            await conn.close()

    async def drain(self, timeout: float) -> float:
        """Wait until every order is routed and every outbox row published; seconds waited."""
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            if await self.backlog() == (0, 0):
                return time.monotonic() - start
            await asyncio.sleep(0.25)
        raise RuntimeError(f"Hotline did not drain within {timeout:.0f} s: {await self.backlog()}")


async def wait_http(url: str, path: str, proc: subprocess.Popen[bytes] | None = None, timeout: float = 300) -> None:
    host, port = url.removeprefix("http://").split(":")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{url} exited with status {proc.returncode} before it was ready (see its log)")
        try:
            reader, writer = await asyncio.open_connection(host, int(port))
            writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
            status = (await reader.readline()).split()
            writer.close()
            if len(status) > 1 and status[1] == b"200":
                return
        except OSError:
            pass
        await asyncio.sleep(0.3)
    raise RuntimeError(f"{url}{path} did not answer 200 within {timeout:.0f} s")


def start_hotline(
    workdir: Path, url: str, bootstrap: str, workers: dict[str, int]
) -> tuple[dict[str, str], dict[str, subprocess.Popen[bytes]]]:
    # Tansu answers a waiting fetch only when its wait runs out, so the router's wait is a floor under
    # every appeal's latency here (on Kafka a fetch returns when a record arrives): a short one, for
    # the router's consumer only (each fetch costs the broker CPU); the environment may override it.
    env = {"HOTLINE_KAFKA_ROUTER_FETCH_MAX_WAIT_MS": "20", **os.environ, "DATABASE_URL": url,
           "KAFKA_BOOTSTRAP_SERVERS": bootstrap, **SHARED_SECRETS}
    # The services refuse to start without their topics: create them as a deployment would.
    subprocess.run([sys.executable, "-m", "services.cli", "kafka", "topics", "apply"], cwd=ROOT, env=env, check=True,
                   stdout=(workdir / "topics.log").open("wb"), stderr=subprocess.STDOUT)
    urls, procs = {}, {}
    for service in SERVICES:
        port = free_port()
        urls[service] = f"http://127.0.0.1:{port}"
        procs[service] = subprocess.Popen(
            [sys.executable, "-m", "services.cli", "serve", service, "--port", str(port), "--no-access-log",
             "--workers", str(workers.get(service, 1))],
            cwd=ROOT, env=env, stdout=(workdir / f"{service}.log").open("wb"), stderr=subprocess.STDOUT,
        )
    return urls, procs


def start_floor_b(workdir: Path, dsn: str) -> tuple[str, subprocess.Popen[bytes]]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "floor_app:app", "--app-dir", str(BENCH), "--port", str(port),
         "--loop", "uvloop", "--http", "httptools", "--workers", "1", "--no-access-log", "--log-level", "warning"],
        cwd=ROOT, env={**os.environ, "FLOOR_DSN": dsn}, stdout=(workdir / "floor_b.log").open("wb"),
        stderr=subprocess.STDOUT,
    )
    return f"http://127.0.0.1:{port}", proc


def plain_dsn(sqlalchemy_url: str) -> str:
    return sqlalchemy_url.replace("postgresql+asyncpg://", "postgresql://")


# ---- the phases -----------------------------------------------------------------------------------------
@dataclass
class Phase:
    rate: float
    count: int
    cpu: dict[str, float]
    loadgen_cpu: float
    note: str = ""


async def floor_a(dsn: str, datname: str, seconds: float, tag: str, connections: int = 8) -> Phase:
    conns = [await asyncpg.connect(dsn) for _ in range(connections)]
    meter = CpuMeter({}, datname)
    await meter.begin()
    count = 0
    deadline = time.monotonic() + seconds

    async def worker(conn: asyncpg.Connection, w: int) -> None:
        nonlocal count
        i = 0
        while time.monotonic() < deadline:
            await insert_appeal(conn, "web", f"{tag}-{w}-{i}", appeal_text(i), "城关镇")
            i += 1
            count += 1

    start = time.monotonic()
    await asyncio.gather(*(worker(c, w) for w, c in enumerate(conns)))
    elapsed = time.monotonic() - start
    cpu = await meter.end()
    for c in conns:
        await c.close()
    return Phase(rate=count / elapsed, count=count, cpu={"postgres": cpu["postgres"], "client": cpu["bench"]},
                 loadgen_cpu=cpu["bench"])


async def wrk_phase(base: str, seconds: float, tag: str, processes: dict[str, int], datname: str) -> Phase:
    meter = CpuMeter(processes, datname)
    await meter.begin()
    result = await wrk_measured(base, seconds, tag)
    cpu = await meter.end()
    cpu.pop("bench")
    cpu["wrk"] = result.cpu
    return Phase(rate=result.rate, count=result.ok, cpu=cpu, loadgen_cpu=result.cpu,
                 note=f"{result.ok}/{result.requests} 2xx; wrk latency p50 {result.p50_ms:.1f} ms, "
                      f"p99 {result.p99_ms:.1f} ms")


@dataclass
class EndToEnd:
    rate: float
    accepted: int
    seconds: float
    cpu: dict[str, float]
    ledger: str
    lost: bool
    wall: float  # seconds the CPU was measured over


async def end_to_end(hotline: Hotline, watch: TopicWatch, seconds: float, tag: str, processes: dict[str, int],
                     drain_timeout: float) -> EndToEnd:
    meter = CpuMeter(processes, hotline.datname)
    await meter.begin()
    start = time.monotonic()
    result = await wrk_measured(hotline.intake + "/", seconds, tag)
    await hotline.drain(drain_timeout)
    conn = await asyncpg.connect(hotline.dsn)
    try:
        rows = await conn.fetch("SELECT id, state FROM work_orders WHERE external_id LIKE $1", f"{tag}-%")
        dispatched = {r["id"] for r in rows if r["state"] == "dispatched"}
        processed = await conn.fetchval(
            "SELECT count(*) FROM processed_events p JOIN outbox o ON o.event_id = p.event_id "
            "JOIN work_orders w ON w.id = o.key WHERE p.consumer = 'hotline-router' "
            "AND o.type = 'org.hotline.workorder.received' AND w.external_id LIKE $1", f"{tag}-%")
        unpublished = await conn.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL")
    finally:
        await conn.close()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not dispatched <= watch.arrivals.keys():
        await asyncio.sleep(0.1)
    cpu = await meter.end()
    cpu.pop("bench")
    cpu["wrk"] = result.cpu
    seen = dispatched & watch.arrivals.keys()
    last = max((watch.arrivals[o] for o in seen), default=time.monotonic())
    elapsed = max(last, start + result.seconds) - start
    states: dict[str, int] = {}
    for r in rows:
        states[r["state"]] = states.get(r["state"], 0) + 1
    lost = (len(rows) < result.ok or states.get("received", 0) > 0 or len(seen) < len(dispatched)
            or processed < len(rows) or unpublished > 0)
    ledger = (f"{result.ok} acknowledged, {len(rows)} stored, {len(rows) - states.get('received', 0)} routed "
              f"({', '.join(f'{n} {s}' for s, n in sorted(states.items()))}), {processed} received events "
              f"processed once by the router, {len(seen)}/{len(dispatched)} dispatched orders seen on their "
              f"unit's topic, {unpublished} outbox rows unpublished: " + ("SOMETHING LOST" if lost else "nothing lost"))
    return EndToEnd(rate=len(seen) / elapsed if elapsed else 0.0, accepted=result.ok, seconds=elapsed, cpu=cpu,
                    ledger=ledger, lost=lost, wall=meter.wall)


async def fixed_rate(hotline: Hotline, watch: TopicWatch, rate: float, seconds: float, tag: str,
                     processes: dict[str, int]) -> tuple[list[float], int, int, dict[str, float]]:
    host, port = hotline.intake.removeprefix("http://").split(":")
    client = RawClient(host, int(port))
    accepted: dict[str, float] = {}
    failures = 0
    meter = CpuMeter(processes, hotline.datname)
    await meter.begin()

    async def one(i: int) -> None:
        nonlocal failures
        status, payload = await client.post("/v1/appeals", appeal_body(tag, i))
        if status // 100 == 2:
            accepted[json.loads(payload)["work_order_id"]] = time.monotonic()
        else:
            failures += 1

    n = max(1, int(rate * seconds))
    start = time.monotonic()
    tasks = []
    for i in range(n):
        await asyncio.sleep(max(0.0, start + i / rate - time.monotonic()))
        tasks.append(asyncio.create_task(one(i)))
    await asyncio.gather(*tasks)
    cpu = await meter.end()
    client.close()
    await hotline.drain(120)
    conn = await asyncpg.connect(hotline.dsn)
    try:
        dispatched = {r["id"] for r in await conn.fetch(
            "SELECT id FROM work_orders WHERE external_id LIKE $1 AND state = 'dispatched'", f"{tag}-%")}
    finally:
        await conn.close()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not dispatched <= watch.arrivals.keys():
        await asyncio.sleep(0.1)
    lat = [(watch.arrivals[o] - t) * 1000 for o, t in accepted.items() if o in dispatched and o in watch.arrivals]
    await print_hops(hotline.dsn, tag)
    return lat, len(accepted), failures, cpu


async def print_hops(dsn: str, tag: str) -> None:
    """Where an appeal's latency goes, from the outbox rows' times (ms, p50 / p99): intake's
    received row written -> published by the relay; -> the router's dispatch row written (the
    broker, the router's fetch and its batch); -> that row published by the relay."""
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch(
            "SELECT EXTRACT(EPOCH FROM r.published_at - r.created_at) * 1000 AS relay_in, "
            "EXTRACT(EPOCH FROM d.created_at - r.published_at) * 1000 AS router, "
            "EXTRACT(EPOCH FROM d.published_at - d.created_at) * 1000 AS relay_out "
            "FROM work_orders w JOIN outbox r ON r.key = w.id AND r.type = 'org.hotline.workorder.received' "
            "JOIN outbox d ON d.key = w.id AND d.topic LIKE $2 "
            "WHERE w.external_id LIKE $1", f"{tag}-%", DISPATCH_PREFIX + "%")
    finally:
        await conn.close()
    if rows:
        parts = ", ".join(
            f"{name} {statistics.median(v):.0f} / {percentile(v, 0.99):.0f}"
            for name in ("relay_in", "router", "relay_out") if (v := [float(r[name]) for r in rows]))
        print(f"  hops, ms p50 / p99 ({len(rows)} dispatch events): {parts}", flush=True)


async def shutdown_under_load(hotline: Hotline, seconds: float, tag: str) -> str:
    proc = hotline.procs["intake"]
    wrk = asyncio.create_task(run_wrk(hotline.intake + "/", seconds, tag))
    await asyncio.sleep(seconds / 2)
    sent = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    code = await asyncio.to_thread(proc.wait, 60)
    stopped = time.monotonic() - sent
    result = await wrk
    await hotline.drain(120)
    conn = await asyncpg.connect(hotline.dsn)
    try:
        stored = await conn.fetchval("SELECT count(*) FROM work_orders WHERE external_id LIKE $1", f"{tag}-%")
    finally:
        await conn.close()
    verdict = "nothing lost" if stored >= result.ok else "SOMETHING LOST"
    # uvicorn re-raises the SIGTERM it handled once it has shut down cleanly: -15 is a clean exit
    return (f"SIGTERM to intake under wrk -c32: stopped in {stopped:.1f} s (exit status {code}); "
            f"{result.ok} acknowledged, {stored} stored, all routed and published: {verdict}")


# ---- reporting -------------------------------------------------------------------------------------------
def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def per_appeal(cpu: dict[str, float], count: int, order: Iterable[str]) -> str:
    if not count:
        return "n/a"
    parts = [f"{name} {cpu[name] * 1000 / count:.2f}" for name in order if name in cpu]
    return ", ".join(parts)


def total_ms(cpu: dict[str, float], count: int, leave_out: Iterable[str] = ("wrk", "bench", "client")) -> float:
    skip = set(leave_out)
    # 'pg:<name>' splits 'postgres' by client: counted there already
    return sum(v for k, v in cpu.items() if k not in skip and not k.startswith("pg:")) * 1000 / count if count else 0.0


def pg_by_client(cpu: dict[str, float], count: int) -> str:
    """PostgreSQL's CPU per appeal by the service its backends serve."""
    return per_appeal(cpu, count, (f"pg:{name}" for name in SERVICES)).replace("pg:", "")


def summed(phases: list[Phase]) -> tuple[dict[str, float], int]:
    cpu: dict[str, float] = {}
    for p in phases:
        for k, v in p.cpu.items():
            cpu[k] = cpu.get(k, 0.0) + v
    return cpu, sum(p.count for p in phases)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="short phases: under 90 s in all")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds of floor A, floor B, intake")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each throughput phase")
    parser.add_argument("--e2e-seconds", type=float, default=60.0, help="length of the end-to-end phase")
    parser.add_argument("--latency-seconds", type=float, default=20.0, help="length of the fixed-rate phase")
    parser.add_argument("--no-shutdown", action="store_true", help="skip the SIGTERM-under-load check")
    parser.add_argument("--intake-workers", type=int, default=1, help="uvicorn workers for intake")
    parser.add_argument("--router-workers", type=int, default=1, help="uvicorn workers (router consumers) for router")
    parser.add_argument("--watch-throughout", action="store_true",
                        help="keep the unit-topic watcher running during the rounds of floors and intake too "
                             "(as before 2026-12-02; it costs the broker about a third of a core)")
    parser.add_argument("--pg-stats", action="store_true",
                        help="print PostgreSQL's rows written per order, per table, and its index scans")
    args = parser.parse_args()
    if args.quick:
        args.rounds, args.seconds, args.e2e_seconds, args.latency_seconds = 3, 3.0, 10.0, 6.0
    ensure_wrk()
    began = time.monotonic()

    workdir = Path(tempfile.mkdtemp(prefix="hotline-throughput-"))
    broker = TansuBroker(workdir)
    broker.start()
    floor_name, floor_url = await create_database()
    hot_name, hot_url = await create_database()
    floor_b_url, floor_b = start_floor_b(workdir, plain_dsn(floor_url))
    workers = {"intake": args.intake_workers, "router": args.router_workers}
    urls, procs = start_hotline(workdir, hot_url, broker.bootstrap, workers)
    hotline = Hotline(hot_name, plain_dsn(hot_url), urls, procs)
    watch = TopicWatch(broker.bootstrap)
    service_pids = {name: p.pid for name, p in procs.items()}
    hot_processes = {**service_pids, "broker": broker.process.pid if broker.process else 0}
    floors_a: list[Phase] = []
    floors_b: list[Phase] = []
    intakes: list[Phase] = []
    e2e: EndToEnd | None = None
    lat: list[float] = []
    lat_rate = 0.0
    lat_sent = lat_failed = 0
    lat_cpu: dict[str, float] = {}
    holder = "not read"
    shutdown = "skipped"
    idle: dict[str, float] = {}
    pg_lines: list[str] = []
    try:
        await wait_http(floor_b_url, "/healthz")
        for service, url in urls.items():
            await wait_http(url, "/readyz", procs[service])
        print(f"services ready after {time.monotonic() - began:.0f} s", flush=True)
        await watch.start()
        # one warm-up request per system, so that no round pays for first-use costs
        await wrk_measured(floor_b_url + "/", 1, "warm")
        await wrk_measured(hotline.intake + "/", 1, "warm")
        await hotline.drain(120)
        # What the services spend doing nothing (relay polls, consumers' fetches, scheduled jobs):
        # at low rates this, not the appeals, is most of the CPU per appeal.
        meter = CpuMeter(hot_processes, hot_name)
        await meter.begin()
        idle_start = time.monotonic()
        await asyncio.sleep(3.0 if args.quick else 10.0)
        idle = {k: v / (time.monotonic() - idle_start) for k, v in (await meter.end()).items()}
        if not args.watch_throughout:
            # The watcher (one consumer on every unit topic, a third of a core of the broker's
            # even when idle) is the end-to-end and latency phases' instrument: the rounds of
            # floors and intake run without it, as they would without a unit reading its topic.
            await watch.stop()
        for r in range(args.rounds):
            floors_a.append(await floor_a(plain_dsn(floor_url), floor_name, args.seconds, f"a{r}"))
            floors_b.append(await wrk_phase(floor_b_url + "/", args.seconds, f"b{r}", {"floor_b": floor_b.pid},
                                            floor_name))
            intakes.append(await wrk_phase(hotline.intake + "/", args.seconds, f"i{r}", hot_processes, hot_name))
            print(f"round {r + 1}: floor A {floors_a[-1].rate:,.0f}/s, floor B {floors_b[-1].rate:,.0f}/s, "
                  f"intake {intakes[-1].rate:,.0f}/s", flush=True)
            await hotline.drain(600)
            await hotline.analyze()
        if not args.watch_throughout:
            await watch.start()
            await watch.catch_up(hotline.dsn)
        e2e = await end_to_end(hotline, watch, args.e2e_seconds, "e2e", hot_processes,
                               drain_timeout=max(120.0, args.e2e_seconds * 10))
        print(f"end to end: {e2e.rate:,.0f}/s", flush=True)
        lat_rate = max(1.0, e2e.rate / 2)
        try:
            lat, lat_sent, lat_failed, lat_cpu = await fixed_rate(hotline, watch, lat_rate, args.latency_seconds,
                                                                  "lat", hot_processes)
        except (OSError, RuntimeError, IndexError, asyncio.IncompleteReadError) as exc:
            print(f"latency phase failed: {exc!r}", flush=True)
        holder = await relay_holder(hot_name, hot_processes)
        if not args.no_shutdown:
            shutdown = await shutdown_under_load(hotline, 3.0 if args.quick else 6.0, "term")
    finally:
        await watch.stop()
        for proc in [*procs.values(), floor_b]:
            if proc.poll() is None:
                proc.terminate()
        for proc in [*procs.values(), floor_b]:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
        broker.stop()
        if args.pg_stats:  # after the services stopped: a backend's statistics are flushed when it exits
            with contextlib.suppress(Exception):
                pg_lines = await table_stats(hotline.dsn)
        await drop_database(floor_name)
        await drop_database(hot_name)

    a = statistics.median(p.rate for p in floors_a)
    b = statistics.median(p.rate for p in floors_b)
    i = statistics.median(p.rate for p in intakes)
    print()
    print(f"machine: {os.cpu_count()} cores, {os.uname().machine}; PostgreSQL at 127.0.0.1:5432 (shared); Tansu "
          f"broker; Hotline as four services ({args.intake_workers} intake worker(s), {args.router_workers} router "
          f"worker(s), one each for the others); {args.rounds} interleaved rounds of {args.seconds:.0f} s; the "
          f"unit-topic watcher {'throughout' if args.watch_throughout else 'for end to end and latency only'}")
    print(f"floor A  bare asyncpg, 2 INSERTs + COMMIT, 8 connections: median {a:,.0f}/s "
          f"({', '.join(f'{p.rate:,.0f}' for p in floors_a)})")
    print(f"floor B  minimal FastAPI + asyncpg, uvloop/httptools, 1 worker, wrk -c32: median {b:,.0f}/s "
          f"({', '.join(f'{p.rate:,.0f}' for p in floors_b)}); {floors_b[len(floors_b) // 2].note}")
    print(f"intake   Hotline POST /v1/appeals, wrk -c32: median {i:,.0f}/s "
          f"({', '.join(f'{p.rate:,.0f}' for p in intakes)}); {intakes[len(intakes) // 2].note}")
    cpu_a, n_a = summed(floors_a)
    cpu_b, n_b = summed(floors_b)
    cpu_i, n_i = summed(intakes)
    print("CPU ms per appeal:")
    print(f"  floor A: {per_appeal(cpu_a, n_a, ('client', 'postgres'))}")
    print(f"  floor B: {per_appeal(cpu_b, n_b, ('floor_b', 'postgres', 'wrk'))}; "
          f"total without wrk {total_ms(cpu_b, n_b):.2f}")
    order = (*SERVICES, "broker", "postgres", "wrk")
    print(f"  intake phase: {per_appeal(cpu_i, n_i, order)}; total without wrk {total_ms(cpu_i, n_i):.2f}")
    print(f"    of which PostgreSQL serving: {pg_by_client(cpu_i, n_i)}")
    print("  idle, before any load (% of one core): "
          + ", ".join(f"{name} {idle.get(name, 0) * 100:.1f}" for name in (*SERVICES, "broker", "postgres")))
    if e2e is not None:
        print(f"end to end  accepted -> routed -> dispatched -> on the unit's topic, wrk for {args.e2e_seconds:.0f} s: "
              f"{e2e.rate:,.0f}/s ({e2e.accepted} appeals in {e2e.seconds:.1f} s, counted to the last dispatch "
              "event read)")
        print(f"  ledger: {e2e.ledger}")
        print(f"  CPU ms per appeal: {per_appeal(e2e.cpu, e2e.accepted, order)}; "
              f"total without wrk {total_ms(e2e.cpu, e2e.accepted):.2f}")
        print(f"    of which PostgreSQL serving: {pg_by_client(e2e.cpu, e2e.accepted)}")
        busy = {k: max(0.0, v - idle.get(k, 0.0) * e2e.wall) for k, v in e2e.cpu.items()}
        print(f"  the same above idle: {per_appeal(busy, e2e.accepted, order)}; "
              f"total without wrk {total_ms(busy, e2e.accepted):.2f}")
    if lat:
        print(f"latency  accepted -> dispatch event on the unit's topic at {lat_rate:,.0f}/s offered for "
              f"{args.latency_seconds:.0f} s ({len(lat)} dispatched of {lat_sent} accepted, {lat_failed} refused): "
              f"p50 {statistics.median(lat):.0f} ms, p90 {percentile(lat, 0.9):.0f} ms, "
              f"p99 {percentile(lat, 0.99):.0f} ms, max {max(lat):.0f} ms")
        print(f"  the outbox relay's lock held by: {holder}")
        own = lat_cpu.get("bench", 0) * 1000 / max(1, lat_sent)
        print(f"  load generators: the raw HTTP client + topic reader {own:.2f} ms CPU per appeal; "
              f"wrk {cpu_i.get('wrk', 0) * 1000 / max(1, n_i):.3f} ms per request")
    print(f"shutdown  {shutdown}")
    for line in pg_lines:
        print(line)
    print(f"ratios to floor B: intake {i / b:.2f}, end to end {(e2e.rate if e2e else 0) / b:.2f}; "
          f"floor B / floor A {b / a:.2f}; ran {time.monotonic() - began:.0f} s")
    print(f"ratios: intake/floorB={i / b:.2f} end_to_end/floorB={(e2e.rate if e2e else 0) / b:.2f}")


async def run() -> None:
    """main(), cancelled (so that it stops what it started) on SIGINT or SIGTERM."""
    task = asyncio.create_task(main())
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, task.cancel)
    with contextlib.suppress(asyncio.CancelledError):
        await task


if __name__ == "__main__":
    try:
        import uvloop
    except ImportError:  # pragma: no cover - the benchmark still runs, its own client is just slower
        asyncio.run(run())
    else:
        uvloop.run(run())
