"""Per-matter auto-dispatch thresholds learned from the centre's own history."""

from __future__ import annotations

from router.service import Router
from router.thresholds import ALWAYS_REVIEW, DispatchOutcome, MatterThresholds, learn_thresholds, wilson_lower_bound


def _history(matter: str, confidences: list[float], wrong_below: float = 0.0,
             wrong_every: int = 0) -> list[DispatchOutcome]:
    out = []
    for i, c in enumerate(confidences):
        wrong = c < wrong_below or (wrong_every and i % wrong_every == 0)
        out.append(DispatchOutcome(matter, c, not wrong))
    return out


def test_a_matter_that_is_always_right_is_dispatched_from_a_lower_confidence() -> None:
    history = _history("hr_social.wage_arrears", [0.3 + 0.01 * (i % 60) for i in range(300)])
    learned = learn_thresholds(history, default=0.5)
    assert learned.for_matter("hr_social.wage_arrears") < 0.5
    assert learned.support["hr_social.wage_arrears"] == 300


def test_a_matter_often_returned_below_some_confidence_is_held_back_up_to_there() -> None:
    confidences = [0.3 + 0.007 * (i % 100) for i in range(400)]
    learned = learn_thresholds(_history("urban_mgmt.municipal_facilities", confidences, wrong_below=0.7))
    threshold = learned.for_matter("urban_mgmt.municipal_facilities")
    assert 0.7 <= threshold <= 1.0


def test_a_matter_wrong_whatever_the_confidence_always_waits_for_a_dispatcher() -> None:
    history = _history("village.other", [0.95] * 40 + [0.6] * 40, wrong_every=3)
    assert learn_thresholds(history).for_matter("village.other") == ALWAYS_REVIEW


def test_matters_with_little_history_keep_the_default() -> None:
    learned = learn_thresholds(_history("tax.invoice", [0.9] * 5), default=0.55)
    assert learned.for_matter("tax.invoice") == 0.55
    assert learned.for_matter(None) == 0.55


def test_wilson_bound_is_below_the_observed_rate_and_tightens_with_more_evidence() -> None:
    assert wilson_lower_bound(10, 10) < wilson_lower_bound(100, 100) < 1.0
    assert wilson_lower_bound(0, 0) == 0.0


def test_route_carries_the_matters_threshold_when_given(router: Router) -> None:
    text = "我在工地干了三个月活，老板一直拖欠工资不给，怎么办？"
    plain = router.route(text)
    assert plain.review_threshold is None
    thresholds = MatterThresholds(default=0.5, by_matter={str(plain.matter): 0.3})
    assert router.route(text, thresholds=thresholds).review_threshold == 0.3
    other = MatterThresholds(default=0.6, by_matter={"tax.invoice": 0.2})
    assert router.route(text, thresholds=other).review_threshold == 0.6


def test_a_matter_with_a_short_clean_history_keeps_the_default() -> None:
    # thirty right orders prove nothing either way: neither opened wider nor held back
    learned = learn_thresholds(_history("tax.invoice", [0.9] * 30), default=0.8)
    assert learned.for_matter("tax.invoice") == 0.8
    assert "tax.invoice" not in learned.by_matter
