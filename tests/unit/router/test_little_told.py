"""A text that tells next to nothing — a greeting, a bare number — is no emergency: the learned emergency head
alone called 120 on "你好" and 119 on a phone number (router.service.LEARNED_ALONE_MIN_TOLD). And characters that
show nothing (a zero-width space pasted from a chat) do not split what the router reads."""

from __future__ import annotations

import pytest

from router.service import Router


@pytest.mark.parametrize("text", ["你好", "喂", "电话13812345678", "电话138\u200b1234\u200b5678", "？？？", "在吗"])
def test_a_greeting_or_a_bare_number_is_no_emergency(router: Router, text: str) -> None:
    assert router.route(text).redirect is None
    assert router.emergency_line(text) is None


def test_a_short_emergency_still_called_by_its_words(router: Router) -> None:
    assert router.route("楼下有人拿刀砍人").redirect is not None
    assert router.route("厨房着火了").redirect is not None


def test_a_zero_width_space_inside_a_cue_does_not_hide_it(router: Router) -> None:
    plain = router.route("小区门口着火了，火很大")
    hidden = router.route("小区门口着\u200b火了，火\ufeff很大")
    assert plain.redirect is not None
    assert hidden.redirect == plain.redirect


@pytest.mark.parametrize("text", ["123", "12345", "嗯", "你好", "在吗", "测试", "？？？", "138 1234 5678"])
def test_a_text_that_tells_nothing_waits_for_a_dispatcher_with_a_low_confidence(router: Router, text: str) -> None:
    """"嗯" was dispatched at 0.525 and "在吗" to the police at 0.454, "你好" raised to urgent: with no word of any
    matter and next to nothing told, the decision is a dispatcher's and the class the rules'."""
    decision = router.route(text)
    assert decision.confidence <= 0.1
    assert decision.whistle_class.value == "ordinary"


def test_a_short_text_naming_its_matter_keeps_its_confidence(router: Router) -> None:
    assert router.route("停水了").confidence >= 0.8
    assert router.route("路灯坏了").confidence >= 0.8
