"""The clock policy (SPEC §6) and the deadlines it gives a dispatched order.

Default limits, per whistle class:

========  ==========================  ==========================  =====================
class     claim / 报到                first contact with citizen  resolve
========  ==========================  ==========================  =====================
urgent    30 minutes (calendar time)  2 hours (calendar time)     24 hours (calendar)
ordinary  2 working hours             1 working day               5 working days
hard      1 working day               2 working days              15 working days
========  ==========================  ==========================  =====================

All three clocks start together, at the dispatch. **A returned order (退单) gets a fresh
clock**: when it is dispatched again, call :func:`deadlines_for` with the new dispatch instant;
nothing of the old clock carries over. The same holds for an order reopened after an
unsatisfied rating (重办) and for an order passed up (上报) to another unit.

An extension (延期) moves only the resolve clock, by whole or fractional working days counted
from the current resolve due time (see :func:`extend`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from escalation.calendar import WorkingCalendar, require_aware
from escalation.exceptions import ExtensionTooLate, InvalidExtension
from escalation.models import Basis, ClockName, Deadlines
from schemas.taxonomy import WhistleClass


class LimitUnit(StrEnum):
    """Unit of a time limit: the first three count calendar time, the last two working time."""

    minutes = "minutes"
    hours = "hours"
    days = "days"
    working_hours = "working_hours"
    working_days = "working_days"

    @property
    def basis(self) -> Basis:
        """Calendar or working time."""
        return Basis.working if self in (LimitUnit.working_hours, LimitUnit.working_days) else Basis.calendar


_CALENDAR_UNIT = {
    LimitUnit.minutes: timedelta(minutes=1),
    LimitUnit.hours: timedelta(hours=1),
    LimitUnit.days: timedelta(days=1),
}


@dataclass(frozen=True)
class Limit:
    """A time limit such as ``Limit(2, LimitUnit.working_hours)``."""

    amount: float
    unit: LimitUnit

    def __post_init__(self) -> None:
        if self.amount < 0:
            raise ValueError(f"a time limit cannot be negative (got {self.amount} {self.unit})")

    @classmethod
    def parse(cls, text: str) -> Limit:
        """Parse ``"30 minutes"``, ``"2 working_hours"``, ``"1 working day"``, ``"24 hours"``."""
        parts = text.strip().split(maxsplit=1)
        if len(parts) != 2:
            raise ValueError(f"time limit {text!r} is not of the form '<amount> <unit>'")
        unit_text = parts[1].strip().lower().replace(" ", "_").replace("-", "_")
        if not unit_text.endswith("s"):
            unit_text += "s"
        try:
            return cls(float(parts[0]), LimitUnit(unit_text))
        except ValueError as exc:
            units = ", ".join(unit.value for unit in LimitUnit)
            raise ValueError(f"time limit {text!r}: amount must be a number and unit one of {units}") from exc

    @property
    def basis(self) -> Basis:
        """Calendar or working time."""
        return self.unit.basis

    def due_from(self, start: datetime, calendar: WorkingCalendar) -> datetime:
        """When this limit runs out for a clock started at ``start`` (UTC)."""
        require_aware(start, "start")
        if self.unit is LimitUnit.working_hours:
            return calendar.add_working_hours(start, self.amount)
        if self.unit is LimitUnit.working_days:
            return calendar.add_working_days(start, self.amount)
        return (start + _CALENDAR_UNIT[self.unit] * self.amount).astimezone(UTC)

    def __str__(self) -> str:
        amount = int(self.amount) if float(self.amount).is_integer() else self.amount
        return f"{amount} {self.unit.value}"


@dataclass(frozen=True)
class ClassLimits:
    """The three limits of one whistle class."""

    claim: Limit
    first_contact: Limit
    resolve: Limit

    def limit(self, clock: ClockName) -> Limit:
        """The limit of ``clock``."""
        return {
            ClockName.claim: self.claim,
            ClockName.first_contact: self.first_contact,
            ClockName.resolve: self.resolve,
        }[clock]


def _urgent() -> ClassLimits:
    return ClassLimits(
        claim=Limit(30, LimitUnit.minutes),
        first_contact=Limit(2, LimitUnit.hours),
        resolve=Limit(24, LimitUnit.hours),
    )


def _ordinary() -> ClassLimits:
    return ClassLimits(
        claim=Limit(2, LimitUnit.working_hours),
        first_contact=Limit(1, LimitUnit.working_days),
        resolve=Limit(5, LimitUnit.working_days),
    )


def _hard() -> ClassLimits:
    return ClassLimits(
        claim=Limit(1, LimitUnit.working_days),
        first_contact=Limit(2, LimitUnit.working_days),
        resolve=Limit(15, LimitUnit.working_days),
    )


@dataclass(frozen=True)
class ClockPolicy:
    """Time limits per whistle class; the defaults are SPEC §6. The one place clock limits live."""

    urgent: ClassLimits = field(default_factory=_urgent)
    ordinary: ClassLimits = field(default_factory=_ordinary)
    hard: ClassLimits = field(default_factory=_hard)

    def limits_for(self, whistle_class: WhistleClass | str) -> ClassLimits:
        """The limits of ``whistle_class``."""
        cls = WhistleClass(whistle_class)
        return {
            WhistleClass.urgent: self.urgent,
            WhistleClass.ordinary: self.ordinary,
            WhistleClass.hard: self.hard,
        }[cls]

    @classmethod
    def from_mapping(cls, overrides: Mapping[str, Mapping[str, str]]) -> ClockPolicy:
        """The default policy with some limits replaced, e.g. from a settings file::

        {"ordinary": {"claim": "1 working_hours"}, "urgent": {"resolve": "12 hours"}}
        """
        policy = cls()
        for class_name, clocks in overrides.items():
            limits = policy.limits_for(class_name)
            for clock_name, text in clocks.items():
                limits = replace(limits, **{ClockName(clock_name).value: Limit.parse(text)})
            policy = replace(policy, **{WhistleClass(class_name).value: limits})
        return policy


DEFAULT_POLICY = ClockPolicy()


def deadlines_for(
    whistle_class: WhistleClass | str,
    start: datetime,
    calendar: WorkingCalendar,
    policy: ClockPolicy = DEFAULT_POLICY,
) -> Deadlines:
    """The due instants of the three clocks of an order dispatched at ``start``.

    Working-time limits skip nights, the lunch break, weekends and public holidays and count
    adjusted working days (调休); calendar-time limits count every minute. Use it again with
    the new dispatch instant for a returned, reopened or passed-up order: a fresh clock.
    """
    require_aware(start, "start")
    cls = WhistleClass(whistle_class)
    limits = policy.limits_for(cls)
    return Deadlines(
        whistle_class=cls,
        started_at=start.astimezone(UTC),
        claim_due=limits.claim.due_from(start, calendar),
        first_contact_due=limits.first_contact.due_from(start, calendar),
        resolve_due=limits.resolve.due_from(start, calendar),
        calendar_clocks=frozenset(
            clock for clock in ClockName if limits.limit(clock).basis is Basis.calendar
        ),
    )


def rebuild_deadlines(
    whistle_class: WhistleClass | str,
    started_at: datetime,
    *,
    claim_due: datetime,
    first_contact_due: datetime,
    resolve_due: datetime,
    extended_working_days: float = 0,
    policy: ClockPolicy = DEFAULT_POLICY,
) -> Deadlines:
    """Deadlines as stored (e.g. on a dispatch row), with each clock's basis taken from ``policy``.

    Use it to supervise an order whose due times were computed earlier, possibly extended:
    stored due times are kept as they are, never recomputed.
    """
    for name, moment in (
        ("started_at", started_at),
        ("claim_due", claim_due),
        ("first_contact_due", first_contact_due),
        ("resolve_due", resolve_due),
    ):
        require_aware(moment, name)
    cls = WhistleClass(whistle_class)
    limits = policy.limits_for(cls)
    return Deadlines(
        whistle_class=cls,
        started_at=started_at.astimezone(UTC),
        claim_due=claim_due.astimezone(UTC),
        first_contact_due=first_contact_due.astimezone(UTC),
        resolve_due=resolve_due.astimezone(UTC),
        calendar_clocks=frozenset(
            clock for clock in ClockName if limits.limit(clock).basis is Basis.calendar
        ),
        extended_working_days=extended_working_days,
    )


def extend(
    deadlines: Deadlines,
    working_days: float,
    requested_at: datetime,
    calendar: WorkingCalendar,
) -> Deadlines:
    """Deadlines with the resolve clock extended (延期) by ``working_days`` working days.

    ``requested_at`` is when the unit asked; it must be strictly before the current
    ``resolve_due``, otherwise :class:`ExtensionTooLate`. Call this once the centre approves
    (the approval may come after the due time; the request may not). The new due time is
    ``calendar.add_working_days(resolve_due, working_days)``, whatever the clock's basis, so an
    urgent order extended by one working day is due one working day after its 24 hours ran
    out. The claim and first-contact clocks do not move.
    """
    require_aware(requested_at, "requested_at")
    if working_days <= 0:
        raise InvalidExtension(f"an extension must be a positive number of working days (got {working_days})")
    if requested_at >= deadlines.resolve_due:
        raise ExtensionTooLate(
            f"extension requested at {requested_at.astimezone(UTC).isoformat()}, not before the resolve "
            f"due time {deadlines.resolve_due.astimezone(UTC).isoformat()}"
        )
    return replace(
        deadlines,
        resolve_due=calendar.add_working_days(deadlines.resolve_due, working_days),
        extended_working_days=deadlines.extended_working_days + working_days,
    )


def bounded(deadlines: Deadlines, limit: datetime | None) -> Deadlines:
    """Deadlines no later than ``limit``, e.g. an upper-transfer deadline (上级转办时限) the order
    came with: each clock falls due at its own due time or at ``limit``, whichever is earlier.
    ``None`` leaves them as they are."""
    if limit is None:
        return deadlines
    require_aware(limit, "limit")
    cap = limit.astimezone(UTC)
    return replace(
        deadlines,
        claim_due=min(deadlines.claim_due, cap),
        first_contact_due=min(deadlines.first_contact_due, cap),
        resolve_due=min(deadlines.resolve_due, cap),
    )


MAX_EXTENSION_DAYS = 30


def check_extension_request(
    working_days: float, requested_at: datetime, resolve_due: datetime, *, max_days: float = MAX_EXTENSION_DAYS
) -> None:
    """Whether a unit may ask now for ``working_days`` more (延期): a positive number up to
    ``max_days``, asked strictly before the resolve due time. Raises :class:`InvalidExtension` or
    :class:`ExtensionTooLate`; the centre decides later (see :func:`extend`)."""
    require_aware(requested_at, "requested_at")
    if not 0 < working_days <= max_days:
        raise InvalidExtension(f"an extension is 1 to {max_days:g} working days (got {working_days:g})")
    if requested_at >= resolve_due:
        raise ExtensionTooLate(
            f"an extension must be asked for before the resolve due time {resolve_due.astimezone(UTC).isoformat()}; "
            f"it is {requested_at.astimezone(UTC).isoformat()}: too late, resolve it or return it"
        )
