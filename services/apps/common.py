"""What every app shares: lifespan, the one error contract, health, metrics and offline docs.

Every error of every service answers `{"error": <stable snake_case code>, "message": …, …}`. The
status of an exception comes from the one table below; its code is the class's own `code`
attribute if it has one, else its name in snake_case (`OrderNotFound` -> `order_not_found`), so a
new error class gets a stable code by being added to the table. Exceptions from libraries and the
framework's own HTTP errors are named by their status (`not_found`, `method_not_allowed`, …).
Every status a route can answer is declared in its OpenAPI document (`_declare_errors`).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from http import HTTPStatus
from pathlib import Path
from typing import Any

import fastapi_offline
from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse
from fastapi.staticfiles import StaticFiles
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware

from escalation.exceptions import EscalationError
from feedback.exceptions import FeedbackError, InvalidCitizenToken, NotAssignedUnit
from intake.exceptions import ChannelClosed, NotWithdrawable, RepeatConflict
from intake.masking import mask_text
from schemas.lifecycle import TransitionNotAllowed
from schemas.taxonomy import Channel
from schemas.validation import problem_words, tag_field
from services.apps.dependencies import RuntimeDep
from services.apps.middleware import BodySizeLimit, HeadAsGet, QueryGuard, RequestObservation
from services.bootstrap import Role, Runtime, build_runtime
from services.db.engine import database_unavailable
from services.errors import (
    ExtensionNotFound,
    Forbidden,
    MatterOfAnotherDepartment,
    MergeIntoItself,
    MergeTargetClosed,
    NothingToConfirm,
    OrderNotFound,
    Unauthenticated,
    UnknownMatter,
    UnknownUnit,
)
from services.naming import snake_case
from services.observe import refresh
from services.settings import CoreSettings, comma_list
from services.tracing import instrument_app, setup_tracing

log = logging.getLogger(__name__)
_CHANNEL_TAGS = frozenset(c.value for c in Channel)

# Exceptions -> HTTP status, in one place (a subclass not listed takes its base's status).
_STATUS: list[tuple[type[Exception], int]] = [
    (OrderNotFound, 404),
    (ExtensionNotFound, 404),
    (TransitionNotAllowed, 409),
    (NotAssignedUnit, 403),
    (InvalidCitizenToken, 404),
    (Unauthenticated, 401),
    (Forbidden, 403),
    (UnknownUnit, 422),
    (UnknownMatter, 422),
    (MatterOfAnotherDepartment, 422),
    (MergeIntoItself, 422),
    (NothingToConfirm, 409),
    (MergeTargetClosed, 409),
    (FeedbackError, 409),
    (EscalationError, 409),
    (RepeatConflict, 422),
    (ChannelClosed, 404),
    (NotWithdrawable, 409),
    # Infrastructure: the transaction did not commit, so nothing was stored.
    (IntegrityError, 409),
    (DBAPIError, 503),
    (PoolTimeout, 503),
    (OSError, 503),
]

# The code of an error that does not name itself (framework and library errors), by status, and
# what each status means in the OpenAPI documents.
STATUS_CODES: dict[int, tuple[str, str]] = {
    400: ("bad_request", "the body is not valid JSON (`malformed_json`), or the request is malformed"),
    401: ("unauthenticated", "no API key, or one that is unknown or revoked (WWW-Authenticate)"),
    403: ("forbidden", "the caller's role may not do this, or the unit may not act on this order"),
    404: ("not_found", "no such work order, unit or path"),
    405: ("method_not_allowed", "the path does not take this method (see the Allow header)"),
    409: ("conflict", "not allowed from the order's current state, or a conflicting write"),
    413: ("body_too_large", "request body too large"),
    415: ("unsupported_media_type", "the body must be JSON, sent with Content-Type: application/json"),
    422: ("validation_error", "a field is missing or invalid; the message names it"),
    500: ("internal_error", "an unexpected error; the message carries the request id to report"),
    503: ("database_unavailable", "the database is unavailable; nothing was stored, retry (Retry-After)"),
}

_OUR_PACKAGES = ("schemas", "intake", "router", "escalation", "feedback", "services")


def status_of(exc_type: type[BaseException]) -> int:
    for base in exc_type.__mro__:
        for listed, status in _STATUS:
            if base is listed:
                return status
    return 500


def error_code(exc_type: type[BaseException]) -> str:
    """The stable code of an exception class: its own `code`, its name in snake_case for our own
    classes, else the code of its status."""
    if exc_type.__module__.split(".")[0] not in _OUR_PACKAGES:
        return STATUS_CODES[status_of(exc_type)][0]  # libraries' own `code`s mean other things
    own = exc_type.__dict__.get("code")
    return own if isinstance(own, str) else snake_case(exc_type.__name__)


class FieldProblem(BaseModel):
    field: str = Field(description="dotted path of the field, e.g. `text` or `query.limit`")
    problem: str


class ErrorBody(BaseModel):
    """Every error of every service."""

    model_config = ConfigDict(extra="allow")

    error: str = Field(description="stable snake_case code, e.g. `order_not_found`, `validation_error`")
    message: str = Field(description="what went wrong, for a person; names the field where one is at fault")
    fields: list[FieldProblem] | None = Field(default=None, description="each invalid field (422)")


def _masked(value: Any) -> Any:
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, dict):
        return {k: _masked(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_masked(v) for v in value]
    return value


def error_response(status: int, error: str, message: str, **extra: Any) -> JSONResponse:
    """The one error body. Messages may quote what the caller sent (an id, a unit, a township): a
    phone, ID or bank-card number among it is masked like everywhere else."""
    body = {"error": error, "message": mask_text(message), **_masked(extra)}
    return JSONResponse(body, status_code=status)


def _install_error_handlers(app: FastAPI) -> None:
    async def known(_: Request, exc: Exception) -> JSONResponse:
        status = status_of(type(exc))
        if status == 503 and not database_unavailable(exc):
            # The database refused what it was sent (a value, a statement): a bug, not an outage, so
            # not 503 "please retry" but internal_error with the request id (middleware.RequestObservation).
            raise exc
        if status == 503:
            # The transaction did not commit: nothing was stored, and the caller must be told to retry.
            log.warning("database unavailable: %s", exc)
            response = error_response(503, error_code(type(exc)),
                                      "the database is unavailable; nothing was stored, please retry")
            response.headers["Retry-After"] = "5"
            return response
        if exc.__module__.split(".")[0] not in _OUR_PACKAGES:
            log.warning("%s: %s", type(exc).__name__, exc)
            return error_response(status, error_code(type(exc)), STATUS_CODES[status][1])
        response = error_response(status, error_code(type(exc)), str(exc))
        if status == 401:
            response.headers["WWW-Authenticate"] = "Bearer"
        return response

    for exc_type, _ in _STATUS:
        app.add_exception_handler(exc_type, known)

    async def http_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, HTTPException)
        code = getattr(exc, "code", None) or STATUS_CODES.get(exc.status_code, (None,))[0] \
            or snake_case(HTTPStatus(exc.status_code).phrase.replace(" ", ""))
        message = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        if exc.status_code == 400 and message == "There was an error parsing the body":
            # FastAPI's words when json.loads fails other than by a syntax error: bytes that are not
            # UTF-8, or arrays nested past Python's recursion limit. Either way the body is not JSON.
            code, message = "malformed_json", "body: not valid JSON (not UTF-8 text, or nested too deeply)"
        elif exc.status_code == 404 and message == "Not Found":
            message = f"no such path: {request.url.path}"
        elif exc.status_code == 405:
            allowed = (exc.headers or {}).get("Allow") or (exc.headers or {}).get("allow", "")
            message = f"{request.method} is not allowed on {request.url.path}; allowed: {allowed}"
        response = error_response(exc.status_code, code, message)
        response.headers.update(exc.headers or {})
        return response

    app.add_exception_handler(HTTPException, http_error)

    async def validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        errors = list(exc.errors())
        for err in errors:
            if err.get("type") == "json_invalid":
                where = err.get("loc", ("body", 0))[-1]
                reason = (err.get("ctx") or {}).get("error", "not JSON")
                return error_response(400, "malformed_json", f"body: not valid JSON: {reason} (at character {where})")
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        has_body = request.headers.get("content-length", "0") != "0" or "transfer-encoding" in request.headers
        if (has_body and any(tuple(e.get("loc", ()))[:1] == ("body",) for e in errors)
                and not (media == "application/json" or media.endswith("+json"))):
            return error_response(415, "unsupported_media_type",
                                  f"body: send JSON with Content-Type: application/json (got {media or 'none'})")
        problems = []
        for err in errors:
            raw_loc = tuple(err.get("loc", ()))
            if raw_loc[:1] == ("body",) and len(raw_loc) > 2 and raw_loc[1] in _CHANNEL_TAGS:
                raw_loc = raw_loc[:1] + raw_loc[2:]  # the channel model's tag is not a field the client sent
            loc = [str(p) for p in raw_loc if p != "body"]
            if (tag := tag_field(err)) is not None:
                loc.append(tag)
            field = ".".join(loc) or "body"
            problems.append({"field": field, "problem": problem_words(err)})
        message = "; ".join(f"{p['field']}: {p['problem']}" for p in problems)
        return error_response(422, "validation_error", message, fields=problems)

    app.add_exception_handler(RequestValidationError, validation)

    # Anything else (a bug) is answered with `internal_error` by middleware.RequestObservation.


def _declare_errors(schema: dict[str, Any]) -> dict[str, Any]:
    """Declare on each operation every error status it can answer, with the ErrorBody schema:
    the table's statuses and 503 on the API (/v1), 400/413/415/422 where there is a body, 422
    where there are parameters, 404 where there is a path parameter."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    body_schema = ErrorBody.model_json_schema(ref_template="#/components/schemas/{model}")
    components.update(body_schema.pop("$defs", {}))
    components["ErrorBody"] = body_schema
    ref = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
    api_statuses = {status for _, status in _STATUS} | {503}
    for path, operations in schema.get("paths", {}).items():
        for operation in operations.values():
            statuses: set[int] = set()
            params = operation.get("parameters", [])
            if path.startswith("/v1/"):
                statuses |= api_statuses
            if "requestBody" in operation:
                statuses |= {400, 413, 415, 422}
            if params:
                statuses.add(422)
            if any(p.get("in") == "path" for p in params):
                statuses.add(404)
            responses = operation.setdefault("responses", {})
            for status in sorted(statuses):
                entry = responses.setdefault(str(status), {"description": STATUS_CODES[status][1]})
                declared = entry.get("content", {}).get("application/json", {}).get("schema")
                # A route that declares its own error shape keeps it (Open311's standard list).
                if declared is None or declared.get("$ref", "").endswith("/HTTPValidationError"):
                    entry["content"] = ref
    for unused in ("HTTPValidationError", "ValidationError"):
        components.pop(unused, None)
    return schema


class Readiness(BaseModel):
    status: str = Field(description="`ready`")
    database: bool
    broker: bool
    relay_leader: bool


health = APIRouter(tags=["operations"])


@health.get("/healthz", summary="the process is alive")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@health.get(
    "/readyz", summary="the database is reachable (the broker is reported too)", response_model=Readiness,
    responses={503: {"model": ErrorBody, "description": "not ready: the database is unreachable (`not_ready`)"}},
)
async def readyz(runtime: RuntimeDep) -> JSONResponse:
    # Only the database gates readiness: with the broker down the service still accepts and stores
    # work (the outbox delays events, loses none), so it must stay in its load balancer.
    db = await runtime.database_ready()
    broker = await runtime.bus.ready()
    state = {"database": db, "broker": broker, "relay_leader": runtime.relay.is_leader}
    if not db:
        return error_response(503, "not_ready", "the database is unreachable", **state)
    return JSONResponse({"status": "ready", **state})


@health.get("/metrics", summary="Prometheus metrics", response_class=PlainTextResponse)
async def metrics(runtime: RuntimeDep) -> PlainTextResponse:
    await refresh(runtime)
    return PlainTextResponse(generate_latest().decode(), media_type=CONTENT_TYPE_LATEST)


DOCS_ASSETS = Path(fastapi_offline.__file__).parent / "static"
DOCS_ASSETS_URL = "/docs-assets"


def _install_docs(app: FastAPI) -> None:
    """/docs (Swagger UI) and /redoc with their scripts served by the app itself: the centre's
    network may have no way out to a CDN."""
    app.mount(DOCS_ASSETS_URL, StaticFiles(directory=DOCS_ASSETS), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    async def swagger(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_swagger_ui_html(
            openapi_url=f"{root}/openapi.json", title=f"{app.title} - API",
            swagger_js_url=f"{root}{DOCS_ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{DOCS_ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=f"{root}{DOCS_ASSETS_URL}/favicon.png",
        )

    @app.get("/redoc", include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_redoc_html(
            openapi_url=f"{root}/openapi.json", title=f"{app.title} - API",
            redoc_js_url=f"{root}{DOCS_ASSETS_URL}/redoc.standalone.js",
            redoc_favicon_url=f"{root}{DOCS_ASSETS_URL}/favicon.png", with_google_fonts=False,
        )


def create_app(
    title: str,
    roles: tuple[Role, ...],
    routers: Sequence[APIRouter],
    *,
    settings: CoreSettings | None = None,
    runtime: Runtime | None = None,
    description: str = "",
    lanes: Sequence[Middleware] = (),
) -> FastAPI:
    """A service app. Pass `runtime` to share one already built (tests, demo); otherwise the
    lifespan builds and tears down its own. `lanes`: middleware that answers a busy route itself,
    installed innermost of ours (inside the body-size limit), so all of ours still applies."""
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
                  docs_url=None, redoc_url=None)
    if runtime is not None:
        app.state.runtime = runtime
    for lane in reversed(lanes):  # each add goes outside the one before: the first lane is outermost
        app.add_middleware(lane.cls, *lane.args, **lane.kwargs)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(QueryGuard)
    app.add_middleware(HeadAsGet)  # inside RequestObservation, which counts it as HEAD
    if origins := comma_list(settings.cors_origins):
        # Citizens' web front ends call from their own origin; with none configured, no CORS headers.
        app.add_middleware(CORSMiddleware, allow_origins=origins, allow_methods=["GET", "POST", "PATCH", "DELETE"],
                           allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "X-Citizen-Token",
                                          "X-Request-Id"],
                           expose_headers=["X-Request-Id", "Retry-After"], max_age=600)
    app.add_middleware(RequestObservation, service=roles[0] if len(roles) == 1 else "all", router=app.router)
    _install_error_handlers(app)
    _install_docs(app)
    app.include_router(health)
    for router in routers:
        app.include_router(router)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = _declare_errors(get_openapi(
                title=app.title, version=app.version, description=app.description, routes=app.routes))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    if setup_tracing(settings, roles[0] if len(roles) == 1 else "all"):
        instrument_app(app)
    return app
