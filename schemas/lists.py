"""API models of the work-order lists and the audit: pages newest first, with an opaque cursor."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from schemas.lifecycle import State
from schemas.payloads import Contact


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


class CallbackCaller(BaseModel):
    work_order_id: str = Field(description="record the 回访 on this order: POST /v1/work-orders/{id}/callback")
    merged: bool = Field(description="this caller's appeal was merged into the resolved order (并单)")
    confidential: bool = Field(description="保密: the centre calls back only through the citizen's own channel")
    contact: Contact | None = Field(description="the caller's name and number as given, for this call; null when "
                                                "保密 or no number was given")
    unanswered_calls: int = Field(description="回访 calls since this resolution that reached nobody")


class CallbackItem(BaseModel):
    work_order_id: str = Field(description="the resolved order")
    matter: str | None
    text: str = Field(description="the appeal, phone and ID numbers masked")
    address: str | None
    resolved_by: str | None = Field(description="the unit that resolved it (办结)")
    resolved_by_name: str | None
    resolved_at: datetime | None
    reply: str | None = Field(description="the unit's reply to the citizen, numbers masked")
    rating_due: datetime = Field(description="the order closes unrated after this")
    callers: list[CallbackCaller] = Field(description="everyone to call about this resolution: its own caller "
                                                      "and the callers merged into it who have not answered yet")


class CallbackPage(BaseModel):
    items: list[CallbackItem]
    next_cursor: str | None = Field(description="pass as `cursor` for the next page (later rating_due); null at "
                                                "the end")
