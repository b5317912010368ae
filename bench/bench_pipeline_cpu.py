"""The CPU an appeal costs after intake, per component, without HTTP, load generator or neighbours' phases.

Intake (its app over raw ASGI, as bench/bench_intake_cpu.py) stores `--appeals` new appeals with its
relay stopped; then, in this one process, one after the other and each timed alone:

- the router's batch handler (services.consumers.idempotent_batch with the router's effect, as the
  router service runs it) routes them from their received events, `--batch` at a time;
- the reports consumer's batch handler folds their lifecycle events (received and dispatched),
  `--reports-batch` at a time;
- the outbox relay publishes every event to a Tansu broker (`drain`).

Each line gives this process's CPU (time.process_time) and the database's backends' (/proc) per
appeal. 300 appeals go first through the same steps (warm-up: plans, caches). On a host shared
with other work the figures are inflated with the neighbours: compare runs alternated.

Instructions instead of CPU time (a shared host's CPU times swing with the neighbours), e.g. the router's:
    valgrind --tool=callgrind --zero-before=os_getppid --dump-before=os_getpgrp \
        .venv/bin/python bench/bench_pipeline_cpu.py --appeals 300 --mark router
(the second dump, callgrind.out.PID.1, holds the router's batches alone).

Usage: python bench/bench_pipeline_cpu.py [--appeals N] [--batch B] [--reports-batch R] [--profile NAME] [--mark NAME]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from functools import partial
from pathlib import Path

from sqlalchemy import select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_intake_cpu import appeals, intake_without_relay, postgres_cpu, run_quietly  # noqa: E402

from schemas.events import LIFECYCLE_TOPIC, RECEIVED_TYPE, EventEnvelope  # noqa: E402
from services.consumers import (  # noqa: E402
    ROUTER_CONSUMER,
    idempotent,
    idempotent_batch,
    router_batch_effect,
    router_effect,
    routes,
)
from services.db.tables import OutboxEvent  # noqa: E402
from services.reports.consumer import REPORTS_CONSUMER, reports_batch_effect, reports_effect  # noqa: E402


async def events_after(runtime: object, after: int, topic: str) -> tuple[list[EventEnvelope], int]:
    """The outbox's events on `topic` written after row `after`, in order; and the last row's id."""
    async with runtime.sessions() as session:  # type: ignore[attr-defined]
        rows = (await session.execute(select(OutboxEvent).where(OutboxEvent.id > after, OutboxEvent.topic == topic)
                                      .order_by(OutboxEvent.id))).scalars().all()
        last = (await session.execute(select(OutboxEvent.id).order_by(OutboxEvent.id.desc()).limit(1))).scalar()
    return [EventEnvelope(id=r.event_id, type=r.type, subject=r.key, topic=r.topic, time=r.time, data=r.data)
            for r in rows], int(last or 0)


PROFILE: str | None = None  # --profile: the component whose name starts so runs under cProfile
MARK: str | None = None  # --mark: the component between callgrind's markers


async def timed(name: str, datname: str, count: int, work: Callable[[], Awaitable[object]]) -> None:
    pg_before = await postgres_cpu(datname)
    profiler = None
    if PROFILE and name.startswith(PROFILE):
        import cProfile
        profiler = cProfile.Profile(time.process_time)
        profiler.enable()
    marked = MARK is not None and name.startswith(MARK)
    if marked:
        os.getppid()  # valgrind --tool=callgrind --zero-before=os_getppid --dump-before=os_getpgrp
    began, wall = time.process_time(), time.perf_counter()
    await work()
    cpu, wall = time.process_time() - began, time.perf_counter() - wall
    if marked:
        os.getpgrp()
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(f"/tmp/pipeline-{PROFILE}.prof")
    pg_after = await postgres_cpu(datname)
    pg = sum(c - pg_before.get(pid, 0.0) for pid, c in pg_after.items())
    print(f"{name}: {cpu / count * 1000:.3f} ms of CPU per appeal, PostgreSQL {pg / count * 1000:.3f} ms "
          f"({wall:.1f} s)", flush=True)


async def in_batches(handler: Callable[[Sequence[EventEnvelope]], Awaitable[None]], events: list[EventEnvelope],
                     size: int) -> None:
    for i in range(0, len(events), size):
        await handler(events[i:i + size])


async def full(count: int, batch: int, reports_batch: int) -> None:
    async with intake_without_relay("hotline-pipeline-cpu-") as (app, name):
        runtime = app.state.runtime
        ctx, sessions = runtime.ctx, runtime.sessions
        one = idempotent(ROUTER_CONSUMER, sessions, ctx, router_effect(ctx), wants=routes)
        router = idempotent_batch(ROUTER_CONSUMER, sessions, ctx, router_batch_effect(ctx), one, wants=routes)
        reports_one = idempotent(REPORTS_CONSUMER, sessions, ctx, reports_effect(ctx))
        reports = idempotent_batch(REPORTS_CONSUMER, sessions, ctx, reports_batch_effect(ctx), reports_one)
        after = 0
        for tag, n in (("warm", 300), ("m", count)):
            measure = tag == "m"
            await appeals(app, tag, n, 16)
            received, _ = await events_after(runtime, after, LIFECYCLE_TOPIC)
            received = [e for e in received if e.type == RECEIVED_TYPE]
            work = partial(in_batches, router, received, batch)
            if measure:
                await timed(f"router, batches of {batch}", name, n, work)
            else:
                await work()
            lifecycle, _ = await events_after(runtime, after, LIFECYCLE_TOPIC)
            work = partial(in_batches, reports, lifecycle, reports_batch)
            if measure:
                await timed(f"reports consumer, batches of {reports_batch} ({len(lifecycle)} events)", name, n,
                            work)
            else:
                await work()
            if measure:
                await timed("relay (drain to Tansu)", name, n, runtime.relay.drain)
            else:
                await runtime.relay.drain()
            _, after = await events_after(runtime, 0, "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--appeals", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=20, help="received events per router batch")
    parser.add_argument("--reports-batch", type=int, default=40, help="lifecycle events per reports batch")
    parser.add_argument("--profile",
                        help="run the component whose name starts so under cProfile (/tmp/pipeline-NAME.prof)")
    parser.add_argument("--mark", help="the component whose name starts so between callgrind's markers (os.getppid "
                        "before, os.getpgrp after: --zero-before=os_getppid --dump-before=os_getpgrp)")
    args = parser.parse_args()
    global PROFILE, MARK
    PROFILE, MARK = args.profile, args.mark
    run_quietly(full(args.appeals, args.batch, args.reports_batch), "WARNING")


if __name__ == "__main__":
    main()
