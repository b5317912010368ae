"""并单 where the router's departments and the learned leanings speak: one broad kind of incident at one
spot is not one matter when the router sends the two reports to different departments and their words
lean to matters all but orthogonal; and of two incidents a report is like, the one whose words lean as
its own do is the one it repeats. A made-up county (names of no data set)."""

from __future__ import annotations

from collections.abc import Mapping

from intake.duplicates import DuplicateIndex, Report, bigram_idf
from intake.places import KnownPlace, PlaceBook
from tests.unit.intake.duplicate_reports import report as _r

BOOK = PlaceBook({
    "青石镇": KnownPlace("青石镇", "township", "qingshi"),
    "青石社区": KnownPlace("青石社区", "community", "qingshi", "qingshi.sq"),
    "翠竹苑": KnownPlace("翠竹苑", "compound", "qingshi", "qingshi.sq"),
})
IDF = bigram_idf(["小区停水了", "路灯不亮", "电梯坏了", "班车停了", "垃圾没人清运", "停电了什么时候来电"])

AIR = frozenset({"dept:ecology", "matter:ecology.air"})
FUMES = frozenset({"dept:urban", "matter:urban.cooking_fumes"})
URBAN_OTHER = frozenset({"dept:urban", "matter:urban.other_fumes"})


def _lean(text: str) -> Mapping[str, float]:
    """A stand-in for the learned leaning (unit vectors): a plant's fumes, a kitchen's smoke, tap water, a dog."""
    if "化学" in text or "废气" in text:
        return {"ecology.air": 1.0}
    if "烧烤" in text or "油烟" in text:
        return {"urban.cooking_fumes": 1.0}
    if "水龙头" in text:
        return {"water.quality": 1.0}
    if "狗" in text or "大黄" in text:
        return {"community.dogs": 1.0}
    return {}


def _run(*reports: Report) -> list[str | None]:
    index = DuplicateIndex(book=BOOK, idf=IDF, leaning=_lean)
    return [index.add(r) for r in reports]


def test_one_broad_kind_at_a_spot_for_two_departments_leaning_apart_is_two_matters() -> None:
    plant = _r("a", "翠竹苑晚上窗户一开就是刺鼻的化学气味，怀疑附近工厂夜间排废气", topic=AIR)
    grill = _r("b", "翠竹苑一楼那家烧烤店油烟直接往上排，衣服都没法晒", hours=20, topic=FUMES)
    assert _run(plant, grill) == [None, None]


def test_the_same_kind_at_a_spot_still_joins_within_one_department_or_without_the_leanings() -> None:
    plant = _r("a", "翠竹苑晚上窗户一开就是刺鼻的化学气味，怀疑附近工厂夜间排废气", topic=URBAN_OTHER)
    grill = _r("b", "翠竹苑一楼那家烧烤店油烟直接往上排，衣服都没法晒", hours=20, topic=FUMES)
    assert _run(plant, grill) == [None, "a"]  # the router's one department: its matters are guesses
    plant = _r("a", "翠竹苑晚上窗户一开就是刺鼻的化学气味，怀疑附近工厂夜间排废气", topic=AIR)
    blind = DuplicateIndex(book=BOOK, idf=IDF)
    assert [blind.add(r) for r in (plant, grill)] == [None, "a"]  # no leanings: the kind at the spot decides


def test_a_chaser_like_two_incidents_at_a_spot_repeats_the_one_its_words_lean_to() -> None:
    community = frozenset({"dept:community"})
    water = _r("a", "翠竹苑水龙头的水是黄的，天天都这样，还是没人管", topic=community)
    dog = _r("b", "翠竹苑有户人家养了条大狗，不拴绳满院子跑", hours=2, topic=community)
    chaser = _r("c", "翠竹苑大黄那个事我上回打过电话了，还是天天跑出来吓人", hours=30, topic=community)
    assert _run(water, dog, chaser) == [None, None, "b"]
