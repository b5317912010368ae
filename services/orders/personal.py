"""Reading an order's sealed personal data: only for the few who must act on it (the lead unit
that calls the citizen back, an emergency line)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from schemas.payloads import Contact
from services.context import DomainContext
from services.db import repositories as repo
from services.db.tables import WorkOrder


async def personal_data(session: AsyncSession, ctx: DomainContext, order: WorkOrder) -> dict[str, Any]:
    """The raw text, address, caller and details of `order` (empty for an order without any)."""
    sealed = await repo.personal_data(session, order.id)
    return ctx.vault.open(sealed) if sealed else {}


async def caller_contact(session: AsyncSession, ctx: DomainContext, order: WorkOrder) -> Contact | None:
    """The caller's name and number as given, or None (no number, or 保密)."""
    if order.confidential or not order.caller_phone:
        return None
    raw = await personal_data(session, ctx, order)
    phone = raw.get("caller_phone")
    return Contact(name=raw.get("caller_name"), phone=phone) if phone else None
