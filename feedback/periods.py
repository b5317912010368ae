"""Report periods in the county's local days, and the buckets the aggregates are kept in.

Aggregates are kept per day, per week (Monday to Sunday), per month and per year (grains "d",
"w", "m", "y", each keyed by the first day of its bucket), so that any period is read as a handful
of rows per cell: whole years, then whole months, and in the stretches no whole month covers,
whole weeks with the odd days around them (31 odd days: about a dozen buckets, not 31).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from feedback.exceptions import BadPeriod, BadReportParameter

GRAINS: tuple[str, ...] = ("d", "w", "m", "y")  # what a period is read from
TREND_GRAIN = "w"
EARLIEST, LATEST = date(1990, 1, 1), date(2100, 12, 31)  # weeks (keyed by their Monday), for the weekly trend only


_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})")


def parse_day(name: str, given: str | None, local_day: Callable[[datetime], date]) -> date | None:
    """A report's `from`/`to`: a calendar date (YYYY-MM-DD, the county's local day) or an ISO 8601
    instant with its offset (2026-03-01T09:00:00+08:00, or Z), taken as the local day it falls on.
    Anything else (a number, a bare time, a date-time without offset, 2026-02-30) is refused,
    naming the parameter; None or "" is "not given"."""
    if given is None or given == "":
        return None
    text = given.strip()
    try:
        if _DAY.fullmatch(text):
            return date.fromisoformat(text)
        if _INSTANT.fullmatch(text):
            return local_day(datetime.fromisoformat(text.replace("Z", "+00:00")))
    except (ValueError, OverflowError):  # OverflowError: an instant whose local day is past year 1 or 9999
        pass
    raise BadReportParameter(name, f"{given!r} is not a date: give YYYY-MM-DD (a local day) or an ISO date-time "
                                   "with its offset")


def bucket_starts(day: date) -> tuple[tuple[str, date], ...]:
    """The (grain, first day) of the day, week, month and year buckets a day belongs to."""
    return (("d", day), ("w", week_start(day)), ("m", day.replace(day=1)), ("y", day.replace(month=1, day=1)))


def _next_month(day: date) -> date:
    return date(day.year + 1, 1, 1) if day.month == 12 else date(day.year, day.month + 1, 1)


@dataclass(frozen=True)
class Period:
    """From `start` to `end`, both included, in local days. One asked for lies within EARLIEST-LATEST;
    one the reports work out from it (the period before, for trends) need not (`derived`)."""

    start: date
    end: date
    asked: bool = field(default=True, compare=False, repr=False)

    def __post_init__(self) -> None:
        for name, day in (("from", self.start), ("to", self.end)):
            if self.asked and not EARLIEST <= day <= LATEST:
                raise BadReportParameter(name, f"{day} is outside {EARLIEST.year}-{LATEST.year}")
        if self.end < self.start:
            raise BadPeriod(f"to ({self.end}) is before from ({self.start})")

    @classmethod
    def of(cls, start: date | None, end: date | None, today: date) -> Period:
        """The period asked for: `to` defaults to today, `from` to the first day of `to`'s month."""
        end = end or today
        return cls(start or end.replace(day=1), end)

    @classmethod
    def derived(cls, start: date, end: date) -> Period:
        """A period worked out from one asked for, not bound to the days one may ask for."""
        return cls(start, end, asked=False)

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
            return Period.derived(first, self.start - timedelta(days=1))
        return Period.derived(self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    def buckets(self) -> dict[str, list[date]]:
        """Buckets that cover the period exactly, few of them: whole years and months, and whole
        weeks and days in the stretches between (a week may cross a month that is not whole)."""
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
                # a stretch up to the next whole month (or the end): weeks where they fit, else days
                next_month = _next_month(day)
                whole_next = _next_month(next_month) - timedelta(days=1) <= self.end
                stretch_end = next_month - timedelta(days=1) if whole_next else self.end
                while day <= stretch_end:
                    if day.weekday() == 0 and day + timedelta(days=6) <= stretch_end:
                        out["w"].append(day)
                        day += timedelta(days=7)
                    else:
                        out["d"].append(day)
                        day += timedelta(days=1)
        return out


def week_start(day: date) -> date:
    """The Monday of the day's week."""
    return day - timedelta(days=day.weekday())
