"""ASGI middleware every app shares: the request's identity, metrics and access log, and the
body-size guard."""

from __future__ import annotations

import logging
import re
import time
import uuid
from urllib.parse import parse_qsl

from starlette.exceptions import HTTPException
from starlette.routing import Match, Router
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from schemas.validation import no_control_characters
from services.logs import REQUEST_ID, WORK_ORDER_ID
from services.metrics import HTTP_LATENCY, HTTP_REQUESTS

log = logging.getLogger("hotline.http")

_GOOD_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
_ORDER_PATH = re.compile(r"/work-orders/([A-Za-z0-9_-]{1,40})|/appeals/([A-Za-z0-9_-]{1,40})")


class RequestObservation:
    """Gives each request an id (the caller's `X-Request-ID` if it is sane, else a new one), echoes
    it in the response, puts it and the work-order id of the path in every log line written while
    the request runs, counts the request and its latency by route template (never by raw path, so
    unknown paths are one series) and writes one access-log line."""

    def __init__(self, app: ASGIApp, service: str, router: Router | None = None) -> None:
        self.app = app
        self.service = service
        self.router = router  # to name the route when the framework did not record it in the scope

    def _template(self, scope: Scope) -> str:
        route = scope.get("route")
        if route is None and self.router is not None:
            for candidate in self.router.routes:
                if candidate.matches(scope)[0] is Match.FULL:
                    route = candidate
                    break
        return getattr(route, "path_format", None) or getattr(route, "path", None) or "unmatched"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope.get("headers") or []).get(b"x-request-id", b"").decode("latin-1")
        request_id = given if _GOOD_REQUEST_ID.match(given) else uuid.uuid4().hex
        order = _ORDER_PATH.search(scope.get("path", ""))
        tokens = (REQUEST_ID.set(request_id), WORK_ORDER_ID.set((order.group(1) or order.group(2)) if order else None))
        status = 500  # until the app starts a response
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception as exc:
            # A bug: answer with the contract and the request id to report (here, not in Starlette's
            # outer error middleware, so the id is still known and the response carries it).
            log.error("unhandled %s", type(exc).__name__, exc_info=exc)
            if status == 500:
                from services.apps.common import error_response

                response = error_response(500, "internal_error", f"an unexpected error; report request id {request_id}")
                await send_with_id({"type": "http.response.start", "status": 500, "headers": response.raw_headers})
                await send_with_id({"type": "http.response.body", "body": response.body})
        finally:
            elapsed = time.perf_counter() - started
            template = self._template(scope)
            method = scope.get("method", "")
            HTTP_REQUESTS.labels(self.service, method, template, str(status)).inc()
            HTTP_LATENCY.labels(self.service, method, template).observe(elapsed)
            if template not in ("/metrics", "/healthz", "/readyz"):
                log.info("%s %s %s", method, template, status,
                         extra={"status": status, "duration_ms": round(elapsed * 1000, 1)})
            WORK_ORDER_ID.reset(tokens[1])
            REQUEST_ID.reset(tokens[0])


class HeadAsGet:
    """HEAD is answered as GET without the body (RFC 9110 9.3.2): FastAPI's routes take only the methods
    they name, so every GET route answered HEAD with 405. The request goes through as GET and only the
    body is dropped (the status and headers, Content-Length included, are GET's); the scope says HEAD
    again once it is answered, so the request is counted and logged as HEAD by its route template. The
    routes and the OpenAPI document are unchanged."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        scope["method"] = "GET"  # in place: the router records the route it matched in this scope
        try:
            await self.app(scope, receive, headers_only)
        finally:
            scope["method"] = "HEAD"


class BodySizeLimit:
    """Refuses bodies over `max_bytes` with 413 before the app parses them."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, send)
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise _TooLarge(self.max_bytes)
            return message

        try:
            await self.app(scope, limited, send)
        except _TooLarge:
            await self._refuse(scope, send)

    async def _refuse(self, scope: Scope, send: Send) -> None:
        from services.apps.common import error_response
        from services.apps.open311 import OPEN311_PREFIX, standard_error

        words = f"body: request body is larger than {self.max_bytes} bytes"
        path: str = scope.get("path", "")
        response = (standard_error(path.rpartition(".")[2], 413, words) if path.startswith(OPEN311_PREFIX)
                    else error_response(413, "body_too_large", words))
        await send({"type": "http.response.start", "status": 413, "headers": response.raw_headers})
        await send({"type": "http.response.body", "body": response.body})


class _TooLarge(HTTPException):
    """Raised from inside the body stream; FastAPI passes HTTPExceptions through its body parsing
    untouched, so the app's error handler answers 413 with the contract's body."""

    code = "body_too_large"

    def __init__(self, max_bytes: int) -> None:
        super().__init__(413, f"body: request body is larger than {max_bytes} bytes")


class QueryGuard:
    """Refuses a query parameter holding NUL or another control character with the one error body,
    422 naming it, before any route reads it: PostgreSQL refuses NUL in text, which would otherwise
    surface as 503 "database unavailable" for a request no retry can mend. Open311's routes answer
    in their standard's own error format and check their filters themselves."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        query = scope.get("query_string", b"") if scope["type"] == "http" else b""
        if not query or scope.get("path", "").startswith("/open311/"):
            await self.app(scope, receive, send)
            return
        problems = []
        for name, value in parse_qsl(query.decode("latin-1"), keep_blank_values=True, encoding="utf-8"):
            try:
                no_control_characters(name + value)
            except ValueError as exc:
                problems.append({"field": f"query.{name}", "problem": str(exc)})
        if not problems:
            await self.app(scope, receive, send)
            return
        from services.apps.common import error_response

        response = error_response(422, "validation_error", "; ".join(f"{p['field']}: {p['problem']}" for p in problems),
                                  fields=problems)
        await send({"type": "http.response.start", "status": 422, "headers": response.raw_headers})
        await send({"type": "http.response.body", "body": response.body})
