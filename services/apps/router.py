"""Router service: classification and dispatch run as a consumer; the API explains decisions."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from pydantic import BaseModel, Field

from schemas.lifecycle import State
from schemas.review import ReassignIn, ReviewIn, ReviewPage, UnlinkIn
from schemas.routing import RoutingDecision
from schemas.taxonomy import Channel
from schemas.validation import CleanInput
from services import review
from services.apps.common import create_app
from services.apps.dependencies import (
    Classifier,
    Reviewer,
    RuntimeDep,
    UnitOfWork,
    UnitsReader,
    UowDep,
    WorkOrderDep,
)
from services.apps.paging import Limit, order_cursor, page_of
from services.bootstrap import Runtime
from services.db import repositories as repo
from services.settings import CoreSettings

router = APIRouter(prefix="/v1", tags=["router"])


class ClassifyIn(CleanInput):
    text: str = Field(min_length=2, max_length=5000)
    channel: Channel | None = None  # an unknown channel is refused, as intake refuses it
    address: str | None = Field(default=None, max_length=300)


class ReviewOutcome(BaseModel):
    work_order_id: str
    state: State
    unit: str | None
    matter: str | None


@router.post("/classify", response_model=RoutingDecision, summary="what the router would decide (dry run)")
async def classify(body: ClassifyIn, runtime: RuntimeDep, _: Classifier) -> RoutingDecision:
    return runtime.ctx.router.route(body.text, channel=body.channel.value if body.channel else None,
                                    address=body.address)


@router.get("/units", summary="every handling unit and its dispatch topic")
async def units(runtime: RuntimeDep, _: UnitsReader) -> list[dict[str, str | None]]:
    return [
        {"code": u.code, "name": u.name, "kind": u.kind.value, "level": u.level.value, "parent": u.parent,
         "topic": f"hotline.dispatch.{u.code}"}
        for u in runtime.ctx.router.units().values()
    ]


@router.get("/review-queue", response_model=ReviewPage,
            summary="orders waiting for a dispatcher, oldest first, a page at a time")
async def review_queue(uow: UowDep, _: Reviewer, cursor: str | None = None, limit: Limit = 100) -> ReviewPage:
    after = order_cursor(cursor)
    async with uow.read() as session:
        items = await review.review_queue(session, uow.ctx, (after.created_at, after.id) if after else None,
                                          limit + 1)
    shown, next_cursor = page_of(items, limit, lambda i: (i.created_at, i.work_order_id))
    return ReviewPage(items=shown, next_cursor=next_cursor)


@router.post("/work-orders/{order_id}/review", response_model=ReviewOutcome,
             summary="a dispatcher confirms, overrides, redirects, merges or invalidates")
async def review_order(principal: Reviewer, order: WorkOrderDep, body: ReviewIn, uow: UowDep) -> ReviewOutcome:
    async with uow.transaction() as session:
        state = await review.review(session, uow.ctx, order.id, body, actor=principal.actor)
    return await _outcome(uow, order.id, state)


@router.post("/work-orders/{order_id}/reassign", response_model=ReviewOutcome,
             summary="改派: a dispatcher hands an order already with a unit to another unit (fresh clocks)")
async def reassign_order(principal: Reviewer, order: WorkOrderDep, body: ReassignIn, uow: UowDep) -> ReviewOutcome:
    async with uow.transaction() as session:
        state = await review.reassign(session, uow.ctx, order.id, body, actor=principal.actor)
    return await _outcome(uow, order.id, state)


@router.post("/work-orders/{order_id}/unlink", response_model=ReviewOutcome,
             summary="a dispatcher undoes a 并单: the merged order becomes its own and is routed (dispatcher key)")
async def unlink_order(principal: Reviewer, order: WorkOrderDep, body: UnlinkIn, uow: UowDep) -> ReviewOutcome:
    async with uow.transaction() as session:
        state = await review.unlink(session, uow.ctx, order.id, body, actor=principal.actor)
    return await _outcome(uow, order.id, state)


async def _outcome(uow: UnitOfWork, order_id: str, state: State) -> ReviewOutcome:
    async with uow.read() as session:
        current = await repo.get_order(session, order_id)
    assert current is not None
    return ReviewOutcome(work_order_id=order_id, state=state, unit=current.unit, matter=current.matter)


def create_router_app(settings: CoreSettings | None = None, runtime: Runtime | None = None) -> FastAPI:
    return create_app("Hotline router", ("router",), [router], settings=settings, runtime=runtime,
                      description="Classification, jurisdiction and precise dispatch (精准派单).")
