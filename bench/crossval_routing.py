"""Leave-one-set-out: how the router does on a labelled set its learned model never saw.

The product's learned model trains from the catalogue plus the shipped seed appeals
(router/data/seed/labelled_appeals.jsonl, which gathers tests/data/appeals_*.jsonl except the
never-tuned set). Measuring on one of those sets with the shipped model would flatter it, so for
each set this trains a model on the catalogue and the *other* sets, routes the held-out set with
it, and prints bench/eval_routing.py's figures. Per-matter auto-dispatch thresholds
(router.thresholds) are learned from the other sets' out-of-sample outcomes, as a centre would
learn them from its own history, and applied to the held-out set.

Usage: python bench/crossval_routing.py [--errors] [SET ...]   (names as in tests/data/appeals_NAME.jsonl;
by default every set but the never-tuned one, which is measured only when named)
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import eval_routing  # noqa: E402

from router.learning import seed_records  # noqa: E402
from router.offline import classify_record  # noqa: E402
from router.service import Router  # noqa: E402
from router.thresholds import learn_thresholds  # noqa: E402

SETS = ("holdout", "second", "third", "fourth", "longform", "short_a", "short_b")
NEVER_TUNED = "short_b"
COLUMNS = ("redirect_recall", "redirect_precision", "urgent_recall", "class_accuracy", "level_balanced",
           "dept_top1", "dept_top3", "category", "auto_share@0.5", "auto_right@0.5", "auto_share@0.9",
           "auto_right@0.9")


def _cell(value: float | None) -> str:
    return f"{value:.1%}" if value is not None else "-"


def main(argv: list[str]) -> int:
    errors = "--errors" in argv
    argv = [a for a in argv if a != "--errors"]
    router = Router.default()
    seed = seed_records()
    wanted = argv or [s for s in SETS if s != NEVER_TUNED]
    names = [n for n in wanted if (ROOT / "tests" / "data" / f"appeals_{n}.jsonl").exists()]
    routed: dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, int]]] = {}
    for name in names:
        rows = eval_routing.load_rows(ROOT / "tests" / "data" / f"appeals_{name}.jsonl")
        held_out = {str(r["text"]) for r in rows}
        model = router.train([r for r in seed if r.text not in held_out], with_seed=False)
        without = router.with_model(model)
        routed[name] = (rows, [classify_record(without, row) for row in rows], model.trained_on)
    table: dict[str, dict[str, float | None]] = {}
    for name in names:
        rows, outputs, trained_on = routed[name]
        history = [o for other in names if other != name for o in eval_routing.dispatch_outcomes(*routed[other][:2])]
        learned = learn_thresholds(history, min_orders=15, target=0.95)
        print(f"== {name} ({len(rows)}): model trained without it ({trained_on})")
        table[name] = eval_routing.report(rows, outputs, learned=learned, errors=errors)
        print()
    print("set | " + " | ".join(COLUMNS))
    for name, figures in table.items():
        mark = " (never tuned)" if name == NEVER_TUNED else ""
        print(f"{name}{mark} | " + " | ".join(_cell(figures.get(c)) for c in COLUMNS))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
