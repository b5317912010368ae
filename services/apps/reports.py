"""Report endpoints of the feedback service (/v1/reports/…): JSON, or CSV with `?format=csv` or
`Accept: text/csv`. Supervisor and admin keys. Periods are local days (Asia/Shanghai by default);
`to` defaults to today and `from` to the first day of `to`'s month."""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import BaseModel

from feedback.exceptions import BadReportParameter
from feedback.periods import Period, parse_day
from feedback.reports import parse_weights
from router.service import Router
from schemas.reports import (
    AssessmentReport,
    DrillPage,
    HotspotsReport,
    RatesReport,
    Report631,
    StagesReport,
    SupervisionReport,
    TrendReport,
)
from schemas.taxonomy import Level
from services.apps.dependencies import ReportReader, RuntimeDep, UowDep
from services.db import repositories as repo
from services.reports import service
from services.reports.export import states_csv, to_csv

router = APIRouter(prefix="/v1/reports", tags=["reports"])

CSV_RESPONSE: dict[int | str, dict[str, Any]] = {200: {"content": {"text/csv": {}}, "description": "JSON, or CSV"}}


@contextmanager
def as_422() -> Iterator[None]:
    """A report parameter that makes no sense is a 422 naming it, in the one error body."""
    try:
        yield
    except BadReportParameter as exc:
        raise RequestValidationError([{"loc": ("query", exc.field), "msg": exc.problem, "type": "value_error"}]
                                     ) from exc


_NAMES: weakref.WeakKeyDictionary[Router, service.Names] = weakref.WeakKeyDictionary()


def names_for(runtime: RuntimeDep) -> service.Names:
    """Names of the router in use (it may be reloaded while the service runs)."""
    router_now = runtime.ctx.router
    if router_now not in _NAMES:
        _NAMES[router_now] = service.Names(router_now)
    return _NAMES[router_now]


NamesDep = Annotated[service.Names, Depends(names_for)]


DAY_HELP = " (YYYY-MM-DD, or an ISO date-time with its offset, taken as the county's day it falls on)"


def report_period(
    runtime: RuntimeDep,
    period_from: Annotated[str | None, Query(alias="from", description="first local day" + DAY_HELP)] = None,
    period_to: Annotated[str | None, Query(alias="to", description="last local day, included" + DAY_HELP)] = None,
) -> Period:
    ctx = runtime.ctx
    with as_422():
        start = parse_day("from", period_from, ctx.local_day)
        end = parse_day("to", period_to, ctx.local_day)
        return Period.of(start, end, ctx.local_day(ctx.now()))


PeriodDep = Annotated[Period, Depends(report_period)]


def township_code(names: NamesDep, township: Annotated[str | None, Query(
        description="a township's code, its government's unit code or its name")] = None) -> str | None:
    with as_422():
        return names.township(township)


TownshipDep = Annotated[str | None, Depends(township_code)]


def rate_weights(runtime: RuntimeDep, weights: Annotated[str | None, Query(
        description="e.g. response:0.3,solution:0.3,satisfaction:0.4 (default: configuration)")] = None
                 ) -> dict[str, float]:
    with as_422():
        default = parse_weights(runtime.settings.report_weights, {"response": 0, "solution": 0, "satisfaction": 0})
        return parse_weights(weights, default)


WeightsDep = Annotated[dict[str, float], Depends(rate_weights)]


def wants_csv(request: Request, runtime: RuntimeDep, format: Annotated[Literal["json", "csv"] | None, Query(
        description="csv for a CSV export (or send Accept: text/csv)")] = None) -> ZoneInfo | None:
    """The county's time zone when a CSV is wanted (its times are written in county time, for the
    spreadsheet's reader), else None (JSON, in UTC like the rest of the API)."""
    wanted = format == "csv" if format is not None else "text/csv" in request.headers.get("accept", "")
    return runtime.ctx.timezone if wanted else None


CsvDep = Annotated[ZoneInfo | None, Depends(wants_csv)]
Limit = Annotated[int, Query(ge=1, le=1000)]


def csv_response(text: str, name: str) -> Response:
    """A CSV export as a download named `name`.csv."""
    return Response(text, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})


def respond(report: BaseModel, csv: ZoneInfo | None, name: str) -> Any:
    if csv is None:
        return report
    return csv_response(to_csv(report, csv), name)


@router.get("/631", response_model=Report631, responses=CSV_RESPONSE,
            summary="631: orders closed at village / township / county level, shares against 60/30/10")
async def report_631(uow: UowDep, _: ReportReader, names: NamesDep, period: PeriodDep, township: TownshipDep,
                     csv: CsvDep) -> Any:
    async with uow.read() as session:
        report = await service.report_631(session, names, period, township)
    return respond(report, csv, f"631_{period.start}_{period.end}")


@router.get("/631/orders", response_model=DrillPage, responses=CSV_RESPONSE,
            summary="the orders behind the 631 counts (one level, one township)")
async def report_631_orders(uow: UowDep, _: ReportReader, period: PeriodDep, township: TownshipDep, csv: CsvDep,
                            level: Level | None = None, after: str | None = None, limit: Limit = 100) -> Any:
    async with uow.read() as session:
        with as_422():
            page = await service.orders_631(session, period, township, level, after, limit)
    return respond(page, csv, f"631_orders_{period.start}_{period.end}")


@router.get("/rates", response_model=RatesReport, responses=CSV_RESPONSE,
            summary="响应率 / 解决率 / 满意率 overall and per unit, with the weighted composite")
async def report_rates(uow: UowDep, _: ReportReader, names: NamesDep, period: PeriodDep, weights: WeightsDep,
                       csv: CsvDep, unit: str | None = None) -> Any:
    with as_422():
        unit = names.unit(unit)
    async with uow.read() as session:
        report = await service.rates(session, names, period, weights, unit)
    return respond(report, csv, f"rates_{period.start}_{period.end}")


@router.get("/assessment", response_model=AssessmentReport, responses=CSV_RESPONSE,
            summary="考核: each unit's figures for the period, ranked")
async def report_assessment(uow: UowDep, _: ReportReader, names: NamesDep, period: PeriodDep, weights: WeightsDep,
                            csv: CsvDep, level: Level | None = None) -> Any:
    async with uow.read() as session:
        report = await service.assessment(session, names, period, weights, level)
    return respond(report, csv, f"assessment_{period.start}_{period.end}")


@router.get("/hotspots", response_model=HotspotsReport, responses=CSV_RESPONSE,
            summary="hot spots: matter × place, repeated appeals, trend against the previous period")
async def report_hotspots(uow: UowDep, runtime: RuntimeDep, _: ReportReader, names: NamesDep, period: PeriodDep,
                          township: TownshipDep, csv: CsvDep, limit: Annotated[int, Query(ge=1, le=100)] = 10,
                          repeat_threshold: Annotated[int | None, Query(ge=2, le=1000)] = None) -> Any:
    threshold = repeat_threshold or runtime.settings.report_repeat_threshold
    async with uow.read() as session:
        report = await service.hotspots(session, names, period, township, limit, threshold)
    return respond(report, csv, f"hotspots_{period.start}_{period.end}")


@router.get("/hotspots/orders", response_model=DrillPage, responses=CSV_RESPONSE,
            summary="the orders behind one hot spot (matter × place)")
async def report_hotspot_orders(uow: UowDep, _: ReportReader, names: NamesDep, period: PeriodDep,
                                township: TownshipDep, csv: CsvDep, matter: str = "", village: str = "",
                                after: str | None = None, limit: Limit = 100) -> Any:
    with as_422():
        matter = names.matter(matter)
    async with uow.read() as session:
        with as_422():
            page = await service.hotspot_orders(session, period, township, village, matter, after, limit)
    return respond(page, csv, f"hotspot_orders_{period.start}_{period.end}")


@router.get("/supervision", response_model=SupervisionReport, responses=CSV_RESPONSE,
            summary="督办清单: open orders with a supervision flag, by unit and level (提醒 / 督办 / 通报)")
async def report_supervision(uow: UowDep, runtime: RuntimeDep, _: ReportReader, names: NamesDep, period: PeriodDep,
                             csv: CsvDep, unit: str | None = None,
                             level: Literal["remind", "supervise", "notify"] | None = None,
                             limit: Limit = 200) -> Any:
    with as_422():
        unit = names.unit(unit)
    async with uow.read() as session:
        report = await service.supervision(session, names, period, runtime.ctx.now(), unit, level, limit)
    return respond(report, csv, f"supervision_{period.start}_{period.end}")


@router.get("/stages", response_model=StagesReport, responses=CSV_RESPONSE,
            summary="the seven stages (首接响应 … 结果运用), one figure each")
async def report_stages(uow: UowDep, runtime: RuntimeDep, _: ReportReader, period: PeriodDep, weights: WeightsDep,
                        csv: CsvDep) -> Any:
    async with uow.read() as session:
        report = await service.stages(session, period, weights, runtime.settings.report_repeat_threshold)
    return respond(report, csv, f"stages_{period.start}_{period.end}")


@router.get("/trend", response_model=TrendReport, responses=CSV_RESPONSE,
            summary="orders received per day and 631 shares per week")
async def report_trend(uow: UowDep, _: ReportReader, period: PeriodDep, csv: CsvDep) -> Any:
    async with uow.read() as session:
        report = await service.trend(session, period)
    return respond(report, csv, f"trend_{period.start}_{period.end}")


@router.get("/states", response_model=dict[str, int], responses=CSV_RESPONSE,
            summary="how many orders are in each state now")
async def report_states(uow: UowDep, _: ReportReader, csv: CsvDep) -> Any:
    async with uow.read() as session:
        counts = await repo.count_by_state(session)  # kept by the database as orders change (live)
    if csv is None:
        return counts
    return csv_response(states_csv(counts), "states")
