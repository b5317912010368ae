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
