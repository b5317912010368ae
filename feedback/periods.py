"""Report periods in the county's local days, and the buckets the aggregates are kept in.

Aggregates are kept per day, per month and per year (grains "d", "m", "y", each keyed by the
first day of its bucket; and per week, "w", for the weekly trend), so that any period is read as
a handful of rows per cell: whole years, then whole months, then the odd days at either end.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from feedback.exceptions import BadPeriod, BadReportParameter

GRAINS: tuple[str, ...] = ("d", "m", "y")  # what a period is read from
TREND_GRAIN = "w"
EARLIEST, LATEST = date(1990, 1, 1), date(2100, 12, 31)  # weeks (keyed by their Monday), for the weekly trend only


def bucket_starts(day: date) -> tuple[tuple[str, date], ...]:
    """The (grain, first day) of the day, week, month and year buckets a day belongs to."""
    return (("d", day), ("w", week_start(day)), ("m", day.replace(day=1)), ("y", day.replace(month=1, day=1)))


def _next_month(day: date) -> date:
    return date(day.year + 1, 1, 1) if day.month == 12 else date(day.year, day.month + 1, 1)


@dataclass(frozen=True)
class Period:
    """From `start` to `end`, both included, in local days."""

    start: date
    end: date

    def __post_init__(self) -> None:
        for name, day in (("from", self.start), ("to", self.end)):
            if not EARLIEST <= day <= LATEST:
                raise BadReportParameter(name, f"{day} is outside {EARLIEST.year}-{LATEST.year}")
        if self.end < self.start:
            raise BadPeriod(f"to ({self.end}) is before from ({self.start})")

    @classmethod
    def of(cls, start: date | None, end: date | None, today: date) -> Period:
        """The period asked for: `to` defaults to today, `from` to the first day of `to`'s month."""
        end = end or today
        return cls(start or end.replace(day=1), end)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period just before this one, for trends: the same number of whole months when the
        period is whole months (a year against the year before, a month against the month
        before), else the same number of days."""
        if self.start.day == 1 and (self.end + timedelta(days=1)).day == 1:
            months = (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1
            first = self.start
            for _ in range(months):
                first = (first - timedelta(days=1)).replace(day=1)
            return Period(first, self.start - timedelta(days=1))
        return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    def buckets(self) -> dict[str, list[date]]:
        """The fewest day/month/year buckets that cover the period exactly."""
        out: dict[str, list[date]] = {g: [] for g in GRAINS}
        day = self.start
        while day <= self.end:
            year_end = date(day.year, 12, 31)
            month_end = _next_month(day) - timedelta(days=1)
            if day.month == 1 and day.day == 1 and year_end <= self.end:
                out["y"].append(day)
                day = year_end + timedelta(days=1)
            elif day.day == 1 and month_end <= self.end:
                out["m"].append(day)
                day = month_end + timedelta(days=1)
            else:
                out["d"].append(day)
                day += timedelta(days=1)
        return out


def week_start(day: date) -> date:
    """The Monday of the day's week."""
    return day - timedelta(days=day.weekday())
