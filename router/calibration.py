"""Routing confidence calibrated on appeals the router had not seen.

A decision's confidence decides whether it is dispatched without a dispatcher, so it should be
the probability that the owner is right. The rules' own score share is a poor one on appeals
phrased in new ways; what tells a right decision from a wrong one is whether the keyword rules
and the learned owner model agree, by how much the winner leads, whether the place is known, and
whether a catch-all matter won. `Calibrator` is a logistic model over those signals, fitted
(`fit_calibrator`) on decisions made by routers whose learned model had not seen the appeals
(leave-one-set-out over the seed sets: `bench/fit_calibration.py`) and shipped in
`data/calibration.yaml`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from router.exceptions import LexiconError

FEATURES = (
    "heuristic",  # the rules' softmax share × evidence (the uncalibrated confidence)
    "rule_best",  # the winner's rule score (/10, at most 1)
    "margin",  # the winner's lead over the best other owner (/10, clipped to [-1, 1])
    "model_owner",  # the learned model's probability of the winner's owner (and of its rural level, if any)
    "model_top",  # the learned model's probability of its own favourite owner
    "model_agrees",  # 1 when the model's favourite is the winner's owner
    "catch_all",  # 1 when the winner is an owner's catch-all matter ("其他…事项")
    "place_known",  # 1 when the gazetteer (or a village's name) places the appeal
    "grassroots",  # 1 when the winner belongs to a village or township
    "long",  # 1 for a long message read for its main request
    "model_placed",  # the learned model's probability of the owner dispatched to (model_owner if the matter's)
)
DEFAULT_CALIBRATION = Path(__file__).parent / "data" / "calibration.yaml"


@dataclass(frozen=True)
class Calibrator:
    """P(owner right) = logistic(weights · features + intercept), features as in FEATURES."""

    weights: tuple[float, ...]
    intercept: float

    def __call__(self, features: Sequence[float]) -> float:
        score = self.intercept + sum(w * x for w, x in zip(self.weights, features, strict=True))
        return 1.0 / (1.0 + math.exp(-score))

    def save(self, path: Path, *, note: str = "") -> None:
        """Write the calibration as YAML (feature name → weight)."""
        body = {"note": note, "intercept": round(self.intercept, 6),
                "weights": {name: round(w, 6) for name, w in zip(FEATURES, self.weights, strict=True)}}
        path.write_text(yaml.safe_dump(body, allow_unicode=True, sort_keys=False), encoding="utf-8")

    @classmethod
    def load(cls, path: Path = DEFAULT_CALIBRATION) -> Calibrator:
        """Read a calibration written by `save`; every feature must have a weight."""
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            weights = data["weights"]
            missing = [name for name in FEATURES if name not in weights]
            if missing:
                raise KeyError(", ".join(missing))
            return cls(tuple(float(weights[name]) for name in FEATURES), float(data["intercept"]))
        except (OSError, yaml.YAMLError, KeyError, TypeError, ValueError) as exc:
            raise LexiconError(f"{path}: cannot read the confidence calibration: {exc}") from exc


def fit_calibrator(features: Sequence[Sequence[float]], right: Sequence[bool], *, strength: float = 1.0) -> Calibrator:
    """Fit the calibration (L2-regularised logistic regression; `strength` is the inverse of the
    penalty) on decisions and whether their owner was right."""
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=strength, max_iter=2000)
    model.fit([list(f) for f in features], [bool(r) for r in right])
    return Calibrator(tuple(float(w) for w in model.coef_[0]), float(model.intercept_[0]))
