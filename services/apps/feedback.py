"""Feedback service: unit actions, ratings, close/reopen, reports."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Query
from pydantic import BaseModel

from feedback.models import CallbackIn
from schemas.access import Permission, Principal, Role
from schemas.appeals import RateIn, WorkOrderView
from schemas.lifecycle import State
from services.apps import dashboard, reports
from services.apps.common import create_app
from services.apps.dependencies import StaffOrUnit, UowDep, VisibleOrder, WorkOrderDep, require
from services.apps.unit_routes import add_unit_command_routes
from services.apps.views import order_view
from services.bootstrap import Runtime
from services.db import repositories as repo
from services.errors import Forbidden
from services.orders import lifecycle, ratings
from services.settings import CoreSettings

router = APIRouter(prefix="/v1", tags=["feedback"])

CallbackCaller = Annotated[Principal, Depends(require(Permission.callback))]


class CitizenRated(BaseModel):
    work_order_id: str
    state: State


class UnitWorkItem(BaseModel):
    id: str
    state: State
    whistle_class: str | None
    matter: str | None
    text: str
    address: str | None
    claim_due: datetime | None
    resolve_due: datetime | None


@router.get("/work-orders/{order_id}", response_model=WorkOrderView,
            summary="an order and its history (a unit: only orders in its hands)")
async def get_work_order(order: VisibleOrder, uow: UowDep, principal: StaffOrUnit) -> WorkOrderView:
    return await order_view(uow, order.id, principal)


@router.post("/work-orders/{order_id}/rate", response_model=CitizenRated,
             summary="回访: the citizen rates their own resolved order (citizen token)")
async def rate(order: WorkOrderDep, body: RateIn, uow: UowDep) -> CitizenRated:
    async with uow.transaction() as session:
        state = await ratings.rate(session, uow.ctx, order.id, body, actor="citizen")
    return CitizenRated(work_order_id=order.id, state=state)


@router.post("/work-orders/{order_id}/callback", response_model=CitizenRated,
             summary="回访: the centre called the citizen back (contacted? solved? satisfied?); operator key")
async def callback(principal: CallbackCaller, order: WorkOrderDep, body: CallbackIn, uow: UowDep) -> CitizenRated:
    async with uow.transaction() as session:
        state = await ratings.callback(session, uow.ctx, order.id, body, actor=principal.actor)
    return CitizenRated(work_order_id=order.id, state=state)


@router.get("/units/{unit}/work-orders", response_model=list[UnitWorkItem],
            summary="a unit's own orders (for unit systems that work over REST)")
async def unit_work_orders(
    unit: str, uow: UowDep, principal: StaffOrUnit, state: State | None = None,
    limit: int = Query(default=100, ge=1, le=1000),
) -> list[UnitWorkItem]:
    if principal.role is Role.unit and principal.unit != unit:
        raise Forbidden("a unit key lists only its own unit's orders")
    lifecycle.unit_or_error(uow.ctx, unit)
    async with uow.read() as session:
        orders = await repo.list_orders(session, unit=unit, state=state.value if state else None, limit=limit)
    return [UnitWorkItem(id=o.id, state=State(o.state), whistle_class=o.whistle_class, matter=o.matter,
                         text=o.text_masked, address=o.address, claim_due=o.claim_due, resolve_due=o.resolve_due)
            for o in orders if State(o.state) in (State.dispatched, State.claimed, State.resolved, State.closed)]


router.include_router(reports.router)


add_unit_command_routes(router, "feedback")


def create_feedback_app(settings: CoreSettings | None = None, runtime: Runtime | None = None) -> FastAPI:
    return create_app("Hotline feedback", ("feedback",), [router, dashboard.router], settings=settings, runtime=runtime,
                      description="Unit actions, 回访 and ratings, close/reopen, reports.")
