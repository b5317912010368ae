"""Telling units that an order has left their hands (workorder.recalled on each one's own topic):
a unit's system reads only its own dispatch topic, so it hears there that it can no longer act."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from intake.masking import mask_text
from schemas.events import RECALLED_TYPE, EventEnvelope, dispatch_topic
from schemas.payloads import RecalledEvent
from services.db import order_units as hands
from services.db import repositories as repo
from services.db.tables import WorkOrder


def tell_recalled(session: AsyncSession, order_id: str, units: Iterable[str], *, reason: str | None,
                  now: datetime) -> None:
    """A `workorder.recalled` event for each unit, in the caller's transaction (the outbox)."""
    for unit in units:
        repo.add_outbox(session, EventEnvelope(
            type=RECALLED_TYPE, subject=order_id, topic=dispatch_topic(unit), time=now,
            data=RecalledEvent(work_order_id=order_id, unit=unit, reason=mask_text(reason) if reason else None,
                               at=now).model_dump(mode="json")), now)


async def take_from_units(session: AsyncSession, order: WorkOrder, *, outcome: str, reason: str,
                          now: datetime) -> None:
    """`order` leaves every unit's hands (its caller withdrew it; it was merged into another order): its
    open hand-over ends with `outcome`, its units are cleared and told (`tell_recalled`), its clocks stop."""
    current = await repo.open_dispatch(session, order.id)
    if current is not None:
        current.ended_at, current.outcome = now, outcome
    holding = await hands.order_units(session, order.id)
    await hands.set_order_units(session, order.id, {}, now)
    tell_recalled(session, order.id, holding, reason=reason, now=now)
    order.next_check_at = None
