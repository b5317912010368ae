"""What every app shares: lifespan, health, metrics, the body-size guard and error mapping."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy.exc import DBAPIError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from escalation.exceptions import EscalationError
from feedback.exceptions import FeedbackError, InvalidCitizenToken, NotAssignedUnit
from schemas.lifecycle import TransitionNotAllowed
from services.apps.dependencies import RuntimeDep
from services.bootstrap import Role, Runtime, build_runtime
from services.errors import Forbidden, NothingToConfirm, OrderNotFound, Unauthenticated, UnknownMatter, UnknownUnit
from services.settings import CoreSettings

log = logging.getLogger(__name__)

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"description": "no API key, or one that is unknown or revoked"},
    403: {"description": "the caller's role may not do this"},
    404: {"description": "no such work order"},
    409: {"description": "not allowed from the order's current state"},
    413: {"description": "request body too large"},
    422: {"description": "a field is missing or invalid; the message names it"},
    503: {"description": "the database is unavailable; nothing was stored, retry"},
}

# Domain and application errors -> HTTP status, in one place.
_STATUS: list[tuple[type[Exception], int]] = [
    (OrderNotFound, 404),
    (TransitionNotAllowed, 409),
    (NotAssignedUnit, 403),
    (InvalidCitizenToken, 404),
    (Unauthenticated, 401),
    (Forbidden, 403),
    (UnknownUnit, 422),
    (UnknownMatter, 422),
    (NothingToConfirm, 409),
    (FeedbackError, 409),
    (EscalationError, 409),
]


def _error(status: int, error: str, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": error, "message": message, **extra}, status_code=status)


def _install_error_handlers(app: FastAPI) -> None:
    for exc_type, status in _STATUS:
        def handler(_: Request, exc: Exception, status: int = status) -> JSONResponse:
            response = _error(status, type(exc).__name__, str(exc))
            if status == 401:
                response.headers["WWW-Authenticate"] = "Bearer"
            return response

        app.add_exception_handler(exc_type, handler)

    async def validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = []
        for err in exc.errors():
            loc = [str(p) for p in err.get("loc", ()) if p not in ("body",)]
            field = ".".join(loc) or "body"
            problems.append({"field": field, "problem": err.get("msg", "invalid")})
        message = "; ".join(f"{p['field']}: {p['problem']}" for p in problems)
        return _error(422, "validation_error", message, fields=problems)

    app.add_exception_handler(RequestValidationError, validation)  # type: ignore[arg-type]

    async def unavailable(_: Request, exc: Exception) -> JSONResponse:
        # The transaction did not commit: nothing was stored, and the caller must be told to retry.
        log.warning("database unavailable: %s", exc)
        response = _error(503, "database_unavailable",
                          "the database is unavailable; nothing was stored, please retry")
        response.headers["Retry-After"] = "5"
        return response

    for db_error in (DBAPIError, OSError, ConnectionError):
        app.add_exception_handler(db_error, unavailable)


class BodySizeLimit:
    """Refuses bodies over `max_bytes` with 413 before the app parses them (ASGI middleware)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(send)
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise _TooLarge
            return message

        try:
            await self.app(scope, limited, send)
        except _TooLarge:
            await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        response = _error(413, "body_too_large", f"body: request body is larger than {self.max_bytes} bytes")
        await send({"type": "http.response.start", "status": 413, "headers": response.raw_headers})
        await send({"type": "http.response.body", "body": response.body})


class _TooLarge(Exception):
    pass


health = APIRouter(tags=["operations"])


@health.get("/healthz", summary="the process is alive")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@health.get("/readyz", summary="the database is reachable (the broker is reported too)", responses={503: {}})
async def readyz(runtime: RuntimeDep) -> JSONResponse:
    # Only the database gates readiness: with the broker down the service still accepts and stores
    # work (the outbox delays events, loses none), so it must stay in its load balancer.
    db = await runtime.database_ready()
    broker = await runtime.bus.ready()
    return JSONResponse(
        {"status": "ready" if db else "not ready", "database": db, "broker": broker,
         "relay_leader": runtime.relay.is_leader},
        status_code=200 if db else 503,
    )


@health.get("/metrics", summary="Prometheus metrics", response_class=PlainTextResponse)
async def metrics() -> PlainTextResponse:
    return PlainTextResponse(generate_latest().decode(), media_type=CONTENT_TYPE_LATEST)


def create_app(
    title: str,
    roles: tuple[Role, ...],
    routers: Sequence[APIRouter],
    *,
    settings: CoreSettings | None = None,
    runtime: Runtime | None = None,
    description: str = "",
) -> FastAPI:
    """A service app. Pass `runtime` to share one already built (tests, demo); otherwise the
    lifespan builds and tears down its own."""
    settings = settings or CoreSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if runtime is not None:
            yield  # the owner of the shared runtime starts and stops it
            return
        own = await build_runtime(settings, roles)
        await own.start()
        app.state.runtime = own
        try:
            yield
        finally:
            await own.stop()

    app = FastAPI(title=title, version="0.1.0", description=description, lifespan=lifespan,
                  responses=ERROR_RESPONSES)
    if runtime is not None:
        app.state.runtime = runtime
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    _install_error_handlers(app)
    app.include_router(health)
    for router in routers:
        app.include_router(router)
    return app
