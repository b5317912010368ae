"""Shared fixtures of the escalation unit tests: the default calendar and local-time instants."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from escalation import WorkingCalendar

SHANGHAI = ZoneInfo("Asia/Shanghai")

LocalTime = Callable[..., datetime]


@pytest.fixture
def calendar() -> WorkingCalendar:
    """The shipped default: 08:30-12:00 and 14:00-17:30, Asia/Shanghai, official holidays."""
    return WorkingCalendar()


@pytest.fixture
def cst() -> LocalTime:
    """Build an aware instant in China Standard Time: ``cst(2026, 10, 8, 16, 30)``."""

    def build(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
        return datetime(year, month, day, hour, minute, second, tzinfo=SHANGHAI)

    return build
