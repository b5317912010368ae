"""并单 across a road and a compound of one community: the gazetteer lists the community's roads and
compounds, not which road a compound is on, so a report naming only the road and one naming only a
compound are at no place in common — the same matter nearby (a drain cover at a compound's gate / one
further down the road) is a hard negative, and joining them as the community (tried 2026-12-02) took
such pairs. A made-up county (names of no data set)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from intake.duplicates import DuplicateIndex, Report
from intake.places import KnownPlace, PlaceBook

T0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)

_TOWN = KnownPlace("青石镇", "township", "qingshi")
_LABELS = {
    "青石镇": _TOWN,
    "青石社区": KnownPlace("青石社区", "community", "qingshi", "qingshi.sq"),
    "翠竹苑": KnownPlace("翠竹苑", "compound", "qingshi", "qingshi.sq"),
    "兰亭小区": KnownPlace("兰亭小区", "compound", "qingshi", "qingshi.sq"),
    "新民路": KnownPlace("新民路", "road", "qingshi", "qingshi.sq"),
    "桃源社区": KnownPlace("桃源社区", "community", "qingshi", "qingshi.ty"),
    "桃源路": KnownPlace("桃源路", "road", "qingshi", "qingshi.ty"),
    "青石大道": KnownPlace("青石大道", "road", "qingshi"),
}
BOOK = PlaceBook(_LABELS)
ALIASES = {label: p.name for label, p in _LABELS.items() if p.kind != "township"}
SEWER = frozenset({"matter:urban_mgmt.municipal_facilities"})
NIGHT_WORKS = frozenset({"matter:urban_mgmt.night_construction"})


def _r(i: str, text: str, hours: float = 0.0, topic: frozenset[str] = SEWER) -> Report:
    return Report(id=i, text=text, reported_at=T0 + timedelta(hours=hours), topic=topic)


def _run(*reports: Report) -> list[str | None]:
    index = DuplicateIndex(book=BOOK, aliases=ALIASES)
    return [index.add(r) for r in reports]


def test_a_compound_and_the_road_of_its_community_are_no_place_in_common() -> None:
    compound = _r("a", "翠竹苑门口的下水道往外冒污水，臭得没法走路")
    road = _r("b", "新民路上有个下水道一直冒脏水，流了一人行道", hours=5)
    assert _run(compound, road) == [None, None]
    road = _r("a", "新民路上那个工地半夜还在施工，吵得睡不着", topic=NIGHT_WORKS)
    compound = _r("b", "翠竹苑旁边的工地凌晨打桩，施工噪音太大", hours=20, topic=NIGHT_WORKS)
    assert _run(road, compound) == [None, None]


def test_another_matter_at_the_road_and_the_compound_stays_apart() -> None:
    compound = _r("a", "翠竹苑门口的下水道往外冒污水，臭得没法走路")
    road = _r("b", "新民路上那个工地半夜还在施工，吵得睡不着", hours=5, topic=NIGHT_WORKS)
    assert _run(compound, road) == [None, None]


def test_a_road_of_another_community_or_of_the_township_is_not_the_compounds() -> None:
    compound = _r("a", "翠竹苑门口的下水道往外冒污水，臭得没法走路")
    other = _r("b", "桃源路上有个下水道一直冒脏水，流了一人行道", hours=2)
    township = _r("c", "青石大道上有个下水道一直冒脏水，流了一人行道", hours=3)
    assert _run(compound, other, township) == [None, None, None]


def test_a_road_report_that_pins_its_own_spot_is_not_the_compound() -> None:
    compound = _r("a", "翠竹苑门口的下水道往外冒污水，臭得没法走路")
    numbered = _r("b", "新民路88号门前下水道一直冒脏水", hours=2)
    middle = _r("c", "新民路中间那个下水道一直冒脏水", hours=3)
    end = _r("d", "新民路东头那个下水道一直冒脏水", hours=4)
    assert _run(compound, numbered) == [None, None]
    assert _run(compound, middle) == [None, None]
    assert _run(compound, end) == [None, None]


def test_two_compounds_of_the_community_stay_apart_and_the_road_joins_neither() -> None:
    one = _r("a", "翠竹苑门口的下水道往外冒污水，臭得没法走路")
    two = _r("b", "兰亭小区门口的下水道往外冒污水，臭得没法走路", hours=1)
    road = _r("c", "新民路上有个下水道一直冒脏水，流了一人行道", hours=2)
    assert _run(one, two, road) == [None, None, None]
