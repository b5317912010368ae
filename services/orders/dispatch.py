"""Routing a received order and handing it to a unit (派单), or to an emergency line."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from escalation.clocks import bounded, deadlines_for
from intake.masking import mask_text
from router.models import Unit
from schemas.events import (
    DISPATCHED_TYPE,
    EMERGENCY_TOPIC,
    EMERGENCY_TYPE,
    UNIT_REPLIES_TOPIC,
    EventEnvelope,
    dispatch_topic,
    rfc3339,
)
from schemas.lifecycle import Action, State
from schemas.payloads import (
    Contact,
    DispatchedEvent,
    EmergencyEvent,
)
from schemas.routing import RoutingDecision
from schemas.taxonomy import EmergencyLine, WhistleClass
from services.context import DomainContext
from services.db import order_units as hands
from services.db import repositories as repo
from services.db.tables import WorkOrder
from services.errors import OrderNotFound
from services.metrics import ROUTING_CONFIDENCE
from services.orders.lifecycle import (
    load_for_update,
    order_summary,
    transition,
    unit_or_error,
)
from services.orders.personal import caller_contact, personal_data
from services.orders.recall import tell_recalled
from services.orders.supervision import schedule_fresh_clocks

# The work-order column intake fills for an appeal transferred from above with its own deadline.
UPPER_DEADLINE_FIELD = "transfer_deadline"


# ---- routing and dispatch --------------------------------------------------------------------
class _RepeatCounts:
    """RoutingHistory over counts fetched beforehand (the router itself does no I/O)."""

    def __init__(self, counts: dict[str, int]) -> None:
        self.counts = counts

    def recent_similar(self, matter: str, place: str | None) -> int:
        return self.counts.get(matter, 0)


def _first_opinion(ctx: DomainContext, order: WorkOrder) -> RoutingDecision:
    return ctx.router.route(order.text, channel=order.channel, address=order.address,
                            reopened=order.reopen_count > 0, thresholds=ctx.thresholds)


def _with_repeats(ctx: DomainContext, order: WorkOrder, first: RoutingDecision, repeats: int) -> RoutingDecision:
    return ctx.router.route(order.text, channel=order.channel, address=order.address,
                            history=_RepeatCounts({first.matter or "": repeats}), reopened=order.reopen_count > 0,
                            thresholds=ctx.thresholds)


async def decide(session: AsyncSession, ctx: DomainContext, order: WorkOrder) -> RoutingDecision:
    """The router's decision for the order, with repeats at the same place taken into account."""
    first = _first_opinion(ctx, order)
    # A repeat means the same matter at the same village/community: a whole township is too
    # coarse a place (two households' unrelated outages are not a long-standing problem).
    if first.redirect or not first.matter or not first.village:
        return first
    repeats = await repo.count_recent_similar(
        session, matter=first.matter, village=first.village, since=ctx.now() - ctx.repeat_window,
    )
    if not repeats:
        return first
    return _with_repeats(ctx, order, first, repeats)


def _apply_decision(order: WorkOrder, decision: RoutingDecision) -> None:
    order.whistle_class = decision.whistle_class.value
    order.level = decision.level.value
    order.dept = decision.dept
    order.matter = decision.matter
    order.township = decision.township
    order.village = decision.village
    order.confidence = decision.confidence
    order.redirect = decision.redirect.value if decision.redirect else None
    order.routing = decision.model_dump(mode="json")


async def route_order(session: AsyncSession, ctx: DomainContext, order_id: str, *, actor: str = "router") -> State:
    """Classify a received order and redirect it, hold it for review, or dispatch it."""
    order = await load_for_update(session, order_id)
    if order.state != State.received.value:
        return State(order.state)  # already routed (a repeated event): nothing to do
    decision = await decide(session, ctx, order)
    return await _act_on(session, ctx, order, decision, actor=actor)


async def route_orders(
    session: AsyncSession, ctx: DomainContext, order_ids: Sequence[str], *, actor: str = "router"
) -> dict[str, State]:
    """route_order for many received orders in one transaction: they are loaded and locked in one
    query, repeats counted in one query, and their rows written together at the end (one INSERT per table). An order
    routed earlier in the batch counts as a repeat for the later ones, as it would one by one."""
    orders = await repo.orders_for_update(session, order_ids)
    missing = [o for o in order_ids if o not in orders]
    if missing:
        raise OrderNotFound(missing[0])
    todo = [orders[o] for o in dict.fromkeys(order_ids) if orders[o].state == State.received.value]
    firsts = {o.id: _first_opinion(ctx, o) for o in todo}
    # The lead unit gets the caller's number, an emergency line everything: read the sealed data
    # of those who may need it in one query, not one each (held until the batch is written).
    sealed = await repo.preload_personal_data(
        session, [o.id for o in todo if (o.caller_phone and not o.confidential) or firsts[o.id].redirect])
    places = {(d.matter, d.village) for d in firsts.values() if not d.redirect and d.matter and d.village}
    counts = Counter(await repo.count_recent_similar_many(session, places, since=ctx.now() - ctx.repeat_window))
    states = {o.id: State(o.state) for o in orders.values()}
    async with repo.written_together(session):  # nothing below reads back the rows it writes
        for order in todo:
            first = firsts[order.id]
            place = (first.matter or "", first.village or "")
            decision = first if not counts.get(place) else _with_repeats(ctx, order, first, counts[place])
            if decision.matter and decision.village:
                counts[(decision.matter, decision.village)] += 1
            states[order.id] = await _act_on(session, ctx, order, decision, actor=actor, fresh=True)
    del sealed  # held for personal_data's look-ups until here
    return states


async def _act_on(
    session: AsyncSession, ctx: DomainContext, order: WorkOrder, decision: RoutingDecision, *, actor: str,
    fresh: bool = False,
) -> State:
    """Redirect, hold for review, or dispatch a received order as `decision` says."""
    ROUTING_CONFIDENCE.observe(decision.confidence)
    _apply_decision(order, decision)
    now = ctx.now()
    if decision.redirect:
        return await redirect(session, ctx, order, decision.redirect, actor=actor, reason=decision.explanation)
    threshold = ctx.review_threshold_for(decision.review_threshold)
    if decision.unit is None or decision.confidence < threshold:
        return transition(session, order, Action.hold_for_review, actor=actor, now=now,
                          reason=f"confidence {decision.confidence:.2f} below {threshold:.2f}: {decision.explanation}")
    return await dispatch_to(session, ctx, order, unit_code=decision.unit, actor=actor,
                             reason=decision.explanation, assisting=decision.assisting_units, fresh=fresh)


async def redirect(
    session: AsyncSession, ctx: DomainContext, order: WorkOrder, line: EmergencyLine, *, actor: str, reason: str
) -> State:
    """Hand the order to an emergency line instead of dispatching it; the line gets the caller's
    number and the unmasked text, since it must act at once."""
    now = ctx.now()
    state = transition(session, order, Action.redirect, actor=actor, now=now, reason=reason,
                       data={"redirect": line.value})
    order.redirect = line.value
    raw = await personal_data(session, ctx, order)
    repo.add_outbox(session, EventEnvelope(
        type=EMERGENCY_TYPE, subject=order.id, topic=EMERGENCY_TOPIC, time=now,
        data=ctx.vault.seal_fields(EmergencyEvent(
            work_order_id=order.id, line=line.value, text=raw.get("text") or order.text,
            address=raw.get("address") or order.address, caller_name=raw.get("caller_name"),
            caller_phone=raw.get("caller_phone"), explanation=reason, at=now).model_dump(mode="json"),
            PERSONAL_EMERGENCY_FIELDS)), now)
    return state



# What of an event waits in the outbox sealed (Vault.seal_fields; the relay opens it as it publishes):
# the lead unit's contact with the citizen, and what an emergency line gets unmasked.
PERSONAL_DISPATCH_FIELDS = ("contact",)
PERSONAL_EMERGENCY_FIELDS = ("text", "address", "caller_name", "caller_phone")

# How a recall names the hand-over that took the order from a unit (a reassignment: its reason alone).
_RECALL_WORDS = {Action.escalate: "上报", Action.reopen: "重办", Action.dispatch: "派单"}


async def dispatch_to(
    session: AsyncSession,
    ctx: DomainContext,
    order: WorkOrder,
    *,
    unit_code: str,
    actor: str,
    reason: str | None,
    action: Action = Action.dispatch,
    assisting: list[str] | None = None,
    fresh: bool = False,
    data: dict[str, Any] | None = None,
) -> State:
    """Hand the order to `unit_code` with fresh clocks (bounded by an upper-transfer deadline the
    order came with), and tell the unit on its own topic. `fresh`: the order has never been
    dispatched (it is `received`), so there is no hand-over to end and no unit to take it from, and
    nothing need be read first. `data` adds the action's own facts to the lifecycle event (e.g. the
    rating that reopened it, or who passed it up)."""
    unit = unit_or_error(ctx, unit_code)
    now = ctx.now()
    whistle_class = WhistleClass(order.whistle_class or WhistleClass.ordinary.value)
    deadlines = bounded(deadlines_for(whistle_class, now, ctx.calendar, ctx.clock_policy), upper_deadline(order))
    current = None if fresh else await repo.open_dispatch(session, order.id)
    if current is not None:
        current.ended_at = now
        current.outcome = current.outcome or action.value
    order.unit = unit.code
    order.level = unit.level.value
    order.whistle_class = whistle_class.value
    order.claim_due = deadlines.claim_due
    order.first_contact_due = deadlines.first_contact_due
    order.resolve_due = deadlines.resolve_due
    order.claimed_at = None
    order.first_contact_at = None
    order.resolved_at = None  # a reopened order's clocks run again: the old resolution is in its history
    order.rating_due = None
    helpers = [code for code in assisting or [] if code != unit.code and code in ctx.router.units()]
    in_hands = {unit.code: "lead", **dict.fromkeys(helpers, "assisting")}
    if fresh:
        hands.add_first_order_units(session, order.id, in_hands, now)
    else:
        # The units this hand-over takes the order from (a lead passed up or reassigned, assisting
        # units and summoned departments whose part ends) hear it on their own topics.
        losing = [code for code in await hands.order_units(session, order.id) if code not in in_hands]
        await hands.set_order_units(session, order.id, in_hands, now)
        tell_recalled(session, order.id, losing, now=now,
                      reason=f"{_RECALL_WORDS[action]}: {reason}" if action in _RECALL_WORDS and reason else reason)
    repo.add_dispatch(session, {
        "work_order_id": order.id, "unit": unit.code, "level": unit.level.value, "whistle_class": whistle_class.value,
        "dispatched_at": now, "claim_due": deadlines.claim_due, "first_contact_due": deadlines.first_contact_due,
        "resolve_due": deadlines.resolve_due,
    })
    clocks = {"claim_due": rfc3339(deadlines.claim_due),
              "first_contact_due": rfc3339(deadlines.first_contact_due),
              "resolve_due": rfc3339(deadlines.resolve_due)}
    state = transition(session, order, action, actor=actor, now=now, reason=reason,
                       data={**(data or {}), "unit": unit.code, **clocks})
    # The unit that must contact the citizen is the one place the number goes unmasked.
    payload = dispatched_payload(order, unit, reason=reason, assisting=helpers,
                                 contact=await caller_contact(session, ctx, order))
    repo.add_outbox(session, EventEnvelope(type=DISPATCHED_TYPE, subject=order.id, topic=dispatch_topic(unit.code),
                                           time=now, data=ctx.vault.seal_fields(payload.model_dump(mode="json"),
                                                                                PERSONAL_DISPATCH_FIELDS)), now)
    send_assisting_copies(session, ctx, order, payload, helpers, now)
    schedule_fresh_clocks(ctx, order, unit.code, deadlines)
    return state


def upper_deadline(order: WorkOrder) -> datetime | None:
    """The deadline an upper-transfer order (上级转办) came with, if any: it bounds every clock."""
    value = getattr(order, UPPER_DEADLINE_FIELD, None)
    return value if isinstance(value, datetime) else None


def dispatched_payload(order: WorkOrder, lead: Unit, *, reason: str | None, assisting: list[str],
                       contact: Contact | None = None) -> DispatchedEvent:
    """The lead unit's dispatch event for the order as it stands (its clocks set); `contact` is the
    caller's, opened from the vault (services.orders.personal.caller_contact) by the caller."""
    assert order.claim_due and order.first_contact_due and order.resolve_due
    return DispatchedEvent(
        **order_summary(order), unit_name=lead.name, lead_unit=lead.code, text=order.text_masked,
        address=order.address, matter_name=(order.routing or {}).get("matter_name"), assisting_units=assisting,
        contact=contact, confidential=order.confidential, reason=mask_text(reason) if reason else None,
        reopen_count=order.reopen_count,
        claim_due=order.claim_due, first_contact_due=order.first_contact_due,
        resolve_due=order.resolve_due, reply_topic=UNIT_REPLIES_TOPIC,
    )


def send_assisting_copies(
    session: AsyncSession, ctx: DomainContext, order: WorkOrder, payload: DispatchedEvent, codes: list[str],
    now: datetime,
) -> None:
    """协办: assisting units learn of the order on their own topics, without the citizen's contact;
    only the lead claims and resolves."""
    for code in codes:
        helper = ctx.router.units()[code]
        copy = payload.model_copy(update={"role": "assisting", "unit_name": helper.name, "contact": None})
        repo.add_outbox(session, EventEnvelope(type=DISPATCHED_TYPE, subject=order.id,
                                               topic=dispatch_topic(helper.code), time=now,
                                               data=copy.model_dump(mode="json")), now)
