"""Which units have an order in their hands (lead, assisting, summoned), now and ever."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.db.repositories import add_row, insert_for
from services.db.tables import OrderUnit


async def order_units(session: AsyncSession, order_id: str) -> dict[str, str]:
    """unit -> role (lead / assisting / summoned) of every unit the order is in the hands of now."""
    stmt = select(OrderUnit.unit, OrderUnit.role).where(OrderUnit.work_order_id == order_id, OrderUnit.active)
    return {unit: role for unit, role in (await session.execute(stmt)).all()}


async def unit_had_order(session: AsyncSession, order_id: str, unit: str) -> bool:
    """Whether `unit` ever had the order in its hands (in any role)."""
    stmt = select(OrderUnit.unit).where(OrderUnit.work_order_id == order_id, OrderUnit.unit == unit).limit(1)
    return (await session.execute(stmt)).first() is not None


async def set_order_units(
    session: AsyncSession, order_id: str, units: dict[str, str], at: datetime, *, keep_summoned: bool = False
) -> None:
    """Hand the order to exactly `units` (unit -> role): others lose it, these gain it."""
    stmt = update(OrderUnit).where(OrderUnit.work_order_id == order_id, OrderUnit.active)
    if keep_summoned:
        stmt = stmt.where(OrderUnit.role != "summoned")
    await session.execute(stmt.values(active=False))
    await add_order_units(session, order_id, units, at)


def add_first_order_units(session: AsyncSession, order_id: str, units: dict[str, str], at: datetime) -> None:
    """set_order_units for an order that has never been in any unit's hands (written at flush, or
    with the rest of the batch in `written_together`)."""
    for unit, role in units.items():
        add_row(session, OrderUnit,
                 {"work_order_id": order_id, "unit": unit, "role": role, "since": at, "active": True})


async def add_order_units(session: AsyncSession, order_id: str, units: dict[str, str], at: datetime) -> None:
    insert = insert_for(session)
    for unit, role in units.items():
        stmt = insert(OrderUnit).values(work_order_id=order_id, unit=unit, role=role, since=at, active=True)
        stmt = stmt.on_conflict_do_update(index_elements=["work_order_id", "unit", "role"],
                                          set_={"since": at, "active": True})
        await session.execute(stmt)
