"""Supervision flags step up 提醒 → 督办 → 通报 and stop when the unit acts."""

from __future__ import annotations

from datetime import timedelta

import pytest

from escalation import (
    ClockName,
    Supervision,
    SupervisionLevel,
    SupervisionPolicy,
    deadlines_for,
    escalated_flags,
    extend,
    is_escalation,
    next_level_change_at,
    supervision_status,
)
from schemas.taxonomy import WhistleClass


@pytest.fixture
def ordinary(calendar, cst):
    # Dispatched Monday 10:00: claim due 12:00, first contact due Tuesday 10:00.
    return deadlines_for(WhistleClass.ordinary, cst(2026, 3, 16, 10, 0), calendar)


def claim_level(deadlines, now, calendar, **done):
    return supervision_status(deadlines, now, calendar, **done).levels()[ClockName.claim]


def test_nothing_is_flagged_early_on(ordinary, calendar, cst):
    status = supervision_status(ordinary, cst(2026, 3, 16, 11, 29), calendar)
    assert status.flags == ()
    assert status.level is SupervisionLevel.none


def test_remind_once_three_quarters_of_the_limit_has_gone(ordinary, calendar, cst):
    assert claim_level(ordinary, cst(2026, 3, 16, 11, 30), calendar) is SupervisionLevel.remind


def test_not_overdue_at_the_due_instant_itself(ordinary, calendar, cst):
    status = supervision_status(ordinary, cst(2026, 3, 16, 12, 0), calendar)
    assert status.levels()[ClockName.claim] is SupervisionLevel.remind
    assert status.overdue == ()


def test_supervise_once_overdue_even_during_lunch(ordinary, calendar, cst):
    status = supervision_status(ordinary, cst(2026, 3, 16, 13, 0), calendar)
    (flag,) = [flag for flag in status.flags if flag.clock is ClockName.claim]
    assert flag.level is SupervisionLevel.supervise
    assert flag.overdue_by == timedelta(hours=1)
    assert flag.overdue_working_hours == 0.0
    assert status.overdue == (ClockName.claim,)


def test_notify_once_overdue_by_the_whole_limit_again(ordinary, calendar, cst):
    # Two working hours past the 12:00 due time is 16:00 (lunch does not count).
    assert claim_level(ordinary, cst(2026, 3, 16, 16, 0), calendar) is SupervisionLevel.supervise
    status = supervision_status(ordinary, cst(2026, 3, 16, 16, 1), calendar)
    assert status.levels()[ClockName.claim] is SupervisionLevel.notify
    assert status.level is SupervisionLevel.notify


def test_each_clock_is_flagged_separately(ordinary, calendar, cst):
    # Tuesday 09:00: claim long overdue, first contact (due 10:00) in its last quarter, resolve quiet.
    levels = supervision_status(ordinary, cst(2026, 3, 17, 9, 0), calendar).levels()
    assert levels == {
        ClockName.claim: SupervisionLevel.notify,
        ClockName.first_contact: SupervisionLevel.remind,
        ClockName.resolve: SupervisionLevel.none,
    }


def test_claiming_stops_the_claim_clock(ordinary, calendar, cst):
    now = cst(2026, 3, 16, 16, 30)
    assert claim_level(ordinary, now, calendar, claimed_at=cst(2026, 3, 16, 14, 0)) is SupervisionLevel.none


def test_first_contact_also_stops_the_claim_clock(ordinary, calendar, cst):
    now = cst(2026, 3, 16, 16, 30)
    status = supervision_status(ordinary, now, calendar, first_contact_at=cst(2026, 3, 16, 15, 0))
    assert status.flags == ()


def test_resolution_stops_every_clock(ordinary, calendar, cst):
    status = supervision_status(
        ordinary, cst(2026, 4, 30, 9, 0), calendar, resolved_at=cst(2026, 3, 20, 9, 0)
    )
    assert status.flags == ()


def test_actions_after_now_are_ignored(ordinary, calendar, cst):
    now = cst(2026, 3, 16, 13, 0)
    level = claim_level(ordinary, now, calendar, claimed_at=cst(2026, 3, 16, 14, 0))
    assert level is SupervisionLevel.supervise


def test_urgent_levels_run_on_calendar_time(calendar, cst):
    start = cst(2026, 10, 3, 23, 50)  # holiday night
    urgent = deadlines_for(WhistleClass.urgent, start, calendar)
    assert claim_level(urgent, start + timedelta(minutes=22), calendar) is SupervisionLevel.none
    assert claim_level(urgent, start + timedelta(minutes=23), calendar) is SupervisionLevel.remind
    assert claim_level(urgent, start + timedelta(minutes=31), calendar) is SupervisionLevel.supervise
    assert claim_level(urgent, start + timedelta(minutes=61), calendar) is SupervisionLevel.notify


def test_extension_lifts_the_resolve_reminder(ordinary, calendar, cst):
    near_due = cst(2026, 3, 23, 9, 0)  # resolve due Monday 23rd 10:00
    claimed = {"claimed_at": cst(2026, 3, 16, 11), "first_contact_at": cst(2026, 3, 16, 15)}
    before = supervision_status(ordinary, near_due, calendar, **claimed)
    assert before.levels()[ClockName.resolve] is SupervisionLevel.remind
    extended = extend(ordinary, 5, near_due, calendar)
    after = supervision_status(extended, near_due, calendar, **claimed)
    assert after.flags == ()


def test_thresholds_are_configurable(ordinary, calendar, cst):
    policy = SupervisionPolicy(remind_fraction=0.5, notify_overdue_fraction=0.5)
    assert claim_level(ordinary, cst(2026, 3, 16, 11, 0), calendar) is SupervisionLevel.none
    status = supervision_status(ordinary, cst(2026, 3, 16, 11, 0), calendar, policy=policy)
    assert status.levels()[ClockName.claim] is SupervisionLevel.remind
    status = supervision_status(ordinary, cst(2026, 3, 16, 15, 1), calendar, policy=policy)
    assert status.levels()[ClockName.claim] is SupervisionLevel.notify


@pytest.mark.parametrize(
    "kwargs", [{"remind_fraction": 0}, {"remind_fraction": 1.5}, {"notify_overdue_fraction": 0}]
)
def test_nonsense_thresholds_are_rejected(kwargs):
    with pytest.raises(ValueError):
        SupervisionPolicy(**kwargs)


def test_levels_compare_by_rank_not_by_name():
    assert is_escalation(SupervisionLevel.none, SupervisionLevel.remind)
    assert is_escalation("remind", "supervise")
    assert is_escalation(SupervisionLevel.supervise, SupervisionLevel.notify)
    assert not is_escalation(SupervisionLevel.notify, SupervisionLevel.supervise)
    assert not is_escalation(SupervisionLevel.remind, SupervisionLevel.remind)


def test_only_raised_levels_are_reported_as_escalations(ordinary, calendar, cst):
    first = supervision_status(ordinary, cst(2026, 3, 16, 11, 30), calendar)
    assert [flag.clock for flag in escalated_flags(None, first)] == [ClockName.claim]
    same = supervision_status(ordinary, cst(2026, 3, 16, 11, 45), calendar)
    assert escalated_flags(first, same) == ()
    later = supervision_status(ordinary, cst(2026, 3, 16, 14, 0), calendar)
    (flag,) = escalated_flags(first, later)
    assert (flag.clock, flag.level) == (ClockName.claim, SupervisionLevel.supervise)


def test_stored_levels_read_back_as_strings_are_accepted(ordinary, calendar, cst):
    stored = {"claim": "supervise", "first_contact": "none", "resolve": "none"}
    now = supervision_status(ordinary, cst(2026, 3, 16, 14, 0), calendar)
    assert escalated_flags(stored, now) == ()
    assert escalated_flags(Supervision(at=now.at), now) == now.flags


def test_next_level_change_is_the_next_threshold(ordinary, calendar, cst):
    assert next_level_change_at(ordinary, cst(2026, 3, 16, 10, 0), calendar) == cst(2026, 3, 16, 11, 30)
    after_remind = next_level_change_at(ordinary, cst(2026, 3, 16, 11, 30), calendar)
    assert after_remind == cst(2026, 3, 16, 12, 0) + timedelta(microseconds=1)
    assert claim_level(ordinary, after_remind, calendar) is SupervisionLevel.supervise


def test_no_next_change_once_everything_is_done(ordinary, calendar, cst):
    done = cst(2026, 3, 16, 11, 0)
    assert next_level_change_at(ordinary, cst(2026, 3, 16, 12), calendar, resolved_at=done) is None
