"""Open311 GeoReport v2 under /open311/v2/, so existing 311 clients work unchanged: discovery,
services from the responsibility catalogue, service definitions, POST requests (form-encoded,
api_key of an `open311-client` key), GET requests with the standard's filters, GET requests/{id},
GET tokens/{token}; `.json` and `.xml`; errors as the standard's list of {code, description}.
GETs carry no personal numbers (descriptions and addresses are the masked ones)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.exceptions import HTTPException

from intake import open311
from intake.exceptions import ChannelClosed, IntakeError
from intake.masking import mask_text
from schemas.access import Permission, allows
from schemas.channels import SelfServiceIn
from schemas.validation import no_control_characters, problem_words
from services.apps.dependencies import UowDep
from services.db import repositories as repo
from services.db.tables import WorkOrder
from services.orders import intake as orders_intake


class Open311ErrorItem(BaseModel):
    """GeoReport v2 errors are a list of these (the standard's shape, not the {error, message} body)."""

    code: int
    description: str


_OPEN311_ERROR = {"model": list[Open311ErrorItem], "description": "GeoReport v2 errors: [{code, description}]",
                  "content": {"text/xml": {}}}
OPEN311_PREFIX = "/open311/"
router = APIRouter(prefix="/open311/v2", tags=["open311"],
                   responses={status: _OPEN311_ERROR for status in (400, 403, 404, 422)})
_LIST_NAMES = {"services": "service", "service_requests": "request", "errors": "error", "tokens": "request"}


class Open311Error(Exception):
    def __init__(self, status: int, description: str) -> None:
        self.status, self.description = status, description
        super().__init__(description)


# What XML 1.0 may hold. A citizen's text may carry U+FFFE or U+FFFF (a broken keyboard or converter),
# which ElementTree writes as they are: one such request would make every XML list holding it
# unreadable to a 311 client. Written as U+FFFD, the replacement character, instead.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml(root: str, value: Any) -> bytes:
    def fill(element: ET.Element, item: Any) -> None:
        if isinstance(item, dict):
            for key, v in item.items():
                fill(ET.SubElement(element, key), v)
        elif isinstance(item, list):
            for v in item:
                fill(ET.SubElement(element, _LIST_NAMES.get(element.tag, "item")), v)
        elif item is not None:
            element.text = str(item).lower() if isinstance(item, bool) else _NOT_XML.sub("\ufffd", str(item))

    top = ET.Element(root)
    fill(top, value)
    return b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(top, encoding="utf-8", xml_declaration=False)


def _respond(fmt: str, root: str, value: Any, status: int = 200) -> Response:
    if fmt == "xml":
        return Response(_xml(root, value), status_code=status, media_type="text/xml; charset=utf-8")
    return JSONResponse(value, status_code=status)


def standard_error(fmt: str, status: int, description: str) -> Response:
    """An error as the standard lists them, [{code, description}], in JSON or XML (`fmt`: else JSON)."""
    body = [{"code": status, "description": mask_text(description)}]  # it may quote an id the caller sent
    return _respond(fmt if fmt in ("json", "xml") else "json", "errors", body, status)


def _format(fmt: str) -> str:
    if fmt not in ("json", "xml"):
        raise Open311Error(404, f"format {fmt!r}: use .json or .xml")
    return fmt


def _utc(value: str | None, name: str) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise Open311Error(400, f"{name}: not a w3 date-time") from None
    if moment.tzinfo is None:
        raise Open311Error(400, f"{name}: give a time zone")
    try:
        return moment.astimezone(UTC)
    except OverflowError:  # 9999-12-31T23:59:59-14:00 is past what a time can hold
        raise Open311Error(400, f"{name}: not a w3 date-time") from None


async def _guard(fmt: str, work: Any) -> Response:
    try:
        return await work
    except Open311Error as exc:
        return standard_error(fmt, exc.status, exc.description)
    except HTTPException as exc:
        if exc.status_code != 413:  # a body streamed past the limit (services.apps.middleware.BodySizeLimit)
            raise
        return standard_error(fmt, 413, str(exc.detail))


@router.get("/discovery.{fmt}", summary="Open311 discovery")
async def discovery(fmt: str, request: Request) -> Response:
    async def work() -> Response:
        base = str(request.base_url).rstrip("/") + "/open311/v2/"
        doc = {"changeset": "2026-12-01T00:00:00Z", "contact": "the county hotline centre (12345)",
               "key_service": "hotline keys create --role open311-client",
               "endpoints": [{"specification": "http://wiki.open311.org/GeoReport_v2", "url": base,
                              "changeset": "2026-12-01T00:00:00Z", "type": "production",
                              "formats": ["application/json", "text/xml"]}]}
        return _respond(_format(fmt), "discovery", doc)
    return await _guard(fmt, work())


@router.get("/services.{fmt}", summary="Open311 service list (the responsibility catalogue)")
async def services(fmt: str, uow: UowDep) -> Response:
    async def work() -> Response:
        items = [open311.service(m.code, m.name, m.dept, [t.label for t in m.terms if t.weight > 0])
                 for m in uow.ctx.router.parts.catalogue]
        return _respond(_format(fmt), "services", items)
    return await _guard(fmt, work())


@router.get("/services/{service_code}.{fmt}", summary="Open311 service definition")
async def service_definition(service_code: str, fmt: str, uow: UowDep) -> Response:
    async def work() -> Response:
        if service_code not in uow.ctx.router.parts.catalogue:
            raise Open311Error(404, f"service_code {service_code!r} is not a service")
        return _respond(_format(fmt), "service_definition", {"service_code": service_code, "attributes": []})
    return await _guard(fmt, work())


def _view(order: WorkOrder, uow: UowDep, root: WorkOrder | None = None) -> dict[str, Any]:
    """`root`: the request a merged one follows (its status, agency and expected time are shown)."""
    catalogue = uow.ctx.router.parts.catalogue
    shown = root or order
    code = order.matter or shown.matter
    matter = catalogue.get(code) if code and code in catalogue else None
    unit = uow.ctx.router.units().get(shown.unit) if shown.unit else None
    photos = (order.details or {}).get("photos") or []
    return open311.request_view(
        order_id=order.id, state=order.state, root_state=root.state if root else None, service_code=code,
        service_name=matter.name if matter else None, text=order.text_masked, agency=unit.name if unit else None,
        requested=order.created_at, updated=max(order.updated_at, shown.updated_at), expected=shown.resolve_due,
        address=order.address, lat=order.latitude, long=order.longitude, media_url=photos[0] if photos else None,
        confidential=order.confidential)


async def _views(orders: Sequence[WorkOrder], uow: UowDep, session: AsyncSession) -> list[dict[str, Any]]:
    roots = await repo.roots_of(session, orders)
    return [_view(o, uow, roots.get(o.id)) for o in orders]


@router.post("/requests.{fmt}", summary="Open311 POST service request (form-encoded, api_key required)")
async def post_request(fmt: str, request: Request, uow: UowDep) -> Response:
    async def work() -> Response:
        _format(fmt)
        if "open311" in uow.ctx.channels_off:  # before any field is checked: none would make it open
            raise Open311Error(404, str(ChannelClosed("open311")))
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media and media != "application/x-www-form-urlencoded":
            # GeoReport v2 posts a form; a JSON body would read as a form without an api_key (403).
            raise Open311Error(400, f"send the request as a form: Content-Type: application/x-www-form-urlencoded "
                                    f"(got {media})")
        try:
            # errors="strict": a percent-escape that is not UTF-8 (%FF) is refused, not read as U+FFFD.
            form = {k: v[0] for k, v in parse_qs((await request.body()).decode("utf-8"), strict_parsing=False,
                                                 keep_blank_values=False, errors="strict").items()}
        except UnicodeDecodeError:
            raise Open311Error(400, "the form is not UTF-8") from None
        principal = await uow.runtime.keys.principal(form.get("api_key", "")) if form.get("api_key") else None
        if principal is None or not allows(principal, Permission.open311):
            raise Open311Error(403, "api_key missing or not valid (issue one: hotline keys create --role "
                                    "open311-client)")
        description = form.get("description", "")
        service_code = form.get("service_code")
        if not service_code:
            raise Open311Error(400, f"service_code: required (see services.{fmt})")
        if service_code not in uow.ctx.router.parts.catalogue:
            raise Open311Error(400, f"service_code {service_code!r}: not a service (see services.{fmt})")
        if not (form.get("lat") and form.get("long")) and not form.get("address_string") and not form.get(
                "address_id"):
            raise Open311Error(400, "location: give lat and long, or address_string")
        name = " ".join(p for p in (form.get("last_name"), form.get("first_name")) if p) or None
        body: dict[str, Any] = {"channel": "web", "text": description, "address": form.get("address_string"),
                                "caller_phone": form.get("phone"), "caller_name": name,
                                "photos": [form["media_url"]] if form.get("media_url") else []}
        if form.get("lat") and form.get("long"):
            body["location"] = {"lat": form["lat"], "long": form["long"]}
        try:
            submission = SelfServiceIn.model_validate(body)
        except ValidationError as exc:
            fields = {"text": "description", "address": "address_string", "caller_phone": "phone",
                      "caller_name": "first_name/last_name", "photos": "media_url", "location": "lat/long"}
            problems = "; ".join(f"{fields.get(str(e['loc'][0]), e['loc'][0])}: {problem_words(e)}"
                                 for e in exc.errors())
            raise Open311Error(400, problems) from None
        try:
            async with uow.transaction() as session:
                accepted = await orders_intake.accept_appeal(session, uow.ctx, submission, actor=principal.actor,
                                                             channel="open311")
        except ChannelClosed as exc:
            raise Open311Error(404, str(exc)) from None
        except IntakeError as exc:
            raise Open311Error(400, str(exc)) from None
        notice = "merged with an open report of the same problem" if accepted.order.merged_into else ""
        return _respond(fmt, "service_requests", [{"service_request_id": accepted.order.id,
                                                   "service_notice": notice, "account_id": None}], 201)
    return await _guard(fmt, work())


_LIMIT = 1000  # requests in one answer, newest first (GeoReport v2 leaves the default to the server)
_MAX_PAGES = 10  # pages of _LIMIT read to fill an answer filtered by status


@router.get("/requests.{fmt}", summary="Open311 GET service requests (filters: service_request_id, service_code, "
                                        "start_date, end_date, status)")
async def get_requests(fmt: str, request: Request, uow: UowDep) -> Response:
    async def work() -> Response:
        _format(fmt)
        q = request.query_params
        for name, value in q.multi_items():
            try:
                no_control_characters(value)
            except ValueError as exc:
                raise Open311Error(400, f"{name}: {exc}") from None
        stmt = select(WorkOrder)
        wanted: set[str] = set()
        if q.get("service_request_id"):
            stmt = stmt.where(WorkOrder.id.in_([i.strip() for i in q["service_request_id"].split(",")][:100]))
        else:
            if q.get("service_code"):
                stmt = stmt.where(WorkOrder.matter.in_(q["service_code"].split(",")))
            start, end = _utc(q.get("start_date"), "start_date"), _utc(q.get("end_date"), "end_date")
            if start:
                stmt = stmt.where(WorkOrder.created_at >= start)
            if end:
                stmt = stmt.where(WorkOrder.created_at <= end)
            wanted = {s.strip() for s in q.get("status", "").split(",") if s.strip()}
            if wanted - {"open", "closed"}:
                raise Open311Error(400, "status: open or closed")
            if wanted and wanted != {"open", "closed"}:
                # Merged requests show the status of the one they follow: sorted out below.
                finished = WorkOrder.state.in_(sorted(open311.FINISHED))
                stmt = stmt.where(finished | (WorkOrder.state == "merged") if "closed" in wanted else ~finished)
        stmt = stmt.order_by(WorkOrder.created_at.desc(), WorkOrder.id)
        one_status = bool(wanted) and wanted != {"open", "closed"}
        views: list[dict[str, Any]] = []
        async with uow.read() as session:
            # A merged request's status is its root's, known only after reading it: page on until the
            # answer is full, so that merged requests of the other status do not shorten it.
            for page in range(_MAX_PAGES):
                orders = (await session.execute(stmt.offset(page * _LIMIT).limit(_LIMIT))).scalars().all()
                found = await _views(orders, uow, session)
                views += [v for v in found if v["status"] in wanted] if one_status else found
                if len(orders) < _LIMIT or len(views) >= _LIMIT:
                    break
        return _respond(fmt, "service_requests", views[:_LIMIT])
    return await _guard(fmt, work())


async def _order_named(session: AsyncSession, request_id: str) -> WorkOrder | None:
    """The order a client names by its service_request_id (tokens are the id too); None for an id
    that cannot be one (control characters, which PostgreSQL refuses in text)."""
    return await session.get(WorkOrder, request_id[:40]) if request_id.isprintable() else None


@router.get("/requests/{request_id}.{fmt}", summary="Open311 GET one service request")
async def get_request(request_id: str, fmt: str, uow: UowDep) -> Response:
    async def work() -> Response:
        _format(fmt)
        async with uow.read() as session:
            order = await _order_named(session, request_id)
            if order is None:
                raise Open311Error(404, f"service_request_id {request_id!r} not found")
            return _respond(fmt, "service_requests", await _views([order], uow, session))
    return await _guard(fmt, work())


@router.get("/tokens/{token}.{fmt}", summary="Open311 GET service_request_id from a token")
async def get_token(token: str, fmt: str, uow: UowDep) -> Response:
    async def work() -> Response:
        _format(fmt)
        # Requests get their id at once, and the token a POST could return is that id.
        async with uow.read() as session:
            order = await _order_named(session, token)
        if order is None:
            raise Open311Error(404, f"token {token!r} not found")
        return _respond(fmt, "tokens", [{"service_request_id": order.id, "token": token}])
    return await _guard(fmt, work())
