"""Classification cost in instructions: `Router.route` over a corpus between two markers, for callgrind.

Wall-clock figures swing with whatever else shares the machine; instruction counts do not. Run

    PYTHONHASHSEED=0 valgrind --tool=callgrind --zero-before=os_getppid --dump-before=os_getpgrp \\
        .venv/bin/python bench/instructions_classify.py [--long] [--rounds N]

and divide the `summary:` line of the dump written at the second marker (callgrind.out.PID.1), less the
`start_thread` line of `callgrind_annotate --inclusive=yes` on it (a background thread that wakes now and
then, 1.5 million instructions a time), by the count this prints: instructions per classification, start-up
and a warm-up round left out. The corpora are
bench_classify.py's: the development texts, or (--long) its 1,000-character messages. PYTHONHASHSEED
fixes the order of sets, so that two runs count the same.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_classify import DEFAULT, LONG_CHARS, LONGFORM, join_texts, read_texts

from router.service import Router


def main(argv: list[str] | None = None) -> int:
    """Route the corpus once to warm up, then `--rounds` times between the markers; print the count."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--long", action="store_true", help="the 1,000-character messages")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    texts = join_texts(read_texts(LONGFORM), LONG_CHARS) if args.long else read_texts(DEFAULT)
    router = Router.default()
    for text in texts:
        router.route(text)
    os.getppid()  # marker: callgrind --zero-before=os_getppid
    for _ in range(args.rounds):
        for text in texts:
            router.route(text)
    os.getpgrp()  # marker: callgrind --dump-before=os_getpgrp
    print(len(texts) * args.rounds)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
