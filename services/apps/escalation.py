"""Escalation service: clocks per class on the working-day calendar."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, FastAPI
from pydantic import BaseModel

from services.apps.common import create_app
from services.apps.dependencies import VisibleOrder
from services.bootstrap import Runtime
from services.settings import CoreSettings

router = APIRouter(prefix="/v1", tags=["escalation"])


class ClocksView(BaseModel):
    work_order_id: str
    whistle_class: str | None
    unit: str | None
    claim_due: datetime | None
    first_contact_due: datetime | None
    resolve_due: datetime | None
    claimed_at: datetime | None
    resolved_at: datetime | None


@router.get("/work-orders/{order_id}/clocks", response_model=ClocksView, summary="an order's due times")
async def clocks(order: VisibleOrder) -> ClocksView:
    return ClocksView(work_order_id=order.id, whistle_class=order.whistle_class, unit=order.unit,
                      claim_due=order.claim_due, first_contact_due=order.first_contact_due,
                      resolve_due=order.resolve_due, claimed_at=order.claimed_at, resolved_at=order.resolved_at)


def create_escalation_app(settings: CoreSettings | None = None, runtime: Runtime | None = None) -> FastAPI:
    return create_app("Hotline escalation", ("escalation",), [router], settings=settings, runtime=runtime,
                      description="Clocks, reminders, supervision, 上报 and 吹哨/报到.")
