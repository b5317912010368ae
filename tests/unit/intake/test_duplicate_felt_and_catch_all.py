"""并单 of a condition felt away from its source, and of one the router has no specific matter for: fumes
smelt in two compounds joined by a report naming the park they come from; a home for the elderly's water
heater told again days later, the router's catch-all for both. A made-up county (names of no data set)."""

from __future__ import annotations

from intake.duplicates import DuplicateIndex, Report
from intake.places import KnownPlace, PlaceBook
from tests.unit.intake.duplicate_reports import report, verdicts

_LABELS = {
    "青石镇": KnownPlace("青石镇", "township", "qingshi"),
    "青石社区": KnownPlace("青石社区", "community", "qingshi", "qingshi.sq"),
    "翠竹苑": KnownPlace("翠竹苑", "compound", "qingshi", "qingshi.sq"),
    "兰亭小区": KnownPlace("兰亭小区", "compound", "qingshi", "qingshi.sq"),
    "青石化工园": KnownPlace("青石化工园", "landmark", "qingshi"),
    "河口村": KnownPlace("河口村", "village", "qingshi", "qingshi.hk"),
    "河口村颐养院": KnownPlace("河口村颐养院", "landmark", "qingshi", "qingshi.hk"),
    "柳塘村颐养院": KnownPlace("柳塘村颐养院", "landmark", "qingshi", "qingshi.lt"),
}
BOOK = PlaceBook(_LABELS)
AIR = frozenset({"dept:ecology", "matter:ecology.air_pollution"})
VILLAGE = frozenset({"matter:village.other"})
TOWNSHIP = frozenset({"matter:township.other"})


def _run(*reports: Report) -> list[str | None]:
    return verdicts(DuplicateIndex(book=BOOK), *reports)


def test_fumes_smelt_in_two_compounds_and_traced_to_the_park_are_one_incident() -> None:
    first = report("a", "翠竹苑这几天晚上有股刺鼻的味道，像烧塑料，不敢开窗", topic=AIR)
    traced = report("b", "半夜又被臭醒了，青石化工园是不是在偷排？翠竹苑、兰亭小区都闻到了", hours=2, topic=AIR)
    second = report("c", "兰亭小区的业主，投诉青石化工园夜里排废气，孩子一闻就咳嗽", hours=10, topic=AIR)
    assert _run(first, traced, second) == [None, "a", "a"]


def test_fumes_at_another_compound_named_without_the_source_stay_apart() -> None:
    first = report("a", "翠竹苑这几天晚上有股刺鼻的味道，像烧塑料，不敢开窗", topic=AIR)
    other = report("b", "兰亭小区楼下有人烧垃圾，烟熏得受不了", hours=5, topic=AIR)
    assert _run(first, other) == [None, None]


def test_a_water_heater_told_again_days_later_as_the_villages_catch_all_is_the_incident_again() -> None:
    first = report("a", "我爸住在河口村颐养院，说热水器坏了一个星期了，老人没法洗澡", topic=VILLAGE)
    again = report("b", "河口村网格员：颐养院公共浴室热水器故障，需更换设备", "河口村颐养院", hours=4 * 24,
                   topic=TOWNSHIP)
    assert _run(first, again) == [None, "a"]


def test_the_same_kind_at_another_home_days_later_is_another_incident() -> None:
    first = report("a", "我爸住在河口村颐养院，说热水器坏了一个星期了，老人没法洗澡", topic=VILLAGE)
    other = report("b", "柳塘村颐养院热水器故障，老人洗澡困难", "柳塘村颐养院", hours=4 * 24, topic=TOWNSHIP)
    assert _run(first, other) == [None, None]
