"""Storing a new appeal as a `received` work order."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from intake.masking import mask_text
from intake.normalise import content_fingerprint, normalise_text
from schemas.appeals import AppealIn
from schemas.events import (
    LIFECYCLE_TOPIC,
    RECEIVED_TYPE,
    EventEnvelope,
)
from schemas.lifecycle import State
from schemas.payloads import (
    ReceivedEvent,
)
from services.context import DomainContext
from services.db import repositories as repo
from services.db.tables import WorkOrder, WorkOrderHistory
from services.orders.lifecycle import (
    order_summary,
    token_hash,
)


# ---- intake ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Accepted:
    order: WorkOrder
    created: bool
    citizen_token: str | None


async def accept_appeal(
    session: AsyncSession, ctx: DomainContext, appeal: AppealIn, *, idempotency_key: str | None = None,
    actor: str | None = None,
) -> Accepted:
    """Store a new appeal as a `received` order, or return the order an identical earlier
    submission (same channel + external id, or same idempotency key) created."""
    existing = await repo.find_repeat(
        session, channel=appeal.channel.value, external_id=appeal.external_id, idempotency_key=idempotency_key
    )
    if existing is not None:
        return Accepted(existing, created=False, citizen_token=None)
    now = ctx.now()
    text = normalise_text(appeal.text)
    token = secrets.token_urlsafe(18)
    order = WorkOrder(
        id=f"wo_{uuid.uuid4().hex[:20]}",
        channel=appeal.channel.value,
        external_id=appeal.external_id,
        idempotency_key=idempotency_key,
        fingerprint=content_fingerprint(text, appeal.caller_phone),
        text=text,
        text_masked=mask_text(text),
        address=appeal.address,
        caller_name=appeal.caller_name,
        caller_phone=appeal.caller_phone,
        confidential=appeal.confidential,
        citizen_token_hash=token_hash(token),
        state=State.received.value,
        return_count=0,
        reopen_count=0,
        created_at=now,
        updated_at=now,
    )
    session.add(order)
    session.add(WorkOrderHistory(work_order_id=order.id, at=now, actor=actor or f"channel:{order.channel}",
                                 action="receive", from_state=None, to_state=State.received.value))
    repo.add_outbox(
        session,
        EventEnvelope(type=RECEIVED_TYPE, subject=order.id, topic=LIFECYCLE_TOPIC, time=now,
                      data=ReceivedEvent(**order_summary(order), text=order.text_masked, address=order.address,
                                         confidential=order.confidential, at=now).model_dump(mode="json")),
        now,
    )
    await session.flush()
    return Accepted(order, created=True, citizen_token=token)
