"""Telling units that an order has left their hands (workorder.recalled on each one's own topic):
a unit's system reads only its own dispatch topic, so it hears there that it can no longer act."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from intake.masking import mask_text
from schemas.events import RECALLED_TYPE, EventEnvelope, dispatch_topic
from schemas.payloads import RecalledEvent
from services.db import repositories as repo


def tell_recalled(session: AsyncSession, order_id: str, units: Iterable[str], *, reason: str | None,
                  now: datetime) -> None:
    """A `workorder.recalled` event for each unit, in the caller's transaction (the outbox)."""
    for unit in units:
        repo.add_outbox(session, EventEnvelope(
            type=RECALLED_TYPE, subject=order_id, topic=dispatch_topic(unit), time=now,
            data=RecalledEvent(work_order_id=order_id, unit=unit, reason=mask_text(reason) if reason else None,
                               at=now).model_dump(mode="json")), now)
