"""并单 past the window: a condition told again days later (up to `DuplicatePolicy.condition_window`) at a
spot of the gazetteer both name, as the router's one specific matter and the same kind, is the incident
again (a roof leaking, a septic tank overflowing, told by another caller or channel) — not on a road or
in a community (a road holds many spots), not told as back after it was dealt with, not past the
condition window. A made-up county (names of no data set)."""

from __future__ import annotations

from intake.duplicates import DuplicateIndex, DuplicatePolicy, Report
from tests.unit.intake.duplicate_reports import report, verdicts
from tests.unit.intake.test_duplicate_road_and_compound import ALIASES, BOOK

REPAIR = frozenset({"matter:village.community_minor_repair"})
ROADS = frozenset({"matter:urban_mgmt.municipal_facilities"})


def _r(i: str, text: str, days: float = 0.0, topic: frozenset[str] = REPAIR) -> Report:
    return report(i, text, hours=days * 24, topic=topic)


def _run(*reports: Report) -> list[str | None]:
    return verdicts(DuplicateIndex(book=BOOK, aliases=ALIASES), *reports)


def test_a_condition_told_again_days_later_at_a_compound_is_the_incident_again() -> None:
    first = _r("a", "翠竹苑的化粪池满了，粪水从井盖冒出来流到路上")
    again = _r("b", "翠竹苑化粪池外溢还没处理，住户出门都得捂鼻子", days=5)
    assert _run(first, again) == [None, "a"]


def test_past_the_condition_window_it_is_another_incident() -> None:
    first = _r("a", "翠竹苑的化粪池满了，粪水从井盖冒出来流到路上")
    later = _r("b", "翠竹苑化粪池外溢，住户出门都得捂鼻子", days=DuplicatePolicy().condition_window.days + 1)
    assert _run(first, later) == [None, None]


def test_a_condition_told_as_back_after_it_was_dealt_with_is_another_incident() -> None:
    first = _r("a", "翠竹苑的化粪池满了，粪水从井盖冒出来流到路上")
    back = _r("b", "翠竹苑化粪池上周抽过，好了两天，现在又外溢了", days=5)
    assert _run(first, back) == [None, None]


def test_on_a_road_days_later_it_is_another_spot() -> None:
    first = _r("a", "新民路上有个坑，下雨积满了水，有人骑车摔了", topic=ROADS)
    again = _r("b", "新民路有个大坑，电动车都绕着走", days=5, topic=ROADS)
    assert _run(first, again) == [None, None]


def test_a_transfer_asking_for_it_to_be_dealt_with_is_not_told_as_back() -> None:
    first = _r("a", "翠竹苑的化粪池满了，粪水从井盖冒出来流到路上")
    transfer = _r("b", "市长信箱转办：反映翠竹苑化粪池外溢，请核查处理", days=5)
    assert _run(first, transfer) == [None, "a"]
