"""API models of the dispatchers' review queue (low-confidence routing and returned orders)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from schemas.taxonomy import EmergencyLine, WhistleClass


class ReviewAction(StrEnum):
    confirm = "confirm"  # dispatch to the router's suggestion
    override = "override"  # dispatch to another unit (recorded as a correction)
    redirect = "redirect"  # it is an emergency after all
    merge = "merge"  # duplicate of another order
    invalidate = "invalidate"  # not an appeal


class ReviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: ReviewAction
    unit: str | None = Field(default=None, max_length=64, description="override: the unit to dispatch to")
    matter: str | None = Field(default=None, max_length=64, description="override: the catalogue matter")
    whistle_class: WhistleClass | None = None
    line: EmergencyLine | None = Field(default=None, description="redirect: the emergency line")
    merge_into: str | None = Field(default=None, max_length=40, description="merge: the order it duplicates")
    reason: str | None = Field(default=None, max_length=2000)

    @model_validator(mode="after")
    def _needs(self) -> ReviewIn:
        required = {ReviewAction.override: "unit", ReviewAction.redirect: "line", ReviewAction.merge: "merge_into",
                    ReviewAction.invalidate: "reason"}
        field = required.get(self.action)
        if field and not getattr(self, field):
            raise ValueError(f"{field} is required to {self.action.value}")
        return self


class ReviewItem(BaseModel):
    work_order_id: str
    channel: str
    text: str
    address: str | None
    created_at: datetime
    why: str = Field(description="low confidence, or returned by a unit (with its reason)")
    returned_by: str | None = None
    suggestion: dict[str, Any] | None = Field(default=None, description="the router's decision and explanation")
