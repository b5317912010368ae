"""API models of the work-order lists and the audit: pages newest first, with an opaque cursor."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from schemas.lifecycle import State


class OrderListItem(BaseModel):
    id: str
    state: State
    role: str | None = Field(default=None, description="in a unit's list: lead (主办), assisting (协办) or summoned")
    whistle_class: str | None
    level: str | None
    unit: str | None = Field(description="the lead unit")
    matter: str | None
    text: str = Field(description="the appeal, phone and ID numbers masked")
    address: str | None
    created_at: datetime
    claim_due: datetime | None
    first_contact_due: datetime | None
    resolve_due: datetime | None
    supervision_level: str = Field(description="none, remind (提醒), supervise (督办) or notify (通报)")
    overdue: bool = Field(description="open, and its claim or resolve clock has run out")


class OrderPage(BaseModel):
    items: list[OrderListItem]
    next_cursor: str | None = Field(description="pass as `cursor` for the next (older) page; null at the end")


class AuditEntry(BaseModel):
    id: int
    at: datetime
    actor: str = Field(description="who: role[:unit]/key id from the API key, unit:<code>/kafka, citizen, or a "
                                   "system job")
    work_order_id: str
    action: str
    from_state: State | None
    to_state: State
    reason: str | None = Field(description="phone and ID numbers masked")
    data: dict[str, Any] | None = Field(description="the action's facts (free text masked)")


class AuditPage(BaseModel):
    items: list[AuditEntry]
    next_cursor: str | None
