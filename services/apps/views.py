"""How an order is shown to staff and units (personal numbers masked; the contact only for the
lead unit)."""

from __future__ import annotations

from intake.citizen import SHOWS_HANDLER
from intake.masking import mask_text
from schemas.access import Principal, sees_contact
from schemas.appeals import WorkOrderView
from services.apps.dependencies import UnitOfWork
from services.db import repositories as repo
from services.errors import OrderNotFound
from services.orders.personal import caller_contact


async def order_view(uow: UnitOfWork, order_id: str, principal: Principal) -> WorkOrderView:
    async with uow.read() as session:
        order = await repo.get_order(session, order_id)
        if order is None:
            raise OrderNotFound(order_id)
        history = await repo.history_of(session, order_id)
    fields = {name: getattr(order, name) for name in WorkOrderView.model_fields if hasattr(order, name)}
    if order.state not in SHOWS_HANDLER:  # e.g. returned (退单): the unit that had it no longer does
        fields.update(unit=None, claim_due=None, first_contact_due=None, resolve_due=None)
    contact = None
    if order.caller_phone and sees_contact(principal, order.unit, confidential=order.confidential):
        async with uow.read() as session:
            contact = await caller_contact(session, uow.ctx, order)  # from the vault
    return WorkOrderView.model_validate({
        **fields,
        "text": order.text_masked,  # personal numbers masked
        "contact": contact,
        "history": [{"at": h.at, "actor": h.actor, "action": h.action, "from_state": h.from_state,
                     "to_state": h.to_state, "reason": mask_text(h.reason) if h.reason else None}
                    for h in history],
    })
