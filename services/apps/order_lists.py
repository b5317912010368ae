"""Lists newest first with a cursor (a unit's own orders; every order for staff) and the audit of
who did what: routes of the feedback service."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from escalation.models import SupervisionLevel
from feedback.exceptions import BadReportParameter
from feedback.periods import EARLIEST, LATEST, parse_day
from intake.citizen import SHOWS_HANDLER
from intake.masking import mask_text
from schemas.access import Permission, Principal, Role
from schemas.lifecycle import State
from schemas.lists import AuditEntry, AuditPage, OrderListItem, OrderPage
from schemas.taxonomy import WhistleClass
from services.apps.dependencies import ReportReader, StaffOrUnit, UowDep, require
from services.apps.paging import Limit, bad_query, order_cursor, page_of, row_cursor
from services.context import DomainContext
from services.db import order_lists
from services.db import repositories as repo
from services.db.order_lists import OrderFilter
from services.db.tables import WorkOrder
from services.errors import Forbidden
from services.orders.lifecycle import unit_or_error

router = APIRouter(prefix="/v1")

AnyOrderReader = Annotated[Principal, Depends(require(Permission.read_any_order))]
def order_filter(
    uow: UowDep,
    state: Annotated[list[State] | None, Query(description="one or more states")] = None,
    whistle_class: Annotated[WhistleClass | None, Query(alias="class")] = None,
    supervision: Annotated[SupervisionLevel | None, Query(description="supervision flag level")] = None,
    overdue: Annotated[bool, Query(description="only open orders whose claim or resolve clock ran out")] = False,
    given_from: Annotated[str | None, Query(alias="from", description="created on or after (county day: YYYY-MM-DD, "
                                                  "or an ISO date-time with its offset)")] = None,
    given_to: Annotated[str | None, Query(alias="to", description="created on or before (county day)")] = None,
) -> OrderFilter:
    ctx = uow.ctx
    try:
        period_from = parse_day("from", given_from, ctx.local_day)
        period_to = parse_day("to", given_to, ctx.local_day)
    except BadReportParameter as exc:
        raise bad_query(exc.field, exc.problem) from None
    for name, day in (("from", period_from), ("to", period_to)):
        if day is not None and not EARLIEST <= day <= LATEST:
            raise bad_query(name, f"{day} is outside {EARLIEST.year}-{LATEST.year}")
    if period_from and period_to and period_to < period_from:
        raise bad_query("to", f"to ({period_to}) is before from ({period_from})")
    return OrderFilter(
        states=tuple(s.value for s in state or ()), whistle_class=whistle_class.value if whistle_class else None,
        supervision=supervision.value if supervision else None, overdue_at=ctx.now() if overdue else None,
        since=_day_start(ctx, period_from) if period_from else None,
        until=_day_start(ctx, period_to + timedelta(days=1)) if period_to else None,
    )


def _day_start(ctx: DomainContext, day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=ctx.timezone)


Filter = Annotated[OrderFilter, Depends(order_filter)]


def _item(order: WorkOrder, now: datetime, role: str | None = None) -> OrderListItem:
    open_ = order.state in order_lists.OPEN_STATES
    overdue = open_ and ((order.resolve_due is not None and order.resolve_due < now)
                         or (order.state == "dispatched" and order.claim_due is not None and order.claim_due < now))
    held = order.state in SHOWS_HANDLER  # e.g. returned (退单): the unit that had it no longer does
    return OrderListItem(
        id=order.id, state=State(order.state), role=role, whistle_class=order.whistle_class, level=order.level,
        unit=order.unit if held else None, matter=order.matter, text=order.text_masked, address=order.address,
        created_at=order.created_at, claim_due=order.claim_due if held else None,
        first_contact_due=order.first_contact_due if held else None,
        resolve_due=order.resolve_due if held else None, supervision_level=order.supervision_level or "none",
        overdue=overdue,
    )


def _page(items: list[OrderListItem], limit: int) -> OrderPage:
    shown, next_cursor = page_of(items, limit, lambda i: (i.created_at, i.id))
    return OrderPage(items=shown, next_cursor=next_cursor)


@router.get("/work-orders", response_model=OrderPage,
            summary="every order, newest first (dispatchers, supervisors, operators), with filters and a cursor")
async def list_work_orders(
    _: AnyOrderReader, uow: UowDep, f: Filter, unit: str | None = None, cursor: str | None = None,
    limit: Limit = 50,
) -> OrderPage:
    if unit is not None:
        unit_or_error(uow.ctx, unit)
        f = OrderFilter(**{**f.__dict__, "unit": unit})
    after = order_cursor(cursor)
    async with uow.read() as session:
        orders = await order_lists.all_orders(session, f, after, limit + 1)
    now = uow.ctx.now()
    return _page([_item(o, now) for o in orders], limit)


@router.get("/units/{unit}/work-orders", response_model=OrderPage,
            summary="the orders in a unit's hands (lead, assisting or summoned), newest first, with filters "
                    "and a cursor")
async def unit_work_orders(
    unit: str, principal: StaffOrUnit, uow: UowDep, f: Filter, cursor: str | None = None, limit: Limit = 50,
) -> OrderPage:
    if principal.role is Role.unit and principal.unit != unit:
        raise Forbidden("a unit key lists only its own unit's orders")
    unit_or_error(uow.ctx, unit)
    after = order_cursor(cursor)
    async with uow.read() as session:
        rows = await order_lists.unit_orders(session, unit, f, after, limit + 1)
    now = uow.ctx.now()
    return _page([_item(o, now, role) for o, role in rows], limit)


@router.get("/audit", response_model=AuditPage,
            summary="who did what: the history records of one actor and/or one order, newest first")
async def audit(
    _: ReportReader, uow: UowDep,
    actor: Annotated[str | None, Query(max_length=128, description="exactly as the history names it, e.g. "
                                       "unit:water_utility/key_… or operator/key_…")] = None,
    order: Annotated[str | None, Query(max_length=40, description="a work-order id")] = None,
    cursor: str | None = None, limit: Limit = 100,
) -> AuditPage:
    if not actor and not order:
        raise bad_query("actor", "give an actor, an order, or both")
    async with uow.read() as session:
        rows = await repo.audit_records(session, actor=actor, order_id=order, after=row_cursor(cursor),
                                        limit=limit + 1)
    rows, next_cursor = page_of(rows, limit, lambda h: (h.at, h.id))
    items = [AuditEntry(id=h.id, at=h.at, actor=h.actor, work_order_id=h.work_order_id, action=h.action,
                        from_state=State(h.from_state) if h.from_state else None, to_state=State(h.to_state),
                        reason=mask_text(h.reason) if h.reason else None,
                        data={k: mask_text(v) if isinstance(v, str) else v for k, v in h.data.items()}
                        if h.data else None)
             for h in rows]
    return AuditPage(items=items, next_cursor=next_cursor)
