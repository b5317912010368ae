"""Fit the routing-confidence and whistle-class calibrations from decisions on appeals the model had not seen.

For each seed set (tests/data/appeals_NAME.jsonl, the sets the shipped model learns from), a model
is trained without it and routes it; each dispatched decision's signals (router.calibration.FEATURES)
and whether its owner was right are gathered, and a logistic calibration is fitted on all of them
and written to router/data/calibration.yaml; likewise each dispatched decision's class signals
(router.calibration.CLASS_FEATURES) and its labelled class, for the class calibration written to
router/data/class_calibration.yaml. Usage: python bench/fit_calibration.py
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import hashlib  # noqa: E402
import os  # noqa: E402

import eval_routing  # noqa: E402
from routing_sets import SEED_SETS  # noqa: E402

from router.calibration import (  # noqa: E402
    DEFAULT_CALIBRATION,
    DEFAULT_CLASS_CALIBRATION,
    fit_calibrator,
    fit_class_calibrator,
)
from router.learning import LearnedModel, seed_records  # noqa: E402
from router.offline import classify_record  # noqa: E402
from router.service import Router  # noqa: E402
from router.shipped import training_fingerprint  # noqa: E402

Routed = tuple[dict[str, Any], dict[str, Any], tuple[float, ...] | None, tuple[float, ...] | None]


def out_of_sample(names: tuple[str, ...] = SEED_SETS) -> dict[str, list[Routed]]:
    """Per set: (row, output, confidence features, class features) routed by a model trained without
    the set, with the rules' uncalibrated confidence and class (rules raised by the learned heads)."""
    router = Router.default().with_calibrator(None).with_class_calibrator(None)
    seed = seed_records()
    cache = Path(os.environ["HOTLINE_FOLD_CACHE"]) if os.environ.get("HOTLINE_FOLD_CACHE") else None
    fingerprint = training_fingerprint() if cache is not None else ""
    out = {}
    for name in names:
        rows = eval_routing.load_rows(ROOT / "tests" / "data" / f"appeals_{name}.jsonl")
        held_out = {str(r["text"]) for r in rows}
        path = None
        if cache is not None:
            held = hashlib.sha256("\0".join(sorted(held_out)).encode()).hexdigest()
            path = cache / f"{name}-{hashlib.sha256((fingerprint + held).encode()).hexdigest()[:16]}.npz"
        if path is not None and path.exists():
            model = LearnedModel.load(path)
        else:
            model = router.train([r for r in seed if r.text not in held_out], with_seed=False)
            if path is not None:
                path.parent.mkdir(parents=True, exist_ok=True)
                model.save(path)
        without = router.with_model(model)
        out[name] = [(row, classify_record(without, row), *without.calibration_features(row["text"])) for row in rows]
    return out


def class_examples(routed: list[Routed]) -> tuple[list[tuple[float, ...]], list[str]]:
    """The class signals and labelled classes of the dispatched decisions among `routed`."""
    pairs = [(t[3], str(t[0]["expect_class"])) for t in routed if t[3] is not None and t[0].get("expect_class")]
    return [f for f, _ in pairs], [c for _, c in pairs]


def main() -> int:
    # no options: `--help` prints this and stops (it ran the whole job, which writes its files)
    argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter).parse_args()
    routed = out_of_sample()
    features, right, matters, groups = [], [], [], []
    for name, triples in routed.items():
        for row, output, feats, _ in triples:
            if feats is not None:
                features.append(feats)
                right.append(eval_routing.owner_right(row, output))
                matters.append(str(output["matter"]))
                groups.append(name)
    calibrator = fit_calibrator(features, right, matters=matters, groups=groups)
    note = (f"fitted by bench/fit_calibration.py on {len(features)} decisions of the sets {', '.join(SEED_SETS)}, "
            "each routed by a model trained without it")
    calibrator.save(DEFAULT_CALIBRATION, note=note)
    print(f"{len(features)} decisions, {sum(right)} right; "
          f"calibration written to {DEFAULT_CALIBRATION.relative_to(ROOT)}")
    print(calibrator)
    class_features, classes = class_examples([t for triples in routed.values() for t in triples])
    class_calibrator = fit_class_calibrator(class_features, classes)
    class_calibrator.save(DEFAULT_CLASS_CALIBRATION, note=note.replace("decisions", "classed decisions")
                          .replace(str(len(features)), str(len(class_features)), 1))
    print(f"{len(class_features)} classed decisions; class calibration written to "
          f"{DEFAULT_CLASS_CALIBRATION.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
