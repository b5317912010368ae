"""API models of the dispatchers' review queue (low-confidence routing and returned orders)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from schemas.taxonomy import EmergencyLine, WhistleClass
from schemas.validation import CleanInput, FieldProblem


class ReviewAction(StrEnum):
    confirm = "confirm"  # dispatch to the router's suggestion
    override = "override"  # dispatch to another unit (recorded as a correction)
    redirect = "redirect"  # it is an emergency after all
    merge = "merge"  # duplicate of another order
    invalidate = "invalidate"  # not an appeal


class ReviewIn(CleanInput):
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
            raise FieldProblem(field, f"{field} is required to {self.action.value}")
        return self


class ReassignIn(CleanInput):
    """A dispatcher hands an order already dispatched to another unit (改派): fresh clocks, recorded
    as a routing correction."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    unit: str = Field(min_length=1, max_length=64, description="the unit to hand the order to")
    reason: str = Field(min_length=2, max_length=2000, description="why (kept in the history and the correction)")
    whistle_class: WhistleClass | None = Field(default=None, description="a new class, if the dispatcher sets one")
    matter: str | None = Field(default=None, max_length=64,
                               description="the catalogue matter, if the dispatcher names one (a county department: "
                                           "one it owns or assists with); left out, a matter of another department "
                                           "is cleared")


class UnlinkIn(CleanInput):
    """A dispatcher undoes a 并单: the merged order becomes its own order and is routed again."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: str = Field(min_length=2, max_length=2000,
                        description="why it is not the same matter (kept in the history)")


class ReviewItem(BaseModel):
    work_order_id: str
    channel: str
    text: str
    address: str | None
    created_at: datetime
    why: str = Field(description="low confidence, or returned by a unit (with its reason)")
    returned_by: str | None = None
    return_reason: str | None = Field(default=None, description="the returning unit's reason code")
    returns: int = Field(default=0, description="how many times units have returned the order")
    arbitration: bool = Field(default=False, description="仲裁: returned too often; the unit the dispatcher names "
                                                         "now keeps it (it may not return it again)")
    suggestion: dict[str, Any] | None = Field(default=None, description="the router's decision and explanation")


class ReviewPage(BaseModel):
    items: list[ReviewItem] = Field(description="oldest first")
    next_cursor: str | None = Field(description="pass as `cursor` for the next page; null at the end")
