"""Working days and working hours on the Chinese public-holiday calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from escalation import WorkingCalendar, parse_periods


def test_default_working_day_is_seven_hours(calendar):
    assert calendar.hours_per_day == 7.0


def test_national_day_holiday_and_its_weekend_are_rest_days(calendar):
    for day in range(1, 8):
        assert not calendar.is_working_day(date(2026, 10, day))
    assert calendar.is_working_day(date(2026, 10, 8))


def test_adjusted_working_saturday_after_national_day_is_a_working_day(calendar):
    assert date(2026, 10, 10).weekday() == 5
    assert calendar.is_working_day(date(2026, 10, 10))
    assert not calendar.is_working_day(date(2026, 10, 11))


def test_ordinary_claim_due_skips_lunch_and_night(calendar, cst):
    # 11:00-12:00 is one hour, the second runs 14:00-15:00 after lunch.
    assert calendar.add_working_hours(cst(2026, 3, 16, 11, 0), 2) == cst(2026, 3, 16, 15, 0)
    # Half an hour before closing, then 1.5 h the next morning.
    assert calendar.add_working_hours(cst(2026, 3, 16, 17, 0), 2) == cst(2026, 3, 17, 10, 0)


def test_time_running_out_at_noon_is_due_at_noon_not_after_lunch(calendar, cst):
    assert calendar.add_working_hours(cst(2026, 3, 16, 10, 0), 2) == cst(2026, 3, 16, 12, 0)


def test_clock_started_at_night_starts_at_next_opening(calendar, cst):
    assert calendar.add_working_hours(cst(2026, 3, 16, 22, 0), 1) == cst(2026, 3, 17, 9, 30)


def test_working_hours_skip_the_weekend(calendar, cst):
    friday = cst(2026, 3, 20, 17, 0)
    assert calendar.add_working_hours(friday, 1) == cst(2026, 3, 23, 9, 0)


def test_one_working_day_is_the_same_clock_time_next_working_day(calendar, cst):
    assert calendar.add_working_days(cst(2026, 3, 16, 10, 15), 1) == cst(2026, 3, 17, 10, 15)
    assert calendar.add_working_days(cst(2026, 3, 20, 10, 15), 1) == cst(2026, 3, 23, 10, 15)


def test_working_day_counted_from_the_evening_ends_at_close_of_business(calendar, cst):
    assert calendar.add_working_days(cst(2026, 3, 20, 20, 0), 1) == cst(2026, 3, 23, 17, 30)


def test_deadline_over_national_day_holiday_lands_after_it(calendar, cst):
    eve = cst(2026, 9, 30, 16, 30)
    assert calendar.add_working_days(eve, 1) == cst(2026, 10, 8, 16, 30)
    # 8 Oct, 9 Oct, Saturday 10 Oct (调休), Monday 12 Oct, Tuesday 13 Oct.
    assert calendar.add_working_days(eve, 5) == cst(2026, 10, 13, 16, 30)


def test_results_are_utc(calendar, cst):
    due = calendar.add_working_hours(cst(2026, 3, 16, 11, 0), 2)
    assert due.tzinfo is UTC
    assert due == datetime(2026, 3, 16, 7, 0, tzinfo=UTC)


def test_inputs_in_any_zone_are_accepted(calendar):
    start_utc = datetime(2026, 3, 16, 3, 0, tzinfo=UTC)  # 11:00 in Shanghai
    assert calendar.add_working_hours(start_utc, 2) == datetime(2026, 3, 16, 7, 0, tzinfo=UTC)


def test_naive_datetimes_are_rejected(calendar):
    naive = datetime(2026, 3, 16, 11, 0)
    with pytest.raises(ValueError, match="timezone-aware"):
        calendar.add_working_hours(naive, 1)
    with pytest.raises(ValueError, match="timezone-aware"):
        calendar.working_hours_between(naive, naive)
    with pytest.raises(ValueError, match="timezone-aware"):
        calendar.is_working_time(naive)


def test_negative_amounts_are_rejected(calendar, cst):
    with pytest.raises(ValueError):
        calendar.add_working_hours(cst(2026, 3, 16, 11), -1)
    with pytest.raises(ValueError):
        calendar.add_working_days(cst(2026, 3, 16, 11), -1)


def test_working_hours_between_counts_only_office_time(calendar, cst):
    # Friday 16:00-17:30 and Monday 08:30-10:00.
    assert calendar.working_hours_between(cst(2026, 3, 20, 16, 0), cst(2026, 3, 23, 10, 0)) == 3.0
    assert calendar.working_hours_between(cst(2026, 3, 16, 11, 0), cst(2026, 3, 16, 15, 0)) == 2.0


def test_working_hours_between_is_negative_backwards(calendar, cst):
    assert calendar.working_hours_between(cst(2026, 3, 16, 15, 0), cst(2026, 3, 16, 11, 0)) == -2.0


def test_working_hours_between_over_a_holiday_is_zero(calendar, cst):
    assert calendar.working_hours_between(cst(2026, 10, 1, 9, 0), cst(2026, 10, 7, 17, 0)) == 0.0


def test_adding_then_measuring_round_trips(calendar, cst):
    start = cst(2026, 9, 29, 13, 45)
    for hours in (0.25, 3.5, 7, 40, 105):
        due = calendar.add_working_hours(start, hours)
        assert calendar.working_hours_between(start, due) == pytest.approx(hours)


def test_is_working_time_excludes_lunch_and_holidays(calendar, cst):
    assert calendar.is_working_time(cst(2026, 3, 16, 8, 30))
    assert not calendar.is_working_time(cst(2026, 3, 16, 12, 30))
    assert not calendar.is_working_time(cst(2026, 3, 16, 17, 30))
    assert not calendar.is_working_time(cst(2026, 10, 2, 10, 0))


def test_uncovered_year_falls_back_to_weekends(calendar, cst):
    assert not WorkingCalendar.covers_officially(2027)
    assert WorkingCalendar.covers_officially(2026)
    # 1 Jan 2027 is a Friday: without an announced arrangement it counts as a working day.
    assert calendar.is_working_day(date(2027, 1, 1))
    assert not calendar.is_working_day(date(2027, 1, 2))
    # A clock running from New Year's Eve 2026 into 2027 does not fail.
    assert calendar.add_working_days(cst(2026, 12, 31, 10, 0), 2) == cst(2027, 1, 4, 10, 0)


def test_configured_holidays_apply_to_uncovered_years(cst):
    calendar = WorkingCalendar(extra_holidays=[date(2027, 1, 1)], extra_working_days=[date(2027, 1, 2)])
    assert not calendar.is_working_day(date(2027, 1, 1))
    assert calendar.is_working_day(date(2027, 1, 2))
    assert calendar.add_working_days(cst(2026, 12, 31, 10, 0), 1) == cst(2027, 1, 2, 10, 0)


def test_configured_days_override_the_official_calendar():
    calendar = WorkingCalendar(extra_holidays=[date(2026, 3, 16)], extra_working_days=[date(2026, 10, 3)])
    assert not calendar.is_working_day(date(2026, 3, 16))
    assert calendar.is_working_day(date(2026, 10, 3))


def test_a_date_cannot_be_both_holiday_and_working_day():
    with pytest.raises(ValueError, match="both"):
        WorkingCalendar(extra_holidays=[date(2027, 1, 1)], extra_working_days=[date(2027, 1, 1)])


def test_office_periods_are_configurable(cst):
    calendar = WorkingCalendar(periods=parse_periods(["09:00-12:00", "13:30-17:30"]))
    assert calendar.hours_per_day == 7.0
    assert calendar.add_working_hours(cst(2026, 3, 16, 11, 0), 2) == cst(2026, 3, 16, 14, 30)


@pytest.mark.parametrize(
    "periods",
    [(), ((time(12, 0), time(9, 0)),), ((time(9, 0), time(12, 0)), (time(11, 0), time(14, 0)))],
)
def test_broken_office_periods_are_rejected(periods):
    with pytest.raises(ValueError):
        WorkingCalendar(periods=periods)


def test_malformed_period_text_is_rejected():
    with pytest.raises(ValueError, match="HH:MM-HH:MM"):
        parse_periods(["nine to five"])


def test_zero_hours_returns_the_start(calendar, cst):
    start = cst(2026, 10, 3, 22, 0)
    assert calendar.add_working_hours(start, 0) == start
    assert calendar.add_working_hours(start, 0) - start == timedelta()
