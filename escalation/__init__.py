"""Escalation domain: clocks on the working-day calendar, supervision flags, 上报 and 吹哨/报到.

Pure Python: no web, database or broker code, and no reading of the system clock. Every
function takes the instants it needs (``now``, ``start``) as timezone-aware datetimes.
"""

from escalation.calendar import DEFAULT_PERIODS, DEFAULT_TIMEZONE, WorkingCalendar, parse_periods
from escalation.clocks import (
    DEFAULT_POLICY,
    ClassLimits,
    ClockPolicy,
    Limit,
    LimitUnit,
    deadlines_for,
    extend,
    rebuild_deadlines,
)
from escalation.exceptions import (
    AlreadyReported,
    EscalationError,
    ExtensionTooLate,
    InvalidExtension,
    NotSummoned,
    ReportUpNotAllowed,
    WhistleNotAllowed,
)
from escalation.models import (
    CLOCK_ORDER,
    Basis,
    ClockFlag,
    ClockName,
    Deadlines,
    DutyReport,
    HandlingUnit,
    ReportUp,
    Supervision,
    SupervisionLevel,
    WhistleCall,
)
from escalation.supervision import (
    DEFAULT_SUPERVISION,
    SupervisionPolicy,
    Thresholds,
    escalated_flags,
    is_escalation,
    next_level_change_at,
    supervision_status,
    thresholds,
)
from escalation.whistle import blow_whistle, report_for_duty, report_up

__all__ = [
    "CLOCK_ORDER",
    "DEFAULT_PERIODS",
    "DEFAULT_POLICY",
    "DEFAULT_SUPERVISION",
    "DEFAULT_TIMEZONE",
    "AlreadyReported",
    "Basis",
    "ClassLimits",
    "ClockFlag",
    "ClockName",
    "ClockPolicy",
    "Deadlines",
    "DutyReport",
    "EscalationError",
    "ExtensionTooLate",
    "HandlingUnit",
    "InvalidExtension",
    "Limit",
    "LimitUnit",
    "NotSummoned",
    "ReportUp",
    "ReportUpNotAllowed",
    "Supervision",
    "SupervisionLevel",
    "SupervisionPolicy",
    "Thresholds",
    "WhistleCall",
    "WhistleNotAllowed",
    "WorkingCalendar",
    "blow_whistle",
    "deadlines_for",
    "escalated_flags",
    "extend",
    "is_escalation",
    "next_level_change_at",
    "parse_periods",
    "rebuild_deadlines",
    "report_for_duty",
    "report_up",
    "supervision_status",
    "thresholds",
]
