"""Classification throughput on one core: `Router.route` over a corpus, repeated.

Usage: python bench/bench_classify.py [PATH] [--rounds 7] [--min-seconds 1.0] [--min-chars N]

The corpus is the texts of PATH (JSON lines with `text`; default ../shared/data/appeals_dev.jsonl)
or, when it is missing, the catalogue's own example texts; with `--min-chars 1000` consecutive
texts are joined (as paragraphs) into messages of at least that many characters, the size of a
long message-board post. Prints the median classifications per
second (wall clock, and per CPU-second of this process), the median and 99th-percentile latency
of one classification, and the one-off load time of `Router.default()`.
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


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print median figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("path", nargs="?", default=str(DEFAULT))
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--min-seconds", type=float, default=1.0, help="minimum duration of one round")
    parser.add_argument("--min-chars", type=int, default=0, help="join texts into messages of this length")
    args = parser.parse_args(argv)

    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core

    started = time.perf_counter()
    router = Router.default()
    load_seconds = time.perf_counter() - started
    path = Path(args.path)
    if path.exists():
        texts = [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        source = str(path)
    else:
        texts = [e for m in router.parts.catalogue for e in m.examples]
        source = "catalogue examples"
    if args.min_chars:
        texts = join_texts(texts, args.min_chars)
    for text in texts:  # warm-up
        router.route(text)

    rates: list[float] = []
    cpu_rates: list[float] = []
    for _ in range(args.rounds):
        count = 0
        t0, c0 = time.perf_counter(), time.process_time()
        while True:
            for text in texts:
                router.route(text)
            count += len(texts)
            elapsed = time.perf_counter() - t0
            if elapsed >= args.min_seconds:
                break
        rates.append(count / elapsed)
        cpu_rates.append(count / max(time.process_time() - c0, 1e-9))

    latencies: list[float] = []
    for text in texts:
        t0 = time.perf_counter()
        router.route(text)
        latencies.append((time.perf_counter() - t0) * 1e6)
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]

    print(f"corpus: {len(texts)} texts ({source}), mean {statistics.mean(map(len, texts)):.0f} characters")
    print(f"router load (Router.default, first call): {load_seconds:.2f} s")
    print(f"rounds: {args.rounds} x >= {args.min_seconds:.1f} s on one core")
    print(f"median throughput: {statistics.median(rates):,.0f} classifications/s "
          f"(min {min(rates):,.0f}, max {max(rates):,.0f})")
    print(f"median throughput per CPU-second: {statistics.median(cpu_rates):,.0f} classifications/s "
          "(wall-clock figures drop when other processes share the core)")
    print(f"median latency: {statistics.median(latencies):.0f} µs, p99 {p99:.0f} µs")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
