"""Defeaters of one line: a knife used at work or in the kitchen denies 110's knife cues, and a jump that is
a dance 110's jump cues, in their clause — and no other line's, so whoever cuts themselves or collapses while
dancing is still the ambulance's, and a knife drawn at someone is still the police's (written for these tests:
the false alarms the lead found by hand, and the real injuries the first try at them lost, 13750db / a57bd3e)."""

from __future__ import annotations

from pathlib import Path

import pytest

from router.emergency import EmergencyDetector
from router.exceptions import LexiconError
from router.normalise import Normaliser
from router.service import Router
from schemas.taxonomy import EmergencyLine


@pytest.mark.parametrize(
    "text",
    [
        "我爸在县医院等着动刀做手术，正在排队",
        "我爸在县医院等着动刀做手术 正在排队 医生说要等一个月 太久了能不能快点",
        "卖菜的拿刀正在切西瓜，摊子占了人行道",
        "小区门口卖菜的拿刀正在切西瓜 摊子占了人行道 城管管管",
        "楼顶天台上有人晾被子，说要跳广场舞占了地方",
        "楼顶天台上有人晾被子 说要跳广场舞占了地方 吵得很",
    ],
)
def test_a_knife_at_work_or_a_dance_is_no_call_for_the_police(router: Router, text: str) -> None:
    assert router.route(text).redirect is None


@pytest.mark.parametrize(
    ("text", "line"),
    [
        # the same words, someone hurt: the ambulance
        ("我妈切菜切到手指血流不止", "120"),
        ("杀鱼的时候刀扎进手掌里拔不出来流了好多血", "120"),
        ("跳广场舞的一个大妈突然倒地不省人事", "120"),
        ("大爷在广场跳舞晕倒了没有呼吸", "120"),
        # a knife at work that cut its holder: no violence, the ambulance (it went to 110 before)
        ("卖西瓜的拿刀切西瓜切到手了血流不止", "120"),
        # a knife drawn at someone, whatever else the clause says: the police
        ("我老公拿菜刀要砍我 我躲在卫生间 他还在外面砍门", "110"),
        ("有人拿刀在楼道里乱砍，正在砸我家门", "110"),
        ("边切菜边拿刀要砍我", "110"),
        ("他拿切菜刀砍人了", "110"),
        ("菜市场杀鸡的拿刀跟人打起来了，有人受伤了", "110"),
        ("老公喝醉了在厨房磨刀，说要杀了我", "110"),
        # a dancer on a roof who says she will jump down: the police
        ("楼顶有个女的在跳舞，边跳边哭说不想活了要跳下去", "110"),
        ("有个男的站在楼顶上说要跳下去", "110"),
    ],
)
def test_the_same_words_told_of_harm_keep_their_line(router: Router, text: str, line: str) -> None:
    decision = router.route(text)
    assert decision.redirect is not None and decision.redirect.value == line


def _detector(tmp_path: Path, lexicon: str) -> EmergencyDetector:
    path = tmp_path / "emergency.yaml"
    path.write_text(lexicon, encoding="utf-8")
    return EmergencyDetector.from_file(path, Normaliser({}))


_LEXICON = """
threshold: 2.0
lines:
  "110": [拿刀:3]
injury: [血流不止:3]
violence: [拿刀]
line_defeaters:
  - line: "110"
    words: [切菜]
    unless: [砍我]
"""


def test_a_line_defeater_denies_its_own_line_and_no_other(tmp_path: Path) -> None:
    detector = _detector(tmp_path, _LEXICON)
    assert detector.detect("他拿刀在切菜") is None
    call = detector.detect("他拿刀切菜要砍我")
    assert call is not None and call.line is EmergencyLine.police
    # the violence word denied as well: whoever bleeds beside a knife at work is the ambulance's
    call = detector.detect("她拿刀切菜切到手血流不止")
    assert call is not None and call.line is EmergencyLine.medical
    call = detector.detect("他拿刀了，血流不止")
    assert call is not None and call.line is EmergencyLine.police


def test_a_line_defeater_must_name_a_known_line_and_its_words(tmp_path: Path) -> None:
    with pytest.raises(LexiconError, match="unknown emergency line"):
        _detector(tmp_path, _LEXICON.replace('- line: "110"', '- line: "999"'))
    with pytest.raises(LexiconError, match="needs `line` and `words`"):
        _detector(tmp_path, _LEXICON.replace("words: [切菜]", "words: []"))
