"""The JSON bodies of the events, one model per message. The outbox stores `model_dump(mode="json")`
of these, and docs/asyncapi.yaml is generated from them (a test keeps the two in step)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class OrderSummary(BaseModel):
    """What every work-order event says about the order: never a phone or ID number."""

    work_order_id: str
    channel: str
    state: str
    whistle_class: str | None = None
    level: str | None = None
    unit: str | None = None
    dept: str | None = None
    matter: str | None = None
    township: str | None = None
    village: str | None = None


class ReceivedEvent(OrderSummary):
    """hotline.lifecycle, type org.hotline.workorder.received: a new order from a channel."""

    text: str = Field(description="the appeal, phone and ID numbers masked")
    address: str | None = None
    confidential: bool = False
    at: datetime


class LifecycleEvent(OrderSummary):
    """hotline.lifecycle, type org.hotline.workorder.<what happened>: one state change.

    Carries the action's own facts as extra fields (e.g. `unit` and the clocks on dispatch,
    `on_time` on claim/resolve, `rating` and `solved` on close, `redirect` on redirect)."""

    model_config = ConfigDict(extra="allow")

    from_state: str | None
    action: str
    actor: str
    reason: str | None = None
    at: datetime


class Contact(BaseModel):
    name: str | None = None
    phone: str


class DispatchedEvent(OrderSummary):
    """hotline.dispatch.<unit>, type org.hotline.workorder.dispatched: work for one unit."""

    unit_name: str
    role: str = Field(default="lead", description="lead (主办: claims and resolves) or assisting (协办)")
    lead_unit: str = Field(description="the unit that leads (主办); itself when role is lead")
    text: str = Field(description="the appeal, phone and ID numbers masked")
    address: str | None = None
    matter_name: str | None = None
    assisting_units: list[str] = Field(default_factory=list)
    contact: Contact | None = Field(
        default=None, description="the citizen to call back; null when the citizen asked for confidentiality"
    )
    confidential: bool = False
    reason: str | None = None
    reopen_count: int = 0
    claim_due: datetime
    first_contact_due: datetime
    resolve_due: datetime
    reply_topic: str


class EmergencyEvent(BaseModel):
    """hotline.emergency, type org.hotline.emergency.redirected: hand over to 110/119/120/122 now."""

    work_order_id: str
    line: str
    text: str = Field(description="unmasked: the emergency line must be able to act on it")
    address: str | None = None
    caller_name: str | None = None
    caller_phone: str | None = None
    explanation: str
    at: datetime


class UnitReply(BaseModel):
    """hotline.unit-replies, types org.hotline.unit.claim|resolve|return: a unit system answering
    over Kafka; ce_subject (and the record key) is the work-order id."""

    unit: str
    actor: str | None = None
    note: str | None = None
    reason: str | None = Field(default=None, description="required for return")
