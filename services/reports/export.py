"""CSV exports of the reports: one flat table each, UTF-8 with a byte-order mark so that a
spreadsheet opens the Chinese names correctly."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel

from escalation.calendar import COUNTY_TIME
from schemas.reports import (
    AssessmentReport,
    DrillOrder,
    DrillPage,
    HotSpot,
    HotspotsReport,
    Rate,
    RatesReport,
    Report631,
    StagesReport,
    SupervisedOrder,
    SupervisionReport,
    TrendReport,
    UnitRates,
)

Row = dict[str, Any]


def _rate(prefix: str, r: Rate) -> Row:
    return {f"{prefix}_numerator": r.numerator, f"{prefix}_denominator": r.denominator, prefix: r.value}


def _631(r: Report631) -> list[Row]:
    rows = [{"period_from": r.period_from, "period_to": r.period_to, "township": r.township or "",
             "level": s.level.value, "count": s.count, "share": s.share, "target": s.target, "gap": s.gap}
            for s in r.levels]
    return [*rows, {"period_from": r.period_from, "period_to": r.period_to, "township": r.township or "",
                    "level": "total", "count": r.total}]


def _unit_rates(u: UnitRates) -> Row:
    return {"unit": u.unit, "unit_name": u.unit_name, "level": u.level, **_rate("response_rate", u.response),
            **_rate("solution_rate", u.solution), **_rate("satisfaction_rate", u.satisfaction),
            "composite": u.composite}


def _rates(r: RatesReport) -> list[Row]:
    return [_unit_rates(r.overall), *(_unit_rates(u) for u in r.units)]


def _assessment(r: AssessmentReport) -> list[Row]:
    rows = []
    for u in r.units:
        row = u.model_dump(exclude={"claimed_on_time", "resolved_on_time", "solution", "satisfaction",
                                    "reported_on_time"})
        rows.append({**row, **_rate("claimed_on_time_rate", u.claimed_on_time),
                     **_rate("reported_on_time_rate", u.reported_on_time),
                     **_rate("resolved_on_time_rate", u.resolved_on_time), **_rate("solution_rate", u.solution),
                     **_rate("satisfaction_rate", u.satisfaction)})
    return rows


def _spot(kind: str, h: HotSpot) -> Row:
    return {"kind": kind, **h.model_dump(exclude={"orders", "orders_url"}), "orders": " ".join(h.orders)}


def _hotspots(r: HotspotsReport) -> list[Row]:
    return [*(_spot("hotspot", h) for h in r.hotspots), *(_spot("repeat", h) for h in r.repeats),
            *({"kind": "place", "township": p.township, "village": p.village, "village_name": p.place_name,
               "count": p.count, "previous": p.previous, "change": p.change} for p in r.places)]


def _supervision(r: SupervisionReport) -> list[Row]:
    return [o.model_dump() for o in r.orders]


def _stages(r: StagesReport) -> list[Row]:
    return [{"key": s.key, "name": s.name, "figure": s.figure, "value": s.value, "unit": s.unit,
             "definition": s.definition} for s in r.stages]


def _drill(r: DrillPage) -> list[Row]:
    return [o.model_dump() for o in r.orders]


def _trend(r: TrendReport) -> list[Row]:
    return [*({"series": "orders_per_day", "day": d.day, "count": d.count} for d in r.orders_per_day),
            *({"series": "631_per_week", "day": w.week, "count": w.total, "village": w.village,
               "township": w.township, "county": w.county} for w in r.shares_631_per_week)]


_FLATTEN: dict[type[BaseModel], Callable[[Any], list[Row]]] = {
    Report631: _631, RatesReport: _rates, AssessmentReport: _assessment, HotspotsReport: _hotspots,
    SupervisionReport: _supervision, StagesReport: _stages, DrillPage: _drill, TrendReport: _trend,
}


# The columns of a list that came out empty, so that its export still has its header line.
_EMPTY_COLUMNS: dict[type[BaseModel], list[str]] = {
    SupervisionReport: list(SupervisedOrder.model_fields), DrillPage: list(DrillOrder.model_fields),
}


def _cell(value: Any, zone: ZoneInfo) -> Any:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(zone).isoformat(timespec="seconds")  # county time, with its offset
    return value


def to_csv(report: BaseModel, zone: ZoneInfo = COUNTY_TIME) -> str:
    """The report as CSV text (header from the union of the rows' columns, in first-seen order); times
    in county time (`zone`)."""
    rows = _FLATTEN[type(report)](report)
    columns: dict[str, None] = dict.fromkeys(_EMPTY_COLUMNS.get(type(report), [])) if not rows else {}
    for row in rows:
        columns.update(dict.fromkeys(row))
    return _written(list(columns), rows, zone)


def _written(columns: list[str], rows: list[Row], zone: ZoneInfo) -> str:
    """CSV text: a byte-order mark (for spreadsheets), the header `columns`, then `rows`."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(v, zone) for k, v in row.items()})
    return out.getvalue()


def states_csv(counts: dict[str, int]) -> str:
    """Orders per state as CSV (state, count), like the other exports."""
    return _written(["state", "count"], [{"state": s, "count": n} for s, n in sorted(counts.items())], COUNTY_TIME)
