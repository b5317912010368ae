"""Property tests of masking over numbers read out digit by digit in any of the ways callers say them,
and over ordinary text full of the characters that are digits when read out (两个, 拐弯, 勾选)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from intake.masking import find_numbers, mask_text

# Every way a digit is written or said, as the operator may type it.
READINGS = {"0": "0０〇零洞", "1": "1１一幺壹", "2": "2２二两贰", "3": "3３三叁", "4": "4４四肆", "5": "5５五伍",
            "6": "6６六陆", "7": "7７七拐柒", "8": "8８八捌", "9": "9９九勾玖"}
# Ordinary words holding those characters, and text that is neither.
WORDS = ("两个人", "拐弯", "勾选", "洞口", "零下", "一两天", "两三次", "拐角", "勾兑", "十一", "二十", "两百", "三五个",
         "幺蛾子", "第七", "九成", "楼道", "路灯", "不亮", "在", "的", "，", "。", " ", "3楼", "12户", "4.6万元")
BEFORE = ("", "电话", "我电话", "请回电", "两个人都在，电话", "往左拐，号码", "手机")
AFTER = ("", "两个人都能接", "拐弯就到", "勾选了", "，谢谢", "一个", "。")


@st.composite
def read_out(draw: st.DrawFn, digits: str) -> str:
    """`digits` as an operator may write them: one reading per digit, written alike within a group
    (callers read a number in groups: 3-4-4), groups maybe apart by a space or a dash."""
    groups = [digits[:3], digits[3:7], digits[7:]]
    parts = []
    for group in groups:
        script = draw(st.integers(0, 4))
        parts.append("".join(READINGS[d][script] if script < 2 else draw(st.sampled_from(READINGS[d][2:]))
                             for d in group))
    return draw(st.sampled_from(("", " ", "-"))).join(parts)


@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True).flatmap(lambda d: st.tuples(st.just(d), read_out(d))),
       st.sampled_from(BEFORE), st.sampled_from(AFTER))
def test_a_mobile_read_out_in_any_way_is_found_whole_and_masked(number: tuple[str, str], before: str,
                                                                after: str) -> None:
    digits, written = number
    text = before + written + after
    assert [(n.kind, n.digits) for n in find_numbers(text)] == [("mobile", digits)], text
    assert mask_text(text) == f"{before}{digits[:3]}****{digits[-4:]}{after}", text


@given(st.lists(st.sampled_from(WORDS), max_size=30))
def test_ordinary_words_with_digits_in_them_are_never_masked(words: list[str]) -> None:
    text = "".join(words)
    assert mask_text(text) == text and find_numbers(text) == []
