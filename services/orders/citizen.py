"""The citizen's side of an order: the public view (a merged order follows the order it was merged
into) and withdrawal."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from feedback.ratings import may_rate
from intake.citizen import SHOWS_HANDLER, Record, public_steps
from intake.exceptions import NotWithdrawable
from intake.masking import mask_text
from intake.merging import follower_may_withdraw, follows_root
from schemas.appeals import CitizenStep, CitizenView
from schemas.lifecycle import Action, State, allowed_actions
from services.context import DomainContext
from services.db import repositories as repo
from services.db.tables import WorkOrder, WorkOrderHistory
from services.orders.followers import hand_on
from services.orders.lifecycle import load_for_update, transition
from services.orders.ratings import merged_rating_open
from services.orders.recall import take_from_units

# The root's own caller's steps that are not the merged caller's: their receipt, rating and 回访.
_NOT_THE_FOLLOWERS = frozenset({"receive", "rate", "callback"})


def _records(ctx: DomainContext, history: list[WorkOrderHistory]) -> list[Record]:
    units = ctx.router.units()
    out = []
    for h in history:
        unit_code = (h.data or {}).get("unit") if h.action in ("dispatch", "reopen", "escalate") else None
        unit = units.get(unit_code) if unit_code else None
        out.append(Record(at=h.at, action=h.action, unit=unit.name if unit else None,
                          reply=unit_reply(h)))
    return out


def unit_reply(h: WorkOrderHistory) -> str | None:
    if h.action != "resolve":
        return None
    said = (h.data or {}).get("reply") or h.reason
    return mask_text(said) if isinstance(said, str) and said else None


async def citizen_view(session: AsyncSession, ctx: DomainContext, order: WorkOrder) -> CitizenView:
    """The public timeline of `order` in the county's local time; for a merged order, its own
    receipt and merge followed by the steps of the order it follows (its root: the root's state,
    unit, reply and expected time are theirs, and they rate the root's outcome on their own order)."""
    records = _records(ctx, list(await repo.history_of(session, order.id)))
    followed = order
    can_rate = may_rate(State(order.state), rated=order.rating is not None, now=ctx.now(),
                        rating_due=order.rating_due, policy=ctx.feedback)
    root = (await repo.roots_of(session, [order])).get(order.id)
    if root is not None:
        followed = root
        merged_at = [r.at for r in records if r.action == "merge"][-1]
        records = sorted(records + [r for r in _records(ctx, list(await repo.history_of(session, root.id)))
                                    if r.at >= merged_at and r.action not in _NOT_THE_FOLLOWERS],
                         key=lambda r: r.at)
        can_rate = (await merged_rating_open(session, ctx, order, root))[0]
    steps = public_steps(records, ctx.timezone)
    handled = State(followed.state) in SHOWS_HANDLER  # the unit that returned it no longer handles it
    unit = ctx.router.units().get(followed.unit) if followed.unit and handled else None
    replies = [s.reply for s in steps if s.reply]
    return CitizenView(
        work_order_id=order.id, state=State(followed.state),
        submitted_at=order.created_at.astimezone(ctx.timezone), handled_by=unit.name if unit else None,
        resolve_due=followed.resolve_due.astimezone(ctx.timezone) if followed.resolve_due and handled else None,
        reply=replies[-1] if replies else None, merged=followed is not order,
        steps=[CitizenStep(at=s.at, what=s.what, unit=s.unit, reply=s.reply) for s in steps],
        can_rate=can_rate, can_withdraw=Action.withdraw in allowed_actions(State(order.state))
        and (root is None or follower_may_withdraw(root.state)),
    )


async def withdraw(session: AsyncSession, ctx: DomainContext, order_id: str, *, reason: str | None) -> State:
    """The citizen withdraws (撤回) their appeal: allowed until it is resolved (TransitionNotAllowed after),
    a merged one until its root is (NotWithdrawable after); a merged caller stops following the root, and
    a root's followers are handed on (followers.hand_on)."""
    order = await load_for_update(session, order_id)
    now = ctx.now()
    was_root = not follows_root(order.state, order.merged_into)
    if not was_root and (root := (await repo.roots_of(session, [order])).get(order.id)) is not None \
            and not follower_may_withdraw(root.state):
        raise NotWithdrawable(order.id, root.state)
    state = transition(session, order, Action.withdraw, actor="citizen", now=now, reason=reason or "撤回 withdrawn")
    await take_from_units(session, order, outcome="withdrawn", reason="撤回" + (f": {reason}" if reason else ""),
                          now=now)
    if was_root:
        await hand_on(session, ctx, order)  # the others who reported the incident still want it handled
    return state
