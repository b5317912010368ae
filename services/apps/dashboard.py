"""The ops dashboard (运行监测大屏) on the feedback service: a sign-in page that takes a supervisor's
(or admin's) key and opens a session for it — the browser keeps only the random session id, in an
HttpOnly, SameSite=Strict cookie (Secure when served over HTTPS), never the key; the page; the one
JSON document it refreshes itself from; and its assets (script, style sheet, font), all served
by the app itself so that it works with no internet."""

from __future__ import annotations

import html
from datetime import date, timedelta
from importlib import resources
from typing import Annotated, Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, HTTPException, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel

from feedback.periods import Period
from feedback.reports import DEFAULT_WEIGHTS, parse_weights
from schemas.access import Permission, Principal, allows
from schemas.reports import (
    AssessmentRow,
    HotSpot,
    RatesReport,
    Report631,
    SupervisionReport,
    TrendReport,
)
from services import keys
from services.apps.common import ErrorBody
from services.apps.dependencies import RuntimeDep, UowDep
from services.apps.reports import NamesDep
from services.bootstrap import Runtime
from services.db import repositories as repo
from services.errors import Forbidden, Unauthenticated
from services.reports import service

router = APIRouter(prefix="/dashboard", tags=["dashboard"])

COOKIE = "hotline_dashboard"
SESSION_LIFETIME = timedelta(hours=8)  # a working shift; then sign in again
ASSETS = resources.files("services.reports") / "dashboard"
ASSET_TYPES = {"dashboard.js": "text/javascript; charset=utf-8", "dashboard.css": "text/css; charset=utf-8",
               "noto-sans-sc-subset.woff": "font/woff", "LICENSE-OFL.txt": "text/plain; charset=utf-8"}
_bearer = HTTPBearer(auto_error=False)
# Everything the pages use comes from this app: the browser is told to load nothing from elsewhere.
PAGE_HEADERS = {"Content-Security-Policy": "default-src 'self'; style-src 'self' 'unsafe-inline'; "
                "img-src 'self' data:; frame-ancestors 'none'; form-action 'self'",
                "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}


async def signed_in(request: Request, runtime: RuntimeDep,
                    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> Principal | None:
    """The caller by an API key (Authorization: Bearer) or by the dashboard's session cookie; None
    when neither is given; 401 for a key that is not valid (unknown or revoked) or a session that
    no longer is (ended, signed out of, or its key revoked)."""
    if credentials is not None:
        principal = await runtime.keys.principal(credentials.credentials)
        if principal is None:
            raise Unauthenticated("the API key is not valid (unknown or revoked): sign in again")
        return principal
    session_id = request.cookies.get(COOKIE)
    if not session_id:
        return None
    async with runtime.sessions() as session, session.begin():  # a use moves the idle end on
        principal = await keys.dashboard_session_principal(session, session_id, runtime.ctx.now(),
                                                           _session_times(runtime))
    if principal is None:
        raise Unauthenticated("the dashboard sign-in has ended (expired, unused too long, signed out, or its key "
                              "revoked): sign in again")
    return principal


SignedIn = Annotated[Principal | None, Depends(signed_in)]


def _session_times(runtime: Runtime) -> keys.SessionTimes:
    return keys.SessionTimes(SESSION_LIFETIME, timedelta(minutes=runtime.settings.dashboard_idle_minutes))


def _page(name: str, **values: str) -> str:
    text = (ASSETS / name).read_text(encoding="utf-8")
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", value)
    return text


def _boxed(title: str, fragment: str, **values: str) -> str:
    """A small page of its own (sign-in, sign-out): the shared shell around one fragment."""
    return _page("box.html", title=title, content=_page(fragment, **values))


def _login_page(runtime: Runtime, message: str = "", status: int = 200) -> HTMLResponse:
    note = f'<p class="error" role="alert">{html.escape(message)}</p>' if message else ""
    idle = str(runtime.settings.dashboard_idle_minutes)
    return HTMLResponse(_boxed("登录", "login.html", message=note, idle=idle), status_code=status,
                        headers=PAGE_HEADERS)


@router.get("/login", response_class=HTMLResponse, summary="sign-in page (登录): asks for a supervisor key")
async def login_page(runtime: RuntimeDep) -> HTMLResponse:
    return _login_page(runtime)


_HTML = {"text/html": {"schema": {"type": "string"}}}
_REFUSED: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "no key and no sign-in cookie, or a key or sign-in no longer valid"},
    403: {"model": ErrorBody, "description": "the key may not read reports"},
    503: {"model": ErrorBody, "description": "the database is unavailable; retry"},
}


@router.post("/login", response_class=HTMLResponse, summary="sign in with a key (form field `key`)",
             responses={303: {"description": "signed in: on to the dashboard"},
                        401: {"description": "the key is not valid: the sign-in page again", "content": _HTML},
                        403: {"description": "the key may not read reports: the sign-in page again",
                              "content": _HTML}})
async def login(request: Request, runtime: RuntimeDep) -> Response:
    form = parse_qs((await request.body()).decode("utf-8", "replace"))
    key = (form.get("key") or [""])[0].strip()
    if not key:
        return _login_page(runtime, "请输入密钥。", status=401)
    principal = await runtime.keys.principal(key)
    if principal is None:
        return _login_page(runtime, "密钥无效或已吊销。", status=401)
    if not allows(principal, Permission.read_reports):
        return _login_page(runtime, "此密钥无权查看报表（需要督办或管理员密钥）。", status=403)
    now = runtime.ctx.now()
    async with runtime.sessions() as session, session.begin():
        if request.cookies.get(COOKIE):  # signing in again: the sign-in before ends
            await keys.close_dashboard_session(session, request.cookies[COOKIE])
        session_id = await keys.open_dashboard_session(session, principal.key_id, now, _session_times(runtime))
    response = RedirectResponse("/dashboard", status_code=303)
    response.set_cookie(COOKIE, session_id, max_age=int(SESSION_LIFETIME.total_seconds()), path="/dashboard",
                        secure=_over_https(request), httponly=True, samesite="strict")
    return response


def _over_https(request: Request) -> bool:
    """Whether the browser reached us over HTTPS (behind a proxy, as its X-Forwarded-Proto says to a
    server that trusts it: uvicorn's --forwarded-allow-ips). A Secure cookie sent over plain HTTP
    to anything but localhost is dropped by the browser, and the sign-in with it."""
    return request.url.scheme == "https"


def _drop_cookie(request: Request, response: Response) -> None:
    response.delete_cookie(COOKIE, path="/dashboard", secure=_over_https(request), httponly=True, samesite="strict")


@router.get("/logout", response_class=HTMLResponse,
            summary="the sign-out page (a link or a typed address): a button that signs out, nothing ended by the GET")
async def logout_page() -> HTMLResponse:
    # Signing out changes state, so it stays a POST (a GET may be prefetched or followed from
    # another site); whoever types the address gets the button rather than a 405.
    return HTMLResponse(_boxed("退出", "logout.html"), headers=PAGE_HEADERS)


@router.post("/logout", summary="sign out: the session ends on the server and the cookie is dropped",
             responses={303: {"description": "signed out"}})
async def logout(request: Request, runtime: RuntimeDep) -> Response:
    if session_id := request.cookies.get(COOKIE):
        async with runtime.sessions() as session, session.begin():
            await keys.close_dashboard_session(session, session_id)
    response = RedirectResponse("/dashboard/login", status_code=303)
    _drop_cookie(request, response)
    return response


@router.get("", response_class=HTMLResponse, summary="the ops dashboard (sign in first)",
            responses={303: {"description": "not signed in: to the sign-in page"},
                       401: {"description": "the sign-in has ended (expired, signed out, key revoked): the sign-in "
                                             "page again",
                             "content": _HTML},
                       403: {"description": "the key may not read reports: the sign-in page", "content": _HTML},
                       503: _REFUSED[503]})
async def dashboard(request: Request, runtime: RuntimeDep,
                    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> Response:
    # A browser page: a sign-in that no longer holds shows the sign-in page, not a JSON error.
    try:
        principal = await signed_in(request, runtime, credentials)
    except Unauthenticated:
        page = _login_page(runtime, "登录已失效（已超时、长时间未使用、已退出或密钥已吊销），请重新登录。", status=401)
        _drop_cookie(request, page)
        return page
    if principal is None:
        return RedirectResponse("/dashboard/login", status_code=303)
    if not allows(principal, Permission.read_reports):
        return _login_page(runtime, "此密钥无权查看报表（需要督办或管理员密钥）。", status=403)
    return HTMLResponse(_page("dashboard.html", refresh=str(runtime.settings.dashboard_refresh_seconds),
                              who=html.escape(principal.name or principal.role.value)), headers=PAGE_HEADERS)


@router.get("/assets/{name}", summary="the dashboard's own script, style sheet and font")
async def asset(name: Annotated[str, Path(max_length=64)]) -> Response:
    if name not in ASSET_TYPES:
        raise HTTPException(404, f"no dashboard asset {name!r}")
    return Response((ASSETS / name).read_bytes(), media_type=ASSET_TYPES[name],
                    headers={"Cache-Control": "public, max-age=3600"})


class DashboardData(BaseModel):
    generated_at: str
    refresh_seconds: int
    period_from: date
    period_to: date
    states: dict[str, int]
    report_631: Report631
    rates: RatesReport
    supervision: SupervisionReport
    ranking: list[AssessmentRow]
    hotspots: list[HotSpot]
    trend: TrendReport


@router.get("/data", response_model=DashboardData, responses=_REFUSED,
            summary="everything the dashboard shows, in one document (key or the dashboard's session cookie)")
async def data(principal: SignedIn, runtime: RuntimeDep, uow: UowDep, names: NamesDep) -> Any:
    if principal is None:
        raise Unauthenticated("sign in at /dashboard/login, or send Authorization: Bearer <key>")
    if not allows(principal, Permission.read_reports):
        raise Forbidden(f"{principal.role.value} keys may not see the dashboard")
    now = runtime.ctx.now()
    today = runtime.ctx.local_day(now)
    month = Period(today.replace(day=1), today)
    settings = runtime.settings
    weights = parse_weights(settings.report_weights, DEFAULT_WEIGHTS)
    async with uow.read() as session:
        states = await repo.count_by_state(session)
        report_631 = await service.report_631(session, names, month, None)
        rates = await service.rates(session, names, month, weights, None)
        supervision = await service.supervision(session, names, month, now, None, None, 20)
        ranking = (await service.assessment(session, names, month, weights, None)).units[:10]
        hotspots = (await service.hotspots(session, names, month, None, 8, settings.report_repeat_threshold)).hotspots
        last_30_days = Period(today - timedelta(days=29), today)
        per_day = await service.orders_per_day(session, last_30_days)
        per_week = await service.shares_per_week(session, Period(today - timedelta(weeks=11), today))
    trend = TrendReport(period_from=last_30_days.start, period_to=today, orders_per_day=per_day,
                        shares_631_per_week=per_week)
    return DashboardData(generated_at=now.astimezone(runtime.ctx.timezone).isoformat(timespec="seconds"),
                         refresh_seconds=settings.dashboard_refresh_seconds, period_from=month.start,
                         period_to=month.end, states=states, report_631=report_631, rates=rates,
                         supervision=supervision, ranking=ranking, hotspots=hotspots, trend=trend)
