"""Passing up (上报) and 街乡吹哨、部门报到: the pure rules.

* **上报** — a village or community unit passes an order it cannot solve up to the township it
  belongs to: allowed only from a ``village``-level unit, and only to its own parent unit,
  which must be at ``township`` level. A township does not pass up; it blows the whistle.
* **吹哨** — a township names one or more county departments that must come and act on the
  order. Only a ``township``-level unit may blow the whistle, and it must name at least one
  department. A department still awaited from an earlier call on the order (summoned, not yet
  reported, its summons not lapsed) is not summoned again: its first report is still due; a
  call naming only such departments is refused.
* **报到** — each named department must report for duty within the claim limit of the call's
  whistle class (urgent: 30 calendar minutes; ordinary: 2 working hours; hard: 1 working day,
  by default), counted from the whistle. A report after that is recorded, but as late.

Moving the order itself (its state, its new clock) is the lifecycle's job; these functions
only decide whether the call is allowed and build the record.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import replace
from datetime import UTC, datetime

from escalation.calendar import WorkingCalendar, require_aware
from escalation.clocks import DEFAULT_POLICY, ClockPolicy
from escalation.exceptions import (
    AlreadyReported,
    AlreadySummoned,
    NotSummoned,
    RatingNotAllowed,
    ReportUpNotAllowed,
    WhistleNotAllowed,
)
from escalation.models import DutyReport, HandlingUnit, ReportUp, WhistleCall
from schemas.taxonomy import Level, WhistleClass


def township_above(unit: HandlingUnit, units: Mapping[str, HandlingUnit]) -> HandlingUnit | None:
    """The township a village-level unit belongs to: its parent, or for a grid (网格) under a
    village or community, the first township-level unit up its line. None when there is none."""
    seen = {unit.code}
    code = unit.parent
    while code is not None and code not in seen:
        above = units.get(code)
        if above is None:
            return None
        if Level(above.level) is Level.township:
            return above
        if Level(above.level) is not Level.village:
            return None
        seen.add(code)
        code = above.parent
    return None


def report_up(
    source: HandlingUnit,
    target: HandlingUnit,
    *,
    reason: str,
    at: datetime,
    units: Mapping[str, HandlingUnit] | None = None,
) -> ReportUp:
    """A village passing an order up to its township (上报), or :class:`ReportUpNotAllowed`.

    ``reason`` says why the village cannot solve it and must not be blank. The target must be
    the source's own township: its parent, or (given ``units``, the known units by code) the
    township above a grid's village.
    """
    require_aware(at, "at")
    if Level(source.level) is not Level.village:
        hint = " (a township blows the whistle instead)" if Level(source.level) is Level.township else ""
        raise ReportUpNotAllowed(
            f"only a village/community unit can pass an order up; {source.code} is at "
            f"{Level(source.level).value} level{hint}"
        )
    own = township_above(source, units) if units is not None else None
    if Level(target.level) is not Level.township or target.code not in {source.parent, own and own.code}:
        raise ReportUpNotAllowed(
            f"{source.code} can pass an order up only to its own township "
            f"({source.parent or 'none recorded'}), not to {target.code}"
        )
    if not reason.strip():
        raise ReportUpNotAllowed("passing an order up needs a reason")
    return ReportUp(from_unit=source.code, to_unit=target.code, reason=reason.strip(), at=at.astimezone(UTC))


def blow_whistle(
    township: HandlingUnit,
    departments: Iterable[str],
    whistle_class: WhistleClass | str,
    blown_at: datetime,
    calendar: WorkingCalendar,
    *,
    policy: ClockPolicy = DEFAULT_POLICY,
    reason: str = "",
    known_departments: Collection[str] | None = None,
    awaited: Collection[str] = (),
) -> WhistleCall:
    """A township blowing the whistle (吹哨) on the named county departments.

    ``report_due`` is the claim limit of ``whistle_class`` from ``blown_at`` under ``policy``.
    Repeated department codes are kept once, in the order first named. When
    ``known_departments`` is given, every named code must be in it. Raises
    :class:`WhistleNotAllowed` for a caller that is not a township, no department, a blank code or
    one that is not a county department (a village, another township), or the township naming
    itself. ``awaited`` are the departments an earlier call on the order summoned that have not
    reported yet (see :func:`summons_lapsed`): they are left out of this call, and
    :class:`AlreadySummoned` is raised when nobody else is named.
    """
    require_aware(blown_at, "blown_at")
    if Level(township.level) is not Level.township:
        raise WhistleNotAllowed(
            f"only a township (乡镇/街道) can blow the whistle; {township.code} is at "
            f"{Level(township.level).value} level"
        )
    named = tuple(dict.fromkeys(code.strip() for code in departments))
    if not named:
        raise WhistleNotAllowed("blowing the whistle must name at least one county department")
    if "" in named:
        raise WhistleNotAllowed("a department code in the whistle call is blank")
    if township.code in named:
        raise WhistleNotAllowed(f"township {township.code} cannot blow the whistle on itself")
    if known_departments is not None:
        others = [code for code in named if code not in known_departments]  # a village, a township, a typo
        if others:
            raise WhistleNotAllowed(f"{', '.join(others)} {'is' if len(others) == 1 else 'are'} not a county "
                                    "department: a whistle summons county departments (部门报到) only")
    fresh = tuple(code for code in named if code not in awaited)
    if not fresh:
        raise AlreadySummoned(
            f"{', '.join(named)} {'was' if len(named) == 1 else 'were'} summoned by an earlier whistle "
            f"and {'has' if len(named) == 1 else 'have'} not reported for duty yet: nobody new to call"
        )
    cls = WhistleClass(whistle_class)
    return WhistleCall(
        township=township.code,
        departments=fresh,
        whistle_class=cls,
        blown_at=blown_at.astimezone(UTC),
        report_due=policy.limits_for(cls).claim.due_from(blown_at, calendar),
        reason=reason.strip(),
    )


def summons_lapsed(township: str, summoned_at: datetime, *, lead_unit: str | None, handed_over_at: datetime) -> bool:
    """Whether a summons no longer stands: a whistle belongs to the hand-over it was blown in, so
    once the order left the calling township, or came back to it (returned and re-dispatched,
    reopened: a hand-over at ``handed_over_at`` after ``summoned_at``), the summons lapsed."""
    return township != lead_unit or summoned_at < handed_over_at


def report_for_duty(call: WhistleCall, department: str, reported_at: datetime) -> WhistleCall:
    """The call with ``department``'s report for duty (报到) recorded, on time or late.

    On time means at or before ``call.report_due``. Raises :class:`NotSummoned` for a
    department the call did not name or a report dated before the whistle, and
    :class:`AlreadyReported` for a second report by the same department.
    """
    require_aware(reported_at, "reported_at")
    if department not in call.departments:
        raise NotSummoned(f"{department} was not named in the whistle call of {call.township}")
    if department in call.reported:
        raise AlreadyReported(f"{department} has already reported for duty to this whistle call")
    if reported_at < call.blown_at:
        raise NotSummoned(f"{department} reported at {reported_at.isoformat()}, before the whistle was blown")
    report = DutyReport(
        department=department,
        reported_at=reported_at.astimezone(UTC),
        on_time=reported_at <= call.report_due,
    )
    return replace(call, reports=(*call.reports, report))


RATING_SCALE = range(1, 6)  # 以下评上: 1 (poor) to 5 (excellent)


def check_rating(department: str, *, reported: bool, rated: bool, rating: int) -> None:
    """Whether a township may rate ``department`` now (以下评上), or :class:`RatingNotAllowed`.

    Only a department that has reported for duty is rated, once per whistle call, from 1 to 5.
    """
    if rating not in RATING_SCALE:
        raise RatingNotAllowed(f"a rating is a whole number from 1 to 5 (got {rating} for {department})")
    if not reported:
        raise RatingNotAllowed(f"{department} has not reported for duty to this whistle call: nothing to rate yet")
    if rated:
        raise RatingNotAllowed(f"{department} has been rated for this whistle call already")
