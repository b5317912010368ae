"""Routing confidence and whistle class calibrated on decisions about appeals the model had not seen."""

from __future__ import annotations

from pathlib import Path

import pytest

from router.calibration import (
    CLASS_FEATURES,
    FEATURES,
    Calibrator,
    ClassCalibrator,
    class_feature_names,
    fit_calibrator,
    fit_class_calibrator,
)
from router.exceptions import LexiconError
from router.service import Router
from schemas.taxonomy import WhistleClass


def test_the_shipped_router_reports_a_calibrated_probability(router: Router) -> None:
    assert router.calibrator is not None
    clear = router.route("公司拖欠了我三个月工资，老板一直不给，要求人社局帮忙讨薪。")
    vague = router.route("这个事情到底归谁管啊，问了好几个地方都说不归他们。")
    assert 0.0 <= vague.confidence < clear.confidence <= 1.0


def test_agreement_between_rules_and_model_raises_the_confidence() -> None:
    features = [[0.5, 0.3, 0.2, p, p, agree, 0, 1, 0, 0, p] for p, agree in [(0.9, 1), (0.2, 0)] for _ in range(30)]
    right = [True] * 27 + [False] * 3 + [True] * 12 + [False] * 18
    calibrator = fit_calibrator(features, right)
    assert calibrator(features[0]) > 0.8 > 0.5 > calibrator(features[-1])


def test_a_matter_writers_file_elsewhere_is_less_sure_than_one_they_agree_on(tmp_path: Path) -> None:
    """The same signals, two matters: one right 29 times in 30 in every set, the other 18 (its appeals filed under
    another owner by the writers); each decision reads its matter's record without its own set's decisions."""
    signals = [0.5, 0.3, 0.2, 0.9, 0.9, 1, 0, 1, 0, 0, 0.9]
    features, right, matters, groups = [], [], [], []
    for group in ("a", "b", "c"):
        for i in range(30):
            for matter, wrong_every in (("clear.matter", 30), ("shared.matter", 3)):
                features.append(signals)
                right.append(i % wrong_every != 0)
                matters.append(matter)
                groups.append(group)
    calibrator = fit_calibrator(features, right, matters=matters, groups=groups)
    assert calibrator(signals, "clear.matter") > calibrator(signals, "a.matter.never.seen") > calibrator(
        signals, "shared.matter")
    path = tmp_path / "calibration.yaml"
    calibrator.save(path)
    loaded = Calibrator.load(path)
    assert loaded(signals, "shared.matter") == pytest.approx(calibrator(signals, "shared.matter"), abs=1e-4)
    assert loaded(signals) == pytest.approx(calibrator(signals), abs=1e-4)


def test_features_are_reported_for_dispatched_decisions_only(router: Router) -> None:
    features = router.confidence_features("小区门口的路灯坏了一个星期了")
    assert features is not None and len(features) == len(FEATURES)
    assert router.confidence_features("着火了！三楼有人被困，快来救命") is None


def test_a_calibration_round_trips_and_a_missing_weight_is_a_clear_error(tmp_path: Path) -> None:
    calibrator = Calibrator(tuple(0.1 * i for i in range(len(FEATURES))), -0.5)
    path = tmp_path / "calibration.yaml"
    calibrator.save(path)
    assert Calibrator.load(path)(list(range(len(FEATURES)))) == pytest.approx(calibrator(list(range(len(FEATURES)))))
    path.write_text("intercept: 0\nweights: {heuristic: 1}\n", encoding="utf-8")
    with pytest.raises(LexiconError, match="rule_best"):
        Calibrator.load(path)


def test_the_shipped_router_calibrates_the_whistle_class_from_rules_and_heads(router: Router) -> None:
    assert router.class_calibrator is not None
    features = router.class_features("小区门口的路灯坏了一个星期了")
    assert features is not None and len(features) == len(CLASS_FEATURES)
    assert router.class_features("着火了！三楼有人被困，快来救命") is None
    decision = router.route("小区门口的路灯坏了一个星期了")
    assert decision.whistle_class is WhistleClass.ordinary and "calibrated ordinary" in decision.explanation


def test_the_class_calibration_leans_to_urgent_by_its_bias() -> None:
    # two features that tell urgent from ordinary apart only loosely: the bias tips a tie to urgent
    features = [[0.0] * (len(CLASS_FEATURES) - 1) + [0.0] for _ in range(60)]
    for i, row in enumerate(features):
        row[CLASS_FEATURES.index("head_urgent")] = 1.0 if i % 2 else -1.0  # the urgent head's log-odds
    classes = ["urgent" if i % 2 and i % 6 != 1 else ("hard" if i % 10 == 0 else "ordinary") for i in range(60)]
    fair = fit_class_calibrator(features, classes, urgent_bias=0.0)
    leaning = fit_class_calibrator(features, classes, urgent_bias=5.0)
    assert fair(features[0]) == "ordinary" and fair(features[1]) == "urgent"
    assert leaning(features[0]) == "urgent"


def test_a_class_calibration_round_trips_and_a_missing_class_is_a_clear_error(tmp_path: Path) -> None:
    width = len(class_feature_names())
    calibrator = ClassCalibrator(tuple(tuple(0.01 * (i + k) for i in range(width)) for k in range(3)), (0.1, 0.0, -0.3),
                                 1.25)
    path = tmp_path / "class_calibration.yaml"
    calibrator.save(path)
    loaded = ClassCalibrator.load(path)
    features = [0.5] * len(CLASS_FEATURES)
    assert loaded.scores(features) == pytest.approx(calibrator.scores(features), abs=1e-5)
    assert loaded(features) == calibrator(features) and loaded.urgent_bias == 1.25
    path.write_text("classes: {ordinary: {intercept: 0, weights: {}}}\n", encoding="utf-8")
    with pytest.raises(LexiconError, match="class calibration"):
        ClassCalibrator.load(path)
