"""The reports, built from the aggregates (never a scan of the orders): each reads the tallies of
its period and hands them to the formulas in feedback.reports, with the names of units, places
and matters from the router's catalogue and gazetteer."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import cached_property
from urllib.parse import urlencode

from sqlalchemy.ext.asyncio import AsyncSession

from feedback import reports as formulas
from feedback.exceptions import BadReportParameter
from feedback.periods import TREND_GRAIN, Period, week_start
from feedback.reports import HotspotNames, PeriodCounts
from feedback.tallies import Metric
from router.service import Router
from schemas.reports import (
    AssessmentReport,
    DayCount,
    DrillOrder,
    DrillPage,
    HotSpot,
    HotspotsReport,
    RatesReport,
    Report631,
    StagesReport,
    SupervisedOrder,
    SupervisionCount,
    SupervisionReport,
    TrendReport,
    WeekShares,
)
from schemas.taxonomy import Level
from services.db import reports as store
from services.db.tables import ReportOrder
from services.errors import quoted

RATE_METRICS = (Metric.handed_over, Metric.claimed_on_time, Metric.rated, Metric.solved, Metric.satisfied,
                Metric.basically_satisfied)
ASSESSMENT_METRICS = (*RATE_METRICS, Metric.resolved, Metric.resolved_on_time, Metric.returned, Metric.reopened,
                      Metric.supervision_remind, Metric.supervision_supervise, Metric.supervision_notify,
                      Metric.extension_requested, Metric.extension_approved, Metric.dept_rating_sum,
                      Metric.dept_rating_count, Metric.reported_for_duty, Metric.reported_on_time)
STAGE_METRICS = tuple(Metric)


class Names:
    """Names of units, townships, places and matters, and the township a caller may name."""

    def __init__(self, router: Router) -> None:
        self.router = router

    @cached_property
    def units(self) -> dict[str, tuple[str, str]]:
        return {code: (u.name, u.level.value) for code, u in self.router.units().items()}

    @cached_property
    def hot(self) -> HotspotNames:
        places = self.router.parts.gazetteer.places.values()
        return HotspotNames(
            townships={p.code: p.name for p in places if p.kind == "township"},
            places={p.code: p.name for p in places if p.kind in ("village", "community")},
            matters={m.code: m.name for m in self.router.parts.catalogue},
        )

    @cached_property
    def _township_keys(self) -> dict[str, str]:
        keys: dict[str, str] = {}
        for place in self.router.parts.gazetteer.places.values():
            if place.kind == "township" and place.township:
                for key in (place.code, place.unit, place.name):
                    keys[key] = place.township
        return keys

    def township(self, given: str | None) -> str | None:
        """The township code for a code, its government's unit code or its name; 422 otherwise."""
        if given is None or given == "":
            return None
        code = self._township_keys.get(given.strip())
        if code is None:
            raise BadReportParameter("township", f"unknown township {quoted(given)} (give its code, unit code or name)")
        return code

    def unit(self, given: str | None) -> str | None:
        if given is None or given == "":
            return None
        if given not in self.units:
            raise BadReportParameter("unit", f"unknown unit {quoted(given)}")
        return given

    def matter(self, given: str) -> str:
        """A catalogue matter's code, or "" (the cell of orders without one); 422 otherwise."""
        if given != "" and given not in self.hot.matters:
            raise BadReportParameter("matter", f"unknown matter {quoted(given)}")
        return given


def _link(path: str, **params: object) -> str:
    return f"{path}?{urlencode({k: v for k, v in params.items() if v is not None})}"


# ---- 631 --------------------------------------------------------------------------------------
async def report_631(session: AsyncSession, names: Names, period: Period, township: str | None) -> Report631:
    rows = await store.period_tallies(session, period, [Metric.closed], township=township, by=("level",))
    total, levels = formulas.shares_631(formulas.levels_of(PeriodCounts.of(rows)))
    return Report631(
        period_from=period.start.isoformat(), period_to=period.end.isoformat(), township=township,
        township_name=names.hot.townships.get(township) if township else None, total=total, levels=levels,
        orders=_link("/v1/reports/631/orders", **{"from": period.start, "to": period.end, "township": township}),
        definition=formulas.DEFINITIONS["631"],
    )


def _drill(rows: list[ReportOrder], limit: int, day: str, township: str, village: str, matter: str, unit: str,
           level: str) -> DrillPage:
    orders = [DrillOrder(work_order_id=r.work_order_id, day=getattr(r, day), township=getattr(r, township),
                         village=getattr(r, village), matter=getattr(r, matter), unit=getattr(r, unit),
                         level=getattr(r, level), state=r.state) for r in rows]
    more = len(orders) == limit
    return DrillPage(orders=orders, next_after=f"{orders[-1].day.isoformat()}/{orders[-1].work_order_id}"
                     if more and orders else None)


def parse_after(after: str | None) -> tuple[date, str] | None:
    if not after:
        return None
    day, _, order_id = after.partition("/")
    try:
        return date.fromisoformat(day), order_id
    except ValueError:
        raise BadReportParameter("after", "give the next_after of the previous page") from None


async def orders_631(session: AsyncSession, period: Period, township: str | None, level: Level | None,
                     after: str | None, limit: int) -> DrillPage:
    rows = await store.closed_orders(session, period, township=township, level=level.value if level else None,
                                     after=parse_after(after), limit=limit)
    return _drill(list(rows), limit, "closed_day", "closed_township", "village", "matter", "resolved_unit",
                  "resolved_level")


# ---- rates and assessment ---------------------------------------------------------------------
async def rates(session: AsyncSession, names: Names, period: Period, weights: dict[str, float],
                unit: str | None) -> RatesReport:
    counts = PeriodCounts.of(await store.period_tallies(session, period, RATE_METRICS, by=("unit",)))
    units = sorted(counts.units()) if unit is None else [unit]
    per_unit = [formulas.unit_rates(counts, u, *names.units.get(u, (u, "")), weights) for u in units]
    per_unit.sort(key=lambda r: (r.composite is None, -(r.composite or 0.0), r.unit))
    return RatesReport(
        period_from=period.start, period_to=period.end, weights=weights,
        overall=formulas.unit_rates(counts, None, "全县", "", weights), units=per_unit,
        definitions={k: formulas.DEFINITIONS[k] for k in ("response", "solution", "satisfaction", "composite")},
    )


async def assessment(session: AsyncSession, names: Names, period: Period, weights: dict[str, float],
                     level: Level | None) -> AssessmentReport:
    counts = PeriodCounts.of(await store.period_tallies(session, period, ASSESSMENT_METRICS, by=("unit",)))
    rows = formulas.assessment_rows(counts, names.units, weights)
    if level is not None:
        rows = [r for r in rows if r.level == level.value]
        for n, row in enumerate(rows, 1):
            row.rank = n
    keys = ("response", "resolved_on_time", "returned", "reopened", "supervision", "extensions", "reported_on_time",
            "township_rating",
            "solution", "satisfaction", "composite")
    return AssessmentReport(period_from=period.start, period_to=period.end, weights=weights, units=rows,
                            definitions={k: formulas.DEFINITIONS[k] for k in keys})


# ---- hot spots --------------------------------------------------------------------------------
async def hotspots(session: AsyncSession, names: Names, period: Period, township: str | None, limit: int,
                   repeat_threshold: int, orders_each: int = 5) -> HotspotsReport:
    """The database ranks the cells and places; only what is shown is read, with its count in the
    previous period and its first orders."""
    before = period.previous()
    top, repeats, places = await store.hot_cells(session, period, township=township, limit=limit,
                                                 minimum=repeat_threshold)
    shown = list(dict.fromkeys(c for c, _ in top + repeats))
    earlier = await store.cell_counts(session, before, shown)
    behind = await store.hot_spot_orders_each(session, period, shown, orders_each)
    places_before = await store.place_counts(session, before, [p for p, _ in places])

    def spot(cell: formulas.Cell, count: int) -> HotSpot:
        t, v, m = cell
        url = _link("/v1/reports/hotspots/orders", **{"from": period.start, "to": period.end, "township": t,
                                                      "village": v, "matter": m})
        return formulas.hot_spot(cell, count, earlier.get(cell, 0), behind.get(cell, []), url, names.hot)

    return HotspotsReport(
        period_from=period.start, period_to=period.end, previous_from=before.start, previous_to=before.end,
        township=township, repeat_threshold=repeat_threshold, hotspots=[spot(c, n) for c, n in top],
        repeats=[spot(c, n) for c, n in repeats],
        places=[formulas.place_count(p, n, places_before.get(p, 0), names.hot) for p, n in places],
        definitions={k: formulas.DEFINITIONS[k] for k in ("hotspots", "repeats")},
    )


async def hotspot_orders(session: AsyncSession, period: Period, township: str | None, village: str, matter: str,
                         after: str | None, limit: int) -> DrillPage:
    rows = await store.hot_spot_orders(session, period, matter=matter, village=village, township=township,
                                       after=parse_after(after), limit=limit)
    return _drill(list(rows), limit, "first_day", "hot_township", "hot_village", "hot_matter", "unit", "level")


# ---- supervision ------------------------------------------------------------------------------
async def supervision(session: AsyncSession, names: Names, period: Period, now: datetime, unit: str | None,
                      level: str | None, limit: int) -> SupervisionReport:
    counts: dict[str, SupervisionCount] = {}
    for (u, lv), n in (await store.supervised_counts(session)).items():
        row = counts.setdefault(u, SupervisionCount(unit=u, unit_name=names.units.get(u, (u, ""))[0]))
        setattr(row, lv, n)
    rows = await store.supervised_orders(session, unit=unit, level=level, limit=limit)
    orders = [SupervisedOrder(work_order_id=f.work_order_id, unit=f.unit,
                              unit_name=names.units.get(f.unit, (f.unit, ""))[0], role=f.role, clock=f.clock,
                              level=f.level, level_name=formulas.LEVEL_NAMES.get(f.level, f.level),
                              since=f.since, state=o.state, township=o.township, matter=o.matter,
                              handed_over=o.handover_day) for f, o in rows]
    raised = PeriodCounts.of(await store.period_tallies(
        session, period, [Metric.supervision_remind, Metric.supervision_supervise, Metric.supervision_notify,
                          Metric.escalated], by=()))
    return SupervisionReport(
        as_of=now, counts=sorted(counts.values(), key=lambda c: (-c.notify, -c.supervise, -c.remind, c.unit)),
        orders=orders, raised_from=period.start, raised_to=period.end,
        raised={"remind": raised.total(Metric.supervision_remind),
                "supervise": raised.total(Metric.supervision_supervise),
                "notify": raised.total(Metric.supervision_notify)},
        escalated=raised.total(Metric.escalated),
        definitions={"supervision_list": formulas.DEFINITIONS["supervision_list"],
                     "supervision": formulas.DEFINITIONS["supervision"]},
    )


# ---- the seven stages and the trends ----------------------------------------------------------
async def stages(session: AsyncSession, period: Period, weights: dict[str, float], repeat_threshold: int
                 ) -> StagesReport:
    counts = PeriodCounts.of(await store.period_tallies(session, period, STAGE_METRICS, by=()))
    found = await store.count_cells(session, period, minimum=repeat_threshold)
    units = await store.units_with(session, period, Metric.handed_over)
    return StagesReport(period_from=period.start, period_to=period.end,
                        stages=formulas.seven_stages(counts, found, repeat_threshold, weights, units))


async def orders_per_day(session: AsyncSession, period: Period) -> list[DayCount]:
    days = {d: n for d, _, n in await store.trend_tallies(session, "d", period.start, period.end, Metric.received)}
    return [DayCount(day=day, count=days.get(day, 0))
            for day in (period.start + timedelta(days=i) for i in range(period.days))]


async def shares_per_week(session: AsyncSession, period: Period) -> list[WeekShares]:
    """631 shares of the orders closed in each week that the period touches (Monday first)."""
    first_week = week_start(period.start)
    weekly = formulas.week_shares(await store.trend_tallies(session, TREND_GRAIN, first_week, period.end,
                                                            Metric.closed))
    weeks = []
    week = first_week
    while week <= period.end:
        levels = weekly.get(week, {})
        total = sum(levels.values())
        weeks.append(WeekShares(week=week, total=total, **{
            lv.value: round(levels.get(lv.value, 0) / total, 4) if total else 0.0 for lv in Level}))
        week += timedelta(days=7)
    return weeks


async def trend(session: AsyncSession, period: Period) -> TrendReport:
    return TrendReport(period_from=period.start, period_to=period.end,
                       orders_per_day=await orders_per_day(session, period),
                       shares_631_per_week=await shares_per_week(session, period))
