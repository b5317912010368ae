"""The composite score's weights as a report's `weights` parameter or HOTLINE_REPORT_WEIGHTS gives them."""

from __future__ import annotations

import pytest

from feedback.exceptions import BadReportParameter
from feedback.reports import DEFAULT_WEIGHTS, parse_weights


def test_weights_given_replace_the_defaults_named() -> None:
    assert parse_weights("response:0.5", DEFAULT_WEIGHTS) == {**DEFAULT_WEIGHTS, "response": 0.5}


@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "-inf", "infinity", "1e309"])
def test_a_weight_that_is_not_a_finite_number_is_refused_naming_the_rate(value: str) -> None:
    with pytest.raises(BadReportParameter) as refused:
        parse_weights(f"response:{value},solution:1", DEFAULT_WEIGHTS)
    assert refused.value.field == "weights" and refused.value.problem.startswith("response: ")
