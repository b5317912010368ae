"""并单 agreeing on the matter by meaning: at a spot both name, two reports with no word of a kind in common
are one matter when one of them says what happened and a specific matter is among what the router and the
learned model make of both (`_meant`: the router's matter, those its rules name or it ranks close, the
leanings' strong ones) — not a department's catch-all, not when the router sends them to different
departments, not at a road.
A made-up county (names of no data set)."""

from __future__ import annotations

from collections.abc import Mapping

from intake.duplicates import DuplicateIndex, Report
from intake.places import KnownPlace, PlaceBook
from tests.unit.intake.duplicate_reports import report as _r

BOOK = PlaceBook({
    "青石镇": KnownPlace("青石镇", "township", "qingshi"),
    "青石社区": KnownPlace("青石社区", "community", "qingshi", "qingshi.sq"),
    "翠竹苑": KnownPlace("翠竹苑", "compound", "qingshi", "qingshi.sq"),
    "新民路": KnownPlace("新民路", "road", "qingshi", "qingshi.sq"),
})


def _lean(text: str) -> Mapping[str, float]:
    """A stand-in for the learned leaning (unit vectors)."""
    if "裂" in text:
        return {"housing.dangerous_building": 0.97, "geology.hazard": 0.24}
    if "鉴定" in text:
        return {"housing.old_compound": 0.9, "housing.dangerous_building": 0.44}
    return {}


def _run(*reports: Report) -> list[str | None]:
    index = DuplicateIndex(book=BOOK, leaning=_lean)
    return [index.add(r) for r in reports]


CATCH_ALL = frozenset({"matter:community.other"})
RENOVATION = frozenset({"dept:housing", "matter:housing.old_compound"})


def test_one_matter_meant_by_both_at_a_spot_is_the_incident_again() -> None:
    crack = _r("a", "翠竹苑7栋西头外面那堵墙上裂了一条口子，越来越宽，住着害怕", topic=CATCH_ALL)
    survey = _r("b", "翠竹苑7栋楼龄三十多年，请住建部门派人鉴定是否纳入改造", hours=10, topic=RENOVATION)
    assert _run(crack, survey) == [None, "a"]


def test_not_by_meaning_alone_for_two_departments_or_on_a_road() -> None:
    crack = _r("a", "翠竹苑7栋西头外面那堵墙上裂了一条口子，越来越宽，住着害怕",
               topic=frozenset({"dept:geology", "matter:geology.hazard"}))
    survey = _r("b", "翠竹苑7栋楼龄三十多年，请住建部门派人鉴定是否纳入改造", hours=10, topic=RENOVATION)
    assert _run(crack, survey) == [None, None]
    crack = _r("a", "新民路那堵墙上裂了一条口子，越来越宽，走路害怕", topic=CATCH_ALL)
    survey = _r("b", "新民路老房子，请住建部门派人鉴定是否纳入改造", hours=10, topic=RENOVATION)
    assert _run(crack, survey) == [None, None]
