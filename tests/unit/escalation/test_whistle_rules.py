"""上报 from village to township; 街乡吹哨 and 部门报到."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest

from escalation import (
    AlreadyReported,
    AlreadySummoned,
    NotSummoned,
    ReportUpNotAllowed,
    WhistleNotAllowed,
    blow_whistle,
    report_for_duty,
    report_up,
    summons_lapsed,
)
from schemas.taxonomy import COUNTY_DEPARTMENTS, Level, WhistleClass


@dataclass(frozen=True)
class Unit:
    code: str
    level: Level
    parent: str | None = None


TOWNSHIP = Unit("qingshan_town", Level.township, parent="county_centre")
OTHER_TOWNSHIP = Unit("hexi_street", Level.township, parent="county_centre")
VILLAGE = Unit("qingshan_town.dongcun", Level.village, parent="qingshan_town")
DEPARTMENT = Unit("housing", Level.county)


def test_village_passes_up_to_its_own_township(cst):
    passed = report_up(VILLAGE, TOWNSHIP, reason="跨村水渠纠纷，村里协调不了", at=cst(2026, 3, 16, 10))
    assert (passed.from_unit, passed.to_unit) == (VILLAGE.code, TOWNSHIP.code)
    assert passed.at == cst(2026, 3, 16, 10)


def test_village_cannot_pass_up_to_another_township(cst):
    with pytest.raises(ReportUpNotAllowed, match="its own township"):
        report_up(VILLAGE, OTHER_TOWNSHIP, reason="不归我们管", at=cst(2026, 3, 16, 10))


def test_village_cannot_pass_straight_to_a_county_department(cst):
    with pytest.raises(ReportUpNotAllowed):
        report_up(VILLAGE, DEPARTMENT, reason="太难了", at=cst(2026, 3, 16, 10))


def test_township_blows_the_whistle_instead_of_passing_up(cst):
    with pytest.raises(ReportUpNotAllowed, match="whistle"):
        report_up(TOWNSHIP, Unit("county_centre", Level.county), reason="需要部门", at=cst(2026, 3, 16, 10))


def test_passing_up_needs_a_reason(cst):
    with pytest.raises(ReportUpNotAllowed, match="reason"):
        report_up(VILLAGE, TOWNSHIP, reason="  ", at=cst(2026, 3, 16, 10))


def test_ordinary_whistle_gives_departments_two_working_hours(calendar, cst):
    call = blow_whistle(
        TOWNSHIP, ["housing", "urban_mgmt"], WhistleClass.ordinary, cst(2026, 3, 16, 11), calendar
    )
    assert call.township == TOWNSHIP.code
    assert call.departments == ("housing", "urban_mgmt")
    assert call.report_due == cst(2026, 3, 16, 15, 0)
    assert call.pending == ("housing", "urban_mgmt")


def test_urgent_whistle_gives_thirty_calendar_minutes(calendar, cst):
    blown = cst(2026, 10, 2, 21, 0)
    call = blow_whistle(TOWNSHIP, ["water_utility"], "urgent", blown, calendar)
    assert call.report_due == blown + timedelta(minutes=30)


def test_hard_whistle_gives_one_working_day(calendar, cst):
    call = blow_whistle(TOWNSHIP, ["natural_resources"], "hard", cst(2026, 9, 30, 16, 30), calendar)
    assert call.report_due == cst(2026, 10, 8, 16, 30)


@pytest.mark.parametrize("caller", [DEPARTMENT, VILLAGE])
def test_only_a_township_may_blow_the_whistle(calendar, cst, caller):
    with pytest.raises(WhistleNotAllowed, match="only a township"):
        blow_whistle(caller, ["housing"], "ordinary", cst(2026, 3, 16, 11), calendar)


def test_whistle_must_name_a_department(calendar, cst):
    with pytest.raises(WhistleNotAllowed, match="at least one"):
        blow_whistle(TOWNSHIP, [], "ordinary", cst(2026, 3, 16, 11), calendar)


def test_whistle_cannot_name_a_blank_or_unknown_department(calendar, cst):
    with pytest.raises(WhistleNotAllowed, match="blank"):
        blow_whistle(TOWNSHIP, ["housing", " "], "ordinary", cst(2026, 3, 16, 11), calendar)
    with pytest.raises(WhistleNotAllowed, match="ministry_of_magic is not a county department"):
        blow_whistle(
            TOWNSHIP, ["housing", "ministry_of_magic"], "ordinary", cst(2026, 3, 16, 11), calendar,
            known_departments=COUNTY_DEPARTMENTS,
        )  # fmt: skip


def test_a_whistle_naming_a_village_or_another_township_says_it_summons_county_departments(calendar, cst):
    """A village or township is a unit the county knows, not an unknown one: the refusal says what a
    whistle may name."""
    for named in (VILLAGE.code, OTHER_TOWNSHIP.code):
        with pytest.raises(WhistleNotAllowed) as refused:
            blow_whistle(TOWNSHIP, ["housing", named], "ordinary", cst(2026, 3, 16, 11), calendar,
                         known_departments=COUNTY_DEPARTMENTS)
        assert str(refused.value) == (f"{named} is not a county department: a whistle summons county "
                                      "departments (部门报到) only")


def test_township_cannot_whistle_itself(calendar, cst):
    with pytest.raises(WhistleNotAllowed, match="itself"):
        blow_whistle(TOWNSHIP, [TOWNSHIP.code], "ordinary", cst(2026, 3, 16, 11), calendar)


def test_a_department_named_twice_is_summoned_once(calendar, cst):
    call = blow_whistle(
        TOWNSHIP, ["housing", "market", "housing"], "ordinary", cst(2026, 3, 16, 11), calendar
    )
    assert call.departments == ("housing", "market")


def test_a_department_still_awaited_is_not_summoned_again(calendar, cst):
    call = blow_whistle(
        TOWNSHIP, ["housing", "market"], "ordinary", cst(2026, 3, 16, 11), calendar, awaited=["housing"]
    )
    assert call.departments == ("market",)


def test_a_whistle_naming_only_departments_still_awaited_is_refused(calendar, cst):
    with pytest.raises(AlreadySummoned, match="housing") as refused:
        blow_whistle(TOWNSHIP, ["housing"], "urgent", cst(2026, 3, 16, 11), calendar, awaited=["housing"])
    assert isinstance(refused.value, WhistleNotAllowed)


def test_a_summons_lapses_when_the_order_leaves_the_township_or_comes_back(cst):
    handed_over = cst(2026, 3, 16, 9)
    assert not summons_lapsed(TOWNSHIP.code, cst(2026, 3, 16, 11), lead_unit=TOWNSHIP.code, handed_over_at=handed_over)
    assert summons_lapsed(TOWNSHIP.code, cst(2026, 3, 16, 11), lead_unit="urban_mgmt", handed_over_at=handed_over)
    assert summons_lapsed(TOWNSHIP.code, cst(2026, 3, 16, 8), lead_unit=TOWNSHIP.code, handed_over_at=handed_over)


def test_departments_reporting_in_time_and_late_are_told_apart(calendar, cst):
    call = blow_whistle(TOWNSHIP, ["housing", "urban_mgmt"], "ordinary", cst(2026, 3, 16, 11), calendar)
    call = report_for_duty(call, "housing", cst(2026, 3, 16, 15, 0))
    assert call.pending == ("urban_mgmt",)
    assert call.overdue_departments(cst(2026, 3, 16, 16, 0)) == ("urban_mgmt",)
    call = report_for_duty(call, "urban_mgmt", cst(2026, 3, 16, 16, 0))
    assert call.complete
    assert [(r.department, r.on_time) for r in call.reports] == [("housing", True), ("urban_mgmt", False)]
    assert call.late_reporters() == ("urban_mgmt",)
    assert call.overdue_departments(cst(2026, 3, 16, 17, 0)) == ()


def test_nobody_is_overdue_before_the_report_due_time(calendar, cst):
    call = blow_whistle(TOWNSHIP, ["housing"], "ordinary", cst(2026, 3, 16, 11), calendar)
    assert call.overdue_departments(cst(2026, 3, 16, 15, 0)) == ()


def test_a_department_not_named_cannot_report(calendar, cst):
    call = blow_whistle(TOWNSHIP, ["housing"], "ordinary", cst(2026, 3, 16, 11), calendar)
    with pytest.raises(NotSummoned):
        report_for_duty(call, "market", cst(2026, 3, 16, 12))


def test_a_department_reports_only_once(calendar, cst):
    call = blow_whistle(TOWNSHIP, ["housing"], "ordinary", cst(2026, 3, 16, 11), calendar)
    call = report_for_duty(call, "housing", cst(2026, 3, 16, 12))
    with pytest.raises(AlreadyReported):
        report_for_duty(call, "housing", cst(2026, 3, 16, 13))


def test_a_report_before_the_whistle_is_refused(calendar, cst):
    call = blow_whistle(TOWNSHIP, ["housing"], "ordinary", cst(2026, 3, 16, 11), calendar)
    with pytest.raises(NotSummoned, match="before the whistle"):
        report_for_duty(call, "housing", cst(2026, 3, 16, 10))
