"""API models for appeals and work orders (intake, unit actions, ratings, reports)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from schemas.lifecycle import State
from schemas.payloads import Contact
from schemas.taxonomy import Channel, EmergencyLine, Level, WhistleClass
from schemas.validation import CleanInput


class AppealAccepted(BaseModel):
    work_order_id: str
    state: State
    created: bool = Field(description="false when this repeats an earlier submission")
    citizen_token: str | None = Field(
        default=None, description="lets the citizen follow and rate their own order; shown once"
    )
    emergency_line: EmergencyLine | None = Field(
        default=None, description="the operator must hand this caller to 110/119/120/122 now"
    )
    merged_into: str | None = Field(default=None, description="并单: the open order this repeats; the caller "
                                                              "follows it and gets its outcome")


class RatingValue(StrEnum):
    satisfied = "satisfied"
    basically_satisfied = "basically_satisfied"
    unsatisfied = "unsatisfied"


class RateIn(CleanInput):
    model_config = ConfigDict(extra="forbid")

    rating: RatingValue
    solved: bool = Field(description="the citizen says the problem is solved")
    comment: str | None = Field(default=None, max_length=2000)
    citizen_token: str | None = Field(default=None, min_length=1, max_length=128,
                                      description="the token the submission returned (or send it as the "
                                                  "X-Citizen-Token header, as when following the order)")


class HistoryView(BaseModel):
    at: datetime
    actor: str
    action: str
    from_state: State | None
    to_state: State
    reason: str | None = None


class WorkOrderView(BaseModel):
    id: str
    channel: Channel
    state: State
    text: str
    address: str | None
    whistle_class: WhistleClass | None
    level: Level | None
    unit: str | None
    dept: str | None
    matter: str | None
    redirect: str | None
    confidence: float | None
    routing: dict[str, Any] | None
    claim_due: datetime | None
    first_contact_due: datetime | None
    resolve_due: datetime | None
    resolved_level: Level | None
    created_at: datetime
    contact: Contact | None = Field(
        default=None, description="the caller: only for the lead unit, and never when confidential"
    )
    history: list[HistoryView] = Field(default_factory=list)


class LevelShare(BaseModel):
    level: Level
    count: int
    share: float
    target: float


class Report631(BaseModel):
    period_from: str | None
    period_to: str | None
    township: str | None
    total: int
    levels: list[LevelShare]


class CitizenStep(BaseModel):
    at: datetime = Field(description="the county's local time (+08:00)")
    what: str
    unit: str | None = Field(default=None, description="the unit's name, where a unit acted")
    reply: str | None = Field(default=None, description="the unit's reply to the citizen (on resolution)")


class CitizenView(BaseModel):
    """What a citizen sees of their own order: no unit-internal notes, no other people's data."""

    work_order_id: str
    state: State
    submitted_at: datetime = Field(description="the county's local time (+08:00)")
    handled_by: str | None = Field(description="the name of the unit handling it")
    resolve_due: datetime | None = Field(description="expected completion, local time")
    reply: str | None = Field(default=None, description="the unit's latest reply")
    merged: bool = Field(default=False, description="the same incident was already reported; this follows it")
    steps: list[CitizenStep]
    can_rate: bool
    can_withdraw: bool = False


class WithdrawIn(CleanInput):
    model_config = ConfigDict(extra="forbid")

    reason: str | None = Field(default=None, max_length=500)
