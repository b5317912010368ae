"""Working time on the Chinese public-holiday calendar.

A *working day* is a date on which government offices open: Monday to Friday, minus the
public holidays, plus the adjusted working days (调休, usually a Saturday or Sunday next to a
long holiday). A *working hour* is an hour inside the configured office periods of a working
day, in the calendar's time zone (default Asia/Shanghai, 08:30–12:00 and 14:00–17:30, i.e. a
7-hour working day).

Holidays and adjusted working days come from the ``chinese_calendar`` library, which follows
the State Council's yearly notice and therefore only knows the years that have been announced
(up to 2026 in chinese-calendar 1.11). For any year it does not cover, the calendar falls back
to "Saturday and Sunday are rest days" plus the deployment's ``extra_holidays`` and
``extra_working_days``; it never fails on an uncovered year. When the State Council publishes
the next year's arrangement, either upgrade the library or put the dates in those two lists.
The two lists also apply to covered years, so a county can add a local holiday or cancel one.

Every public method takes and returns timezone-aware datetimes (any zone in, UTC out) and
rejects naive ones with ``ValueError``. Nothing here reads the system clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar  # type: ignore[import-untyped]  # the library ships no type hints

DEFAULT_TIMEZONE = "Asia/Shanghai"
COUNTY_TIME = ZoneInfo(DEFAULT_TIMEZONE)  # the default zone (wall-clock times without an offset)

# Typical county government office hours (上午 08:30–12:00, 下午 14:00–17:30).
DEFAULT_PERIODS: tuple[tuple[time, time], ...] = (
    (time(8, 30), time(12, 0)),
    (time(14, 0), time(17, 30)),
)

# No real calendar goes this long without a working day; past it the configuration is broken.
_MAX_SEARCH_DAYS = 3660


def require_aware(moment: datetime, name: str = "datetime") -> None:
    """Raise ``ValueError`` unless ``moment`` carries a time zone."""
    if moment.tzinfo is None or moment.tzinfo.utcoffset(moment) is None:
        raise ValueError(f"{name} must be timezone-aware (got naive {moment.isoformat()})")


def parse_periods(texts: Iterable[str]) -> tuple[tuple[time, time], ...]:
    """Parse office periods written as ``"08:30-12:00"`` into ``(start, end)`` pairs."""
    periods = []
    for text in texts:
        try:
            start_text, end_text = (part.strip() for part in text.split("-"))
            periods.append((time.fromisoformat(start_text), time.fromisoformat(end_text)))
        except ValueError as exc:
            raise ValueError(f"working period {text!r} is not of the form HH:MM-HH:MM") from exc
    return tuple(periods)


def parse_dates(lines: Iterable[str]) -> frozenset[date]:
    """Dates written one per line or comma-separated as ``2027-01-01`` or as an inclusive range
    ``2027-02-05..2027-02-11``; blank parts and ``#`` comments are skipped. For the holidays and
    adjusted working days of years the official calendar does not know yet."""
    found: set[date] = set()
    for line in lines:
        for part in line.split("#", 1)[0].split(","):
            text = part.strip()
            if not text:
                continue
            try:
                first, _, last = text.partition("..")
                start = date.fromisoformat(first.strip())
                end = date.fromisoformat(last.strip()) if last else start
            except ValueError as exc:
                raise ValueError(f"date {text!r} is not YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD") from exc
            if end < start:
                raise ValueError(f"date range {text!r} ends before it starts")
            found.update(start + timedelta(days=n) for n in range((end - start).days + 1))
    return frozenset(found)


class WorkingCalendar:
    """Working days and working hours of one deployment.

    ``periods`` are the daily office periods as ``(start, end)`` local times, ascending and
    non-overlapping; every working day has the same periods. ``extra_holidays`` and
    ``extra_working_days`` override the official calendar for the dates they list, in any year.
    """

    def __init__(
        self,
        periods: Sequence[tuple[time, time]] = DEFAULT_PERIODS,
        timezone: str = DEFAULT_TIMEZONE,
        extra_holidays: Iterable[date] = (),
        extra_working_days: Iterable[date] = (),
    ) -> None:
        self.periods: tuple[tuple[time, time], ...] = tuple(periods)
        if not self.periods:
            raise ValueError("a working calendar needs at least one working period")
        previous_end: time | None = None
        for start, end in self.periods:
            if start >= end:
                raise ValueError(f"working period {start}-{end} ends before it starts")
            if previous_end is not None and start < previous_end:
                raise ValueError("working periods must be ascending and must not overlap")
            previous_end = end
        self.timezone = ZoneInfo(timezone)
        self.extra_holidays: frozenset[date] = frozenset(extra_holidays)
        self.extra_working_days: frozenset[date] = frozenset(extra_working_days)
        both = self.extra_holidays & self.extra_working_days
        if both:
            raise ValueError(f"dates listed both as holiday and as working day: {sorted(both)}")
        self.day_length: timedelta = sum(
            (
                datetime.combine(date.min, end) - datetime.combine(date.min, start)
                for start, end in self.periods
            ),
            timedelta(),
        )
        self._working_day_cache: dict[date, bool] = {}
        self._periods_cache: dict[date, tuple[tuple[datetime, datetime], ...]] = {}

    def __repr__(self) -> str:
        periods = ", ".join(f"{s:%H:%M}-{e:%H:%M}" for s, e in self.periods)
        return f"WorkingCalendar(periods=[{periods}], timezone={self.timezone.key!r})"

    @property
    def hours_per_day(self) -> float:
        """Length of one working day, in hours (7.0 with the default periods)."""
        return self.day_length / timedelta(hours=1)

    # -- days -----------------------------------------------------------------------------

    @staticmethod
    def covers_officially(year: int) -> bool:
        """Whether the official holiday arrangement of ``year`` is known to ``chinese_calendar``.

        For other years :meth:`is_working_day` uses the weekend fallback described above;
        services may log a warning when the current or next year is not covered.
        """
        try:
            chinese_calendar.is_workday(date(year, 6, 1))
        except NotImplementedError:
            return False
        return True

    def is_working_day(self, day: date) -> bool:
        """Whether offices open on ``day`` (a local calendar date)."""
        if isinstance(day, datetime):
            raise TypeError("is_working_day takes a date; use .astimezone(tz).date() for an instant")
        cached = self._working_day_cache.get(day)
        if cached is None:
            cached = self._compute_working_day(day)
            self._working_day_cache[day] = cached
        return cached

    def _compute_working_day(self, day: date) -> bool:
        if day in self.extra_working_days:
            return True
        if day in self.extra_holidays:
            return False
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            # Year not yet announced: weekends are rest days, nothing else is known.
            return day.weekday() < 5

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after ``day``."""
        for offset in range(1, _MAX_SEARCH_DAYS):
            candidate = day + timedelta(days=offset)
            if self.is_working_day(candidate):
                return candidate
        raise ValueError(f"no working day within {_MAX_SEARCH_DAYS} days after {day}")

    # -- instants -------------------------------------------------------------------------

    def is_working_time(self, moment: datetime) -> bool:
        """Whether ``moment`` falls inside an office period of a working day (start inclusive)."""
        require_aware(moment, "moment")
        local = moment.astimezone(self.timezone)
        if not self.is_working_day(local.date()):
            return False
        return any(
            self._at(local.date(), start) <= local < self._at(local.date(), end)
            for start, end in self.periods
        )

    def add_working_hours(self, start: datetime, hours: float) -> datetime:
        """The instant at which ``hours`` working hours have elapsed since ``start``.

        Time outside office periods (nights, lunch, weekends, holidays) does not count. When
        the amount runs out exactly at the end of a period, the result is that period's end
        (e.g. 17:30), not the start of the next one. ``hours=0`` returns ``start`` itself.
        Returns UTC.
        """
        require_aware(start, "start")
        if hours < 0:
            raise ValueError(f"hours must not be negative (got {hours})")
        return self._add_working_time(start, timedelta(hours=hours))

    def add_working_days(self, start: datetime, days: float) -> datetime:
        """The instant at which ``days`` full working days of working time have elapsed since ``start``.

        One working day is one day's worth of working time (``hours_per_day``, 7 hours by
        default), so this equals ``add_working_hours(start, days * hours_per_day)``:

        * from inside an office period, the result is the same clock time on the ``days``-th
          following working day (Monday 10:15 + 1 → Tuesday 10:15; Friday 10:15 + 1 → the next
          working day, which may be an adjusted working Saturday, or the first day after a
          holiday);
        * from outside office hours (evening, weekend, holiday) the clock starts at the next
          opening, so the result is the close of business (17:30) of the ``days``-th working
          day after that (Friday 20:00 + 1 → Monday 17:30);
        * from the lunch break, it is the end of the morning period (12:00) of the
          ``days``-th following working day.

        Fractions are allowed (0.5 = half a working day). Returns UTC.
        """
        require_aware(start, "start")
        if days < 0:
            raise ValueError(f"days must not be negative (got {days})")
        return self._add_working_time(start, self.day_length * days)

    def _day_periods(self, day: date) -> tuple[tuple[datetime, datetime], ...]:
        """The office periods of ``day`` (a local date) as UTC instants; none on a day off. Cached:
        the sweep asks about the same few weeks for thousands of clocks, and instants in one zone
        compare without converting."""
        periods = self._periods_cache.get(day)
        if periods is None:
            periods = tuple((self._at(day, start).astimezone(UTC), self._at(day, end).astimezone(UTC))
                            for start, end in self.periods) if self.is_working_day(day) else ()
            self._periods_cache[day] = periods
        return periods

    def working_time_between(self, a: datetime, b: datetime) -> timedelta:
        """Working time elapsed from ``a`` to ``b``; negative when ``b`` is before ``a``."""
        require_aware(a, "a")
        require_aware(b, "b")
        if b < a:
            return -self.working_time_between(b, a)
        utc_a, utc_b = a.astimezone(UTC), b.astimezone(UTC)
        first, last = a.astimezone(self.timezone).date(), b.astimezone(self.timezone).date()
        total = timedelta()
        day = first
        one = timedelta(days=1)
        while day <= last:
            periods = self._day_periods(day)
            if first < day < last:
                total += self.day_length if periods else timedelta()  # a whole day in between
            else:
                for start, end in periods:
                    overlap_start = start if start > utc_a else utc_a
                    overlap_end = end if end < utc_b else utc_b
                    if overlap_end > overlap_start:
                        total += overlap_end - overlap_start
            day += one
        return total

    def working_hours_between(self, a: datetime, b: datetime) -> float:
        """Working hours elapsed from ``a`` to ``b`` (for reports); negative when ``b`` is before ``a``."""
        return self.working_time_between(a, b) / timedelta(hours=1)

    # -- internals ------------------------------------------------------------------------

    def _at(self, day: date, clock: time) -> datetime:
        # Asia/Shanghai has had no daylight saving since 1991, so local wall times are unambiguous.
        return datetime.combine(day, clock, tzinfo=self.timezone)

    def _add_working_time(self, start: datetime, amount: timedelta) -> datetime:
        if amount <= timedelta():
            return start.astimezone(UTC)
        cursor = start.astimezone(UTC)
        remaining = amount
        day = start.astimezone(self.timezone).date()
        for _ in range(_MAX_SEARCH_DAYS):
            for period_start, segment_end in self._day_periods(day):
                segment_start = period_start if period_start > cursor else cursor
                if segment_end <= segment_start:
                    continue
                available = segment_end - segment_start
                if remaining <= available:
                    return segment_start + remaining
                remaining -= available
            day += timedelta(days=1)
        raise ValueError(f"working time {amount} from {start.isoformat()} runs past {_MAX_SEARCH_DAYS} days")
