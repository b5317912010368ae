"""Escalation service: clocks, the supervision sweep (a scheduled job of this service), 上报,
吹哨 / 报到 / 以下评上, extensions (延期) and the supervision list."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Path, Query
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from intake.citizen import SHOWS_HANDLER
from intake.masking import mask_text
from schemas.access import Permission, Principal
from schemas.escalation import (
    MAX_ID,
    DutyReportIn,
    ExtensionDecisionIn,
    ExtensionIn,
    ExtensionPage,
    ExtensionState,
    ExtensionView,
    ReportUpIn,
    SummonsView,
    SupervisionItem,
    SupervisionPage,
    WhistleIn,
    WhistleRatingsIn,
    WhistleView,
)
from schemas.lifecycle import State
from schemas.taxonomy import WhistleClass
from services.apps.common import create_app
from services.apps.dependencies import ReportReader, UnitCaller, UnitOrder, UowDep, VisibleOrder, require
from services.apps.paging import Limit, page_of, row_cursor
from services.bootstrap import Runtime
from services.db import escalation as esc_repo
from services.db import repositories as repo
from services.db.tables import Extension, WhistleCall, WorkOrder
from services.orders import extensions
from services.orders.acting import UnitActor
from services.orders.lifecycle import unit_or_error
from services.orders.unit_commands import REGISTRY
from services.settings import CoreSettings

router = APIRouter(prefix="/v1", tags=["escalation"])
ExtensionDecider = Annotated[Principal, Depends(require(Permission.decide_extension))]


class ClocksView(BaseModel):
    work_order_id: str
    whistle_class: str | None
    unit: str | None
    claim_due: datetime | None
    first_contact_due: datetime | None
    resolve_due: datetime | None
    claimed_at: datetime | None
    resolved_at: datetime | None
    supervision_level: str
    next_check_at: datetime | None


class Outcome(BaseModel):
    work_order_id: str
    state: State
    unit: str | None


def _who(principal: Principal) -> UnitActor:
    assert principal.unit is not None  # unit keys always name their unit (services.keys)
    return UnitActor(principal.unit, principal.actor)


@router.get("/work-orders/{order_id}/clocks", response_model=ClocksView, summary="an order's due times")
async def clocks(order: VisibleOrder) -> ClocksView:
    held = order.state in SHOWS_HANDLER  # e.g. returned (退单): nobody holds it, no clock of a unit runs
    return ClocksView(work_order_id=order.id, whistle_class=order.whistle_class, unit=order.unit if held else None,
                      claim_due=order.claim_due if held else None,
                      first_contact_due=order.first_contact_due if held else None,
                      resolve_due=order.resolve_due if held else None, claimed_at=order.claimed_at if held else None,
                      resolved_at=order.resolved_at, supervision_level=order.supervision_level or "none",
                      next_check_at=order.next_check_at)


# ---- 上报 ------------------------------------------------------------------------------------
@router.post("/work-orders/{order_id}/report-up", response_model=Outcome,
             summary="上报: the village leading the order passes it up to its township (fresh clocks)")
async def report_up(order: UnitOrder, body: ReportUpIn, uow: UowDep, principal: UnitCaller) -> Outcome:
    async with uow.transaction() as session:
        state = await REGISTRY.run(session, uow.ctx, "report_up", order.id, _who(principal), body)
        now = await _current(session, order.id)
    return Outcome(work_order_id=order.id, state=state, unit=now.unit)


async def _current(session: AsyncSession, order_id: str) -> WorkOrder:
    found = await repo.get_order(session, order_id)
    assert found is not None
    return found


# ---- 吹哨 / 报到 / 以下评上 --------------------------------------------------------------------
# The free text below is stored masked; masked again as shown, for rows kept before it was (as views.py does).
def _whistle_view(call: WhistleCall, summons: list[SummonsView]) -> WhistleView:
    return WhistleView(whistle_call_id=call.id, work_order_id=call.work_order_id, township=call.township,
                       whistle_class=WhistleClass(call.whistle_class), reason=mask_text(call.reason),
                       blown_at=call.blown_at, summons=summons)


async def _call_view(uow: UowDep, order_id: str, township: str, call_id: int | None = None) -> WhistleView:
    async with uow.read() as session:
        call = (await esc_repo.get_call(session, call_id) if call_id is not None
                else await esc_repo.latest_call(session, order_id, township))
        assert call is not None
        rows = await esc_repo.call_summons(session, call.id)
    return _whistle_view(call, [SummonsView(department=s.department, report_due=s.report_due,
                                            reported_at=s.reported_at, on_time=s.on_time, rating=s.rating,
                                            rating_comment=mask_text(s.rating_comment) if s.rating_comment
                                            else None) for s in rows])


@router.post("/work-orders/{order_id}/whistle", response_model=WhistleView, status_code=201,
             summary="吹哨: the township leading the order calls county departments (each must report for duty)")
async def whistle(order: UnitOrder, body: WhistleIn, uow: UowDep, principal: UnitCaller) -> WhistleView:
    who = _who(principal)
    async with uow.transaction() as session:
        await REGISTRY.run(session, uow.ctx, "whistle", order.id, who, body)
    return await _call_view(uow, order.id, who.unit)


@router.post("/work-orders/{order_id}/report-duty", response_model=SummonsView,
             summary="报到: a department summoned by a whistle reports for duty (on time or late)")
async def report_duty(order: UnitOrder, uow: UowDep, principal: UnitCaller,
                      body: DutyReportIn | None = None) -> SummonsView:
    who = _who(principal)
    async with uow.transaction() as session:
        await REGISTRY.run(session, uow.ctx, "report_duty", order.id, who, body or DutyReportIn())
    async with uow.read() as session:
        mine = [s for s, _ in await esc_repo.summons_of(session, order.id, who.unit) if s.reported_at]
    latest = max(mine, key=lambda s: s.reported_at or s.summoned_at)
    return SummonsView(department=latest.department, report_due=latest.report_due, reported_at=latest.reported_at,
                       on_time=latest.on_time)


@router.post("/work-orders/{order_id}/whistle-ratings", response_model=WhistleView,
             summary="以下评上: the township rates each department that reported to its whistle (1-5)")
async def whistle_ratings(order: UnitOrder, body: WhistleRatingsIn, uow: UowDep,
                          principal: UnitCaller) -> WhistleView:
    who = _who(principal)
    async with uow.transaction() as session:
        await REGISTRY.run(session, uow.ctx, "whistle_ratings", order.id, who, body)
    return await _call_view(uow, order.id, who.unit, body.whistle_call_id)


# ---- 延期 ------------------------------------------------------------------------------------
def _extension_view(ext: Extension, order: WorkOrder, hand_over_ended: bool = False) -> ExtensionView:
    state = ExtensionState(ext.state)
    if state is ExtensionState.pending and hand_over_ended:
        state = ExtensionState.lapsed
    return ExtensionView(id=ext.id, work_order_id=ext.work_order_id, unit=ext.unit, days=ext.days,
                         reason=mask_text(ext.reason), state=state, requested_at=ext.requested_at,
                         requested_by=ext.requested_by, resolve_due=order.resolve_due, decided_at=ext.decided_at,
                         decided_by=ext.decided_by, new_due=ext.new_due,
                         decision_reason=mask_text(ext.decision_reason) if ext.decision_reason else None)


@router.post("/work-orders/{order_id}/extension", response_model=ExtensionView, status_code=201,
             summary="延期: the lead unit asks for more working days, before its resolve due time")
async def request_extension(order: UnitOrder, body: ExtensionIn, uow: UowDep, principal: UnitCaller) -> ExtensionView:
    async with uow.transaction() as session:
        await REGISTRY.run(session, uow.ctx, "request_extension", order.id, _who(principal), body)
    async with uow.read() as session:
        ext = await esc_repo.latest_extension(session, order.id)
        assert ext is not None
        return _extension_view(ext, await _current(session, order.id))


@router.get("/extensions", response_model=ExtensionPage,
            summary="extension requests, newest first (a dispatcher's queue with ?state=pending)")
async def list_extensions(
    uow: UowDep, _: ExtensionDecider, state: ExtensionState | None = None, cursor: str | None = None,
    limit: Limit = 50,
) -> ExtensionPage:
    async with uow.read() as session:
        rows = await esc_repo.extensions_page(session, state=state.value if state else None, after=row_cursor(cursor),
                                              limit=limit + 1)
    rows, next_cursor = page_of(rows, limit, lambda r: (r[0].requested_at, r[0].id))
    return ExtensionPage(items=[_extension_view(e, o, ended is not None) for e, o, ended in rows],
                         next_cursor=next_cursor)


@router.post("/extensions/{extension_id}/decision", response_model=ExtensionView,
             summary="a dispatcher approves (the resolve clock moves) or refuses an extension")
async def decide_extension(extension_id: Annotated[int, Path(ge=1, le=MAX_ID)], body: ExtensionDecisionIn, uow: UowDep,
                           principal: ExtensionDecider) -> ExtensionView:
    async with uow.transaction() as session:
        ext = await extensions.decide_extension(session, uow.ctx, extension_id, body, actor=principal.actor)
        order = await _current(session, ext.work_order_id)
        view = _extension_view(ext, order)
    return view


# ---- supervision -----------------------------------------------------------------------------
@router.get("/supervision", response_model=SupervisionPage,
            summary="overdue and escalated orders: the levels raised, newest first, by unit and level")
async def supervision(
    uow: UowDep, _: ReportReader, unit: str | None = None, level: str | None = Query(
        default=None, pattern="^(remind|supervise|notify)$"),
    open_only: bool = Query(default=True, description="only orders still in a unit's hands"),
    cursor: str | None = None, limit: Limit = 50,
) -> SupervisionPage:
    if unit:
        unit_or_error(uow.ctx, unit)  # an unknown unit is named (422), as every other list does
    async with uow.read() as session:
        rows = await esc_repo.supervision_page(session, unit=unit, level=level, open_only=open_only,
                                               after=row_cursor(cursor), limit=limit + 1)
    rows, next_cursor = page_of(rows, limit, lambda r: (r[0].raised_at, r[0].id))
    items = [SupervisionItem(work_order_id=o.id, unit=r.unit, clock=r.clock, level=r.level, due=r.due,
                             raised_at=r.raised_at, state=o.state, order_level=o.supervision_level,
                             whistle_class=o.whistle_class, township=o.township) for r, o in rows]
    return SupervisionPage(items=items, next_cursor=next_cursor)


def create_escalation_app(settings: CoreSettings | None = None, runtime: Runtime | None = None) -> FastAPI:
    return create_app("Hotline escalation", ("escalation",), [router], settings=settings, runtime=runtime,
                      description="Clocks, reminders, supervision, 上报 and 吹哨/报到, extensions.")

