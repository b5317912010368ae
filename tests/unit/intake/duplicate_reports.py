"""Reports for the 并单 unit tests, each file with its own made-up county: `report` makes one, hours after a fixed
instant, and `verdicts` adds them in order to an index and gives what each was merged into."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from intake.duplicates import DuplicateIndex, Report

T0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def report(i: str, text: str, address: str | None = None, hours: float = 0.0,
           topic: frozenset[str] = frozenset()) -> Report:
    return Report(id=i, text=text, address=address, reported_at=T0 + timedelta(hours=hours), topic=topic)


def verdicts(index: DuplicateIndex, *reports: Report) -> list[str | None]:
    """The earliest report each of `reports` repeats (None for a new incident), as intake adds them."""
    return [index.add(r) for r in reports]
