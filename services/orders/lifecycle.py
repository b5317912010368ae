"""The one way a work order changes state (`transition`), loading an order for change, and what
every event says about an order. Commands run in the caller's transaction and never commit."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from feedback.exceptions import InvalidCitizenToken
from intake.masking import mask_text
from router.models import Unit
from schemas.events import (
    ACTION_EVENT_NAMES,
    LIFECYCLE_TOPIC,
    EventEnvelope,
    lifecycle_type,
)
from schemas.lifecycle import Action, State, next_state
from schemas.payloads import (
    LifecycleEvent,
    OrderSummary,
)
from services.context import DomainContext
from services.db import repositories as repo
from services.db.tables import WorkOrder
from services.errors import OrderNotFound, UnknownUnit
from services.metrics import TRANSITIONS


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def check_citizen_token(order: WorkOrder, token: str) -> None:
    """The citizen's token from submission must match (constant-time compare)."""
    if not order.citizen_token_hash or not hmac.compare_digest(token_hash(token), order.citizen_token_hash):
        raise InvalidCitizenToken(order.id)


_SUMMARY_COLUMNS = tuple(name for name in OrderSummary.model_fields if name != "work_order_id")


def order_summary(order: WorkOrder) -> dict[str, Any]:
    """What every work-order event says about the order (schemas.payloads.OrderSummary): never a
    phone or ID number."""
    return {"work_order_id": order.id, **{name: getattr(order, name) for name in _SUMMARY_COLUMNS}}


async def load_for_update(session: AsyncSession, order_id: str) -> WorkOrder:
    order = await repo.get_order(session, order_id, for_update=True)
    if order is None:
        raise OrderNotFound(order_id)
    return order


def transition(
    session: AsyncSession,
    order: WorkOrder,
    action: Action,
    *,
    actor: str,
    now: datetime,
    reason: str | None = None,
    data: dict[str, Any] | None = None,
) -> State:
    """The one way an order changes state: checks the lifecycle table, appends the history record
    and writes the lifecycle event to the outbox. Raises TransitionNotAllowed."""
    before = State(order.state)
    after = next_state(before, action)
    order.state = after.value
    order.updated_at = now
    _history_and_event(session, order, action.value, before, after, actor=actor, now=now, reason=reason, data=data)
    TRANSITIONS.labels(action.value, after.value).inc()
    return after


def record(
    session: AsyncSession,
    order: WorkOrder,
    what: str,
    *,
    actor: str,
    now: datetime,
    reason: str | None = None,
    data: dict[str, Any] | None = None,
) -> State:
    """Something done to an order that does not change its state (a first contact, a progress
    note, a request for assistance, a late rating): the history record and the lifecycle event,
    type org.hotline.workorder.<ACTION_EVENT_NAMES[what]>."""
    state = State(order.state)
    order.updated_at = now
    _history_and_event(session, order, what, state, state, actor=actor, now=now, reason=reason, data=data)
    return state


def _history_and_event(
    session: AsyncSession, order: WorkOrder, what: str, before: State, after: State, *, actor: str,
    now: datetime, reason: str | None, data: dict[str, Any] | None,
) -> None:
    # Free text in the facts (a reply, a comment) is masked on the topic and in the history like the
    # reason (each masked once for both).
    facts = {k: mask_text(v) if isinstance(v, str) else v for k, v in (data or {}).items()}
    masked_actor, masked_reason = mask_text(actor), mask_text(reason) if reason else None
    repo.add_history(session, {
        "work_order_id": order.id, "at": now, "actor": masked_actor, "action": what,
        "from_state": before.value, "to_state": after.value, "reason": masked_reason,
        "data": dict(facts) if data else data,
    })
    event_data = LifecycleEvent.model_validate(
        {**order_summary(order), **facts, "from_state": before.value, "action": what,
         "actor": masked_actor, "reason": masked_reason, "at": now}
    ).model_dump(mode="json")
    repo.add_outbox(
        session,
        EventEnvelope(type=lifecycle_type(ACTION_EVENT_NAMES[what]), subject=order.id,
                      topic=LIFECYCLE_TOPIC, time=now, data=event_data),
        now,
    )


def unit_or_error(ctx: DomainContext, code: str) -> Unit:
    unit = ctx.router.units().get(code)
    if unit is None:
        raise UnknownUnit(code)
    return unit
