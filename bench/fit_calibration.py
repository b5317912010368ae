"""Fit the routing-confidence calibration from decisions on appeals the model had not seen.

For each seed set (tests/data/appeals_NAME.jsonl, the sets the shipped model learns from), a model
is trained without it and routes it; each dispatched decision's signals (router.calibration.FEATURES)
and whether its owner was right are gathered, and a logistic calibration is fitted on all of them
and written to router/data/calibration.yaml. Usage: python bench/fit_calibration.py
"""

from __future__ import annotations

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

from router.calibration import DEFAULT_CALIBRATION, fit_calibrator  # noqa: E402
from router.learning import LearnedModel, seed_records  # noqa: E402
from router.offline import classify_record  # noqa: E402
from router.service import Router  # noqa: E402
from router.shipped import training_fingerprint  # noqa: E402


def out_of_sample(names: tuple[str, ...] = SEED_SETS) -> dict[str, list[tuple[dict[str, Any], dict[str, Any],
                                                                             tuple[float, ...] | None]]]:
    """Per set: (row, output, confidence features) routed by a model trained without the set,
    with the rules' uncalibrated confidence."""
    router = Router.default().with_calibrator(None)
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
        out[name] = [(row, classify_record(without, row), without.confidence_features(row["text"])) for row in rows]
    return out


def main() -> int:
    routed = out_of_sample()
    features, right = [], []
    for triples in routed.values():
        for row, output, feats in triples:
            if feats is not None:
                features.append(feats)
                right.append(eval_routing.owner_right(row, output))
    calibrator = fit_calibrator(features, right)
    note = (f"fitted by bench/fit_calibration.py on {len(features)} decisions of the sets {', '.join(SEED_SETS)}, "
            "each routed by a model trained without it")
    calibrator.save(DEFAULT_CALIBRATION, note=note)
    print(f"{len(features)} decisions, {sum(right)} right; "
          f"calibration written to {DEFAULT_CALIBRATION.relative_to(ROOT)}")
    print(calibrator)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
