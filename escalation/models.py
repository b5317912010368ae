"""Value objects of the escalation domain: clocks, deadlines, supervision flags, whistle calls.

All datetimes are timezone-aware; the functions that build these objects return UTC.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from schemas.taxonomy import Level, WhistleClass


class ClockName(StrEnum):
    """The three clocks of a dispatched order (SPEC §6)."""

    claim = "claim"  # 签收 / 报到
    first_contact = "first_contact"  # first contact with the citizen
    resolve = "resolve"  # 办结


CLOCK_ORDER: tuple[ClockName, ...] = (ClockName.claim, ClockName.first_contact, ClockName.resolve)


class Basis(StrEnum):
    """What time a clock counts: every minute, or only office hours on working days."""

    calendar = "calendar"
    working = "working"


class SupervisionLevel(StrEnum):
    """Supervision flag level, lowest first: none → 提醒 → 督办 → 通报.

    A flag, not a state: it sits beside the work-order state. Compare levels with ``rank``,
    never with ``<`` on the string values.
    """

    none = "none"
    remind = "remind"  # 提醒: most of the time limit has gone
    supervise = "supervise"  # 督办: the limit has passed
    notify = "notify"  # 通报: overdue by more than the limit again

    @property
    def rank(self) -> int:
        """0 for none up to 3 for notify."""
        return _LEVEL_RANK[self]


_LEVEL_RANK = {
    SupervisionLevel.none: 0,
    SupervisionLevel.remind: 1,
    SupervisionLevel.supervise: 2,
    SupervisionLevel.notify: 3,
}


@dataclass(frozen=True)
class Deadlines:
    """When each clock of one dispatch falls due.

    ``started_at`` is the instant the clocks started (the dispatch, or the redispatch after a
    return or a reopen). ``calendar_clocks`` names the clocks that run on calendar time (all
    three for ``urgent`` by default); the others run on working time. ``extended_working_days``
    is the total of the approved extensions (延期) already added to ``resolve_due``.
    """

    whistle_class: WhistleClass
    started_at: datetime
    claim_due: datetime
    first_contact_due: datetime
    resolve_due: datetime
    calendar_clocks: frozenset[ClockName] = frozenset()
    extended_working_days: float = 0

    def due(self, clock: ClockName) -> datetime:
        """The due instant of ``clock``."""
        return {
            ClockName.claim: self.claim_due,
            ClockName.first_contact: self.first_contact_due,
            ClockName.resolve: self.resolve_due,
        }[clock]

    def basis(self, clock: ClockName) -> Basis:
        """Whether ``clock`` runs on calendar or on working time."""
        return Basis.calendar if clock in self.calendar_clocks else Basis.working

    def met(self, clock: ClockName, done_at: datetime) -> bool:
        """Whether an action done at ``done_at`` met ``clock`` (at or before its due time)."""
        return done_at <= self.due(clock)


@dataclass(frozen=True)
class ClockFlag:
    """One running clock that has reached a supervision level.

    ``overdue_by`` is calendar time past ``due`` and ``overdue_working_hours`` the working
    hours past it; both are zero while the clock is only at ``remind``.
    """

    clock: ClockName
    level: SupervisionLevel
    due: datetime
    overdue_by: timedelta
    overdue_working_hours: float

    @property
    def overdue(self) -> bool:
        """Whether the due time has passed."""
        return self.overdue_by > timedelta()


@dataclass(frozen=True)
class Supervision:
    """The supervision picture of one order at one instant: a flag per clock above ``none``."""

    at: datetime
    flags: tuple[ClockFlag, ...] = ()

    @property
    def level(self) -> SupervisionLevel:
        """The highest level among the flags (``none`` when there are none)."""
        return max(
            (flag.level for flag in self.flags), key=lambda level: level.rank, default=SupervisionLevel.none
        )

    @property
    def overdue(self) -> tuple[ClockName, ...]:
        """The clocks whose due time has passed without the action being done."""
        return tuple(flag.clock for flag in self.flags if flag.overdue)

    def levels(self) -> dict[ClockName, SupervisionLevel]:
        """Level per clock, every clock listed (``none`` when unflagged): what a caller stores."""
        levels = dict.fromkeys(CLOCK_ORDER, SupervisionLevel.none)
        levels.update({flag.clock: flag.level for flag in self.flags})
        return levels


class HandlingUnit(Protocol):
    """What the 上报 rule needs to know of a unit; the router's ``Unit`` has these attributes."""

    @property
    def code(self) -> str: ...

    @property
    def level(self) -> Level: ...

    @property
    def parent(self) -> str | None: ...


@dataclass(frozen=True)
class ReportUp:
    """A village passing an order it cannot solve up to its township (上报)."""

    from_unit: str
    to_unit: str
    reason: str
    at: datetime


@dataclass(frozen=True)
class DutyReport:
    """A county department reporting for duty (报到) to a whistle call."""

    department: str
    reported_at: datetime
    on_time: bool


@dataclass(frozen=True)
class WhistleCall:
    """A township blowing the whistle (吹哨): the named departments must report by ``report_due``."""

    township: str
    departments: tuple[str, ...]
    whistle_class: WhistleClass
    blown_at: datetime
    report_due: datetime
    reason: str = ""
    reports: tuple[DutyReport, ...] = field(default=())

    @property
    def reported(self) -> tuple[str, ...]:
        """Departments that have reported, in reporting order."""
        return tuple(report.department for report in self.reports)

    @property
    def pending(self) -> tuple[str, ...]:
        """Departments named in the call that have not reported yet."""
        done = set(self.reported)
        return tuple(dept for dept in self.departments if dept not in done)

    @property
    def complete(self) -> bool:
        """Whether every named department has reported."""
        return not self.pending

    def late_reporters(self) -> tuple[str, ...]:
        """Departments that reported after ``report_due``."""
        return tuple(report.department for report in self.reports if not report.on_time)

    def overdue_departments(self, now: datetime) -> tuple[str, ...]:
        """Departments that have not reported although ``report_due`` has passed at ``now``."""
        return self.pending if now > self.report_due else ()
