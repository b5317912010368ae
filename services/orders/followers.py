"""并单: the orders merged into one (its followers) are told of its outcome — resolved (with the reply),
closed, reopened — by a history record and a lifecycle event each, in the root's own transaction; and
when the root's own caller withdraws, or a dispatcher invalidates the root, its followers' incident is
handed on to the earliest of them."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from intake.merging import HANDED_ON, ROOT_OUTCOME, TOLD_TO_FOLLOWERS, follows_root
from schemas.lifecycle import Action
from services.context import DomainContext
from services.db import repositories as repo
from services.db.tables import WorkOrder
from services.orders.dispatch import route_order
from services.orders.lifecycle import record, transition

FOLLOWERS_ACTOR = "intake:并单"


async def tell_followers(session: AsyncSession, ctx: DomainContext, root: WorkOrder, what: str, *,
                         reply: str | None = None) -> int:
    """Record `what` happened to `root` (resolve, close, reopen) on each order merged into it; how many."""
    if what not in TOLD_TO_FOLLOWERS:
        return 0
    followers = await _following(session, root)
    now = ctx.now()
    for order in followers:
        record(session, order, ROOT_OUTCOME, actor=FOLLOWERS_ACTOR, now=now,
               data={"root": root.id, "root_action": what, "root_state": root.state,
                     **({"reply": reply} if reply else {})})
    return len(followers)


async def hand_on(session: AsyncSession, ctx: DomainContext, root: WorkOrder,
                  reason: str = "并单的原工单已撤回，由本工单接替办理") -> str | None:
    """`root` left the work (its caller withdrew, or a dispatcher found it no appeal): the earliest order
    merged into it becomes its own order and is routed at once; the other followers follow that one.
    Returns the new root, if any."""
    followers = await _following(session, root)
    if not followers:
        return None
    heir, others = followers[0], followers[1:]
    now = ctx.now()
    transition(session, heir, Action.unlink, actor=FOLLOWERS_ACTOR, now=now,
               reason=reason, data={"unlinked_from": root.id})
    heir.merged_into = None
    for order in others:
        order.merged_into = heir.id
        record(session, order, HANDED_ON, actor=FOLLOWERS_ACTOR, now=now, data={"from": root.id, "to": heir.id})
    await route_order(session, ctx, heir.id, actor=FOLLOWERS_ACTOR)
    return heir.id


async def _following(session: AsyncSession, root: WorkOrder) -> list[WorkOrder]:
    """The orders merged into `root` that still follow it (not withdrawn or unlinked), oldest first."""
    return [m for m in await repo.merged_into(session, root.id) if follows_root(m.state, m.merged_into)]
