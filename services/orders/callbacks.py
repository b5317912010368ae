"""The centre's 回访 worklist (feedback.callbacks): resolved orders waiting for their callers'
answer, soonest to close unrated first, each with everyone to call and their numbers, opened from
the vault for the operator who makes the call (none when 保密)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from feedback.callbacks import unanswered_calls
from intake.merging import rated_this_resolution
from schemas.lists import CallbackCaller, CallbackItem
from services.context import DomainContext
from services.db import repositories as repo
from services.db.tables import WorkOrder, WorkOrderHistory
from services.orders.citizen import unit_reply
from services.orders.personal import caller_contact
from services.orders.ratings import rated_resolutions


async def _caller(session: AsyncSession, ctx: DomainContext, order: WorkOrder,
                  history: Sequence[WorkOrderHistory], since: datetime | None, *, merged: bool) -> CallbackCaller:
    return CallbackCaller(work_order_id=order.id, merged=merged, confidential=order.confidential,
                          contact=await caller_contact(session, ctx, order),
                          unanswered_calls=unanswered_calls(history, since) if since else 0)


async def worklist(session: AsyncSession, ctx: DomainContext, after: tuple[datetime, str] | None,
                   limit: int) -> list[CallbackItem]:
    """At most `limit` resolved orders after the (rating_due, id) cursor, with their callers: a few
    queries a page (the histories and the sealed records of all its orders read together)."""
    roots = await repo.resolved_awaiting_rating(session, after, limit)
    followers = await repo.followers_of(session, [r.id for r in roots])
    resolutions = await repo.latest_dispatches(session, [r.id for r in roots])
    everyone = [r.id for r in roots] + [f.id for fs in followers.values() for f in fs]
    histories = await repo.histories_of(session, everyone)
    # caller_contact finds these in the session; held here, as the identity map holds them weakly.
    _sealed = await repo.preload_personal_data(session, everyone)
    units = ctx.router.units()
    items = []
    for root in roots:
        history = histories[root.id]
        since = root.resolved_at  # the resolution the centre calls about
        callers = [await _caller(session, ctx, root, history, since, merged=False)]
        resolution = resolutions.get(root.id)
        for follower in followers[root.id]:
            own = histories[follower.id]
            if not rated_this_resolution(rated_resolutions(own), resolution.id if resolution else None):
                callers.append(await _caller(session, ctx, follower, own, since, merged=True))
        replies = [unit_reply(h) for h in history if h.action == "resolve"]
        unit = units.get(root.resolved_by or "")
        assert root.rating_due is not None  # 办结 opens the rating window
        items.append(CallbackItem(
            work_order_id=root.id, matter=root.matter, text=root.text_masked, address=root.address,
            resolved_by=root.resolved_by, resolved_by_name=unit.name if unit else None, resolved_at=since,
            reply=replies[-1] if replies else None, rating_due=root.rating_due,
            callers=callers))
    return items
