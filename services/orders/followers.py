"""并单: the orders merged into one (its followers) are told of its outcome — resolved (with the reply),
closed, reopened — by a history record and a lifecycle event each, in the root's own transaction; and
when the root's own caller withdraws, or a dispatcher invalidates the root, its followers' incident is
handed on to the earliest of them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from intake.merging import HANDED_ON, INCIDENT_LINKED, ROOT_OUTCOME, TOLD_TO_FOLLOWERS, follows_root, takes_followers
from schemas.lifecycle import IN_HANDS_STATES, Action, State
from services.context import DomainContext
from services.db import repositories as repo
from services.db.tables import WorkOrder
from services.orders.dispatch import route_order
from services.orders.lifecycle import load_for_update, record, transition
from services.orders.recall import take_from_units

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


async def merge_into(session: AsyncSession, order: WorkOrder, into: str, *, actor: str, now: datetime,
                     reason: str | None, recall_reason: str, linked_by: str | None = None) -> State:
    """The one way an order is merged (并单): it follows `into`; a unit that had it in hand is
    recalled (`recall_reason`), the unit of `into` handling the incident."""
    in_hands = order.state in IN_HANDS_STATES
    order.merged_into = into
    data = {"merged_into": into} | ({"linked_by": linked_by} if linked_by else {})
    state = transition(session, order, Action.merge, actor=actor, now=now, reason=reason, data=data)
    if in_hands:
        await take_from_units(session, order, outcome="merged", reason=recall_reason, now=now)
    return state


async def link_incident(session: AsyncSession, first: str, other: str, *, via: str, now: datetime) -> bool:
    """并单 of one incident split before the report joining it came: the new order `via` repeats both
    the open order `first` (reported first, which it was merged into) and the open order `other`, which
    is merged into `first` with the orders that followed it; a unit that had `other` is recalled (the
    unit of `first` handles the incident). A dispatcher may unlink it like any merged order. Returns
    whether it was merged (not when it has left the work or been merged since it was read)."""
    order = await load_for_update(session, other)
    if order.merged_into is not None or order.id == first or not takes_followers(order.state):
        return False
    followers = await _following(session, order)
    why = f"并单: {via} 表明与 {first} 为同一事件"
    await merge_into(session, order, first, actor=LINK_ACTOR, now=now, reason=why, recall_reason=why,
                     linked_by=via)
    for follower in followers:
        follower.merged_into = first
        record(session, follower, INCIDENT_LINKED, actor=LINK_ACTOR, now=now,
               data={"from": other, "to": first, "linked_by": via})
    return True


LINK_ACTOR = "intake:duplicates"


async def _following(session: AsyncSession, root: WorkOrder) -> list[WorkOrder]:
    """The orders merged into `root` that still follow it (not withdrawn or unlinked), oldest first."""
    return [m for m in await repo.merged_into(session, root.id) if follows_root(m.state, m.merged_into)]
