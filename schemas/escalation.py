"""Request and response bodies of the escalation API: 上报, 吹哨 / 报到 / 以下评上, 延期 and the
supervision list."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from schemas.taxonomy import WhistleClass
from schemas.validation import CleanInput

# Ids are 64-bit integers in the database. The bound is fifteen digits: an error quoting it reads it
# whole, where a longer number (2**62) is masked as a bank card is. Ids never come near it.
MAX_ID = 999_999_999_999_999

# Numbers in these bodies are strict: JSON's true or "3" is not taken for 1 or 3 (a rating, a count of days).

_CHINESE_CLASSES = {"一般": WhistleClass.ordinary, "攻坚": WhistleClass.hard, "紧急": WhistleClass.urgent}


class ReportUpIn(CleanInput):
    """上报: a village passes the order up to its township."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=2, max_length=2000, description="why the village cannot solve it")


class WhistleIn(CleanInput):
    """吹哨: the township leading the order calls county departments to it."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    whistle_class: WhistleClass = Field(
        alias="class", description="ordinary / hard / urgent (一般 / 攻坚 / 紧急 accepted): sets the 报到 limit")
    departments: list[str] = Field(min_length=1, max_length=20, description="county department codes")
    reason: str = Field(min_length=2, max_length=2000)

    @field_validator("whistle_class", mode="before")
    @classmethod
    def _chinese_names(cls, value: Any) -> Any:
        return _CHINESE_CLASSES.get(value, value) if isinstance(value, str) else value


class SummonsView(BaseModel):
    department: str
    report_due: datetime
    reported_at: datetime | None = None
    on_time: bool | None = None
    rating: int | None = None
    rating_comment: str | None = None


class WhistleView(BaseModel):
    whistle_call_id: int
    work_order_id: str
    township: str
    whistle_class: WhistleClass
    reason: str
    blown_at: datetime
    summons: list[SummonsView]


class DutyReportIn(CleanInput):
    """报到: a summoned department reports for duty."""

    model_config = ConfigDict(extra="forbid")

    note: str | None = Field(default=None, max_length=2000, description="who came, what they will do")


class WhistleRatingIn(CleanInput):
    model_config = ConfigDict(extra="forbid")

    department: str
    rating: int = Field(ge=1, le=5, strict=True, description="1 (poor) to 5 (excellent)")
    comment: str | None = Field(default=None, max_length=2000)


class WhistleRatingsIn(CleanInput):
    """以下评上: the township rates each department that reported to its whistle."""

    model_config = ConfigDict(extra="forbid")

    whistle_call_id: int | None = Field(default=None, ge=1, le=MAX_ID, strict=True,
                                        description="default: the order's latest call")
    ratings: list[WhistleRatingIn] = Field(min_length=1, max_length=20)

    @field_validator("ratings")
    @classmethod
    def _each_department_once(cls, ratings: list[WhistleRatingIn]) -> list[WhistleRatingIn]:
        seen: set[str] = set()
        for rating in ratings:
            if rating.department in seen:
                raise ValueError(f"{rating.department} is rated twice: rate each department once")
            seen.add(rating.department)
        return ratings


class ExtensionIn(CleanInput):
    """延期: the lead unit asks, before its resolve due time, for more working days."""

    model_config = ConfigDict(extra="forbid")

    days: int = Field(ge=1, le=30, strict=True, description="working days")
    reason: str = Field(min_length=2, max_length=2000)


class ExtensionState(StrEnum):
    pending = "pending"
    approved = "approved"
    refused = "refused"
    # asked and never decided, and the hand-over it was for has ended (resolved, returned, reassigned,
    # passed up): nothing is left to extend. Read off the hand-over, never stored.
    lapsed = "lapsed"


class Decision(StrEnum):
    approve = "approve"
    refuse = "refuse"


class ExtensionDecisionIn(CleanInput):
    model_config = ConfigDict(extra="forbid")

    decision: Decision
    reason: str = Field(min_length=2, max_length=2000)


class ExtensionView(BaseModel):
    id: int
    work_order_id: str
    unit: str
    days: int
    reason: str
    state: ExtensionState = Field(description="pending (a dispatcher's to decide), approved, refused, or lapsed (never "
                                              "decided: the hand-over it was for ended first)")
    requested_at: datetime
    requested_by: str
    resolve_due: datetime | None = Field(description="the order's resolve due time now")
    decided_at: datetime | None = None
    decided_by: str | None = None
    decision_reason: str | None = None
    new_due: datetime | None = None


class ExtensionPage(BaseModel):
    items: list[ExtensionView]
    next_cursor: str | None = Field(description="pass as ?cursor= for the next page; null on the last")


class SupervisionItem(BaseModel):
    """One level raised on one clock of an order (提醒 / 督办 / 通报)."""

    work_order_id: str
    unit: str = Field(description="whose clock: the lead unit or a summoned department")
    clock: str
    level: str
    due: datetime
    raised_at: datetime
    state: str = Field(description="the order's state now")
    order_level: str | None = Field(description="the order's supervision level now (its highest)")
    whistle_class: str | None
    township: str | None


class SupervisionPage(BaseModel):
    items: list[SupervisionItem]
    next_cursor: str | None
