"""What the supervision sweep must do for one order at one instant, and when to look again.

The sweep is a scheduled job (in services); this module is its whole decision, pure. An order
has a few *running clocks*: the lead unit's three (claim, first contact, resolve) until the
actions that stop them, and one 报到 clock per department a whistle summoned until it reports.
Each clock steps up through the levels of :mod:`escalation.supervision`:

* **提醒 remind** at ``remind_fraction`` of the allowed time, but only while the due time is still
  ahead: a reminder the sweep could not send before the clock ran out is superseded by the
  督办 notice, not sent late;
* **督办 supervise** once the due time has passed;
* **通报 notify** once overdue by ``notify_overdue_fraction`` of the allowed time again.

Levels at or above 督办 are always raised, also late (after a sweep was down): they are facts the
assessment counts. A level is raised once per clock: ``RunningClock.key`` names one run of one
clock (a fresh dispatch, an extended resolve clock and a whistle's summons each get a new key),
and the caller stores (key, level) uniquely.

:func:`plan` answers both questions the services ask: which levels to raise now, and the
instant the order next needs looking at (``next_check_at``), so the sweep reads only the orders
whose time has come.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo

from escalation.calendar import WorkingCalendar, require_aware
from escalation.models import Basis, ClockName, Deadlines, SupervisionLevel
from escalation.supervision import DEFAULT_SUPERVISION, StepInstants, SupervisionPolicy
from schemas.taxonomy import Level

REPORT_CLOCK = "report"  # a summoned department's 报到 to a whistle call
CLOCK_NAMES: tuple[str, ...] = (*(c.value for c in ClockName), REPORT_CLOCK)

_TICK = timedelta(microseconds=1)  # supervise and notify start just *after* their instants


@dataclass(frozen=True)
class RunningClock:
    """One run of one clock that has not stopped yet.

    ``key`` is stable for this run (e.g. ``dispatch:12:resolve``); ``unit`` is whose clock it is
    (the lead unit, or the summoned department); ``raised`` the levels already raised on this key.
    """

    key: str
    clock: str
    unit: str
    started_at: datetime
    due: datetime
    basis: Basis
    raised: frozenset[SupervisionLevel] = frozenset()
    whistle_call_id: int | None = None  # for a 报到 clock: the call that summoned the department
    call_class: str | None = None  # for a 报到 clock: the call's whistle class

    @property
    def summoned(self) -> bool:
        """Whether this is a department's 报到 clock rather than the lead unit's own."""
        return self.clock == REPORT_CLOCK


@dataclass(frozen=True)
class Raise:
    """A level one clock has reached and must be raised now.

    ``reached_at`` is the instant the level was reached (its threshold); ``overdue_by`` is
    calendar time past the due time at ``now`` and ``overdue_working_hours`` working hours past
    it (both zero for a reminder).
    """

    clock: RunningClock
    level: SupervisionLevel
    reached_at: datetime
    overdue_by: timedelta
    overdue_working_hours: float


@dataclass(frozen=True)
class SweepPlan:
    """What to do for one order at ``at``.

    ``next_check_at`` is when the order next needs a look once ``raises`` are done (None: no
    clock runs, or every clock is at 通报 already). ``earliest_pending`` is for callers that do
    not raise (a unit action rescheduling the order): ``at`` itself if something is due now.
    """

    at: datetime
    raises: tuple[Raise, ...] = ()
    next_check_at: datetime | None = None
    _pending: tuple[datetime, ...] = field(default=(), repr=False)

    @property
    def level(self) -> SupervisionLevel:
        """The highest level raised now (``none`` when nothing is)."""
        return max((r.level for r in self.raises), key=lambda level: level.rank, default=SupervisionLevel.none)

    @property
    def earliest_pending(self) -> datetime | None:
        """When the sweep must look if nobody raises ``raises`` first."""
        return min((*self._pending, *([self.next_check_at] if self.next_check_at else [])), default=None)


def dispatch_clocks(
    dispatch_key: str,
    unit: str,
    deadlines: Deadlines,
    *,
    claimed_at: datetime | None = None,
    first_contact_at: datetime | None = None,
    resolved_at: datetime | None = None,
    extended: bool = False,
    raised: dict[str, frozenset[SupervisionLevel]] | None = None,
) -> list[RunningClock]:
    """The lead unit's clocks of one hand-over (``dispatch_key``, e.g. ``dispatch:12``) still running.

    A later action stops the earlier clocks too (contact implies the order was claimed; a resolved
    order needs no more contact). An extended resolve clock is a new run: its key carries its due
    time, so its levels are raised afresh. ``raised`` maps a clock key to the levels stored for it.
    """
    stopped = {
        ClockName.claim: any(m is not None for m in (claimed_at, first_contact_at, resolved_at)),
        ClockName.first_contact: first_contact_at is not None or resolved_at is not None,
        ClockName.resolve: resolved_at is not None,
    }
    clocks = []
    for name in ClockName:
        if stopped[name]:
            continue
        due = deadlines.due(name)
        key = f"{dispatch_key}:{name.value}"
        if name is ClockName.resolve and extended:
            key = f"{key}:{int(due.timestamp())}"
        clocks.append(RunningClock(key=key, clock=name.value, unit=unit, started_at=deadlines.started_at, due=due,
                                   basis=deadlines.basis(name), raised=(raised or {}).get(key, frozenset())))
    return clocks


def summons_clock(
    summons_key: str,
    department: str,
    summoned_at: datetime,
    report_due: datetime,
    basis: Basis,
    *,
    raised: Collection[SupervisionLevel] = (),
    whistle_call_id: int | None = None,
    call_class: str | None = None,
) -> RunningClock:
    """A summoned department's 报到 clock (``summons_key``, e.g. ``summons:3``), still running."""
    return RunningClock(key=f"{summons_key}:{REPORT_CLOCK}", clock=REPORT_CLOCK, unit=department,
                        started_at=summoned_at, due=report_due, basis=basis, raised=frozenset(raised),
                        whistle_call_id=whistle_call_id, call_class=call_class)


def plan(
    clocks: Iterable[RunningClock],
    now: datetime,
    calendar: WorkingCalendar,
    policy: SupervisionPolicy = DEFAULT_SUPERVISION,
) -> SweepPlan:
    """The levels to raise at ``now`` on ``clocks`` and the instant to look again (see module doc)."""
    require_aware(now, "now")
    raises: list[Raise] = []
    pending: list[datetime] = []
    upcoming: list[datetime] = []
    for clock in clocks:
        marks = StepInstants(clock.started_at, clock.due, clock.basis, calendar, policy)
        for level in (SupervisionLevel.remind, SupervisionLevel.supervise, SupervisionLevel.notify):
            if level in clock.raised:
                continue
            if level is SupervisionLevel.remind and now > clock.due:
                continue  # superseded by the 督办 notice
            instant = _step_at(level, clock, marks)
            if instant > now:
                upcoming.append(instant)
                break
            pending.append(instant)
            overdue_by = max(now - clock.due, timedelta())
            hours = max(calendar.working_hours_between(clock.due, now), 0.0) if overdue_by else 0.0
            raises.append(Raise(clock, level, instant, overdue_by, hours))
    return SweepPlan(at=now, raises=tuple(raises), next_check_at=min(upcoming, default=None),
                     _pending=tuple(pending))


def _step_at(level: SupervisionLevel, clock: RunningClock, marks: StepInstants) -> datetime:
    """The first instant ``clock`` is at ``level`` (supervise and notify start just after theirs)."""
    if level is SupervisionLevel.remind:
        return marks.remind_at()
    if level is SupervisionLevel.supervise:
        return clock.due + _TICK
    return marks.notify_at() + _TICK


def passes_up(
    raises: Sequence[Raise], lead_level: Level | str | None, auto_clocks: Collection[str]
) -> bool:
    """Whether a village's own clock running out passes the order up to its township (上报) now.

    Configured per deployment: ``auto_clocks`` names the clocks whose 督办 does it (none by default).
    Only the lead unit's clocks count, and only for a village-level lead.
    """
    if not auto_clocks or lead_level is None or Level(lead_level) is not Level.village:
        return False
    return any(
        r.level.rank >= SupervisionLevel.supervise.rank and not r.clock.summoned and r.clock.clock in auto_clocks
        for r in raises
    )


_CLOCK_WORDS = {
    "claim": "签收 claim",
    "first_contact": "首次联系 first contact with the citizen",
    "resolve": "办结 resolve",
    REPORT_CLOCK: "报到 report for duty",
}
_LEVEL_WORDS = {
    SupervisionLevel.remind: "提醒 reminder",
    SupervisionLevel.supervise: "督办 overdue",
    SupervisionLevel.notify: "通报 long overdue",
}


def describe(raised: Raise, tz: tzinfo) -> str:
    """The raised level in plain words, with the due time in local time (``tz``)."""
    due = raised.clock.due.astimezone(tz).strftime("%Y-%m-%d %H:%M")
    what = f"{_LEVEL_WORDS[raised.level]}: the {_CLOCK_WORDS.get(raised.clock.clock, raised.clock.clock)} clock"
    if raised.level is SupervisionLevel.remind:
        return f"{what} of {raised.clock.unit} runs out at {due}"
    late = f"{raised.overdue_working_hours:.1f} working hours" if raised.clock.basis is Basis.working else (
        f"{raised.overdue_by.total_seconds() / 60:.0f} minutes")
    return f"{what} of {raised.clock.unit} ran out at {due}; overdue by {late}"
