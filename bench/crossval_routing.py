"""Leave-one-set-out: how the router does on a labelled set its learned model never saw.

The product's learned model trains from the catalogue plus the shipped seed appeals
(router/data/seed/labelled_appeals.jsonl, which gathers tests/data/appeals_*.jsonl except the
never-tuned sets). Measuring on one of those sets with the shipped model would flatter it, so for
each set this trains a model on the catalogue and the *other* sets, routes the held-out set with
it, and prints bench/eval_routing.py's figures, with the routing confidence calibrated
(router.calibration) on the other sets' out-of-sample decisions. Per-matter auto-dispatch thresholds
(router.thresholds) are learned from the other sets' out-of-sample outcomes, as a centre would
learn them from its own history, and applied to the held-out set.

Usage: python bench/crossval_routing.py [--errors] [SET ...]   (names as in tests/data/appeals_NAME.jsonl;
by default every set but the never-tuned ones, short_b, short_d and short_w, measured only when named)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import eval_routing  # noqa: E402
import fit_calibration  # noqa: E402
from routing_sets import NEVER_TUNED, SEED_SETS  # noqa: E402

from router.calibration import fit_calibrator, fit_class_calibrator  # noqa: E402
from router.thresholds import learn_thresholds  # noqa: E402

SETS = SEED_SETS + NEVER_TUNED
COLUMNS = ("redirect_recall", "redirect_precision", "urgent_recall", "class_accuracy", "level_balanced",
           "dept_top1", "dept_top3", "category", f"auto_share@{eval_routing.DEFAULT_THRESHOLD}",
           f"auto_right@{eval_routing.DEFAULT_THRESHOLD}", f"auto_share@{eval_routing.HIGH_TIER}",
           f"auto_right@{eval_routing.HIGH_TIER}")


def _cell(value: float | None) -> str:
    return f"{value:.1%}" if value is not None else "-"


def main(argv: list[str]) -> int:
    # `--help` and a set misspelt were taken as set names that have no file: every fold model was
    # trained all the same (10-28 minutes) and an empty table printed.
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--errors", action="store_true", help="list every wrong department/level/class")
    parser.add_argument("sets", nargs="*", metavar="SET", help="set names (default: every set but the never-tuned)")
    args = parser.parse_args(argv)
    errors = args.errors
    wanted = args.sets or [s for s in SETS if s not in NEVER_TUNED]
    names = [n for n in wanted if (ROOT / "tests" / "data" / f"appeals_{n}.jsonl").exists()]
    if unknown := [n for n in wanted if n not in names]:
        parser.error(f"no set {', '.join(unknown)} (tests/data/appeals_NAME.jsonl)")
    # every seed set is routed out of sample: the calibration for a held-out set is fitted on the others
    seed_sets = tuple(n for n in SETS
                      if n not in NEVER_TUNED and (ROOT / "tests" / "data" / f"appeals_{n}.jsonl").exists())
    routed = fit_calibration.out_of_sample(tuple(dict.fromkeys([*seed_sets, *names])))
    table: dict[str, dict[str, float | None]] = {}
    for name in names:
        others = [(other, t) for other in seed_sets if other != name for t in routed[other] if t[2] is not None]
        calibrator = fit_calibrator([t[2] for _, t in others if t[2] is not None],
                                    [eval_routing.owner_right(t[0], t[1]) for _, t in others],
                                    matters=[str(t[1]["matter"]) for _, t in others], groups=[o for o, _ in others])
        # the class calibrated likewise, on the other sets' out-of-sample class signals
        classer = fit_class_calibrator(*fit_calibration.class_examples(
            [t for other in seed_sets if other != name for t in routed[other]]))
        rows = [t[0] for t in routed[name]]
        outputs = [dict(t[1], confidence=round(calibrator(t[2], t[1]["matter"]), 3)) if t[2] is not None else t[1]
                   for t in routed[name]]
        outputs = [dict(o, **{"class": classer(t[3])}) if t[3] is not None else o
                   for o, t in zip(outputs, routed[name], strict=True)]
        history = [o for other in seed_sets if other != name
                   for o in eval_routing.dispatch_outcomes(
                       [t[0] for t in routed[other]],
                       [dict(t[1], confidence=round(calibrator(t[2], t[1]["matter"]), 3)) if t[2] is not None else t[1]
                        for t in routed[other]])]
        learned = learn_thresholds(history, default=eval_routing.DEFAULT_THRESHOLD, min_orders=15, target=0.95)
        print(f"== {name} ({len(rows)}): model trained without it, confidence calibrated on the other sets")
        table[name] = eval_routing.report(rows, outputs, learned=learned, errors=errors)
        print()
    print("set | " + " | ".join(COLUMNS))
    for name, figures in table.items():
        mark = " (never tuned)" if name in NEVER_TUNED else ""
        print(f"{name}{mark} | " + " | ".join(_cell(figures.get(c)) for c in COLUMNS))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
