"""Add labelled sets to the seed appeals the product's learned model starts from.

router/data/seed/labelled_appeals.jsonl gathers the independently written sets in tests/data
(never the development set, never the never-tuned set): text, dept, level, class, and the
emergency line for appeals that were emergencies. The file is the record (one of its lines was
reworded by hand); this appends every row of SEED_SETS whose text it lacks, except the non-emergency
rows of the first four sets, which it already holds. Usage: python bench/build_seed.py
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from routing_sets import SEED_SETS  # noqa: E402

FIRST_SETS = ("holdout", "second", "third", "fourth")  # their emergencies were added later
SEED = ROOT / "router" / "data" / "seed" / "labelled_appeals.jsonl"


def seed_row(row: dict[str, object]) -> dict[str, object]:
    """The fields the learned model reads from one labelled appeal."""
    out: dict[str, object] = {"text": row["text"], "dept": row.get("expect_dept"), "level": row.get("expect_level"),
                              "class": row.get("expect_class")}
    if row.get("expect_redirect"):
        out["redirect"] = row["expect_redirect"]
    if row.get("category") and not row.get("expect_level"):
        out["category"] = row["category"]
    return out


def main() -> int:
    # no options: `--help` prints this and stops (it ran the whole job, which writes its files)
    argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter).parse_args()
    have = {json.loads(line)["text"] for line in SEED.read_text(encoding="utf-8").splitlines() if line.strip()}
    rows = []
    for name in SEED_SETS:
        path = ROOT / "tests" / "data" / f"appeals_{name}.jsonl"
        if not path.exists():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line) if line.strip() else None
            if row is None or row["text"] in have or (name in FIRST_SETS and not row.get("expect_redirect")):
                continue
            rows.append(row)
            have.add(row["text"])
    with SEED.open("a", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(seed_row(row), ensure_ascii=False) + "\n")
    print(f"{len(rows)} seed appeals added to {SEED.relative_to(ROOT)} ({len(have)} in all)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
