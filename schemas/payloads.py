"""The JSON bodies of the events, one model per message. The outbox stores `model_dump(mode="json")`
of these, and docs/asyncapi.yaml is generated from them (a test keeps the two in step)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from schemas.validation import CleanInput


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


class Summons(BaseModel):
    """Why a summoned department (role `summoned`) gets an order: a township's whistle (吹哨)."""

    whistle_call_id: int
    township: str = Field(description="the township that blew the whistle and stays in charge")
    call_class: str = Field(description="the call's class: ordinary 一般 / hard 攻坚 / urgent 紧急")
    report_due: datetime = Field(description="report for duty (报到) by then: POST …/report-duty")
    reason: str


class DispatchedEvent(OrderSummary):
    """hotline.dispatch.<unit>, type org.hotline.workorder.dispatched: work for one unit."""

    unit_name: str
    role: str = Field(default="lead", description="lead (主办: claims and resolves), assisting (协办) or summoned "
                                                  "(a department a township's whistle called: reports for duty)")
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
    summons: Summons | None = Field(default=None, description="set when role is summoned (吹哨报到)")
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


class UnitReplyIdentity(CleanInput):
    """What every reply on hotline.unit-replies carries beside its command's own fields."""

    unit: str = Field(description="the replying unit's code: must be the one its ce_source names "
                                  "(urn:hotline:unit:<code>)")
    actor: str | None = Field(default=None, max_length=100,
                              description="the person at the unit who acted, for the record")


class RefusalReason(StrEnum):
    """Why a unit's reply was refused (the `error` of a reply_refused event)."""

    unreadable = "unreadable"  # not a CloudEvent in Kafka binary mode with a JSON object body
    missing_attribute = "missing_attribute"  # a required ce_* header is missing
    key_mismatch = "key_mismatch"  # the record key is not the ce_subject (the work-order id)
    unknown_source = "unknown_source"  # ce_source is not urn:hotline:unit:<a known unit>
    unknown_type = "unknown_type"  # ce_type is not org.hotline.unit.<a command>
    wrong_unit = "wrong_unit"  # the body's unit is not the unit ce_source names
    refused = "refused"  # the action itself was refused, exactly as over REST: see `error` and `status`
    internal_error = "internal_error"  # the centre's fault (logged): send it again later


class ReplyRefused(BaseModel):
    """hotline.dispatch.<unit>, type org.hotline.unit.reply_refused: the centre did not act on one of
    the unit's replies, and says why; nothing of it was applied. Key and ce_subject: the work-order
    id (or the refused record's key when that was all there was)."""

    work_order_id: str | None = None
    refused_event_id: str | None = Field(default=None, description="the refused reply's ce_id, if it had one")
    refused_type: str | None = Field(default=None, description="the refused reply's ce_type, if it had one")
    reason: RefusalReason
    error: str = Field(description="the error code REST answers the same request with (e.g. validation_error, "
                                   "order_not_found, transition_not_allowed); for a fault only Kafka replies can "
                                   "have, the reason again")
    status: int = Field(description="the HTTP status the same request gets over REST (400, 401, 403, 404, 409, "
                                    "422, 500)")
    message: str = Field(description="what was wrong, naming the field; the same words REST answers with")
    at: datetime


class DeadLetter(BaseModel):
    """hotline.unit-replies.dlq, type org.hotline.unit.reply_unreadable: a record on the reply topic
    that could not be read as a reply at all, kept as it came (phone, ID and bank-card numbers
    masked, in the key, the headers and the value) with the reason."""

    topic: str
    partition: int
    offset: int
    key: str | None = Field(description="the record key (UTF-8, else base64)")
    headers: dict[str, str] = Field(description="the record headers (UTF-8 values, else base64)")
    value: str = Field(description="the record value: UTF-8 text, or base64 (see value_encoding)")
    value_encoding: str = Field(description="utf-8 or base64")
    unit: str | None = Field(default=None, description="the unit its ce_source names, if any")
    reason: str
    at: datetime


class RecalledEvent(BaseModel):
    """hotline.dispatch.<unit>, type org.hotline.workorder.recalled: the order left this unit's
    hands by another's doing — a dispatcher reassigned it (the reason), it was passed up (`上报: …`,
    by the village or the sweep), reopened (`重办: …`) or returned by its lead (`退单: …`: an
    assisting or summoned unit's part ends), or the citizen withdrew it (`撤回: …`); the unit can
    no longer act on it."""

    work_order_id: str
    unit: str
    reason: str | None = None
    at: datetime


class EscalationFact(OrderSummary):
    """What every escalation event says beyond the order: who did it and when. `unit` and `level`
    (from the summary) are the order's lead unit and its 631 level; `township` the order's township."""

    action: str = Field(description="what happened: supervision_raised, whistle, report_duty, dept_rated, "
                                    "extension_requested, extension_approved, extension_refused")
    actor: str
    at: datetime


class SupervisionRaised(EscalationFact):
    """A clock reached a supervision level (提醒 remind / 督办 supervise / 通报 notify), raised once per
    clock and level. hotline.supervision (org.hotline.supervision.raised), hotline.lifecycle
    (org.hotline.workorder.supervision_raised), and the responsible unit's own topic
    (org.hotline.workorder.reminder for remind, org.hotline.workorder.overdue above it)."""

    supervision_level: str = Field(description="remind | supervise | notify")
    clock: str = Field(description="claim | first_contact | resolve | report (a summoned department's 报到)")
    clock_key: str = Field(description="one run of one clock; a level is raised once per key")
    responsible_unit: str = Field(description="whose clock: the lead unit, or the summoned department")
    responsible_level: str | None = Field(default=None, description="village | township | county")
    role: str = Field(description="lead | summoned")
    due: datetime
    reached_at: datetime = Field(description="when the level was reached (the sweep may raise it a little later)")
    overdue_minutes: int = Field(description="calendar minutes past due at raising; 0 for a reminder")
    overdue_working_hours: float = Field(description="working hours past due at raising; 0 for a reminder")
    whistle_call_id: int | None = Field(default=None, description="for a 报到 clock: the whistle call")
    call_class: str | None = Field(default=None, description="for a 报到 clock: the call's class")
    message: str = Field(description="what happened, in plain words")


class ReportedUp(BaseModel):
    """The facts of a 上报 carried by its org.hotline.workorder.escalated lifecycle event."""

    from_unit: str
    from_level: str
    to_unit: str
    automatic: bool = Field(description="true when the village's own clock ran out (configured), not a request")


class WhistleBlown(EscalationFact):
    """hotline.lifecycle, org.hotline.workorder.whistle_blown: a township (the lead, who stays in
    charge) called county departments to the order (街乡吹哨); each must report by `report_due`."""

    whistle_call_id: int
    calling_township: str
    call_class: str = Field(description="ordinary 一般 / hard 攻坚 / urgent 紧急")
    departments: list[str]
    report_due: datetime
    reason: str


class DutyReported(EscalationFact):
    """hotline.lifecycle, org.hotline.workorder.reported_for_duty: a summoned department reported (部门报到)."""

    whistle_call_id: int
    calling_township: str
    call_class: str
    department: str
    report_due: datetime
    reported_at: datetime
    on_time: bool
    late_minutes: int = Field(description="0 when on time")
    note: str | None = None


class WhistleRated(EscalationFact):
    """hotline.lifecycle, org.hotline.workorder.whistle_rated: the township rated a department that
    reported to its whistle (以下评上, 1-5), for the assessment."""

    whistle_call_id: int
    calling_township: str
    call_class: str
    department: str
    rating: int = Field(ge=1, le=5)
    comment: str | None = None
    on_time: bool | None = Field(description="whether the department had reported on time")


class ExtensionFact(EscalationFact):
    """hotline.lifecycle, org.hotline.workorder.extension_requested | extension_approved |
    extension_refused (延期); the decisions also go to the unit's own topic."""

    extension_id: int
    requesting_unit: str
    days: int = Field(description="working days asked for")
    extension_state: str = Field(description="pending | approved | refused")
    requested_at: datetime
    resolve_due: datetime = Field(description="the resolve due time when the extension was asked for")
    new_resolve_due: datetime | None = Field(default=None, description="set when approved")
    reason: str | None = None
    decision_reason: str | None = None
