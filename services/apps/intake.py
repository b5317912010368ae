"""Intake service: every channel -> one normalised appeal; repeats answered with the same order."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Header, Request, Response, status
from fastapi.routing import APIRoute
from pydantic import TypeAdapter, ValidationError
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from intake.exceptions import ChannelClosed
from schemas.access import Permission, Principal, allows
from schemas.appeals import AppealAccepted, CitizenView, WithdrawIn
from schemas.channels import AppealSubmission, ChannelAppeal
from schemas.lifecycle import State
from schemas.taxonomy import CITIZEN_CHANNELS
from services.apps import open311
from services.apps.common import create_app
from services.apps.dependencies import (
    CitizenOrder,
    OptionalPrincipal,
    UnitOfWork,
    UowDep,
    request_principal,
)
from services.bootstrap import Runtime
from services.db import repositories as repo
from services.errors import Forbidden, Unauthenticated
from services.metrics import APPEALS_ACCEPTED, APPEALS_REPEATED
from services.orders import citizen
from services.orders import intake as orders_intake
from services.settings import CoreSettings

router = APIRouter(prefix="/v1", tags=["intake"])


_KEY_CHARS = r"[\x21-\x7e]"  # printable ASCII, no space
_IDEMPOTENCY_KEY = Header(min_length=1, max_length=128, pattern=f"^{_KEY_CHARS}+$",
                          description="a client's own id for this submission: a repeat returns the first response")


async def _channel_open(request: Request) -> None:
    """A switched-off channel answers 404 `channel_closed` before its fields are checked: a client
    told which fields are wrong would fix them only to be told the channel is closed. FastAPI solves
    the dependencies before it validates the body (a body that is not JSON is answered before)."""
    channels_off = request.app.state.runtime.ctx.channels_off
    if not channels_off:
        return
    try:
        body = await request.json()
    except ValueError:
        return
    channel = body.get("channel") if isinstance(body, dict) else None
    if isinstance(channel, str) and channel in channels_off:
        raise ChannelClosed(channel)


async def submit_appeal(
    appeal: AppealSubmission,
    uow: UowDep,
    response: Response,
    principal: OptionalPrincipal,
    idempotency_key: Annotated[str | None, _IDEMPOTENCY_KEY] = None,
) -> AppealAccepted:
    answer, created = await _submit(uow, appeal, principal, idempotency_key)
    if not created:
        response.status_code = status.HTTP_200_OK
    return answer


async def _submit(uow: UnitOfWork, appeal: ChannelAppeal, principal: Principal | None,
                  idempotency_key: str | None) -> tuple[AppealAccepted, bool]:
    """The answer to a valid submission and whether it created an order (201) or repeats one (200)."""
    if appeal.channel not in CITIZEN_CHANNELS:
        # Operators enter calls, grid workers and transfers on a caller's behalf: that needs a key.
        if principal is None:
            raise Unauthenticated(f"channel {appeal.channel} needs an API key (operator); citizens use web, "
                                  "mini_program or wechat")
        if not allows(principal, Permission.submit_for_caller):
            raise Forbidden(f"{principal.role.value} keys may not submit appeals on channel {appeal.channel}")
    actor = principal.actor if principal else f"citizen:{appeal.channel}"
    try:
        accepted = await orders_intake.accept_appeal_alone(uow.autocommit, uow.transaction, uow.ctx, appeal,
                                                           idempotency_key=idempotency_key, actor=actor)
    except IntegrityError:
        # A concurrent submission with the same id won the race: answer as a repeat of it.
        async with uow.read() as session:
            accepted = await orders_intake.answer_race(session, uow.ctx, appeal, idempotency_key=idempotency_key)
    if accepted.created:
        APPEALS_ACCEPTED.labels(appeal.channel).inc()
    else:
        APPEALS_REPEATED.inc()
    # The operator is told at once; the router's own pass makes the order `redirected`.
    emergency = uow.ctx.router.emergency_line(accepted.order.text)
    answer = AppealAccepted(work_order_id=accepted.order.id, state=State(accepted.order.state),
                            created=accepted.created, citizen_token=accepted.citizen_token, emergency_line=emergency,
                            merged_into=accepted.order.merged_into)
    return answer, accepted.created


_SUBMISSION: TypeAdapter[ChannelAppeal] = TypeAdapter(AppealSubmission)
_ANSWER = TypeAdapter(AppealAccepted)
_GOOD_KEY = re.compile(f"{_KEY_CHARS}{{1,128}}")  # what _IDEMPOTENCY_KEY accepts


async def _lean_submit(request: Request) -> Response | None:
    """POST /v1/appeals for a JSON body that is a valid submission: parsed and validated once,
    answered with bytes, no dependency resolution or re-validation of the answer (most of
    FastAPI's cost on this, the busiest route). Anything else (not JSON, an invalid field or
    header) returns None, for the full route to answer exactly as it always has."""
    if request.headers.get("content-type", "").partition(";")[0].strip().lower() != "application/json":
        return None
    try:
        # json.loads then Python-mode validation, as FastAPI does, not validate_json: JSON mode
        # reads a number such as 3.00 into Decimal('3') where Python mode gives Decimal('3.0'),
        # which would change the request digest and refuse an exact repeat sent the other way.
        appeal = _SUBMISSION.validate_python(await request.json())
    except (ValidationError, ValueError, RecursionError):  # not a valid submission, or not JSON
        return None
    key = request.headers.get("idempotency-key")
    if key is not None and not _GOOD_KEY.fullmatch(key):
        return None
    runtime: Runtime = request.app.state.runtime
    principal = await request_principal(request, runtime)
    answer, created = await _submit(UnitOfWork(runtime), appeal, principal, key)
    body = _ANSWER.dump_json(answer, by_alias=True)  # as FastAPI serialises a response_model
    return Response(body, status_code=201 if created else 200, media_type="application/json")


class AppealLane:
    """POST /v1/appeals answered by _lean_submit as soon as our middleware has let the request
    through: past the framework's exception middleware, router and request wrapping (about a tenth
    of intake's CPU on its busiest route). Whatever _lean_submit leaves (another media type, an
    invalid field or header, malformed JSON) goes on to the app, body and all, for the full route
    to answer exactly as it always has; an exception is answered by the app's own handler for it,
    as the framework would. Installed innermost of our middleware (create_app's `lanes`), so the
    request id, access log, metrics, CORS, the query guard and the body-size limit all apply."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != "/v1/appeals"
                or scope.get("root_path")):
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        body = await request.body()  # read here, under the body-size limit
        try:
            response = await _lean_submit(request)
        except Exception as exc:
            handler = _exception_handler(request.app, exc)
            if handler is None:
                raise
            answer = handler(request, exc)
            response = await answer if inspect.isawaitable(answer) else answer
            exc.__traceback__ = None  # as Starlette does: a reused exception would pile up tracebacks
        if response is None:
            await self.app(scope, _replay(body, receive), send)
            return
        scope["route"] = _SUBMIT_ROUTE  # as the router names it, for the request's metrics and log line
        await response(scope, receive, send)


def _exception_handler(app: FastAPI, exc: Exception) -> Callable[[Request, Exception], Any] | None:
    """The app's handler for `exc`, as the framework's exception middleware chooses it (a handler
    for an HTTP error's status first, then the nearest class); 500 and Exception belong to the
    server-error middleware, which only the outermost layer reaches."""
    handlers = app.exception_handlers
    if isinstance(exc, HTTPException) and exc.status_code != 500 and exc.status_code in handlers:
        return handlers[exc.status_code]
    for cls in type(exc).__mro__:
        if cls is not Exception and cls in handlers:
            return handlers[cls]
    return None


def _replay(body: bytes, receive: Receive) -> Receive:
    """A receive that gives the body already read, then whatever the client sends next."""
    given = False

    async def replay() -> Message:
        nonlocal given
        if given:
            return await receive()
        given = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


router.add_api_route(
    "/appeals", submit_appeal, methods=["POST"], dependencies=[Depends(_channel_open)],
    status_code=status.HTTP_201_CREATED, response_model=AppealAccepted,
    responses={200: {"model": AppealAccepted, "description": "a repeat: the first response again, token included"}},
    summary="submit an appeal from any channel (each channel has its own fields)",
)
_SUBMIT_ROUTE = router.routes[-1]
assert isinstance(_SUBMIT_ROUTE, APIRoute) and _SUBMIT_ROUTE.path == "/v1/appeals"


@router.get("/appeals/{order_id}", response_model=CitizenView, summary="a citizen follows their own order")
async def follow_appeal(order: CitizenOrder, uow: UowDep) -> CitizenView:
    async with uow.read() as session:
        return await citizen.citizen_view(session, uow.ctx, order)


@router.post("/appeals/{order_id}/withdraw", response_model=CitizenView,
             summary="a citizen withdraws their own appeal before it is resolved (citizen token)")
async def withdraw_appeal(order: CitizenOrder, uow: UowDep, body: WithdrawIn | None = None) -> CitizenView:
    async with uow.transaction() as session:
        await citizen.withdraw(session, uow.ctx, order.id, reason=body.reason if body else None)
    async with uow.read() as session:
        fresh = await repo.get_order(session, order.id)
        assert fresh is not None
        return await citizen.citizen_view(session, uow.ctx, fresh)


def create_intake_app(settings: CoreSettings | None = None, runtime: Runtime | None = None) -> FastAPI:
    return create_app("Hotline intake", ("intake",), [router, open311.router], settings=settings, runtime=runtime,
                      lanes=[Middleware(AppealLane)],
                      description="One intake for every appeal channel (多号并一号).")
