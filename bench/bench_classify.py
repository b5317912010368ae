"""Classification throughput on one core: `Router.route` over a corpus, repeated.

Usage: python bench/bench_classify.py [PATH] [--rounds 7] [--min-seconds 1.0] [--min-chars N]

Without PATH it measures two corpora one after the other: short appeals (the texts of
../shared/data/appeals_dev.jsonl, or the catalogue's own example texts when that file is missing)
and 1,000-character messages (the long message-board posts of tests/data/appeals_longform.jsonl,
consecutive ones joined as paragraphs into messages of at least 1,000 characters). With PATH (JSON
lines with `text`) it measures that corpus alone, its texts joined likewise with `--min-chars N`.
For each corpus it prints the median classifications per second (wall clock, and per CPU-second
of this process: the figure that compares when other processes share the core), the median and
99th-percentile latency of one classification; then the one-off load time of `Router.default()`
and the load average before and after.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from router.service import Router  # noqa: E402

DEFAULT = ROOT.parent / "shared" / "data" / "appeals_dev.jsonl"
LONGFORM = ROOT / "tests" / "data" / "appeals_longform.jsonl"
LONG_CHARS = 1000


def join_texts(texts: list[str], min_chars: int) -> list[str]:
    """Consecutive texts joined as paragraphs into messages of at least `min_chars` characters."""
    out: list[str] = []
    current: list[str] = []
    for text in texts:
        current.append(text)
        if sum(map(len, current)) >= min_chars:
            out.append("\n".join(current))
            current = []
    return out or ["\n".join(current)]


def read_texts(path: Path) -> list[str]:
    """The `text` of every JSON line of `path`."""
    return [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def measure(router: Router, texts: list[str], rounds: int, min_seconds: float) -> dict[str, float]:
    """Median throughput (wall clock and per CPU-second) and latency percentiles over `texts`."""
    for text in texts:  # warm-up
        router.route(text)
    rates: list[float] = []
    cpu_rates: list[float] = []
    for _ in range(rounds):
        count = 0
        t0, c0 = time.perf_counter(), time.process_time()
        while True:
            for text in texts:
                router.route(text)
            count += len(texts)
            elapsed = time.perf_counter() - t0
            if elapsed >= min_seconds:
                break
        rates.append(count / elapsed)
        cpu_rates.append(count / max(time.process_time() - c0, 1e-9))
    latencies: list[float] = []
    for text in texts:
        t0 = time.perf_counter()
        router.route(text)
        latencies.append((time.perf_counter() - t0) * 1e6)
    latencies.sort()
    return {
        "rate": statistics.median(rates), "rate_min": min(rates), "rate_max": max(rates),
        "cpu_rate": statistics.median(cpu_rates), "p50": statistics.median(latencies),
        "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print median figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("path", nargs="?", default=None)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--min-seconds", type=float, default=1.0, help="minimum duration of one round")
    parser.add_argument("--min-chars", type=int, default=0, help="join texts into messages of this length")
    args = parser.parse_args(argv)

    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    load_before = os.getloadavg()

    started = time.perf_counter()
    router = Router.default()
    load_seconds = time.perf_counter() - started
    corpora: list[tuple[str, list[str]]] = []
    if args.path is not None:
        texts = read_texts(Path(args.path))
        corpora.append((args.path, join_texts(texts, args.min_chars) if args.min_chars else texts))
    else:
        if DEFAULT.exists():
            corpora.append((f"short appeals ({DEFAULT.name})", read_texts(DEFAULT)))
        else:
            corpora.append(("short appeals (catalogue examples)",
                            [e for m in router.parts.catalogue for e in m.examples]))
        corpora.append((f"{LONG_CHARS:,}-character messages ({LONGFORM.name} joined)",
                        join_texts(read_texts(LONGFORM), LONG_CHARS)))

    print(f"router load (Router.default, first call): {load_seconds:.2f} s")
    print(f"rounds: {args.rounds} x >= {args.min_seconds:.1f} s on one core per corpus")
    for name, texts in corpora:
        figures = measure(router, texts, args.rounds, args.min_seconds)
        print(f"{name}: {len(texts)} texts, mean {statistics.mean(map(len, texts)):.0f} characters")
        print(f"  median throughput: {figures['rate']:,.0f} classifications/s "
              f"(min {figures['rate_min']:,.0f}, max {figures['rate_max']:,.0f})")
        print(f"  median throughput per CPU-second: {figures['cpu_rate']:,.0f} classifications/s "
              "(wall-clock figures drop when other processes share the core)")
        print(f"  median latency: {figures['p50']:,.0f} µs, p99 {figures['p99']:,.0f} µs")
    load_after = os.getloadavg()
    print(f"load average (1, 5, 15 min): before {', '.join(f'{x:.2f}' for x in load_before)}; "
          f"after {', '.join(f'{x:.2f}' for x in load_after)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
