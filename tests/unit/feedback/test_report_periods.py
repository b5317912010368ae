"""Report periods: any period is covered exactly by few day/week/month/year buckets, and the
period before it is the same months (or days) just before."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from feedback.exceptions import BadReportParameter
from feedback.periods import Period, bucket_starts


def _days_of(buckets: dict[str, list[date]]) -> list[date]:
    days = list(buckets["d"])
    for start in buckets["w"]:
        assert start.weekday() == 0
        days += [start + timedelta(days=i) for i in range(7)]
    for start in buckets["m"]:
        day = start
        while day.month == start.month:
            days.append(day)
            day += timedelta(days=1)
    for start in buckets["y"]:
        days += [start + timedelta(days=i) for i in range((date(start.year + 1, 1, 1) - start).days)]
    return sorted(days)


@pytest.mark.parametrize("start, end, counts", [
    (date(2025, 1, 1), date(2025, 12, 31), (0, 0, 0, 1)),
    (date(2026, 10, 1), date(2026, 10, 31), (0, 0, 1, 0)),
    # Sat 15 and Sun 16 March, weeks from the 17th and 24th, Monday the 31st; April to January;
    # Sunday 1 February, the week from the 2nd, the 9th to the 14th
    (date(2025, 3, 15), date(2026, 2, 14), (10, 3, 10, 0)),
    # Thursday 17 September to Sunday the 20th, three weeks (one across the month), the 12th to the 17th
    (date(2026, 9, 17), date(2026, 10, 17), (10, 3, 0, 0)),
    (date(2024, 2, 29), date(2024, 2, 29), (1, 0, 0, 0)),
    (date(2023, 12, 31), date(2026, 1, 1), (2, 0, 0, 2)),
    (date(2026, 3, 2), date(2026, 3, 8), (0, 1, 0, 0)),
])
def test_a_period_is_covered_exactly_by_few_buckets(start: date, end: date, counts: tuple[int, ...]) -> None:
    period = Period(start, end)
    buckets = period.buckets()
    assert (len(buckets["d"]), len(buckets["w"]), len(buckets["m"]), len(buckets["y"])) == counts
    assert _days_of(buckets) == [start + timedelta(days=i) for i in range(period.days)]


def test_the_previous_period_is_the_same_months_or_days_before() -> None:
    assert Period(date(2025, 1, 1), date(2025, 12, 31)).previous() == Period(date(2024, 1, 1), date(2024, 12, 31))
    assert Period(date(2026, 3, 1), date(2026, 3, 31)).previous() == Period(date(2026, 2, 1), date(2026, 2, 28))
    assert Period(date(2026, 3, 10), date(2026, 3, 19)).previous() == Period(date(2026, 2, 28), date(2026, 3, 9))


def test_the_period_before_the_earliest_one_asked_for_is_still_a_period() -> None:
    """A report from 1990-01-01 (the earliest day one may ask for) compares with the month before,
    which no one asked for: it was refused as 'from: 1989-12-01 is outside 1990-2100' (hot spots: 500)."""
    assert Period(date(1990, 1, 1), date(1990, 1, 31)).previous() == Period.derived(date(1989, 12, 1),
                                                                                      date(1989, 12, 31))
    assert Period(date(1990, 1, 1), date(2100, 12, 31)).previous().start == date(1879, 1, 1)
    with pytest.raises(BadReportParameter):
        Period(date(1989, 12, 1), date(1989, 12, 31))  # asked for: refused


def test_to_before_from_and_absurd_dates_are_refused_naming_the_field() -> None:
    with pytest.raises(BadReportParameter) as before:
        Period(date(2026, 3, 10), date(2026, 3, 1))
    assert before.value.field == "to"
    with pytest.raises(BadReportParameter) as ancient:
        Period(date(1066, 10, 14), date(2026, 3, 1))
    assert ancient.value.field == "from"


def test_a_day_counts_in_its_day_week_month_and_year() -> None:
    assert bucket_starts(date(2026, 3, 4)) == (("d", date(2026, 3, 4)), ("w", date(2026, 3, 2)),
                                               ("m", date(2026, 3, 1)), ("y", date(2026, 1, 1)))
