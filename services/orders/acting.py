"""Who acts in a unit command, and loading an order for the unit that acts on it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from feedback.actions import check_unit_may_act
from services.db import order_units as hands
from services.db.tables import WorkOrder
from services.errors import OrderNotFound
from services.orders.lifecycle import load_for_update


@dataclass(frozen=True)
class UnitActor:
    """The unit that acts (from its API key over REST, from ce_source over Kafka) and how the
    history names the caller (Principal.actor, or unit:<code>/kafka with the person it names)."""

    unit: str
    actor: str


async def order_for_unit(session: AsyncSession, order_id: str, who: UnitActor, *, lead_only: bool = True) -> WorkOrder:
    """The order, locked for this transaction, if it is in the unit's hands (as lead, unless
    `lead_only` is False). An order the unit never had does not exist for it (OrderNotFound); one
    it lost meanwhile is a conflict (NotInHands); an assisting unit doing what only the lead may is
    NotAssignedUnit."""
    order = await load_for_update(session, order_id)
    roles = await hands.order_units(session, order_id)
    if who.unit not in roles and not await hands.unit_had_order(session, order_id, who.unit):
        raise OrderNotFound(order_id)  # never a hint of who does have it
    check_unit_may_act(order.id, roles, who.unit, lead_only=lead_only)
    return order
