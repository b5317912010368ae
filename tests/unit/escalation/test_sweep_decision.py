"""The sweep's pure decision: which levels to raise at `now`, and when to look at the order again."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from escalation import (
    REPORT_CLOCK,
    Basis,
    ExtensionTooLate,
    InvalidExtension,
    RatingNotAllowed,
    SupervisionLevel,
    SupervisionPolicy,
    bounded,
    check_extension_request,
    check_rating,
    deadlines_for,
    dispatch_clocks,
    extend,
    parse_dates,
    passes_up,
    plan,
    summons_clock,
    township_above,
)
from schemas.taxonomy import Level, WhistleClass

TICK = timedelta(microseconds=1)
REMIND, SUPERVISE, NOTIFY = SupervisionLevel.remind, SupervisionLevel.supervise, SupervisionLevel.notify


@pytest.fixture
def ordinary(calendar, cst):
    # Monday 2026-03-16 09:00: claim due 11:00, first contact Tuesday 09:00, resolve Monday 23rd 09:00.
    return deadlines_for(WhistleClass.ordinary, cst(2026, 3, 16, 9), calendar)


def clocks(deadlines, **kwargs):
    return dispatch_clocks("dispatch:7", "vl_a", deadlines, **kwargs)


def test_nothing_is_raised_early_and_the_next_look_is_the_first_reminder(ordinary, calendar, cst):
    decided = plan(clocks(ordinary), cst(2026, 3, 16, 9, 30), calendar)
    assert decided.raises == ()
    assert decided.next_check_at == cst(2026, 3, 16, 10, 30)  # 75 % of the 2 working hours of the claim clock


def test_the_reminder_is_raised_at_its_instant_and_the_next_look_is_the_due_time(ordinary, calendar, cst):
    decided = plan(clocks(ordinary), cst(2026, 3, 16, 10, 30), calendar)
    assert [(r.clock.key, r.level) for r in decided.raises] == [("dispatch:7:claim", REMIND)]
    assert decided.raises[0].overdue_by == timedelta()
    assert decided.next_check_at == cst(2026, 3, 16, 11) + TICK


def test_a_level_already_raised_is_not_raised_again(ordinary, calendar, cst):
    raised = {"dispatch:7:claim": frozenset({REMIND})}
    decided = plan(clocks(ordinary, raised=raised), cst(2026, 3, 16, 10, 45), calendar)
    assert decided.raises == ()
    assert decided.next_check_at == cst(2026, 3, 16, 11) + TICK


def test_the_due_instant_itself_is_not_overdue(ordinary, calendar, cst):
    raised = {"dispatch:7:claim": frozenset({REMIND})}
    assert plan(clocks(ordinary, raised=raised), cst(2026, 3, 16, 11), calendar).raises == ()


def test_after_a_long_outage_a_stale_reminder_is_skipped_but_every_overdue_level_is_raised(ordinary, calendar, cst):
    # Wednesday afternoon: the claim clock is past its 通报 (due + 2 more working hours), nothing was raised.
    decided = plan(clocks(ordinary), cst(2026, 3, 18, 15), calendar)
    claim = [(r.level, r.reached_at) for r in decided.raises if r.clock.clock == "claim"]
    assert claim == [(SUPERVISE, cst(2026, 3, 16, 11) + TICK), (NOTIFY, cst(2026, 3, 16, 15) + TICK)]
    first_contact = [r.level for r in decided.raises if r.clock.clock == "first_contact"]
    assert first_contact == [SUPERVISE, NOTIFY]  # due Tuesday 09:00, notify Wednesday 09:00
    resolve = [r.level for r in decided.raises if r.clock.clock == "resolve"]
    assert resolve == []  # its reminder (75 % of 5 working days) falls on Thursday 16:15
    assert decided.level is NOTIFY
    overdue = next(r for r in decided.raises if r.clock.clock == "claim")
    assert overdue.overdue_by == cst(2026, 3, 18, 15) - cst(2026, 3, 16, 11)
    assert overdue.overdue_working_hours == pytest.approx(4.5 + 7 + 4.5)


def test_a_clock_at_notify_needs_no_more_looks(ordinary, calendar, cst):
    all_levels = frozenset({REMIND, SUPERVISE, NOTIFY})
    decided = plan(clocks(ordinary, raised=dict.fromkeys(
        ("dispatch:7:claim", "dispatch:7:first_contact", "dispatch:7:resolve"), all_levels)),
        cst(2026, 4, 30, 12), calendar)
    assert decided.raises == () and decided.next_check_at is None


def test_actions_stop_their_clocks(ordinary, cst):
    assert [c.clock for c in clocks(ordinary, claimed_at=cst(2026, 3, 16, 9, 10))] == ["first_contact", "resolve"]
    assert [c.clock for c in clocks(ordinary, first_contact_at=cst(2026, 3, 16, 9, 10))] == ["resolve"]
    assert clocks(ordinary, resolved_at=cst(2026, 3, 16, 9, 10)) == []


def test_a_caller_that_does_not_raise_is_told_to_look_now(ordinary, calendar, cst):
    # A unit action at 10:45 reschedules the order; the claim reminder (10:30) has not been sent yet.
    decided = plan(clocks(ordinary, claimed_at=None), cst(2026, 3, 16, 10, 45), calendar)
    assert decided.earliest_pending == cst(2026, 3, 16, 10, 30)
    claimed = plan(clocks(ordinary, claimed_at=cst(2026, 3, 16, 10, 45)), cst(2026, 3, 16, 10, 45), calendar)
    assert claimed.raises == () and claimed.earliest_pending == claimed.next_check_at


def test_an_extended_resolve_clock_is_a_new_run_with_its_own_levels(ordinary, calendar, cst):
    longer = extend(ordinary, 3, cst(2026, 3, 20, 9), calendar)
    before = {c.clock: c.key for c in clocks(ordinary)}
    after = {c.clock: c.key for c in clocks(longer, extended=True)}
    assert before["claim"] == after["claim"]
    assert before["resolve"] == "dispatch:7:resolve" and after["resolve"].startswith("dispatch:7:resolve:")
    assert after["resolve"] != before["resolve"]


def test_a_summoned_departments_report_clock_runs_on_calendar_minutes_when_urgent(calendar, cst):
    blown = cst(2026, 3, 14, 22)  # a Saturday night: urgent counts every minute
    clock = summons_clock("summons:3", "water_utility", blown, blown + timedelta(minutes=30), Basis.calendar)
    assert clock.clock == REPORT_CLOCK and clock.summoned
    assert plan([clock], blown + timedelta(minutes=20), calendar).next_check_at == blown + timedelta(minutes=22.5)
    late = plan([clock], blown + timedelta(minutes=31), calendar)
    assert [r.level for r in late.raises] == [SUPERVISE]
    assert late.next_check_at == blown + timedelta(minutes=60) + TICK


def test_thresholds_follow_the_policy(ordinary, calendar, cst):
    eager = SupervisionPolicy(remind_fraction=0.5, notify_overdue_fraction=0.5)
    assert plan(clocks(ordinary), cst(2026, 3, 16, 9, 30), calendar, eager).next_check_at == cst(2026, 3, 16, 10)


def test_a_village_passes_up_when_its_configured_clock_runs_out(ordinary, calendar, cst):
    raised = {"dispatch:7:claim": frozenset({REMIND, SUPERVISE, NOTIFY}),
              "dispatch:7:first_contact": frozenset({REMIND, SUPERVISE, NOTIFY})}
    overdue = plan(clocks(ordinary, raised=raised), cst(2026, 3, 23, 10), calendar).raises
    assert {r.clock.clock for r in overdue} == {"resolve"}
    assert passes_up(overdue, Level.village, {"resolve"})
    assert not passes_up(overdue, Level.village, ())  # not configured: never
    assert not passes_up(overdue, Level.township, {"resolve"})  # a township blows the whistle instead
    assert not passes_up(overdue, Level.village, {"claim"})
    reminded = plan(clocks(ordinary, raised=raised), cst(2026, 3, 20, 12), calendar).raises
    assert [r.level for r in reminded] == [REMIND] and not passes_up(reminded, Level.village, {"resolve"})


def test_an_upper_transfer_deadline_bounds_every_clock(ordinary, cst):
    limit = cst(2026, 3, 17, 12)
    capped = bounded(ordinary, limit)
    assert capped.claim_due == ordinary.claim_due and capped.first_contact_due == ordinary.first_contact_due
    assert capped.resolve_due == limit
    assert bounded(ordinary, None) == ordinary


def test_a_clock_whose_bound_has_passed_is_overdue_at_once(ordinary, calendar, cst):
    capped = bounded(ordinary, cst(2026, 3, 16, 8))  # before the dispatch itself
    decided = plan(clocks(capped), cst(2026, 3, 16, 9, 5), calendar)
    assert {r.level for r in decided.raises} == {SUPERVISE, NOTIFY}


def test_extra_holiday_lists_parse_days_and_ranges():
    assert parse_dates(["2027-01-01", "2027-02-05..2027-02-07, 2027-10-01  # national day", "", "# none"]) == {
        date(2027, 1, 1), date(2027, 2, 5), date(2027, 2, 6), date(2027, 2, 7), date(2027, 10, 1)}
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        parse_dates(["2027-13-01"])
    with pytest.raises(ValueError, match="ends before"):
        parse_dates(["2027-02-07..2027-02-05"])


def test_a_grids_township_is_found_up_its_line():
    from dataclasses import dataclass

    @dataclass(frozen=True)
    class U:
        code: str
        level: Level
        parent: str | None

    units = {u.code: u for u in (U("centre", Level.county, None), U("tw", Level.township, "centre"),
                                 U("vl", Level.village, "tw"), U("gr", Level.village, "vl"))}
    assert township_above(units["gr"], units) == units["tw"]
    assert township_above(units["vl"], units) == units["tw"]
    assert township_above(units["tw"], units) is None


def test_only_a_department_that_reported_is_rated_once_from_one_to_five():
    check_rating("water_utility", reported=True, rated=False, rating=5)
    for kwargs, problem in (({"reported": False, "rated": False, "rating": 4}, "not reported"),
                            ({"reported": True, "rated": True, "rating": 4}, "already"),
                            ({"reported": True, "rated": False, "rating": 6}, "1 to 5")):
        with pytest.raises(RatingNotAllowed, match=problem):
            check_rating("water_utility", **kwargs)


def test_an_extension_is_asked_for_before_the_due_time(ordinary, cst):
    check_extension_request(3, cst(2026, 3, 20, 9), ordinary.resolve_due)
    with pytest.raises(ExtensionTooLate, match="too late"):
        check_extension_request(3, ordinary.resolve_due, ordinary.resolve_due)
    with pytest.raises(InvalidExtension):
        check_extension_request(0, cst(2026, 3, 20, 9), ordinary.resolve_due)
    with pytest.raises(InvalidExtension):
        check_extension_request(31, cst(2026, 3, 20, 9), ordinary.resolve_due)


def test_deadlines_replace_keeps_dispatch_clocks_consistent(ordinary, cst):
    # A clock that started later than it is due (bounded) still yields a running clock per name.
    odd = replace(ordinary, claim_due=cst(2026, 3, 16, 8))
    assert [c.clock for c in clocks(odd)] == ["claim", "first_contact", "resolve"]
