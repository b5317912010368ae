"""Routing confidence calibrated on decisions about appeals the model had not seen."""

from __future__ import annotations

from pathlib import Path

import pytest

from router.calibration import FEATURES, Calibrator, fit_calibrator
from router.exceptions import LexiconError
from router.service import Router


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
