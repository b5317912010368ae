"""Intake service: every channel -> one normalised appeal; repeats answered with the same order."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, FastAPI, Header, Response, status
from sqlalchemy.exc import IntegrityError

from schemas.appeals import AppealAccepted, AppealIn
from schemas.lifecycle import State
from services import workorders
from services.apps.common import create_app
from services.apps.dependencies import UowDep
from services.bootstrap import Runtime
from services.db import repositories as repo
from services.metrics import APPEALS_ACCEPTED, APPEALS_REPEATED
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
    idempotency_key: Annotated[str | None, Header(max_length=128)] = None,
) -> AppealAccepted:
    try:
        async with uow.transaction() as session:
            accepted = await workorders.accept_appeal(session, uow.ctx, appeal, idempotency_key=idempotency_key)
    except IntegrityError:
        # A concurrent identical submission won the race: answer with its order.
        async with uow.read() as session:
            existing = await repo.find_repeat(session, channel=appeal.channel.value,
                                              external_id=appeal.external_id, idempotency_key=idempotency_key)
        if existing is None:
            raise
        accepted = workorders.Accepted(existing, created=False, citizen_token=None)
    if accepted.created:
        APPEALS_ACCEPTED.labels(appeal.channel.value).inc()
    else:
        APPEALS_REPEATED.inc()
        response.status_code = status.HTTP_200_OK
    # The operator is told at once; the router's own pass makes the order `redirected`.
    emergency = uow.ctx.router.route(accepted.order.text, channel=appeal.channel.value,
                                     address=appeal.address).redirect
    return AppealAccepted(work_order_id=accepted.order.id, state=State(accepted.order.state),
                          created=accepted.created, citizen_token=accepted.citizen_token, emergency_line=emergency)


def create_intake_app(settings: CoreSettings | None = None, runtime: Runtime | None = None) -> FastAPI:
    return create_app("Hotline intake", ("intake",), [router], settings=settings, runtime=runtime,
                      description="One intake for every appeal channel (多号并一号).")
