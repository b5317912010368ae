"""Reminders, overdue flags and supervision levels (提醒 → 督办 → 通报).

Supervision is a flag beside the work-order state, computed afresh from the deadlines, the
current instant and what the unit has done. For each clock still running:

* **remind** (提醒) once ``remind_fraction`` (default 75 %) of the clock's allowed time has
  elapsed;
* **supervise** (督办) once the due time has passed;
* **notify** (通报) once it is overdue by more than ``notify_overdue_fraction`` (default
  100 %) of the allowed time, i.e. "late by the whole limit again".

"Allowed time" and "overdue by" are measured on the clock's own basis: working time for
working-time clocks (a 5-working-day resolve clock is notified 5 working days after its due
time), calendar time for the urgent clocks. After an extension the allowed time of the
resolve clock is the whole span from the dispatch to the extended due time.

A clock stops when its action is done at or before ``now``; a later action also stops the
earlier clocks (a unit that has contacted the citizen has evidently claimed the order, and a
resolved order needs no more contact).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from escalation.calendar import WorkingCalendar, require_aware
from escalation.models import (
    CLOCK_ORDER,
    Basis,
    ClockFlag,
    ClockName,
    Deadlines,
    Supervision,
    SupervisionLevel,
)


@dataclass(frozen=True)
class SupervisionPolicy:
    """When the levels step up; fractions of each clock's allowed time."""

    remind_fraction: float = 0.75
    notify_overdue_fraction: float = 1.0

    def __post_init__(self) -> None:
        if not 0 < self.remind_fraction <= 1:
            raise ValueError(f"remind_fraction must be in (0, 1] (got {self.remind_fraction})")
        if self.notify_overdue_fraction <= 0:
            raise ValueError(f"notify_overdue_fraction must be positive (got {self.notify_overdue_fraction})")


DEFAULT_SUPERVISION = SupervisionPolicy()


@dataclass(frozen=True)
class Thresholds:
    """The instants at which one clock steps up: remind at ``remind_at``, supervise after ``due``,
    notify after ``notify_at`` (UTC)."""

    remind_at: datetime
    due: datetime
    notify_at: datetime

    def level_at(self, now: datetime) -> SupervisionLevel:
        """The level this clock has at ``now`` if it is still running."""
        if now > self.notify_at:
            return SupervisionLevel.notify
        if now > self.due:
            return SupervisionLevel.supervise
        if now >= self.remind_at:
            return SupervisionLevel.remind
        return SupervisionLevel.none


def thresholds(
    deadlines: Deadlines,
    clock: ClockName,
    calendar: WorkingCalendar,
    policy: SupervisionPolicy = DEFAULT_SUPERVISION,
) -> Thresholds:
    """The remind, due and notify instants of ``clock``."""
    return clock_thresholds(deadlines.started_at, deadlines.due(clock), deadlines.basis(clock), calendar, policy)


def clock_thresholds(
    start: datetime,
    due: datetime,
    basis: Basis,
    calendar: WorkingCalendar,
    policy: SupervisionPolicy = DEFAULT_SUPERVISION,
) -> Thresholds:
    """The remind, due and notify instants of a clock that started at ``start`` and falls due at
    ``due``, counted on ``basis`` (any clock: the three of a dispatch, or a department's 报到)."""
    marks = StepInstants(start, due, basis, calendar, policy)
    return Thresholds(remind_at=marks.remind_at(), due=due, notify_at=marks.notify_at())


class StepInstants:
    """The instants one clock steps up at, each worked out only when asked (the sweep mostly needs
    one): the one rule behind :func:`clock_thresholds`. "Allowed time" is the span from ``start``
    to ``due`` on the clock's own basis; a clock bounded by a deadline already past has none."""

    def __init__(self, start: datetime, due: datetime, basis: Basis, calendar: WorkingCalendar,
                 policy: SupervisionPolicy = DEFAULT_SUPERVISION) -> None:
        self.start, self.due, self.basis, self.calendar, self.policy = start, due, basis, calendar, policy
        self._allowed_hours: float | None = None

    def _after(self, base: datetime, fraction: float) -> datetime:
        if self.basis is Basis.calendar:
            return (base + max(self.due - self.start, timedelta()) * fraction).astimezone(UTC)
        if self._allowed_hours is None:
            self._allowed_hours = max(self.calendar.working_hours_between(self.start, self.due), 0.0)
        return self.calendar.add_working_hours(base, self._allowed_hours * fraction)

    def remind_at(self) -> datetime:
        """提醒 from this instant on."""
        return self._after(self.start, self.policy.remind_fraction)

    def notify_at(self) -> datetime:
        """通报 just after this instant."""
        return self._after(self.due, self.policy.notify_overdue_fraction)


def supervision_status(
    deadlines: Deadlines,
    now: datetime,
    calendar: WorkingCalendar,
    *,
    claimed_at: datetime | None = None,
    first_contact_at: datetime | None = None,
    resolved_at: datetime | None = None,
    policy: SupervisionPolicy = DEFAULT_SUPERVISION,
) -> Supervision:
    """Which clocks of an order are flagged at ``now``, and at what level.

    Only running clocks that have reached at least ``remind`` appear in the result. Actions
    dated after ``now`` are ignored, so the function can replay any past instant.
    """
    require_aware(now, "now")
    flags = []
    for clock in _running_clocks(now, claimed_at, first_contact_at, resolved_at):
        level = thresholds(deadlines, clock, calendar, policy).level_at(now)
        if level is SupervisionLevel.none:
            continue
        due = deadlines.due(clock)
        overdue_by = max(now - due, timedelta())
        overdue_hours = max(calendar.working_hours_between(due, now), 0.0)
        flags.append(ClockFlag(clock, level, due, overdue_by, overdue_hours))
    return Supervision(at=now.astimezone(UTC), flags=tuple(flags))


def next_level_change_at(
    deadlines: Deadlines,
    now: datetime,
    calendar: WorkingCalendar,
    *,
    claimed_at: datetime | None = None,
    first_contact_at: datetime | None = None,
    resolved_at: datetime | None = None,
    policy: SupervisionPolicy = DEFAULT_SUPERVISION,
) -> datetime | None:
    """The earliest instant after ``now`` at which a running clock would step up a level.

    ``None`` when every clock has stopped or is already at ``notify``. A scheduler may sleep
    until then instead of polling; unit actions in between only stop clocks, never raise them.
    The returned instant is the first at which the level has changed (levels step *after* the
    due and notify instants, so those get one microsecond added).
    """
    require_aware(now, "now")
    candidates = []
    for clock in _running_clocks(now, claimed_at, first_contact_at, resolved_at):
        marks = thresholds(deadlines, clock, calendar, policy)
        tick = timedelta(microseconds=1)
        for instant in (marks.remind_at, marks.due + tick, marks.notify_at + tick):
            if instant > now:
                candidates.append(instant)
                break
    return min(candidates, default=None)


def is_escalation(previous: SupervisionLevel | str, current: SupervisionLevel | str) -> bool:
    """Whether going from ``previous`` to ``current`` raises the level (emit an event only then)."""
    return SupervisionLevel(current).rank > SupervisionLevel(previous).rank


def escalated_flags(
    previous: Mapping[ClockName, SupervisionLevel] | Mapping[str, str] | Supervision | None,
    current: Supervision,
) -> tuple[ClockFlag, ...]:
    """The flags of ``current`` whose clock's level rose since ``previous``.

    ``previous`` is the last stored picture: a :class:`Supervision`, its ``levels()`` mapping
    (string keys and values as read back from JSON are accepted), or ``None`` for none yet. A
    level that falls (the unit acted) is not an escalation and yields nothing.
    """
    if previous is None:
        before: dict[ClockName, SupervisionLevel] = {}
    elif isinstance(previous, Supervision):
        before = previous.levels()
    else:
        before = {ClockName(clock): SupervisionLevel(level) for clock, level in previous.items()}
    return tuple(
        flag
        for flag in current.flags
        if is_escalation(before.get(flag.clock, SupervisionLevel.none), flag.level)
    )


def _running_clocks(
    now: datetime,
    claimed_at: datetime | None,
    first_contact_at: datetime | None,
    resolved_at: datetime | None,
) -> tuple[ClockName, ...]:
    for name, moment in (
        ("claimed_at", claimed_at),
        ("first_contact_at", first_contact_at),
        ("resolved_at", resolved_at),
    ):
        if moment is not None:
            require_aware(moment, name)

    def done(moment: datetime | None) -> bool:
        return moment is not None and moment <= now

    stopped = {
        ClockName.claim: done(claimed_at) or done(first_contact_at) or done(resolved_at),
        ClockName.first_contact: done(first_contact_at) or done(resolved_at),
        ClockName.resolve: done(resolved_at),
    }
    return tuple(clock for clock in CLOCK_ORDER if not stopped[clock])
