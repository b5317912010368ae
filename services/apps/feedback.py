"""Feedback service: unit actions, ratings, close/reopen, reports."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI
from pydantic import BaseModel

from feedback.models import CallbackIn
from schemas.access import Permission, Principal
from schemas.appeals import RateIn, WorkOrderView
from schemas.lifecycle import State
from schemas.lists import CallbackPage
from services.apps import dashboard, order_lists, reports
from services.apps.common import create_app
from services.apps.dependencies import (
    CitizenToken,
    StaffOrUnit,
    UowDep,
    VisibleOrder,
    WorkOrderDep,
    present_citizen_token,
    require,
    valid_work_order,
)
from services.apps.paging import Limit, bad_query, decode_cursor, page_of
from services.apps.unit_routes import add_unit_command_routes
from services.apps.views import order_view
from services.bootstrap import Runtime
from services.orders import callbacks as callback_list
from services.orders import ratings
from services.settings import CoreSettings

router = APIRouter(prefix="/v1", tags=["feedback"])

CallbackCaller = Annotated[Principal, Depends(require(Permission.callback))]


class CitizenRated(BaseModel):
    work_order_id: str
    state: State


@router.get("/work-orders/{order_id}", response_model=WorkOrderView,
            summary="an order and its history (a unit: only orders in its hands)")
async def get_work_order(order: VisibleOrder, uow: UowDep, principal: StaffOrUnit) -> WorkOrderView:
    return await order_view(uow, order.id, principal)


@router.post("/work-orders/{order_id}/rate", response_model=CitizenRated,
             summary="回访: the citizen rates their own resolved order (citizen token)")
async def rate(order_id: str, body: RateIn, uow: UowDep, x_citizen_token: CitizenToken = None) -> CitizenRated:
    # The token in the body or, as the citizen's other requests send it, the header; checked for
    # presence before the order is looked up, so no answer says which ids exist.
    if body.citizen_token is None:
        body = body.model_copy(update={"citizen_token": present_citizen_token(order_id, x_citizen_token)})
    order = await valid_work_order(order_id, uow)
    async with uow.transaction() as session:
        state = await ratings.rate(session, uow.ctx, order.id, body, actor="citizen")
    return CitizenRated(work_order_id=order.id, state=state)


@router.post("/work-orders/{order_id}/callback", response_model=CitizenRated,
             summary="回访: the centre called the citizen back (contacted? solved? satisfied?); operator key")
async def callback(principal: CallbackCaller, order: WorkOrderDep, body: CallbackIn, uow: UowDep) -> CitizenRated:
    async with uow.transaction() as session:
        state = await ratings.callback(session, uow.ctx, order.id, body, actor=principal.actor)
    return CitizenRated(work_order_id=order.id, state=state)


@router.get("/callbacks", response_model=CallbackPage,
            summary="回访 worklist: resolved orders waiting for their callers' answer, the soonest to close unrated "
                    "first, with everyone to call and their numbers (operator key)")
async def callbacks(_: CallbackCaller, uow: UowDep, cursor: str | None = None, limit: Limit = 50) -> CallbackPage:
    after = decode_cursor(cursor) if cursor else None
    if after is not None and not isinstance(after[1], str):
        raise bad_query("cursor", "not a cursor this list gave out")
    async with uow.read() as session:
        items = await callback_list.worklist(session, uow.ctx, after, limit + 1)
    shown, next_cursor = page_of(items, limit, lambda i: (i.rating_due, i.work_order_id))
    return CallbackPage(items=shown, next_cursor=next_cursor)


add_unit_command_routes(router, "feedback")

# Each with its whole path (/v1/…): a router nested in another keeps its own path as the route's
# template, which the access log and the metrics name (GET /reports/rates, not /v1/reports/rates).
ROUTERS = (router, reports.router, order_lists.router, dashboard.router)


def create_feedback_app(settings: CoreSettings | None = None, runtime: Runtime | None = None) -> FastAPI:
    return create_app("Hotline feedback", ("feedback",), list(ROUTERS), settings=settings, runtime=runtime,
                      description="Unit actions, 回访 and ratings, close/reopen, reports.")
