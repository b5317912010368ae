"""Domain errors of the escalation package.

They know nothing of HTTP: each app maps them to status codes in one place. Passing a naive
datetime is a programming error and raises a plain ``ValueError`` instead.
"""

from __future__ import annotations


class EscalationError(Exception):
    """Base class of every rule the escalation domain refuses."""


class ExtensionTooLate(EscalationError):
    """An extension (延期) was requested at or after the resolve due time it would extend."""


class InvalidExtension(EscalationError):
    """An extension asks for a non-positive number of working days."""


class ReportUpNotAllowed(EscalationError):
    """A 上报 that the rules do not allow (not from a village, or not to its own township)."""


class WhistleNotAllowed(EscalationError):
    """A 吹哨 that the rules do not allow (not by a township, or naming no valid department)."""


class AlreadySummoned(WhistleNotAllowed):
    """A 吹哨 naming only departments that an earlier call on the order summoned and that have not
    reported for duty yet: there is nobody new to call."""


class NotSummoned(EscalationError):
    """A department reported for duty (报到) to a whistle call that did not name it."""


class AlreadyReported(EscalationError):
    """A department reported for duty twice to the same whistle call."""


class RatingNotAllowed(EscalationError):
    """A township rating (以下评上) a department that it did not summon, that has not reported for
    duty yet, or that it has rated already for the same call."""


class ExtensionNotPending(EscalationError):
    """A decision on an extension that was decided already, or whose hand-over has ended."""
