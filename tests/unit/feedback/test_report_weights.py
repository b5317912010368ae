"""The composite score's weights as a report's `weights` parameter or HOTLINE_REPORT_WEIGHTS gives them."""

from __future__ import annotations

import pytest

from feedback.exceptions import BadReportParameter
from feedback.reports import DEFAULT_WEIGHTS, composite, parse_weights, rate


def test_weights_given_replace_the_defaults_named() -> None:
    assert parse_weights("response:0.5", DEFAULT_WEIGHTS) == {**DEFAULT_WEIGHTS, "response": 0.5}


@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "-inf", "infinity", "1e309"])
def test_a_weight_that_is_not_a_finite_number_is_refused_naming_the_rate(value: str) -> None:
    with pytest.raises(BadReportParameter) as refused:
        parse_weights(f"response:{value},solution:1", DEFAULT_WEIGHTS)
    assert refused.value.field == "weights" and refused.value.problem.startswith("response: ")



@pytest.mark.parametrize("each", ["1e-320", "1e-300", "1", "1e300", "1e308"])
def test_the_composite_is_the_same_however_large_or_small_the_weights(each: str) -> None:
    """Only the weights' proportions count: three weights of 1e308 (whose sum overflows to inf) gave a
    composite of 0.0, or NaN (null in JSON, `nan` in CSV), where weights of 1 give the plain mean."""
    rates = {"response": rate(1, 4), "solution": rate(1, 2), "satisfaction": rate(1, 1)}
    weights = parse_weights(f"response:{each},solution:{each},satisfaction:{each}", DEFAULT_WEIGHTS)
    assert composite(rates, weights) == round((0.25 + 0.5 + 1.0) / 3, 4)
