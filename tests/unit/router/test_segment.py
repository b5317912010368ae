"""Dictionary scanning: the C automaton and the pure-Python fallback agree."""

from __future__ import annotations

from router.segment import PhraseIndex, TermMatcher, leftmost_longest

PHRASES = ["路灯", "路灯不亮", "不亮", "灯不", "小区", "小区门口", "门口"]
TEXT = "小区门口的路灯不亮了，小区里也黑"


def _python_only(phrases: list[str]) -> PhraseIndex:
    index = PhraseIndex(phrases)
    index._automaton = None  # force the fallback scan
    return index


def test_both_scans_find_the_same_hits_in_the_same_order() -> None:
    fast, slow = PhraseIndex(PHRASES), _python_only(PHRASES)
    assert fast.find_all(TEXT) == slow.find_all(TEXT)
    assert fast.found(TEXT) == slow.found(TEXT) == {"路灯", "路灯不亮", "不亮", "灯不", "小区", "小区门口", "门口"}


def test_longest_match_segmentation() -> None:
    index = PhraseIndex(PHRASES)
    expected = [(0, -4, "小区门口"), (5, -4, "路灯不亮"), (11, -2, "小区")]
    assert index.longest(TEXT) == expected
    assert leftmost_longest(index.find_all(TEXT)) == expected


def test_term_matcher_handles_phrases_cooccurrences_and_single_characters() -> None:
    matcher: TermMatcher[str] = TermMatcher(
        [("plain", ("路灯",)), ("both", ("小区", "不亮")), ("char", ("小区", "黑")), ("missing", ("小区", "白"))]
    )
    assert sorted(matcher.match(TEXT)) == ["both", "char", "plain"]


def test_jieba_words_keep_catalogue_phrases_and_place_names_whole() -> None:
    from router.service import Router

    words = Router.default().words("翠湖苑3栋楼道堆物太多，消防通道也被占了")
    assert "翠湖苑" in words
    assert "消防通道" in words
