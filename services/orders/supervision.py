"""Clocks acting: the sweep's work on one batch of due orders, and `reschedule`, the one place an
order's `next_check_at` is set. The decision itself is escalation.sweep.plan (pure); this module
reads the clocks, writes the records and events, and runs in the caller's transaction."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from escalation.clocks import rebuild_deadlines
from escalation.models import Deadlines, SupervisionLevel
from escalation.sweep import Raise, RunningClock, describe, dispatch_clocks, passes_up, plan, summons_clock
from escalation.whistle import summons_lapsed
from schemas.events import (
    EVENT_SOURCE,
    LIFECYCLE_TOPIC,
    OVERDUE_TYPE,
    REMINDER_TYPE,
    SUPERVISION_RAISED_TYPE,
    SUPERVISION_TOPIC,
    SUPERVISION_TYPE,
    dispatch_topic,
)
from schemas.lifecycle import IN_HANDS_STATES
from schemas.payloads import SupervisionRaised
from services.context import DomainContext
from services.db import escalation as esc_repo
from services.db.tables import WorkOrder
from services.metrics import SUPERVISION_RAISED
from services.orders.lifecycle import order_summary

SWEEP_ACTOR = "escalation:sweep"


async def running_clocks(
    session: AsyncSession, ctx: DomainContext, orders: Sequence[WorkOrder], *, with_raised: bool
) -> dict[str, list[RunningClock]]:
    """The clocks still running on each order: its lead unit's (current hand-over) and each
    summoned department's 报到 that has not happened. `with_raised` also reads the levels already
    raised on them (the sweep does without: its inserts skip what exists)."""
    ids = [o.id for o in orders if o.state in IN_HANDS_STATES]
    dispatches = await esc_repo.open_dispatches(session, ids)
    summons = await esc_repo.pending_summons(session, ids)
    raised_text = await esc_repo.raised_levels(session, ids) if with_raised else {}
    raised = {key: frozenset(SupervisionLevel(v) for v in levels) for key, levels in raised_text.items()}
    clocks: dict[str, list[RunningClock]] = {o.id: [] for o in orders}
    for order in orders:
        current = dispatches.get(order.id)
        if order.state not in IN_HANDS_STATES or current is None:
            continue
        deadlines = rebuild_deadlines(
            current.whistle_class, current.dispatched_at, claim_due=current.claim_due,
            first_contact_due=current.first_contact_due, resolve_due=current.resolve_due, policy=ctx.clock_policy,
        )
        clocks[order.id] = dispatch_clocks(
            f"dispatch:{current.id}", current.unit, deadlines,
            claimed_at=current.claimed_at or order.claimed_at,
            first_contact_at=current.first_contact_at or order.first_contact_at,
            resolved_at=current.resolved_at, extended=current.extended, raised=raised,
        )
        for row in summons.get(order.id, []):
            if summons_lapsed(row.township, row.summoned_at, lead_unit=order.unit,
                              handed_over_at=current.dispatched_at):
                continue
            basis = ctx.clock_policy.limits_for(row.whistle_class).claim.basis
            key = f"summons:{row.id}"
            clocks[order.id].append(summons_clock(
                key, row.department, row.summoned_at, row.report_due, basis,
                raised=raised.get(f"{key}:report", frozenset()), whistle_call_id=row.call_id,
                call_class=row.whistle_class,
            ))
    return clocks


async def reschedule(session: AsyncSession, ctx: DomainContext, order: WorkOrder) -> None:
    """Set when the sweep must next look at `order`, after anything that starts, stops or moves a
    clock (dispatch, claim, first contact, resolve, whistle, 报到, extension). A level that is due
    but not raised yet makes that instant the next look, so nothing is skipped."""
    clocks = (await running_clocks(session, ctx, [order], with_raised=True))[order.id]
    order.next_check_at = plan(clocks, ctx.now(), ctx.calendar, ctx.supervision).earliest_pending


def schedule_fresh_clocks(ctx: DomainContext, order: WorkOrder, unit: str, deadlines: Deadlines) -> None:
    """A new hand-over's clocks: nothing raised on them yet and no summons of its own, so the next
    look follows from the deadlines alone (no reading: dispatch is on intake's hot path)."""
    order.supervision_level = SupervisionLevel.none.value  # the new hands' clocks start clean
    fresh = dispatch_clocks("dispatch:new", unit, deadlines)
    order.next_check_at = plan(fresh, ctx.now(), ctx.calendar, ctx.supervision).earliest_pending


@dataclass(frozen=True)
class BatchResult:
    orders: int  # orders looked at
    raised: int  # levels raised (records written and announced)
    passed_up: int  # village orders passed up to their township


async def sweep_batch(session: AsyncSession, ctx: DomainContext, now: datetime, limit: int) -> BatchResult:
    """Look at up to `limit` due orders: raise what their clocks have reached, pass up a village's
    order when configured, and set each order's next look. Nothing is announced twice: records are
    unique per clock and level, and only the ones this transaction inserted get events."""
    orders = await esc_repo.lock_due_orders(session, now, limit)
    if not orders:
        return BatchResult(0, 0, 0)
    clocks = await running_clocks(session, ctx, orders, with_raised=False)
    plans = {o.id: plan(clocks[o.id], now, ctx.calendar, ctx.supervision) for o in orders}
    rows = [
        {"work_order_id": order_id, "clock_key": r.clock.key, "clock": r.clock.clock, "unit": r.clock.unit,
         "level": r.level.value, "due": r.clock.due, "raised_at": now}
        for order_id, decided in plans.items() for r in decided.raises
    ]
    inserted = await esc_repo.insert_supervision_records(session, rows) if rows else set()
    outbox: list[dict[str, Any]] = []
    history: list[dict[str, Any]] = []
    up: list[WorkOrder] = []
    raised_count = 0
    for order in orders:
        decided = plans[order.id]
        fresh = [r for r in decided.raises if (r.clock.key, r.level.value) in inserted]
        for r in fresh:
            _announce(ctx, order, r, now, outbox, history)
            SUPERVISION_RAISED.labels(r.level.value, r.clock.clock).inc()
        raised_count += len(fresh)
        top = max((r.level for r in fresh), key=lambda level: level.rank, default=SupervisionLevel.none)
        if top.rank > SupervisionLevel(order.supervision_level or "none").rank:
            order.supervision_level = top.value
        order.next_check_at = decided.next_check_at
        if passes_up(fresh, order.level, ctx.auto_report_up):
            up.append(order)
    await esc_repo.add_many(session, outbox, history)
    if up:
        from services.orders.escalation import pass_up  # the command imports this module

        for order in up:
            await pass_up(session, ctx, order, reason="the village's clock ran out: passed up automatically",
                          actor=SWEEP_ACTOR, automatic=True)
    return BatchResult(len(orders), raised_count, len(up))


def _announce(
    ctx: DomainContext, order: WorkOrder, r: Raise, now: datetime, outbox: list[dict[str, Any]],
    history: list[dict[str, Any]],
) -> None:
    """Three events (the supervisors' topic, the lifecycle topic, the responsible unit's own topic)
    and a history record for one raised level."""
    unit = ctx.router.units().get(r.clock.unit)
    payload = SupervisionRaised(
        **order_summary(order), action="supervision_raised", actor=SWEEP_ACTOR, at=now,
        supervision_level=r.level.value, clock=r.clock.clock,
        clock_key=r.clock.key, responsible_unit=r.clock.unit, responsible_level=unit.level.value if unit else None,
        role="summoned" if r.clock.summoned else "lead", due=r.clock.due, reached_at=r.reached_at,
        overdue_minutes=int(r.overdue_by.total_seconds() // 60),
        overdue_working_hours=round(r.overdue_working_hours, 2),
        whistle_call_id=r.clock.whistle_call_id, call_class=r.clock.call_class, message=describe(r, ctx.timezone),
    ).model_dump(mode="json")
    notice = REMINDER_TYPE if r.level is SupervisionLevel.remind else OVERDUE_TYPE
    for topic, ce_type in ((SUPERVISION_TOPIC, SUPERVISION_TYPE), (LIFECYCLE_TOPIC, SUPERVISION_RAISED_TYPE),
                           (dispatch_topic(r.clock.unit), notice)):
        outbox.append({"event_id": str(uuid.uuid4()), "topic": topic, "key": order.id, "type": ce_type,
                       "source": EVENT_SOURCE, "time": now, "data": payload, "created_at": now})
    history.append({"work_order_id": order.id, "at": now, "actor": SWEEP_ACTOR, "action": r.level.value,
                    "from_state": order.state, "to_state": order.state, "reason": payload["message"],
                    "data": {"clock": r.clock.clock, "clock_key": r.clock.key, "unit": r.clock.unit}})
