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
import operator
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
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
# A matter's record beside the signals of one decision: some matters are filed by writers under another owner
# however sure the rules and the model are (a township's clinic under the township or under health, a village
# dog bite under the village or the police), which no signal of the text shows. The record is the share of the
# matter's out-of-sample decisions whose owner was right, as log-odds, shrunk towards all decisions' share by
# this many pseudo-decisions (a matter seen a few times keeps about the average).
RELIABILITY_PRIOR = 10.0


@dataclass(frozen=True)
class Calibrator:
    """P(owner right) = logistic(weights · features + intercept + reliability_weight × the matter's record),
    features as in FEATURES, the record the log-odds in `reliability` (`reliability_default` for a matter
    without one)."""

    weights: tuple[float, ...]
    intercept: float
    reliability_weight: float = 0.0
    reliability: Mapping[str, float] = field(default_factory=dict)
    reliability_default: float = 0.0

    def __call__(self, features: Sequence[float], matter: str | None = None) -> float:
        if len(features) != len(self.weights):
            raise ValueError(f"expected {len(self.weights)} features, got {len(features)}")
        # the same products summed in the same order as a generator would, a few thousand instructions fewer
        score = self.intercept + sum(map(operator.mul, self.weights, features))
        if self.reliability_weight:
            score += self.reliability_weight * self.reliability.get(matter or "", self.reliability_default)
        return 1.0 / (1.0 + math.exp(-score))

    def save(self, path: Path, *, note: str = "") -> None:
        """Write the calibration as YAML (feature name → weight; the matters' records)."""
        body: dict[str, object] = {
            "note": note, "intercept": round(self.intercept, 6),
            "weights": {name: round(w, 6) for name, w in zip(FEATURES, self.weights, strict=True)}}
        if self.reliability_weight:
            body["reliability"] = {"weight": round(self.reliability_weight, 6),
                                   "default": round(self.reliability_default, 6),
                                   "matters": {m: round(v, 4) for m, v in sorted(self.reliability.items())}}
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
            record = data.get("reliability") or {}
            return cls(tuple(float(weights[name]) for name in FEATURES), float(data["intercept"]),
                       float(record.get("weight", 0.0)),
                       {str(m): float(v) for m, v in (record.get("matters") or {}).items()},
                       float(record.get("default", 0.0)))
        except (OSError, yaml.YAMLError, KeyError, TypeError, ValueError, AttributeError) as exc:
            raise LexiconError(f"{path}: cannot read the confidence calibration: {exc}") from exc


def _log_odds(hit: float, total: float, prior: float) -> float:
    """The shrunk share hit / total (towards `prior` by RELIABILITY_PRIOR pseudo-decisions) as log-odds."""
    p = (hit + RELIABILITY_PRIOR * prior) / (total + RELIABILITY_PRIOR)
    p = min(max(p, 1e-3), 1.0 - 1e-3)
    return math.log(p / (1.0 - p))


def fit_calibrator(features: Sequence[Sequence[float]], right: Sequence[bool], *, strength: float = 1.0,
                   matters: Sequence[str] | None = None, groups: Sequence[str] | None = None) -> Calibrator:
    """Fit the calibration (L2-regularised logistic regression; `strength` is the inverse of the
    penalty) on decisions and whether their owner was right. With `matters` (each decision's matter) the
    matters' records are fitted too; each decision reads its matter's record without its own group's
    decisions (`groups`, e.g. the labelled set it came from; without them, without itself), as a new
    appeal would."""
    from sklearn.linear_model import LogisticRegression

    y = [bool(r) for r in right]
    rows = [list(f) for f in features]
    if matters is None:
        model = LogisticRegression(C=strength, max_iter=2000)
        model.fit(rows, y)
        return Calibrator(tuple(float(w) for w in model.coef_[0]), float(model.intercept_[0]))
    keys = list(groups) if groups is not None else [str(i) for i in range(len(y))]
    total: Counter[str] = Counter(matters)
    hits: Counter[str] = Counter(m for m, r in zip(matters, y, strict=True) if r)
    by_group: Counter[tuple[str, str]] = Counter(zip(keys, matters, strict=True))
    hits_by_group: Counter[tuple[str, str]] = Counter((k, m) for k, m, r in zip(keys, matters, y, strict=True) if r)
    group_size, group_hits = Counter(keys), Counter(k for k, r in zip(keys, y, strict=True) if r)
    all_hits, n = sum(y), len(y)
    for row, key, matter in zip(rows, keys, matters, strict=True):
        prior = (all_hits - group_hits[key]) / max(n - group_size[key], 1)
        row.append(_log_odds(hits[matter] - hits_by_group[key, matter], total[matter] - by_group[key, matter], prior))
    model = LogisticRegression(C=strength, max_iter=2000)
    model.fit(rows, y)
    prior = all_hits / max(n, 1)
    record = {m: _log_odds(hits[m], total[m], prior) for m in total}
    *weights, weight = (float(w) for w in model.coef_[0])
    return Calibrator(tuple(weights), float(model.intercept_[0]), weight, record, _log_odds(0, 0, prior))


# The whistle class, calibrated the same way. The cue rules and the learned class heads each see part of
# what writers mean by a class (harm happening now to someone; long-standing, repeated or multi-department),
# and the rules raise many ordinary hardships: a multinomial logistic model over both (`ClassCalibrator`),
# fitted on decisions made by routers whose model had not seen the appeals (bench/fit_calibration.py,
# shipped in data/class_calibration.yaml), decides the class of a dispatched appeal. Scores are read on
# the text the class is read from (a long message's focus, its most pressing sentence for the rules).
CLASS_FEATURES = (
    "rules_hard",  # 1 when the rules (cues, matter default) say hard
    "rules_urgent",  # 1 when they say urgent
    "urgent_cues",  # the urgent cues' score (its most pressing sentence's for a long message; /4, at most 2)
    "hard_cues",  # the hard cues' score, likewise
    "urgent_cues_all",  # the urgent cues' score over the whole text read (/4, at most 2)
    "hard_cues_all",  # the hard cues' score over the whole text read
    "urgent_reached",  # 1 when the urgent cues reach their threshold
    "hard_reached",  # 1 when the hard cues reach theirs
    "default_hard",  # 1 when the matter is hard by default
    "default_urgent",  # 1 when the matter is urgent by default
    "as_reported",  # 1 when the matter's report is itself the harm now (a gas leak, no water: whistle.yaml)
    "deferred",  # 1 when the appeal asks, plans, denies or only imagines ("请问", "万一…", "不是漏气")
    "head_urgent",  # log-odds of the learned urgent head
    "head_hard",  # log-odds of the learned hard head
    "danger",  # log of the learned emergency head's probability of an emergency
    "long",  # 1 for a long message read for its main request
)
CLASS_ORDER = ("ordinary", "hard", "urgent")
# Added to urgent's log-probability before the most probable class is taken: recall first (an urgent appeal
# read as ordinary waits days). Leave-one-set-out over the 23 seed sets, pooled (the rules raised by the heads:
# urgent recall 95.50%, class accuracy 83.66%), before the `as_reported` and `deferred` signals: 1.5 gives
# 95.34 / 87.47%, 1.75 96.09 / 86.88%, 2.0 96.89 / 86.13%, 2.25 97.27 / 85.26%; with them, 2.0: 96.62 / 86.00%.
# 2.15 once train_ae joined (24 sets, pooled): 2.0 gives 95.46 / 88.04%, 2.15 97.14 / 86.17%, 2.3 97.40 / 85.77%.
URGENT_BIAS = 2.15
_RULES_HARD, _RULES_URGENT, _DEFERRED = (CLASS_FEATURES.index(name) for name in (
    "rules_hard", "rules_urgent", "deferred"))
DEFAULT_CLASS_CALIBRATION = Path(__file__).parent / "data" / "class_calibration.yaml"


def _expanded(features: Sequence[float]) -> list[float]:
    """CLASS_FEATURES and each of them but `long` again for long messages (a letter's cues read otherwise)."""
    long = features[-1]
    return [*features, *(long * x for x in features[:-1])]


def class_feature_names() -> tuple[str, ...]:
    """The names of the calibrated model's inputs (CLASS_FEATURES, then `long×` each but long)."""
    return (*CLASS_FEATURES, *(f"long×{name}" for name in CLASS_FEATURES[:-1]))


@dataclass(frozen=True)
class ClassCalibrator:
    """P(class) = softmax(weights[class] · features + intercepts[class]), classes in CLASS_ORDER; the class
    given is the most probable once `urgent_bias` is added to urgent's log-probability."""

    weights: tuple[tuple[float, ...], ...]
    intercepts: tuple[float, ...]
    urgent_bias: float = URGENT_BIAS

    def scores(self, features: Sequence[float]) -> list[float]:
        """The classes' log-probabilities up to a constant, in CLASS_ORDER (no bias)."""
        # a short appeal's `long×` features are all 0: its rows are read only as far as CLASS_FEATURES
        # (map stops at the shorter sequence), a few microseconds a decision
        if len(features) != len(CLASS_FEATURES):
            raise ValueError(f"expected {len(CLASS_FEATURES)} class features, got {len(features)}")
        if not features[-1]:
            return [b + sum(map(operator.mul, row, features))
                    for row, b in zip(self.weights, self.intercepts, strict=True)]
        x = _expanded(features)
        return [b + sum(map(operator.mul, row, x)) for row, b in zip(self.weights, self.intercepts, strict=True)]

    def __call__(self, features: Sequence[float]) -> str:
        scores = self.scores(features)
        scores[CLASS_ORDER.index("urgent")] += self.urgent_bias
        chosen = CLASS_ORDER[max(range(len(scores)), key=scores.__getitem__)]
        # a question, a plan or a danger denied or imagined is not urgent unless the rules' cues say so
        if chosen == "urgent" and features[_DEFERRED] and not features[_RULES_URGENT]:
            return "hard" if features[_RULES_HARD] else "ordinary"
        return chosen

    def save(self, path: Path, *, note: str = "") -> None:
        """Write the calibration as YAML (class → intercept and feature name → weight)."""
        names = class_feature_names()
        body = {"note": note, "urgent_bias": self.urgent_bias,
                "classes": {cls: {"intercept": round(b, 6),
                                  "weights": {n: round(w, 6) for n, w in zip(names, row, strict=True)}}
                            for cls, row, b in zip(CLASS_ORDER, self.weights, self.intercepts, strict=True)}}
        path.write_text(yaml.safe_dump(body, allow_unicode=True, sort_keys=False), encoding="utf-8")

    @classmethod
    def load(cls, path: Path = DEFAULT_CLASS_CALIBRATION) -> ClassCalibrator:
        """Read a class calibration written by `save`; every class and feature must have a weight."""
        names = class_feature_names()
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            classes = data["classes"]
            rows = tuple(tuple(float(classes[c]["weights"][n]) for n in names) for c in CLASS_ORDER)
            intercepts = tuple(float(classes[c]["intercept"]) for c in CLASS_ORDER)
            return cls(rows, intercepts, float(data.get("urgent_bias", URGENT_BIAS)))
        except (OSError, yaml.YAMLError, KeyError, TypeError, ValueError) as exc:
            raise LexiconError(f"{path}: cannot read the class calibration: {exc}") from exc


def fit_class_calibrator(features: Sequence[Sequence[float]], classes: Sequence[str], *,
                         strength: float = 1.0, urgent_bias: float = URGENT_BIAS) -> ClassCalibrator:
    """Fit the class calibration (multinomial L2-regularised logistic regression; `strength` is the
    inverse of the penalty) on decisions' CLASS_FEATURES and their labelled classes."""
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=strength, max_iter=3000)
    model.fit([_expanded(f) for f in features], [CLASS_ORDER.index(c) for c in classes])
    order = [list(model.classes_).index(i) for i in range(len(CLASS_ORDER))]
    return ClassCalibrator(tuple(tuple(float(w) for w in model.coef_[i]) for i in order),
                           tuple(float(model.intercept_[i]) for i in order), urgent_bias)
