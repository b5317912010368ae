"""并单 by places told in other words: the corner of two roads however it is worded, a spot told by what
it is beside (农行后面 / 农业银行背后), a house number. A made-up county (names of no data set)."""

from __future__ import annotations

from intake.duplicates import DuplicateIndex, Report
from intake.place_keys import place_keys, shared_key
from intake.place_words import _subplaces
from intake.places import KnownPlace, PlaceBook
from tests.unit.intake.duplicate_reports import report as _r
from tests.unit.intake.duplicate_reports import verdicts

_TOWN = KnownPlace("青石镇", "township", "qingshi")
_LABELS = {
    "青石镇": _TOWN,
    "青石社区": KnownPlace("青石社区", "community", "qingshi", "qingshi.sq"),
    "兰亭小区": KnownPlace("兰亭小区", "compound", "qingshi", "qingshi.sq"),
    "新民路": KnownPlace("新民路", "road", "qingshi", "qingshi.sq"),
}
BOOK = PlaceBook(_LABELS)
ALIASES = {label: p.name for label, p in _LABELS.items() if p.kind != "township"}


def _keys(text: str) -> tuple[frozenset[frozenset[str]], frozenset[str], frozenset[str]]:
    keys = place_keys(text, text)
    return keys.junctions, keys.anchors, keys.doors


def _run(*reports: Report) -> list[str | None]:
    return verdicts(DuplicateIndex(book=BOOK, aliases=ALIASES), *reports)


def test_a_corner_is_its_two_roads_whatever_the_order_and_the_words() -> None:
    corner = frozenset({frozenset({"桂香路", "梧桐街"})})
    for text in ("桂香路和梧桐街交叉口红绿灯坏了", "梧桐街桂香路口红绿灯坏了", "梧桐街跟桂香路那个十字路口",
                 "桂香路与梧桐街交汇处", "梧桐街、桂香路拐角", "桂香路东段与梧桐街交口"):
        assert _keys(text)[0] == corner, text
    assert _keys("桂香路路口红绿灯坏了")[0] == frozenset()  # one road: a corner of it, not which one


def test_a_spot_told_by_what_it_is_beside_reads_one_name_for_its_short_forms() -> None:
    assert _keys("县前巷农业银行后面那条小巷子")[1] == {"农行"}
    assert _keys("巷道（农行背后）垃圾成堆")[1] == {"农行"}
    assert _keys("第三中学门口那个坑")[1] == _keys("县三中对面那个坑")[1] == {"三中"}
    assert _keys("新华书店门口那个路口")[1] == {"新华书店"}
    assert _keys("新民路农商银行门前雨水井盖缺失")[1] == _keys("新民路农商行门口的井盖丢了")[1] == {"农商行"}  # 门前
    assert not _keys("我家门前的路灯坏了")[1]  # a home is no anchor


def test_a_word_for_any_place_a_road_or_a_pronoun_is_no_anchor() -> None:
    for text in ("小区门口垃圾没人收", "我家门口那个坑", "桂香路那个路口", "就在那个路口", "学校旁边的小卖部"):
        assert _keys(text)[1] == frozenset(), text


def test_a_house_number_on_a_road_is_a_key_a_building_number_is_not() -> None:
    assert _keys("桂香路45号院停电了")[2] == _keys("兰亭小区（桂香路 45 号）停电")[2] == {"桂香路45号"}
    assert _keys("兰亭小区5号楼停电")[2] == frozenset()


def test_shared_keys_name_the_spot() -> None:
    a, b = place_keys("桂香路和梧桐街交叉口", ""), place_keys("梧桐街桂香路口", "")
    assert shared_key(a, b) == ("junction", "/".join(sorted(("桂香路", "梧桐街"))))
    assert shared_key(place_keys("", "农行后面"), place_keys("", "农业银行背后")) == ("anchor", "农行")
    assert shared_key(place_keys("", "农行后面"), place_keys("", "邮局后面")) is None


def test_one_spot_told_from_one_neighbour_in_other_words_is_the_incident_again() -> None:
    first = _r("a", "农业银行后面那条小巷子垃圾堆成山了，臭得很")
    again = _r("b", "农行背后的垃圾好几天没人拉了", hours=20)
    assert _run(first, again) == [None, "a"]


def test_another_matter_beside_the_same_neighbour_stays_apart() -> None:
    first = _r("a", "农业银行后面那条小巷子垃圾堆成山了，臭得很")
    other = _r("b", "农行门口路灯不亮，晚上黑漆漆的", hours=3)
    assert _run(first, other) == [None, None]



def test_a_building_told_by_its_number_and_another_address_is_one_place() -> None:
    first = _r("a", "兰亭小区6栋电梯坏了两天，老人下不了楼")
    again = _r("b", "新民路88号6号楼电梯停运第三天，物业没人解释", hours=20)
    assert _run(first, again) == [None, "a"]
    follow = _r("b", "之前打过电话，6栋电梯还是不能用", hours=20)
    assert _run(first, follow) == [None, "a"]


def test_one_building_number_in_two_compounds_is_two_buildings() -> None:
    first = _r("a", "兰亭小区6栋电梯坏了两天，老人下不了楼")
    other = _r("b", "桂香苑6栋电梯停运第三天，物业没人解释", hours=20)
    assert _run(first, other) == [None, None]


def test_buildings_and_groups_are_read_in_their_other_forms() -> None:
    assert _subplaces("柏树村第三村民小组") == _subplaces("柏树村3组") == {("组", 3)}
    assert _subplaces("兰亭小区3#楼") == _subplaces("兰亭小区三号楼") == {("栋", 3)}
