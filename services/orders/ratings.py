"""回访 and ratings: the citizen's own rating (citizen token) or the centre's call-back; one rating
per resolution; close, or reopen (重办) to the same unit with fresh clocks; orders nobody rated in
time close unrated. What a rating does is feedback.ratings' business."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from feedback.callbacks import CALLBACK
from feedback.exceptions import NothingToRate
from feedback.models import CallbackIn
from feedback.ratings import action_for_rating, check_may_rate, class_after_reopen, may_rate
from intake.masking import mask_text
from intake.merging import follows_root, rated_this_resolution
from schemas.appeals import RateIn, RatingValue
from schemas.lifecycle import Action, State
from schemas.taxonomy import WhistleClass
from services.context import DomainContext
from services.db import repositories as repo
from services.db.tables import Dispatch, Rating, WorkOrder, WorkOrderHistory
from services.orders import dispatch
from services.orders.followers import tell_followers
from services.orders.lifecycle import check_citizen_token, load_for_update, record, transition

UNRATED_ACTOR = "system:rating-window"


MERGED_RATING = "rate_merged"  # the history action of a merged caller's rating


def rated_resolutions(history: Iterable[WorkOrderHistory]) -> list[int]:
    """The root's hand-overs (resolutions) a merged caller has rated, from their own history."""
    return [int((h.data or {}).get("resolution") or 0) for h in history if h.action == MERGED_RATING]


async def merged_rating_open(session: AsyncSession, ctx: DomainContext, order: WorkOrder,
                             root: WorkOrder) -> tuple[bool, Dispatch | None]:
    """Whether the caller of merged `order` may rate the outcome of `root` now (its resolution waits
    for ratings and this caller has not rated that resolution), and that resolution."""
    resolution = (await repo.latest_dispatches(session, [root.id])).get(root.id)
    if resolution is None or resolution.outcome != "resolved":
        return False, None
    rated = rated_resolutions(await repo.history_of(session, order.id))
    allowed = may_rate(State(root.state), rated=rated_this_resolution(rated, resolution.id), now=ctx.now(),
                       rating_due=root.rating_due, policy=ctx.feedback)
    return allowed, resolution


async def _rated_merged(session: AsyncSession, ctx: DomainContext, order: WorkOrder, *, source: str,
                        rating: RatingValue, solved: bool, comment: str | None, actor: str) -> State:
    """The caller of a merged order rates the outcome of the order it follows: recorded on their own
    order (history, lifecycle event, the order's rating), which stays merged; the root's own rating
    decides its close or reopen, so the matter is resolved and counted once."""
    root = (await repo.roots_of(session, [order])).get(order.id)
    allowed, resolution = (await merged_rating_open(session, ctx, order, root)) if root else (False, None)
    if not allowed or root is None or resolution is None:
        raise NothingToRate(order.id, f"merged into {order.merged_into}, which is not waiting for a rating")
    order.rating, order.solved = rating.value, solved
    return record(session, order, MERGED_RATING, actor=actor, now=ctx.now(), reason=comment,
                  data={"rating": rating.value, "solved": solved, "source": source, "root": root.id,
                        "resolution": resolution.id, "resolved_by": resolution.unit})


async def rate(session: AsyncSession, ctx: DomainContext, order_id: str, body: RateIn, *, actor: str) -> State:
    """The citizen rates their own resolved order: satisfied closes it, unsatisfied reopens it. The
    caller of a merged order rates the outcome of the order it follows (recorded on their own)."""
    order = await load_for_update(session, order_id)
    check_citizen_token(order, body.citizen_token or "")
    if follows_root(order.state, order.merged_into):
        return await _rated_merged(session, ctx, order, source="citizen", rating=body.rating, solved=body.solved,
                                   comment=body.comment, actor=actor)
    return await _rated(session, ctx, order, source="citizen", rating=body.rating, solved=body.solved,
                        comment=body.comment, actor=actor)


async def callback(session: AsyncSession, ctx: DomainContext, order_id: str, body: CallbackIn, *, actor: str) -> State:
    """The centre's 回访: with the citizen reached, their answer is the resolution's rating; a call
    that did not reach them is recorded and the order keeps waiting for its rating."""
    order = await load_for_update(session, order_id)
    now = ctx.now()
    if follows_root(order.state, order.merged_into):
        if not body.contacted:
            return record(session, order, CALLBACK, actor=actor, now=now, reason=body.comment,
                          data={"contacted": False})
        assert body.rating is not None and body.solved is not None
        return await _rated_merged(session, ctx, order, source="callback", rating=body.rating, solved=body.solved,
                                   comment=body.comment, actor=actor)
    if not body.contacted:
        check_may_rate(order.id, State(order.state), rated=order.rating is not None, now=now,
                       rating_due=order.rating_due, policy=ctx.feedback)
        return record(session, order, CALLBACK, actor=actor, now=now, reason=body.comment,
                      data={"contacted": False})
    assert body.rating is not None and body.solved is not None  # CallbackIn checks it
    return await _rated(session, ctx, order, source="callback", rating=body.rating, solved=body.solved,
                        comment=body.comment, actor=actor)


async def _rated(session: AsyncSession, ctx: DomainContext, order: WorkOrder, *, source: str, rating: RatingValue,
                 solved: bool, comment: str | None, actor: str) -> State:
    now = ctx.now()
    state = State(order.state)
    check_may_rate(order.id, state, rated=order.rating is not None, now=now, rating_due=order.rating_due,
                   policy=ctx.feedback)
    resolution = (await repo.latest_dispatches(session, [order.id])).get(order.id)
    assert resolution is not None and resolution.outcome == "resolved"  # a resolved order has its hand-over
    session.add(Rating(work_order_id=order.id, dispatch_id=resolution.id, unit=resolution.unit, source=source,
                       contacted=True, solved=solved, rating=rating.value,
                       comment=mask_text(comment) if comment else None, actor=actor, at=now))
    order.rating, order.solved = rating.value, solved
    data: dict[str, Any] = {"rating": rating.value, "solved": solved, "source": source}
    if action_for_rating(rating) is Action.close:
        if state is State.closed:
            # Closed unrated, and the answer came late: the rating counts, the order stays closed.
            return record(session, order, "rate" if source == "citizen" else CALLBACK, actor=actor, now=now,
                          reason=comment, data=data)
        done = transition(session, order, Action.close, actor=actor, now=now, reason=comment, data=data)
        order.closed_at, order.closed_day = now, ctx.local_day(now)
        await tell_followers(session, ctx, order, "close")
        return done
    reopened = await _reopen(session, ctx, order, actor=actor, reason=comment or "citizen unsatisfied", data=data)
    await tell_followers(session, ctx, order, "reopen")
    return reopened


async def _reopen(session: AsyncSession, ctx: DomainContext, order: WorkOrder, *, actor: str, reason: str,
                  data: dict[str, Any]) -> State:
    """重办: back to the unit whose resolution failed, with fresh clocks (a hard case's, from the
    policy's count of reopens on)."""
    order.reopen_count += 1
    current = WhistleClass(order.whistle_class or WhistleClass.ordinary.value)
    order.whistle_class = class_after_reopen(current, order.reopen_count, ctx.feedback).value
    order.closed_at = order.closed_day = None
    unit = order.resolved_by or order.unit
    assert unit is not None
    return await dispatch.dispatch_to(session, ctx, order, unit_code=unit, actor=actor, reason=reason,
                                      action=Action.reopen, data={**data, "reopen_count": order.reopen_count,
                                                                  "whistle_class": order.whistle_class})


async def close_unrated(session: AsyncSession, ctx: DomainContext, *, limit: int = 200) -> int:
    """Close, unrated, the resolved orders whose rating window has run out (at most `limit`; rows
    another replica is closing are skipped). How many were closed."""
    now = ctx.now()
    closed = 0
    for order in await repo.orders_past_rating_window(session, now, limit):
        if order.state != State.resolved.value or order.rating_due is None or order.rating_due > now:
            continue  # rated or reopened meanwhile
        transition(session, order, Action.close, actor=UNRATED_ACTOR, now=now,
                   reason="no rating within the rating window: closed unrated", data={"unrated": True})
        order.closed_at, order.closed_day = now, ctx.local_day(now)
        await tell_followers(session, ctx, order, "close")
        closed += 1
    return closed
