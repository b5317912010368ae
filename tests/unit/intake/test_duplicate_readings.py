"""并单 where the router's matter and the learned model's leaning agree against the kinds' words. A
made-up county (names of no data set)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from intake.duplicates import DuplicateIndex, Report
from intake.places import KnownPlace, PlaceBook

T0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
BOOK = PlaceBook({
    "青石镇": KnownPlace("青石镇", "township", "qingshi"),
    "翠竹苑": KnownPlace("翠竹苑", "compound", "qingshi", "qingshi.sq"),
})
WAGES = frozenset({"matter:hr.wage_arrears"})
POWER = frozenset({"matter:power.outage"})
NONE: frozenset[str] = frozenset()


def _r(i: str, text: str, topic: frozenset[str], hours: float = 0.0) -> Report:
    return Report(id=i, text=text, reported_at=T0 + timedelta(hours=hours), topic=topic)


def _one_matter(text: str) -> dict[str, float]:
    """A stand-in for the learned leaning: every text leans to one matter."""
    return {"one.matter": 1.0}


def _run(*reports: Report) -> list[str | None]:
    index = DuplicateIndex(book=BOOK, leaning=_one_matter)
    return [index.add(r) for r in reports]


def test_the_router_and_the_leaning_agreeing_outweigh_kinds_told_apart() -> None:
    site = _r("a", "翠竹苑二期工地的包工头欠了我一万块，电话不接", WAGES)
    wages = _r("b", "翠竹苑二期项目钢筋工十一人被拖欠工资，负责人失联", WAGES, hours=20)
    assert _run(site, wages) == [None, "a"]
    other = _r("b", "翠竹苑二期项目钢筋工十一人被拖欠工资，负责人失联", frozenset({"matter:hr.other"}), hours=20)
    assert _run(site, other) == [None, None]


def test_an_announced_outage_and_a_fault_stay_apart_whatever_the_readings() -> None:
    planned = _r("a", "翠竹苑贴了停电通知，明天计划检修", POWER)
    fault = _r("b", "翠竹苑刚才一声响就停电了，变压器冒烟", POWER, hours=20)
    assert _run(planned, fault) == [None, None]


def test_a_grievance_the_router_classes_long_standing_is_one_past_the_window_at_a_spot() -> None:
    danger = frozenset({"matter:housing.dangerous_building"})
    crack = Report(id="a", text="翠竹苑7栋外墙裂了一条大缝，越来越宽", reported_at=T0, topic=danger, long_standing=True)
    later = Report(id="b", text="转办：翠竹苑7栋外墙贯通裂缝，请组织房屋安全鉴定", reported_at=T0 + timedelta(days=8),
                   topic=danger, long_standing=True)
    assert _run(crack, later) == [None, "a"]
    ordinary = Report(id="b", text=later.text, reported_at=later.reported_at, topic=danger)
    assert _run(crack, ordinary) == [None, None]  # a week on, an ordinary report is a new incident
    weeks = Report(id="b", text=later.text, reported_at=T0 + timedelta(days=20), topic=danger, long_standing=True)
    assert _run(crack, weeks) == [None, None]  # past the standing window


def test_what_a_spot_is_told_from_is_no_kind_of_incident() -> None:
    """工地门口 places the muck on the road by the site's gate: the site is where, not what happened, and
    the site's night works at the same compound are another matter."""
    book = DuplicateIndex(book=BOOK)
    assert "construction" not in book.profile_of(_r("a", "翠竹苑二期工地门口的车辆出场不冲洗，路上全是泥", NONE)).kinds
    assert "construction" in book.profile_of(_r("a", "翠竹苑的工地半夜还在施工，吵得睡不着", NONE)).kinds
    mud = _r("a", "翠竹苑二期工地门口的车辆出场不冲洗，路上全是泥", NONE)
    night = _r("b", "翠竹苑二期工地半夜浇筑混凝土，噪音吵得睡不着", NONE, hours=20)
    assert [DuplicateIndex(book=BOOK).add(r) for r in (mud, night)] == [None, None]
