"""Intake service: every channel -> one normalised appeal; repeats answered with the same order."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, FastAPI, Header, Response, status
from sqlalchemy.exc import IntegrityError

from feedback.ratings import may_rate
from schemas.access import Permission, allows
from schemas.appeals import AppealAccepted, AppealIn, CitizenStep, CitizenView
from schemas.lifecycle import State
from schemas.taxonomy import CITIZEN_CHANNELS
from services.apps.common import create_app
from services.apps.dependencies import OptionalPrincipal, UowDep, WorkOrderDep
from services.bootstrap import Runtime
from services.db import repositories as repo
from services.errors import Forbidden, Unauthenticated
from services.metrics import APPEALS_ACCEPTED, APPEALS_REPEATED
from services.orders import intake as orders_intake
from services.orders import lifecycle
from services.settings import CoreSettings

router = APIRouter(prefix="/v1", tags=["intake"])


@router.post(
    "/appeals",
    status_code=status.HTTP_201_CREATED,
    response_model=AppealAccepted,
    responses={200: {"model": AppealAccepted, "description": "a repeat: the existing order"}},
    summary="submit an appeal from any channel",
)
async def submit_appeal(
    appeal: AppealIn,
    uow: UowDep,
    response: Response,
    principal: OptionalPrincipal,
    idempotency_key: Annotated[str | None, Header(min_length=1, max_length=128)] = None,
) -> AppealAccepted:
    if appeal.channel not in CITIZEN_CHANNELS:
        # Operators enter calls, grid workers and transfers on a caller's behalf: that needs a key.
        if principal is None:
            raise Unauthenticated(f"channel {appeal.channel.value} needs an API key (operator); citizens use web "
                                  "or mini_program")
        if not allows(principal, Permission.submit_for_caller):
            raise Forbidden(f"a {principal.role.value} key may not submit appeals on channel {appeal.channel.value}")
    try:
        async with uow.transaction() as session:
            # The operator who entered it, or the citizen's own channel.
            accepted = await orders_intake.accept_appeal(session, uow.ctx, appeal, idempotency_key=idempotency_key,
                                                         actor=principal.actor if principal else None)
    except IntegrityError:
        # A concurrent identical submission won the race: answer with its order.
        async with uow.read() as session:
            existing = await repo.find_repeat(session, channel=appeal.channel.value,
                                              external_id=appeal.external_id, idempotency_key=idempotency_key)
        if existing is None:
            raise
        accepted = orders_intake.Accepted(existing, created=False, citizen_token=None)
    if accepted.created:
        APPEALS_ACCEPTED.labels(appeal.channel.value).inc()
    else:
        APPEALS_REPEATED.inc()
        response.status_code = status.HTTP_200_OK
    # The operator is told at once; the router's own pass makes the order `redirected`.
    emergency = uow.ctx.router.emergency_line(accepted.order.text)
    return AppealAccepted(work_order_id=accepted.order.id, state=State(accepted.order.state),
                          created=accepted.created, citizen_token=accepted.citizen_token, emergency_line=emergency)


_CITIZEN_STEPS = {
    "receive": "已受理 received", "dispatch": "已派单 dispatched to the responsible unit",
    "hold_for_review": "人工复核 being checked by a dispatcher", "claim": "承办单位已签收 claimed by the unit",
    "resolve": "已办结 resolved, waiting for your rating", "close": "已办结归档 closed",
    "reopen": "重办 reopened", "return": "重新派单中 being re-assigned", "escalate": "已上报 passed up a level",
    "redirect": "已转紧急热线 handed to the emergency line", "merge": "与相同诉求合并 merged",
    "invalidate": "无效诉求 invalid", "withdraw": "已撤回 withdrawn",
    "first_contact": "承办单位已与您联系 the unit contacted you", "progress": "办理中 being worked on",
    "request_assistance": "多部门协同办理 other units help", "reassign": "已改派 re-assigned",
    "callback": "回访 the centre called you back", "rate": "已评价 rated",
}


@router.get("/appeals/{order_id}", response_model=CitizenView, summary="a citizen follows their own order")
async def follow_appeal(
    order: WorkOrderDep, uow: UowDep, x_citizen_token: Annotated[str | None, Header(max_length=128)] = None
) -> CitizenView:
    # A wrong or missing token is a 404, like an unknown id: no probing for which ids exist.
    lifecycle.check_citizen_token(order, x_citizen_token or "")
    async with uow.read() as session:
        history = await repo.history_of(session, order.id)
    unit = uow.ctx.router.units().get(order.unit) if order.unit else None
    return CitizenView(
        work_order_id=order.id, state=State(order.state), submitted_at=order.created_at,
        handled_by=unit.name if unit else None, resolve_due=order.resolve_due,
        steps=[CitizenStep(at=h.at, what=_CITIZEN_STEPS.get(h.action, h.action)) for h in history],
        # The unit's answer with its latest resolution (办理结果): what the citizen rates.
        reply=next((str(h.data["reply"]) for h in reversed(history) if h.action == "resolve" and h.data
                    and h.data.get("reply")), None),
        can_rate=may_rate(State(order.state), rated=order.rating is not None, now=uow.ctx.now(),
                          rating_due=order.rating_due, policy=uow.ctx.feedback),
    )


def create_intake_app(settings: CoreSettings | None = None, runtime: Runtime | None = None) -> FastAPI:
    return create_app("Hotline intake", ("intake",), [router], settings=settings, runtime=runtime,
                      description="One intake for every appeal channel (多号并一号).")
