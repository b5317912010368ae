"""并单 and a name both reports say that the gazetteer does not hold, of one word the background never
saw and common ones (竹山坳: 竹山 rare, 山坳 common; 老张麻辣烫): one place. A made-up county (names of
no data set)."""

from __future__ import annotations

from intake.duplicates import DuplicateIndex, Report, bigram_idf
from intake.places import KnownPlace, PlaceBook
from tests.unit.intake.duplicate_reports import report as _r
from tests.unit.intake.duplicate_reports import verdicts

BOOK = PlaceBook({
    "青石镇": KnownPlace("青石镇", "township", "qingshi"),
    "松岭村": KnownPlace("松岭村", "village", "qingshi", "qingshi.songling"),
})
# A background of everyday appeals: its words are common, 竹山 and 梅岭 (never seen) look like names.
IDF = bigram_idf([
    "后山坳里有人砍树", "山坳那边路塌了", "那边有人乱砍树，拖拉机半夜拉木头下山",
    "网格员：林地发现新砍的树桩二十多处", "请林业部门调查",
    "工地这么晚施工谁批的，切钢筋刺耳得很", "楼盘那边半夜施工，搅拌车进进出出",
])


def _run(*reports: Report) -> list[str | None]:
    return verdicts(DuplicateIndex(book=BOOK, idf=IDF), *reports)


def test_a_name_both_say_of_a_rare_word_and_common_ones_is_one_place() -> None:
    first = _r("a", "竹山坳那边有人乱砍树，拖拉机半夜拉木头下山")
    again = _r("b", "松岭村网格员：竹山坳林地发现新砍的树桩二十多处，请林业部门调查", "松岭村", hours=18)
    assert _run(first, again) == [None, "a"]


def test_two_names_of_one_common_word_are_two_places() -> None:
    first = _r("a", "竹山坳那边有人乱砍树，拖拉机半夜拉木头下山")
    other = _r("b", "梅岭坳那边有人乱砍树，拖拉机半夜拉木头下山", hours=18)
    assert _run(first, other) == [None, None]


def test_words_of_what_happened_both_say_are_no_name() -> None:
    first = _r("a", "工地这么晚施工谁批的，切钢筋刺耳得很")
    other = _r("b", "楼盘那边这么晚施工，搅拌车进进出出", hours=2)
    assert _run(first, other) == [None, None]
