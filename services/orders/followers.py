"""并单: the orders merged into one (its followers) are told of its outcome — resolved (with the reply),
closed, reopened — by a history record and a lifecycle event each, in the root's own transaction."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from intake.merging import ROOT_OUTCOME, TOLD_TO_FOLLOWERS, follows_root
from services.context import DomainContext
from services.db import repositories as repo
from services.db.tables import WorkOrder
from services.orders.lifecycle import record

FOLLOWERS_ACTOR = "intake:并单"


async def tell_followers(session: AsyncSession, ctx: DomainContext, root: WorkOrder, what: str, *,
                         reply: str | None = None) -> int:
    """Record `what` happened to `root` (resolve, close, reopen) on each order merged into it; how many."""
    if what not in TOLD_TO_FOLLOWERS:
        return 0
    followers = [m for m in await repo.merged_into(session, root.id) if follows_root(m.state, m.merged_into)]
    now = ctx.now()
    for order in followers:
        record(session, order, ROOT_OUTCOME, actor=FOLLOWERS_ACTOR, now=now,
               data={"root": root.id, "root_action": what, "root_state": root.state,
                     **({"reply": reply} if reply else {})})
    return len(followers)
