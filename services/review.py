"""The dispatchers' review queue: orders the router was not sure of, and orders units returned.
Confirming dispatches the router's suggestion; overriding dispatches elsewhere and records a
correction that `hotline router train` learns from."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from feedback.exceptions import NotNow
from feedback.returns import needs_arbitration
from intake.masking import mask_text
from intake.merging import takes_followers
from router.models import LabelledRecord, Matter, Unit
from schemas.lifecycle import Action, State, next_state
from schemas.review import ReassignIn, ReviewAction, ReviewIn, ReviewItem, UnlinkIn
from schemas.taxonomy import UnitKind
from services.context import DomainContext
from services.db import repositories as repo
from services.db.engine import make_engine, make_session_factory
from services.db.tables import Dispatch, RoutingCorrection, WorkOrder
from services.errors import (
    MatterOfAnotherDepartment,
    MergeIntoItself,
    MergeTargetClosed,
    NothingToConfirm,
    OrderNotFound,
    UnknownMatter,
)
from services.orders import dispatch, lifecycle
from services.orders.followers import hand_on, merge_into


async def review_queue(
    session: AsyncSession, ctx: DomainContext, after: tuple[datetime, str] | None, limit: int,
) -> list[ReviewItem]:
    """Orders waiting for a dispatcher, oldest first, at most `limit` after the (created_at, id)
    cursor `after`; those returned too often are marked for arbitration (仲裁)."""
    orders = await repo.list_orders(session, state=State.pending_review.value, after=after, limit=limit)
    ids = [o.id for o in orders]
    latest = await repo.latest_dispatches(session, ids)
    returns = await repo.latest_history(session, ids, action=Action.return_.value)
    items = []
    for order in orders:
        returned = _returned(latest.get(order.id))
        last = returns.get(order.id) if returned is not None else None
        code = str((last.data or {}).get("return_reason") or "") or None if last is not None else None
        arbitrate = returned is not None and needs_arbitration(order.return_count, ctx.feedback)
        if returned is None:
            why = f"router confidence {order.confidence or 0:.2f}"
            threshold = (order.routing or {}).get("review_threshold")
            if not isinstance(threshold, int | float) or threshold == ctx.review_threshold:
                # the router records the default too, for matters with too little history
                why += f" below the review threshold {ctx.review_threshold:.2f}"
            elif threshold > 1:
                why += " (its matter is always reviewed: units returned or dispatchers corrected it too often)"
            else:
                why += f" below its matter's threshold {threshold:.2f}, learned from history"
        else:
            why = f"returned by {returned.unit}" + (f" ({code}: {mask_text(last.reason)})" if last and last.reason
                                                     else "")
            if arbitrate:
                why += (f"; returned {order.return_count} times: arbitrate (仲裁) — the unit you name keeps it "
                        "and may not return it again")
        items.append(ReviewItem(work_order_id=order.id, channel=order.channel, text=order.text_masked,
                                address=order.address, created_at=order.created_at, why=why,
                                returned_by=returned.unit if returned else None, return_reason=code,
                                returns=order.return_count, arbitration=arbitrate, suggestion=order.routing))
    return items


def _returned(last: Dispatch | None) -> Dispatch | None:
    """The order's latest hand-over, if it ended with the unit returning the order."""
    return last if last is not None and last.outcome == "returned" else None


async def review(session: AsyncSession, ctx: DomainContext, order_id: str, body: ReviewIn, *, actor: str) -> State:
    """Carry out a dispatcher's decision on an order in the review queue."""
    order = await lifecycle.load_for_update(session, order_id)
    now = ctx.now()
    if body.action is ReviewAction.redirect:
        assert body.line is not None
        return await dispatch.redirect(session, ctx, order, body.line, actor=actor,
                                   reason=body.reason or "redirected by dispatcher")
    if body.action is ReviewAction.merge:
        assert body.merge_into is not None
        if body.merge_into == order.id:
            raise MergeIntoItself(order.id)
        named = await repo.get_order(session, body.merge_into)
        if named is None:
            raise OrderNotFound(body.merge_into)
        # As intake's 并单: the order follows the incident's root, one that is still worked on.
        root = (await repo.roots_of(session, [named])).get(named.id, named)
        if root.id == order.id:
            raise MergeIntoItself(order.id, named.id)
        if not takes_followers(root.state):
            raise MergeTargetClosed(named.id, root.id, root.state)
        return await merge_into(session, order, root.id, actor=actor, now=now, reason=body.reason,
                                recall_reason=f"并单: {root.id}")
    if body.action is ReviewAction.invalidate:
        state = lifecycle.transition(session, order, Action.invalidate, actor=actor, now=now, reason=body.reason)
        # Reports merged into it told of a real incident: the earliest takes it over, as on a withdrawal.
        await hand_on(session, ctx, order, reason="并单的原工单被判为无效诉求，由本工单接替办理")
        return state

    next_state(State(order.state), Action.dispatch)  # an order no longer waiting says so, whatever the suggestion
    suggestion = order.routing or {}
    returned = _returned((await repo.latest_dispatches(session, [order.id])).get(order.id))
    if body.action is ReviewAction.confirm:
        unit = suggestion.get("unit")
        if not unit or (returned is not None and unit == returned.unit):
            raise NothingToConfirm(f"work order {order.id}: the router made no usable suggestion; override with a unit")
        return await dispatch.dispatch_to(session, ctx, order, unit_code=unit, actor=actor,
                                            reason=body.reason or "confirmed by dispatcher")
    assert body.unit is not None
    target = lifecycle.unit_or_error(ctx, body.unit)
    matter = _named_matter(ctx, target, body.matter)
    if matter is not None:
        order.matter = matter.code
        order.dept = matter.dept
    else:
        _clear_a_matter_it_does_not_take(ctx, order, target)
        if target.level.value == "county":
            order.dept = target.code
    if body.whistle_class:
        order.whistle_class = body.whistle_class.value
    original_unit = returned.unit if returned is not None else suggestion.get("unit")
    if original_unit != target.code:
        session.add(RoutingCorrection(
            work_order_id=order.id, at=now, source="unit_return" if returned is not None else "review_override",
            actor=actor, text=order.text_masked, original_unit=original_unit,
            original_matter=suggestion.get("matter"), original_level=suggestion.get("level"),
            corrected_unit=target.code, corrected_matter=matter.code if matter else None,
            corrected_dept=order.dept if target.level.value == "county" else None,
            corrected_level=target.level.value, reason=mask_text(body.reason) if body.reason else None,
        ))
    return await dispatch.dispatch_to(session, ctx, order, unit_code=target.code, actor=actor,
                                        reason=body.reason or "dispatched by dispatcher")


def _may_take(target: Unit, matter: Matter) -> bool:
    """Whether `target` may be given `matter`: a county department only one it owns or assists with."""
    return target.kind is not UnitKind.department or matter.handled_by_department(target.code)


def _clear_a_matter_it_does_not_take(ctx: DomainContext, order: WorkOrder, target: Unit) -> None:
    """No matter named for `target` (override, 改派): the router's matter stays only where `target` may take
    it. Kept for a department that neither owns nor assists with it, it would count in the hot spots, the
    per-matter thresholds and the learned history under the wrong owner."""
    catalogue = ctx.router.parts.catalogue
    if order.matter and order.matter in catalogue and not _may_take(target, catalogue.get(order.matter)):
        order.matter = None


def _named_matter(ctx: DomainContext, target: Unit, code: str | None) -> Matter | None:
    """The catalogue matter a dispatcher names with a unit (override, 改派), checked: it exists, and a
    county department is given only a matter it owns or assists with."""
    if not code:
        return None
    if code not in ctx.router.parts.catalogue:
        raise UnknownMatter(f"matter {code!r} is not in the responsibility catalogue")
    matter = ctx.router.parts.catalogue.get(code)
    if not _may_take(target, matter):
        raise MatterOfAnotherDepartment(f"matter {matter.code!r} is {matter.owner}'s, not {target.code}'s: "
                                        f"name a matter {target.code} owns or assists with, or leave matter out")
    return matter


async def reassign(session: AsyncSession, ctx: DomainContext, order_id: str, body: ReassignIn, *,
                   actor: str) -> State:
    """改派: a dispatcher hands an order already in a unit's hands to another unit, with fresh
    clocks; recorded as a routing correction; the units that lose it are told on their topics."""
    order = await lifecycle.load_for_update(session, order_id)
    next_state(State(order.state), Action.reassign)  # refuses at once when the order is not with a unit
    target = lifecycle.unit_or_error(ctx, body.unit)
    if order.unit == target.code:
        raise NotNow(f"work order {order.id} is already with {target.code}")
    named = _named_matter(ctx, target, body.matter)
    original_matter = order.matter
    if named is not None:
        order.matter = named.code
    else:
        _clear_a_matter_it_does_not_take(ctx, order, target)
    now = ctx.now()
    if body.whistle_class:
        order.whistle_class = body.whistle_class.value
    county = target.level.value == "county"
    if county:
        order.dept = target.code
    session.add(RoutingCorrection(
        work_order_id=order.id, at=now, source="reassign", actor=actor, text=order.text_masked,
        original_unit=order.unit, original_matter=original_matter, original_level=order.level,
        corrected_unit=target.code, corrected_matter=named.code if named else None,
        corrected_dept=target.code if county else None,
        corrected_level=target.level.value, reason=mask_text(body.reason) if body.reason else None,
    ))
    state = await dispatch.dispatch_to(session, ctx, order, unit_code=target.code, actor=actor, reason=body.reason,
                                       action=Action.reassign, data={"from_unit": order.unit})
    return state  # the units that lost it are told by dispatch_to


async def unlink(session: AsyncSession, ctx: DomainContext, order_id: str, body: UnlinkIn, *, actor: str) -> State:
    """A dispatcher undoes a 并单: the merged order leaves the order it was merged into, becomes its own
    order (`received`) and is routed at once like any new one (dispatched, held for review or
    redirected). TransitionNotAllowed when the order is not merged."""
    order = await lifecycle.load_for_update(session, order_id)
    root = order.merged_into
    lifecycle.transition(session, order, Action.unlink, actor=actor, now=ctx.now(), reason=body.reason,
                         data={"unlinked_from": root})
    order.merged_into = None
    return await dispatch.route_order(session, ctx, order.id)


async def training_history(session: AsyncSession, *, limit: int = 200_000) -> list[LabelledRecord]:
    """What the router learns from: every correction (weighted up) and every order that closed
    without being returned or reopened (the routing was right)."""
    records: list[LabelledRecord] = []
    corrections: Sequence[RoutingCorrection] = (await session.execute(
        select(RoutingCorrection).order_by(RoutingCorrection.id.desc()).limit(limit))).scalars().all()
    corrected = set()
    for c in corrections:
        corrected.add(c.work_order_id)
        records.append(LabelledRecord(text=c.text, matter=c.corrected_matter, dept=c.corrected_dept,
                                      level=c.corrected_level, weight=3.0))
    closed: Sequence[WorkOrder] = (await session.execute(
        select(WorkOrder).where(WorkOrder.state == State.closed.value, WorkOrder.return_count == 0,
                                WorkOrder.reopen_count == 0).order_by(WorkOrder.closed_at.desc()).limit(limit)
    )).scalars().all()
    for o in closed:
        if o.id not in corrected and (o.matter or o.dept):
            records.append(LabelledRecord(text=o.text_masked, matter=o.matter, dept=o.dept,
                                          level=o.resolved_level or o.level))
    return records


async def load_training_history(database_url: str) -> list[LabelledRecord]:
    """`training_history` read from the database at `database_url` (for `hotline router train`)."""
    engine = make_engine(database_url)
    try:
        async with make_session_factory(engine)() as session:
            return await training_history(session)
    finally:
        await engine.dispose()
