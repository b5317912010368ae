"""Deadlines per whistle class, extensions (延期) and fresh clocks."""

from __future__ import annotations

from datetime import timedelta

import pytest

from escalation import (
    Basis,
    ClockName,
    ClockPolicy,
    ExtensionTooLate,
    InvalidExtension,
    Limit,
    LimitUnit,
    deadlines_for,
    extend,
    rebuild_deadlines,
)
from schemas.taxonomy import WhistleClass


def test_ordinary_clocks_run_on_working_time(calendar, cst):
    deadlines = deadlines_for(WhistleClass.ordinary, cst(2026, 3, 16, 11, 0), calendar)
    assert deadlines.claim_due == cst(2026, 3, 16, 15, 0)
    assert deadlines.first_contact_due == cst(2026, 3, 17, 11, 0)
    assert deadlines.resolve_due == cst(2026, 3, 23, 11, 0)
    assert all(deadlines.basis(clock) is Basis.working for clock in ClockName)


def test_hard_clocks_allow_days_and_weeks(calendar, cst):
    deadlines = deadlines_for(WhistleClass.hard, cst(2026, 3, 16, 11, 0), calendar)
    assert deadlines.claim_due == cst(2026, 3, 17, 11, 0)
    assert deadlines.first_contact_due == cst(2026, 3, 18, 11, 0)
    assert deadlines.resolve_due == cst(2026, 4, 7, 11, 0)  # 4/6 is Qingming, so one day later


def test_urgent_clocks_run_on_calendar_time(calendar, cst):
    # Late at night during the National Day holiday: the urgent clocks do not wait for the office.
    start = cst(2026, 10, 3, 23, 50)
    deadlines = deadlines_for(WhistleClass.urgent, start, calendar)
    assert deadlines.claim_due == start + timedelta(minutes=30)
    assert deadlines.first_contact_due == start + timedelta(hours=2)
    assert deadlines.resolve_due == start + timedelta(hours=24)
    assert all(deadlines.basis(clock) is Basis.calendar for clock in ClockName)


def test_deadline_over_national_day_holiday_lands_after_it(calendar, cst):
    deadlines = deadlines_for(WhistleClass.ordinary, cst(2026, 9, 30, 16, 30), calendar)
    assert deadlines.claim_due == cst(2026, 10, 8, 9, 30)
    assert deadlines.first_contact_due == cst(2026, 10, 8, 16, 30)
    assert deadlines.resolve_due == cst(2026, 10, 13, 16, 30)


def test_whistle_class_may_be_given_as_its_code(calendar, cst):
    start = cst(2026, 3, 16, 11, 0)
    assert deadlines_for("hard", start, calendar) == deadlines_for(WhistleClass.hard, start, calendar)


def test_deadlines_are_utc_and_remember_their_start(calendar, cst):
    start = cst(2026, 3, 16, 11, 0)
    deadlines = deadlines_for(WhistleClass.ordinary, start, calendar)
    assert deadlines.started_at == start
    assert deadlines.claim_due.utcoffset() == timedelta()


def test_action_at_the_due_instant_is_on_time(calendar, cst):
    deadlines = deadlines_for(WhistleClass.ordinary, cst(2026, 3, 16, 11, 0), calendar)
    assert deadlines.met(ClockName.claim, cst(2026, 3, 16, 15, 0))
    assert not deadlines.met(ClockName.claim, cst(2026, 3, 16, 15, 0, 1))


def test_extension_moves_only_the_resolve_clock(calendar, cst):
    deadlines = deadlines_for(WhistleClass.hard, cst(2026, 3, 16, 11, 0), calendar)
    extended = extend(deadlines, 5, cst(2026, 4, 1, 10, 0), calendar)
    assert extended.resolve_due == cst(2026, 4, 14, 11, 0)
    assert extended.claim_due == deadlines.claim_due
    assert extended.first_contact_due == deadlines.first_contact_due
    assert extended.extended_working_days == 5


def test_extensions_add_up(calendar, cst):
    deadlines = deadlines_for(WhistleClass.ordinary, cst(2026, 3, 16, 11, 0), calendar)
    twice = extend(
        extend(deadlines, 2, cst(2026, 3, 18, 9, 0), calendar), 3, cst(2026, 3, 19, 9, 0), calendar
    )
    assert twice.resolve_due == calendar.add_working_days(deadlines.resolve_due, 5)
    assert twice.extended_working_days == 5


def test_extension_after_due_is_refused(calendar, cst):
    deadlines = deadlines_for(WhistleClass.ordinary, cst(2026, 3, 16, 11, 0), calendar)
    with pytest.raises(ExtensionTooLate):
        extend(deadlines, 3, cst(2026, 3, 23, 11, 1), calendar)


def test_extension_requested_exactly_at_due_is_refused(calendar, cst):
    deadlines = deadlines_for(WhistleClass.ordinary, cst(2026, 3, 16, 11, 0), calendar)
    with pytest.raises(ExtensionTooLate):
        extend(deadlines, 3, deadlines.resolve_due, calendar)


@pytest.mark.parametrize("days", [0, -1])
def test_extension_must_add_time(calendar, cst, days):
    deadlines = deadlines_for(WhistleClass.ordinary, cst(2026, 3, 16, 11, 0), calendar)
    with pytest.raises(InvalidExtension):
        extend(deadlines, days, cst(2026, 3, 17, 9, 0), calendar)


def test_returned_order_gets_a_fresh_clock(calendar, cst):
    first = deadlines_for(WhistleClass.ordinary, cst(2026, 3, 16, 11, 0), calendar)
    extended = extend(first, 2, cst(2026, 3, 17, 9, 0), calendar)
    # Returned (退单) on the 18th and dispatched again to the right unit at 14:30.
    again = deadlines_for(WhistleClass.ordinary, cst(2026, 3, 18, 14, 30), calendar)
    assert again.claim_due == cst(2026, 3, 18, 16, 30)
    assert again.resolve_due == cst(2026, 3, 25, 14, 30)
    assert again.extended_working_days == 0
    assert again.resolve_due != extended.resolve_due


def test_policy_limits_are_configurable(calendar, cst):
    policy = ClockPolicy.from_mapping(
        {"ordinary": {"claim": "1 working_hour"}, "urgent": {"resolve": "12 hours"}}
    )
    start = cst(2026, 3, 16, 11, 0)
    assert deadlines_for("ordinary", start, calendar, policy).claim_due == cst(2026, 3, 16, 12, 0)
    assert deadlines_for("urgent", start, calendar, policy).resolve_due == start + timedelta(hours=12)
    assert policy.hard == ClockPolicy().hard


def test_a_policy_may_mix_calendar_and_working_time(calendar, cst):
    policy = ClockPolicy.from_mapping({"urgent": {"resolve": "1 working_day"}})
    deadlines = deadlines_for("urgent", cst(2026, 3, 16, 11, 0), calendar, policy)
    assert deadlines.basis(ClockName.claim) is Basis.calendar
    assert deadlines.basis(ClockName.resolve) is Basis.working
    assert deadlines.resolve_due == cst(2026, 3, 17, 11, 0)


@pytest.mark.parametrize(
    ("text", "limit"),
    [
        ("30 minutes", Limit(30, LimitUnit.minutes)),
        ("2 working_hours", Limit(2, LimitUnit.working_hours)),
        ("1 working day", Limit(1, LimitUnit.working_days)),
        ("0.5 working-days", Limit(0.5, LimitUnit.working_days)),
    ],
)
def test_limits_parse_from_text(text, limit):
    assert Limit.parse(text) == limit


@pytest.mark.parametrize("text", ["soon", "2 fortnights", "x hours", "-1 hours"])
def test_bad_limit_text_is_rejected(text):
    with pytest.raises(ValueError):
        Limit.parse(text)


def test_unknown_clock_or_class_in_policy_is_rejected():
    with pytest.raises(ValueError):
        ClockPolicy.from_mapping({"ordinary": {"lunch": "1 hours"}})
    with pytest.raises(ValueError):
        ClockPolicy.from_mapping({"critical": {"claim": "1 hours"}})


def test_stored_deadlines_rebuild_with_their_bases(calendar, cst):
    extended = extend(
        deadlines_for("urgent", cst(2026, 3, 16, 11), calendar), 1, cst(2026, 3, 16, 12), calendar
    )
    rebuilt = rebuild_deadlines(
        "urgent",
        extended.started_at,
        claim_due=extended.claim_due,
        first_contact_due=extended.first_contact_due,
        resolve_due=extended.resolve_due,
        extended_working_days=1,
    )
    assert rebuilt == extended


def test_rebuilding_refuses_naive_times(cst):
    naive = cst(2026, 3, 16, 11).replace(tzinfo=None)
    with pytest.raises(ValueError, match="timezone-aware"):
        rebuild_deadlines("ordinary", naive, claim_due=naive, first_contact_due=naive, resolve_due=naive)
