"""上报 (a village passes an order up), 吹哨 (a township calls county departments), 报到 (a
summoned department reports for duty) and 以下评上 (the township rates the departments).

The handlers have the unit-command shape `handler(session, ctx, order_id, who, body) -> State`
(who: the acting unit and how the history names the caller), so REST and the Kafka reply topic
run the same code. Rules are escalation.whistle's; this module loads, records and announces.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from escalation import whistle as rules
from escalation.exceptions import AlreadyReported, NotSummoned, RatingNotAllowed, WhistleNotAllowed
from escalation.models import DutyReport
from escalation.models import WhistleCall as CallRules
from intake.masking import mask_text
from schemas.escalation import DutyReportIn, ReportUpIn, WhistleIn, WhistleRatingsIn
from schemas.events import (
    DISPATCHED_TYPE,
    DUTY_REPORTED_TYPE,
    LIFECYCLE_TOPIC,
    UNIT_REPLIES_TOPIC,
    WHISTLE_BLOWN_TYPE,
    WHISTLE_RATED_TYPE,
    EventEnvelope,
    dispatch_topic,
)
from schemas.lifecycle import IN_HANDS_STATES, Action, State
from schemas.payloads import DispatchedEvent, DutyReported, ReportedUp, Summons, WhistleBlown, WhistleRated
from schemas.taxonomy import UnitKind, WhistleClass
from services.context import DomainContext
from services.db import escalation as esc_repo
from services.db import order_units as hands
from services.db import repositories as repo
from services.db.tables import WhistleCall, WhistleSummons, WorkOrder, WorkOrderHistory
from services.orders.acting import UnitActor, order_for_unit
from services.orders.dispatch import dispatch_to
from services.orders.lifecycle import order_summary, unit_or_error
from services.orders.supervision import reschedule


def announce(
    session: AsyncSession, order: WorkOrder, *, action: str, actor: str, now: datetime, event_type: str,
    payload: BaseModel, reason: str | None = None, topics: tuple[str, ...] = (LIFECYCLE_TOPIC,),
) -> None:
    """A fact about the order that leaves its state as it is: the history record, and the event on
    the lifecycle topic (and any other `topics`), in the caller's transaction."""
    data = payload.model_dump(mode="json")
    order.updated_at = now
    session.add(WorkOrderHistory(work_order_id=order.id, at=now, actor=actor, action=action, from_state=order.state,
                                 to_state=order.state, reason=mask_text(reason) if reason else None, data=data))
    for topic in topics:
        repo.add_outbox(session, EventEnvelope(type=event_type, subject=order.id, topic=topic, time=now, data=data),
                        now)


# ---- 上报 ------------------------------------------------------------------------------------
async def report_up(session: AsyncSession, ctx: DomainContext, order_id: str, who: UnitActor,
                    body: ReportUpIn) -> State:
    """The village leading the order passes it up to its township, which gets fresh clocks."""
    order = await order_for_unit(session, order_id, who)
    return await pass_up(session, ctx, order, reason=body.reason, actor=who.actor, automatic=False)


async def pass_up(session: AsyncSession, ctx: DomainContext, order: WorkOrder, *, reason: str, actor: str,
                  automatic: bool) -> State:
    """上报 of a locked order from its village lead to that village's township (a fresh dispatch)."""
    units = ctx.router.units()
    source = unit_or_error(ctx, order.unit or "")
    # The rule says why when there is no township to pass to (a township or a department leads).
    target = rules.township_above(source, units) or units.get(source.parent or "") or source
    passed = rules.report_up(source, target, reason=reason, at=ctx.now(), units=units)
    facts = ReportedUp(from_unit=passed.from_unit, from_level=source.level.value, to_unit=passed.to_unit,
                       automatic=automatic)
    return await dispatch_to(session, ctx, order, unit_code=target.code, actor=actor, reason=passed.reason,
                             action=Action.escalate, data=facts.model_dump(mode="json"))


# ---- 吹哨 ------------------------------------------------------------------------------------
async def blow_whistle(session: AsyncSession, ctx: DomainContext, order_id: str, who: UnitActor,
                       body: WhistleIn) -> State:
    """The township leading the order calls county departments; each gets the order on its own
    topic (role `summoned`) and must report for duty by the class's limit. The township stays lead."""
    order = await order_for_unit(session, order_id, who)
    if order.state not in IN_HANDS_STATES:
        raise WhistleNotAllowed(f"the order is {order.state}: a whistle is blown while the township is working it")
    units = ctx.router.units()
    township = unit_or_error(ctx, who.unit)
    for code in body.departments:
        unit_or_error(ctx, code)  # a code that names no unit is a bad request (422), as in 协办
    departments = {code for code, unit in units.items() if unit.kind is UnitKind.department}
    now = ctx.now()
    call = rules.blow_whistle(township, body.departments, body.whistle_class, now, ctx.calendar,
                              policy=ctx.clock_policy, reason=body.reason, known_departments=departments,
                              awaited=await _awaited(session, order))
    row = WhistleCall(work_order_id=order.id, township=township.code, whistle_class=call.whistle_class.value,
                      reason=mask_text(call.reason), blown_at=now, blown_by=who.actor)
    session.add(row)
    await session.flush()  # the call's id, for its summons
    session.add_all([WhistleSummons(call_id=row.id, work_order_id=order.id, department=code, summoned_at=now,
                                    report_due=call.report_due) for code in call.departments])
    await hands.add_order_units(session, order.id, dict.fromkeys(call.departments, "summoned"), now)
    summons = Summons(whistle_call_id=row.id, township=township.code, call_class=call.whistle_class.value,
                      report_due=call.report_due, reason=row.reason)
    for code in call.departments:
        repo.add_outbox(session, EventEnvelope(
            type=DISPATCHED_TYPE, subject=order.id, topic=dispatch_topic(code), time=now,
            data=_summoned_copy(order, units[code].name, township.code, summons).model_dump(mode="json")), now)
    announce(session, order, action="whistle", actor=who.actor, now=now, event_type=WHISTLE_BLOWN_TYPE,
             reason=call.reason, payload=WhistleBlown(
                 **order_summary(order), action="whistle", actor=who.actor, at=now, whistle_call_id=row.id,
                 calling_township=township.code, call_class=call.whistle_class.value,
                 departments=list(call.departments), report_due=call.report_due, reason=row.reason))
    await reschedule(session, ctx, order)
    return State(order.state)


async def _handed_over_at(session: AsyncSession, order: WorkOrder) -> datetime | None:
    """When the order's current hand-over began (its open dispatch), or None with none open."""
    current = (await esc_repo.open_dispatches(session, [order.id])).get(order.id)
    return None if current is None else current.dispatched_at


def _stands(order: WorkOrder, township: str, summoned_at: datetime, handed_over_at: datetime) -> bool:
    return not rules.summons_lapsed(township, summoned_at, lead_unit=order.unit, handed_over_at=handed_over_at)


async def _awaited(session: AsyncSession, order: WorkOrder) -> set[str]:
    """Departments an earlier whistle on the order summoned that have not reported for duty and
    whose summons still stands in the current hand-over."""
    since = await _handed_over_at(session, order)
    if since is None:
        return set()
    return {row.department for row in (await esc_repo.pending_summons(session, [order.id])).get(order.id, [])
            if _stands(order, row.township, row.summoned_at, since)}


def _summoned_copy(order: WorkOrder, unit_name: str, township: str, summons: Summons) -> DispatchedEvent:
    """What a summoned department gets on its topic: the order (no citizen contact: the township
    keeps it) and when to report."""
    assert order.claim_due and order.first_contact_due and order.resolve_due
    return DispatchedEvent(
        **order_summary(order), unit_name=unit_name, role="summoned", lead_unit=township, text=order.text_masked,
        address=order.address, matter_name=(order.routing or {}).get("matter_name"), contact=None,
        confidential=order.confidential, reason=summons.reason, reopen_count=order.reopen_count, summons=summons,
        claim_due=order.claim_due, first_contact_due=order.first_contact_due, resolve_due=order.resolve_due,
        reply_topic=UNIT_REPLIES_TOPIC,
    )


# ---- 报到 ------------------------------------------------------------------------------------
def _call_rules(call: WhistleCall, summons: list[WhistleSummons]) -> CallRules:
    return CallRules(
        township=call.township, departments=tuple(s.department for s in summons),
        whistle_class=WhistleClass(call.whistle_class),
        blown_at=call.blown_at, report_due=summons[0].report_due, reason=call.reason,
        reports=tuple(DutyReport(s.department, s.reported_at, bool(s.on_time)) for s in summons if s.reported_at),
    )


async def report_duty(session: AsyncSession, ctx: DomainContext, order_id: str, who: UnitActor,
                      body: DutyReportIn) -> State:
    """A summoned department reports for duty (报到) to the oldest call still waiting for it; the
    report is recorded on time or late. The township stays in charge."""
    order = await order_for_unit(session, order_id, who, lead_only=False)
    mine = await esc_repo.summons_of(session, order.id, who.unit)
    if not mine:
        raise NotSummoned(f"{who.unit} was not summoned to this order by a whistle")
    waiting = [(s, c) for s, c in mine if s.reported_at is None]
    if not waiting:
        raise AlreadyReported(f"{who.unit} has already reported for duty to every whistle call on this order")
    # a summons that lapsed with its hand-over waits for nobody: the report goes to a call that stands
    since = await _handed_over_at(session, order)
    if since is not None:
        waiting = [(s, c) for s, c in waiting if _stands(order, c.township, s.summoned_at, since)]
        if not waiting:
            raise NotSummoned(f"{who.unit}'s summons on this order lapsed when the order was handed over again; "
                              "no whistle call is waiting for it")
    summons, call = waiting[0]
    now = ctx.now()
    recorded = rules.report_for_duty(_call_rules(call, await esc_repo.call_summons(session, call.id)), who.unit, now)
    report = recorded.reports[-1]
    summons.reported_at, summons.on_time = report.reported_at, report.on_time
    late = 0 if report.on_time else int((now - summons.report_due).total_seconds() // 60)
    announce(session, order, action="report_duty", actor=who.actor, now=now, event_type=DUTY_REPORTED_TYPE,
             reason=body.note, payload=DutyReported(
                 **order_summary(order), action="report_duty", actor=who.actor, at=now, whistle_call_id=call.id,
                 calling_township=call.township, call_class=call.whistle_class, department=who.unit,
                 report_due=summons.report_due, reported_at=now, on_time=report.on_time, late_minutes=late,
                 note=mask_text(body.note) if body.note else None))
    await reschedule(session, ctx, order)
    return State(order.state)


# ---- 以下评上 --------------------------------------------------------------------------------
async def _other_calls(session: AsyncSession, order_id: str, township: str, department: str) -> str:
    """How to rate `department` when the call rated did not summon it: the township's calls that did."""
    calls = [str(c.id) for _, c in await esc_repo.summons_of(session, order_id, department) if c.township == township]
    return f" (its call: give whistle_call_id {' or '.join(calls)})" if calls else ""


async def rate_departments(session: AsyncSession, ctx: DomainContext, order_id: str, who: UnitActor,
                           body: WhistleRatingsIn) -> State:
    """The township that blew the whistle rates each department that reported (1-5), once per
    call. All the ratings of one request are stored, or none."""
    order = await order_for_unit(session, order_id, who)
    if body.whistle_call_id is not None:
        call = await esc_repo.get_call(session, body.whistle_call_id)
        if call is None or call.work_order_id != order.id:
            raise RatingNotAllowed(f"whistle call {body.whistle_call_id} is not a call on this order")
    else:
        call = await esc_repo.latest_call(session, order.id, who.unit)
    if call is None or call.township != who.unit:
        raise RatingNotAllowed(f"{who.unit} blew no whistle on this order: nothing to rate")
    summons = {s.department: s for s in await esc_repo.call_summons(session, call.id)}
    now = ctx.now()
    for item in body.ratings:
        row = summons.get(item.department)
        if row is None:
            raise RatingNotAllowed(f"{item.department} was not summoned by whistle call {call.id}"
                                   + await _other_calls(session, order.id, who.unit, item.department))
        rules.check_rating(item.department, reported=row.reported_at is not None, rated=row.rating is not None,
                           rating=item.rating)
        comment = mask_text(item.comment) if item.comment else None  # kept as every history reason is
        row.rating, row.rating_comment, row.rated_at = item.rating, comment, now
        announce(session, order, action="rate_department", actor=who.actor, now=now, event_type=WHISTLE_RATED_TYPE,
                 reason=item.comment, payload=WhistleRated(
                     **order_summary(order), action="dept_rated", actor=who.actor, at=now,
                     whistle_call_id=call.id, calling_township=call.township, call_class=call.whistle_class,
                     department=item.department,
                     rating=item.rating, comment=comment,
                     on_time=row.on_time))
    return State(order.state)
