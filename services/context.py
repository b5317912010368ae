"""What the application commands need from the domain, wired once in bootstrap."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from escalation.calendar import WorkingCalendar
from escalation.clocks import ClockPolicy
from escalation.supervision import SupervisionPolicy
from feedback.policy import FeedbackPolicy
from intake.duplicates import DuplicatePolicy
from intake.vault import Vault
from router.service import Router
from router.thresholds import MatterThresholds


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class DomainContext:
    router: Router
    calendar: WorkingCalendar = field(default_factory=WorkingCalendar)
    clock_policy: ClockPolicy = field(default_factory=ClockPolicy)
    supervision: SupervisionPolicy = field(default_factory=SupervisionPolicy)
    # Clocks whose 督办 passes a village's order up to its township (上报) on its own; none by default.
    auto_report_up: frozenset[str] = frozenset()
    review_threshold: float = 0.8
    # per-matter thresholds learned from the centre's history (services.auto_dispatch); None: the default for all
    thresholds: MatterThresholds | None = None
    feedback: FeedbackPolicy = field(default_factory=FeedbackPolicy)
    repeat_window: timedelta = timedelta(days=30)
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Shanghai"))
    now: Callable[[], datetime] = _utcnow
    vault: Vault = field(default_factory=Vault.ephemeral)  # personal data at rest
    token_secret: bytes = field(default_factory=lambda: secrets.token_bytes(32))  # citizen tokens
    duplicates: DuplicatePolicy = field(default_factory=DuplicatePolicy)
    channels_off: frozenset[str] = frozenset()

    def review_threshold_for(self, decision_threshold: float | None) -> float:
        """The confidence from which a decision is dispatched without a dispatcher: its matter's
        learned threshold when the router gave one, else the configured default."""
        return self.review_threshold if decision_threshold is None else decision_threshold

    def local_day(self, moment: datetime) -> date:
        return moment.astimezone(self.timezone).date()
