"""Feedback service: unit actions, ratings, close/reopen, reports."""

from __future__ import annotations

from datetime import date, datetime

from fastapi import APIRouter, FastAPI, Query
from pydantic import BaseModel

from feedback.reports import shares_631
from schemas.appeals import (
    RateIn,
    Report631,
    ReturnIn,
    UnitAction,
    WorkOrderView,
)
from schemas.lifecycle import State
from schemas.taxonomy import Level
from services.apps.common import create_app
from services.apps.dependencies import UowDep, WorkOrderDep
from services.bootstrap import Runtime
from services.db import repositories as repo
from services.orders import lifecycle, ratings, unit_actions
from services.settings import CoreSettings

router = APIRouter(prefix="/v1", tags=["feedback"])


class UnitWorkItem(BaseModel):
    id: str
    state: State
    whistle_class: str | None
    matter: str | None
    text: str
    address: str | None
    claim_due: datetime | None
    resolve_due: datetime | None



async def _view(uow: UowDep, order_id: str) -> WorkOrderView:
    async with uow.read() as session:
        order = await repo.get_order(session, order_id)
        assert order is not None
        history = await repo.history_of(session, order_id)
    fields = {name: getattr(order, name) for name in WorkOrderView.model_fields if hasattr(order, name)}
    return WorkOrderView.model_validate({
        **fields,
        "text": order.text_masked,  # personal numbers masked
        "history": [{"at": h.at, "actor": h.actor, "action": h.action, "from_state": h.from_state,
                     "to_state": h.to_state, "reason": h.reason} for h in history],
    })


@router.get("/work-orders/{order_id}", response_model=WorkOrderView, summary="an order and its history")
async def get_work_order(order: WorkOrderDep, uow: UowDep) -> WorkOrderView:
    return await _view(uow, order.id)


@router.post("/work-orders/{order_id}/claim", response_model=WorkOrderView, summary="签收: the unit claims")
async def claim(order: WorkOrderDep, body: UnitAction, uow: UowDep) -> WorkOrderView:
    async with uow.transaction() as session:
        await unit_actions.claim(session, uow.ctx, order.id, unit=body.unit, actor=body.actor)
    return await _view(uow, order.id)


@router.post("/work-orders/{order_id}/resolve", response_model=WorkOrderView, summary="办结: the unit resolves")
async def resolve(order: WorkOrderDep, body: UnitAction, uow: UowDep) -> WorkOrderView:
    async with uow.transaction() as session:
        await unit_actions.resolve(session, uow.ctx, order.id, unit=body.unit, actor=body.actor, note=body.note)
    return await _view(uow, order.id)


@router.post("/work-orders/{order_id}/return", response_model=WorkOrderView, summary="退单: not this unit's")
async def return_order(order: WorkOrderDep, body: ReturnIn, uow: UowDep) -> WorkOrderView:
    async with uow.transaction() as session:
        await unit_actions.return_order(session, uow.ctx, order.id, unit=body.unit, actor=body.actor,
                                      reason=body.reason)
    return await _view(uow, order.id)


@router.post("/work-orders/{order_id}/rate", response_model=WorkOrderView, summary="回访: the citizen rates")
async def rate(order: WorkOrderDep, body: RateIn, uow: UowDep) -> WorkOrderView:
    async with uow.transaction() as session:
        await ratings.rate(session, uow.ctx, order.id, body, actor="citizen")
    return await _view(uow, order.id)


@router.get("/units/{unit}/work-orders", response_model=list[UnitWorkItem],
            summary="a unit's own orders (for unit systems that work over REST)")
async def unit_work_orders(
    unit: str, uow: UowDep, state: State | None = None, limit: int = Query(default=100, ge=1, le=1000)
) -> list[UnitWorkItem]:
    lifecycle.unit_or_error(uow.ctx, unit)
    async with uow.read() as session:
        orders = await repo.list_orders(session, unit=unit, state=state.value if state else None, limit=limit)
    return [UnitWorkItem(id=o.id, state=State(o.state), whistle_class=o.whistle_class, matter=o.matter,
                         text=o.text_masked, address=o.address, claim_due=o.claim_due, resolve_due=o.resolve_due)
            for o in orders if State(o.state) in (State.dispatched, State.claimed, State.resolved, State.closed)]


@router.get("/reports/631", response_model=Report631, summary="share resolved at village/township/county")
async def report_631(
    uow: UowDep,
    period_from: date | None = Query(default=None, alias="from"),
    period_to: date | None = Query(default=None, alias="to"),
    township: str | None = None,
) -> Report631:
    async with uow.read() as session:
        counts = await repo.resolution_counts(session, since=period_from, until=period_to, township=township)
    total, levels = shares_631({Level(k): v for k, v in counts.items()})
    return Report631(period_from=period_from.isoformat() if period_from else None,
                     period_to=period_to.isoformat() if period_to else None,
                     township=township, total=total, levels=levels)


@router.get("/reports/states", summary="how many orders are in each state")
async def report_states(uow: UowDep) -> dict[str, int]:
    async with uow.read() as session:
        return await repo.count_by_state(session)


def create_feedback_app(settings: CoreSettings | None = None, runtime: Runtime | None = None) -> FastAPI:
    return create_app("Hotline feedback", ("feedback",), [router], settings=settings, runtime=runtime,
                      description="Unit actions, 回访 and ratings, close/reopen, reports.")
