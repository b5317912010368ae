"""Event contracts: topic names, CloudEvents types and the envelope the outbox stores.

Events travel as CloudEvents 1.0 in Kafka binary content mode (ce_* headers, JSON body), keyed by
work-order id so that one order's events stay in order on one partition.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, Field

LIFECYCLE_TOPIC = "hotline.lifecycle"
UNIT_REPLIES_TOPIC = "hotline.unit-replies"
# Unit replies that could not be read at all, kept with the reason (the unit is told on its topic).
UNIT_REPLIES_DLQ_TOPIC = "hotline.unit-replies.dlq"
EMERGENCY_TOPIC = "hotline.emergency"
SUPERVISION_TOPIC = "hotline.supervision"
DISPATCH_TOPIC_PREFIX = "hotline.dispatch."

FIXED_TOPICS: tuple[str, ...] = (
    LIFECYCLE_TOPIC, UNIT_REPLIES_TOPIC, UNIT_REPLIES_DLQ_TOPIC, EMERGENCY_TOPIC, SUPERVISION_TOPIC,
)

EVENT_SOURCE = "urn:hotline"
TYPE_PREFIX = "org.hotline."

_UNIT_CODE = re.compile(r"^[a-z0-9_]{1,64}$")


def dispatch_topic(unit_code: str) -> str:
    """The topic a handling unit's system reads its work from."""
    if not _UNIT_CODE.match(unit_code):
        raise ValueError(f"unit code {unit_code!r} is not a valid topic suffix ([a-z0-9_], 1-64 chars)")
    return f"{DISPATCH_TOPIC_PREFIX}{unit_code}"


def lifecycle_type(what: str) -> str:
    """CloudEvents type of a lifecycle event, e.g. lifecycle_type('dispatched')."""
    return f"{TYPE_PREFIX}workorder.{what}"


# A unit system answering on the reply topic names itself in ce_source as
# urn:hotline:unit:<unit code>, and the action in ce_type as org.hotline.unit.<command name>
# (services.orders.unit_commands holds the commands).
UNIT_SOURCE_PREFIX = "urn:hotline:unit:"
UNIT_REPLY_TYPE_PREFIX = f"{TYPE_PREFIX}unit."


def unit_source(unit_code: str) -> str:
    """The ce_source a unit's system sends its replies with."""
    return f"{UNIT_SOURCE_PREFIX}{unit_code}"


def unit_reply_type(command: str) -> str:
    """The ce_type of a unit's reply doing `command`, e.g. org.hotline.unit.resolve."""
    return f"{UNIT_REPLY_TYPE_PREFIX}{command}"


def unit_of_source(source: str | None) -> str | None:
    """The unit code a ce_source names, or None when it is not urn:hotline:unit:<code>."""
    if not source or not source.startswith(UNIT_SOURCE_PREFIX):
        return None
    code = source[len(UNIT_SOURCE_PREFIX):]
    return code if _UNIT_CODE.match(code) else None


# What the centre answers on a unit's own dispatch topic when it refuses one of its replies, and
# what it sends when an order leaves the unit's hands by a dispatcher's decision.
REPLY_REFUSED_TYPE = f"{TYPE_PREFIX}unit.reply_refused"
RECALLED_TYPE = f"{TYPE_PREFIX}workorder.recalled"
DEAD_LETTER_TYPE = f"{TYPE_PREFIX}unit.reply_unreadable"
EMERGENCY_TYPE = f"{TYPE_PREFIX}emergency.redirected"
SUPERVISION_TYPE = f"{TYPE_PREFIX}supervision.raised"


def rfc3339(moment: datetime) -> str:
    """The one form times take in events: UTC with a `Z` (as pydantic writes them), e.g.
    2026-12-01T08:30:00Z or 2026-12-01T08:30:00.123456Z."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def new_event_id() -> str:
    return str(uuid.uuid4())


def utcnow() -> datetime:
    return datetime.now(UTC)


class EventEnvelope(BaseModel):
    """One CloudEvent plus where it goes. `subject` is the work-order id, also the record key."""

    id: str = Field(default_factory=new_event_id)
    type: str
    source: str = EVENT_SOURCE
    subject: str
    time: datetime = Field(default_factory=utcnow)
    topic: str
    data: dict[str, Any]
    # W3C trace context of where the event was made (CloudEvents distributed-tracing extension).
    traceparent: str | None = None
    tracestate: str | None = None

    @property
    def key(self) -> str:
        return self.subject


# The lifecycle event name for each action (past tense), plus "received" for a new order.
ACTION_EVENT_NAMES: dict[str, str] = {
    "hold_for_review": "held_for_review",
    "dispatch": "dispatched",
    "redirect": "redirected",
    "merge": "merged",
    "unlink": "unlinked",
    "invalidate": "invalidated",
    "withdraw": "withdrawn",
    "claim": "claimed",
    "return": "returned",
    "escalate": "escalated",
    "resolve": "resolved",
    "close": "closed",
    "reopen": "reopened",
    "reassign": "reassigned",
    # Records without a change of state.
    "first_contact": "first_contacted",
    "progress": "progress_noted",
    "request_assistance": "assistance_requested",
    "callback": "called_back",
    "rate": "rated",
    "rate_merged": "merged_caller_rated",  # the caller of a merged order rated the outcome of its root
    "root_outcome": "merged_root_outcome",  # the order a merged one follows was resolved, closed or reopened
    "root_handed_on": "merged_root_handed_on",  # it was withdrawn: the merged order now follows another
    "incident_linked": "merged_root_linked",  # the order it follows was merged into one reported before
}
RECEIVED_TYPE = lifecycle_type("received")
DISPATCHED_TYPE = lifecycle_type("dispatched")

# Escalation facts that do not change an order's state (hotline.lifecycle, and where said, the unit's topic).
SUPERVISION_RAISED_TYPE = lifecycle_type("supervision_raised")  # hotline.lifecycle: 提醒 / 督办 / 通报
REMINDER_TYPE = lifecycle_type("reminder")  # the responsible unit's topic: 提醒, its clock is running out
OVERDUE_TYPE = lifecycle_type("overdue")  # the responsible unit's topic: 督办 / 通报, its clock ran out
WHISTLE_BLOWN_TYPE = lifecycle_type("whistle_blown")  # 街乡吹哨
DUTY_REPORTED_TYPE = lifecycle_type("reported_for_duty")  # 部门报到
WHISTLE_RATED_TYPE = lifecycle_type("whistle_rated")  # 以下评上
EXTENSION_REQUESTED_TYPE = lifecycle_type("extension_requested")  # 延期 asked
EXTENSION_APPROVED_TYPE = lifecycle_type("extension_approved")  # also on the unit's topic
EXTENSION_REFUSED_TYPE = lifecycle_type("extension_refused")  # also on the unit's topic
