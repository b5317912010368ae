"""Report formulas (SPEC §7): 631, the three rates and their composite, the assessment, hot
spots and the seven stages, computed from the tallies of a period (feedback.tallies). Pure: the
caller reads the tallies and hands them over; names come from a `Names` lookup."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from feedback.exceptions import BadReportParameter
from feedback.tallies import Metric
from schemas.reports import (
    AssessmentRow,
    HotSpot,
    LevelShare,
    PlaceCount,
    Rate,
    Stage,
    UnitRates,
)
from schemas.taxonomy import LEVEL_ORDER, TARGET_631, Level

RATE_KEYS: tuple[str, ...] = ("response", "solution", "satisfaction")
DEFAULT_WEIGHTS: dict[str, float] = {"response": 0.3, "solution": 0.3, "satisfaction": 0.4}

DEFINITIONS: dict[str, str] = {
    "631": "已办结工单按办结单位层级（村/社区、乡镇/街道、县级部门）的占比，按关闭日期计；重办的工单撤回其办结计数；"
           "目标 60/30/10，差距 = 占比 - 目标。",
    "response": "响应率 = 按时签收的派单数 / 派单数（派单日期在期内；每次派给一个单位算一次）。",
    "solution": "解决率 = 群众表示已解决的评价数 / 评价数（评价日期在期内；每次办结一个评价）。",
    "satisfaction": "满意率 = （满意 + 基本满意）/ 评价数（评价日期在期内）。",
    "composite": "综合得分 = 各率按权重加权平均（只计有分母的率，权重按其重新归一）。",
    "resolved_on_time": "按时办结率 = 在办理时限内办结的派单数 / 办结的派单数（派单日期在期内）。",
    "returned": "退单：派单日期在期内、被承办单位退回的派单数。",
    "reopened": "重办：期内因群众不满意重新办理的次数，记在办结该件的单位。",
    "supervision": "督办记录：期内对该单位发出的提醒 / 督办 / 通报条数。",
    "extensions": "延期：期内申请 / 批准的延期次数。",
    "township_rating": "以下评上：乡镇/街道对报到部门的评分（1-5）平均值。",
    "reported_on_time": "部门报到：乡镇吹哨后按时报到的次数 / 报到次数。",
    "hotspots": "热点：期内首次派单的工单按“事项 × 地点（村/社区）”计数，与上一等长期间比较。",
    "repeats": "重复诉求：同一地点同一事项在期内达到阈值的诉求，可作为“每月一题”“未诉先办”候选。",
    "supervision_list": ("督办清单：尚在承办中的工单，当前派单的签收、首次联系、办结时限，"
                         "以及被吹哨部门尚未报到的报到时限，已达到提醒 / 督办 / 通报的，"
                         "按责任单位和级别列出，最严重、最久的在前。"),
}

LEVEL_NAMES = {"remind": "提醒", "supervise": "督办", "notify": "通报"}


class PeriodCounts:
    """Tallies summed over a period: (metric, township, unit, level) -> n, indexed by metric, by
    metric and unit, and by metric and township, so that a report of hundreds of units reads
    each figure in one look-up."""

    def __init__(self, cells: dict[tuple[str, str, str, str], int] | None = None) -> None:
        self.cells = cells or {}
        self._metric: dict[str, int] = defaultdict(int)
        self._unit: dict[tuple[str, str], int] = defaultdict(int)
        self._township: dict[tuple[str, str], int] = defaultdict(int)
        self._parts: dict[tuple[str, int], dict[str, int]] = {}
        for (metric, township, unit, _), n in self.cells.items():
            self._metric[metric] += n
            self._unit[(metric, unit)] += n
            self._township[(metric, township)] += n

    @classmethod
    def of(cls, rows: Iterable[tuple[str, str, str, str, int]]) -> PeriodCounts:
        cells: dict[tuple[str, str, str, str], int] = defaultdict(int)
        for metric, township, unit, level, n in rows:
            cells[(metric, township, unit, level)] += int(n)
        return cls(dict(cells))

    def total(self, metric: Metric, *, unit: str | None = None, township: str | None = None) -> int:
        if unit is None and township is None:
            return self._metric.get(metric, 0)
        if township is None:
            return self._unit.get((metric, unit or ""), 0)
        if unit is None:
            return self._township.get((metric, township), 0)
        return sum(n for (m, t, u, _), n in self.cells.items() if (m, t, u) == (metric, township, unit))

    def by(self, metric: Metric, part: int) -> dict[str, int]:
        """Totals of `metric` by township (part 1), unit (2) or level (3)."""
        if (metric, part) not in self._parts:
            out: dict[str, int] = defaultdict(int)
            for key, n in self.cells.items():
                if key[0] == metric:
                    out[key[part]] += n
            self._parts[(metric, part)] = dict(out)
        return self._parts[(metric, part)]

    def units(self) -> set[str]:
        return {u for (_, u) in self._unit if u}


def rate(numerator: int, denominator: int) -> Rate:
    return Rate(numerator=numerator, denominator=denominator,
                value=round(numerator / denominator, 4) if denominator else None)


# ---- 631 --------------------------------------------------------------------------------------
def shares_631(counts: Mapping[Level, int]) -> tuple[int, list[LevelShare]]:
    """Total resolved and, per level (village, township, county), the count, share, target and gap."""
    total = sum(counts.get(level, 0) for level in LEVEL_ORDER)
    shares = []
    for level in LEVEL_ORDER:
        share = round(counts.get(level, 0) / total, 4) if total else 0.0
        shares.append(LevelShare(level=level, count=counts.get(level, 0), share=share, target=TARGET_631[level],
                                 gap=round(share - TARGET_631[level], 4)))
    return total, shares


def levels_of(counts: PeriodCounts) -> dict[Level, int]:
    return {Level(k): v for k, v in counts.by(Metric.closed, 3).items() if k in Level.__members__}


# ---- the three rates --------------------------------------------------------------------------
def parse_weights(raw: str | None, default: Mapping[str, float]) -> dict[str, float]:
    """`response:0.3,solution:0.3,satisfaction:0.4` (any subset; the rest keep their default)."""
    weights = dict(default)
    if not raw:
        return weights
    for part in raw.split(","):
        name, _, value = part.partition(":")
        name = name.strip()
        if name not in RATE_KEYS:
            raise BadReportParameter("weights", f"unknown rate {name!r} (one of {', '.join(RATE_KEYS)})")
        try:
            weights[name] = float(value)
        except ValueError:
            raise BadReportParameter("weights", f"{name}: {value!r} is not a number") from None
        if not math.isfinite(weights[name]):  # float() reads nan and inf, which weigh nothing sensible
            raise BadReportParameter("weights", f"{name}: {value.strip()!r} is not a finite number")
        if weights[name] < 0:
            raise BadReportParameter("weights", f"{name}: a weight cannot be negative")
    if not any(weights.values()):
        raise BadReportParameter("weights", "at least one weight must be positive")
    return weights


def composite(rates: Mapping[str, Rate], weights: Mapping[str, float]) -> float | None:
    """Weighted mean of the rates that have a denominator, weights renormalised over those."""
    used = [(weights.get(k, 0.0), r.value) for k, r in rates.items() if r.value is not None and weights.get(k, 0.0)]
    largest = max((w for w, _ in used), default=0.0)
    used = [(w / largest, v) for w, v in used]  # proportions only: weights near the float's limit do not overflow
    total = sum(w for w, _ in used)
    return round(sum(w * v for w, v in used) / total, 4) if total else None


def _three(counts: PeriodCounts, unit: str | None) -> dict[str, Rate]:
    satisfied = counts.total(Metric.satisfied, unit=unit) + counts.total(Metric.basically_satisfied, unit=unit)
    rated = counts.total(Metric.rated, unit=unit)
    return {
        "response": rate(counts.total(Metric.claimed_on_time, unit=unit), counts.total(Metric.handed_over, unit=unit)),
        "solution": rate(counts.total(Metric.solved, unit=unit), rated),
        "satisfaction": rate(satisfied, rated),
    }


def unit_rates(counts: PeriodCounts, unit: str | None, name: str, level: str,
               weights: Mapping[str, float]) -> UnitRates:
    """The three rates of one unit (None: every unit together) and their composite."""
    rates = _three(counts, unit)
    return UnitRates(unit=unit or "", unit_name=name, level=level, composite=composite(rates, weights), **rates)


# ---- assessment -------------------------------------------------------------------------------
def assessment_rows(counts: PeriodCounts, names: Mapping[str, tuple[str, str]],
                    weights: Mapping[str, float]) -> list[AssessmentRow]:
    """Each unit with anything in the period, ranked by its composite score (then by how many
    hand-overs it had, then by code). `names`: unit -> (name, level)."""
    rows = []
    for unit in sorted(counts.units()):
        name, level = names.get(unit, (unit, ""))
        rates = _three(counts, unit)
        ratings = counts.total(Metric.dept_rating_count, unit=unit)
        rows.append(AssessmentRow(
            rank=0, unit=unit, unit_name=name, level=level,
            handed_over=counts.total(Metric.handed_over, unit=unit),
            claimed_on_time=rates["response"],
            resolved_on_time=rate(counts.total(Metric.resolved_on_time, unit=unit),
                                  counts.total(Metric.resolved, unit=unit)),
            returned=counts.total(Metric.returned, unit=unit),
            reopened=counts.total(Metric.reopened, unit=unit),
            supervision_remind=counts.total(Metric.supervision_remind, unit=unit),
            supervision_supervise=counts.total(Metric.supervision_supervise, unit=unit),
            supervision_notify=counts.total(Metric.supervision_notify, unit=unit),
            extensions_requested=counts.total(Metric.extension_requested, unit=unit),
            extensions_approved=counts.total(Metric.extension_approved, unit=unit),
            reported_on_time=rate(counts.total(Metric.reported_on_time, unit=unit),
                                  counts.total(Metric.reported_for_duty, unit=unit)),
            township_rating=(round(counts.total(Metric.dept_rating_sum, unit=unit) / ratings, 2) if ratings else None),
            township_ratings=ratings,
            solution=rates["solution"], satisfaction=rates["satisfaction"],
            score=composite(rates, weights),
        ))
    rows.sort(key=lambda r: (r.score is None, -(r.score or 0.0), -r.handed_over, r.unit))
    for n, row in enumerate(rows, 1):
        row.rank = n
    return rows


# ---- hot spots --------------------------------------------------------------------------------
Cell = tuple[str, str, str]  # (township, village, matter)


def trend_of(now: int, before: int) -> str:
    if before == 0:
        return "new" if now else "same"
    return "up" if now > before else "down" if now < before else "same"


@dataclass(frozen=True)
class HotspotNames:
    townships: Mapping[str, str]
    places: Mapping[str, str]  # village code (township.village) -> name
    matters: Mapping[str, str]


def hot_spot(cell: Cell, count: int, previous: int, orders: list[str], url: str, names: HotspotNames) -> HotSpot:
    township, village, matter = cell
    return HotSpot(township=township, township_name=names.townships.get(township, township or "（未定位）"),
                   village=village, village_name=names.places.get(village, village or "（乡镇/街道）"),
                   matter=matter, matter_name=names.matters.get(matter, matter or "（未定事项）"),
                   count=count, previous=previous, change=count - previous, trend=trend_of(count, previous),
                   orders=orders, orders_url=url)


def place_count(place: tuple[str, str], count: int, previous: int, names: HotspotNames) -> PlaceCount:
    """A place (all matters together) against the previous period."""
    township, village = place
    return PlaceCount(township=township, village=village,
                      place_name=names.places.get(village) or names.townships.get(township, township or "（未定位）"),
                      count=count, previous=previous, change=count - previous)


# ---- the seven stages -------------------------------------------------------------------------
def _pct(r: Rate) -> float | None:
    return round(r.value * 100, 1) if r.value is not None else None


def seven_stages(counts: PeriodCounts, hot_spots_found: int, repeat_threshold: int,
                 weights: Mapping[str, float], units_assessed: int) -> list[Stage]:
    """首接响应, 精准派单, 认领处置, 工单督办, 统计分析, 考核考评, 结果运用: one figure each."""
    responded = counts.total(Metric.responded)
    minutes = round(counts.total(Metric.response_seconds) / responded / 60, 1) if responded else None
    first = counts.total(Metric.first_handed_over)
    accuracy = rate(first - counts.total(Metric.first_returned), first)
    auto = rate(counts.total(Metric.first_auto), first)
    three = _three(counts, None)
    on_time_resolution = rate(counts.total(Metric.resolved_on_time), counts.total(Metric.resolved))
    supervision = {level: counts.total(metric) for level, metric in
                   (("remind", Metric.supervision_remind), ("supervise", Metric.supervision_supervise),
                    ("notify", Metric.supervision_notify))}
    score = composite(three, weights)
    reopened = counts.total(Metric.reopened)
    rectified = rate(counts.total(Metric.reopen_closed), reopened)
    return [
        Stage(key="first_response", name="首接响应", figure="受理到首次派单（或转紧急线路）的平均分钟数",
              value=minutes, unit="minutes",
              detail={"received": counts.total(Metric.received), "responded": responded,
                      "redirected": counts.total(Metric.redirected)},
              definition="每件工单从受理到第一次派给承办单位或转 110/119/120/122 的时间，期内平均。"),
        Stage(key="precise_dispatch", name="精准派单", figure="派单准确率（首次派单未被退回的比例）",
              value=_pct(accuracy), unit="%",
              detail={"first_dispatches": first, "returned": counts.total(Metric.first_returned),
                      "auto_dispatch_share": _pct(auto)},
              definition="首次派单中没有被承办单位退单的比例；另列智能派单（无需人工审核）占比。"),
        Stage(key="claim_and_handle", name="认领处置", figure="按时签收率（响应率）", value=_pct(three["response"]),
              unit="%",
              detail={"handed_over": counts.total(Metric.handed_over),
                      "claimed_on_time": counts.total(Metric.claimed_on_time),
                      "resolved_on_time_rate": _pct(on_time_resolution)},
              definition=DEFINITIONS["response"]),
        Stage(key="supervision", name="工单督办", figure="督办记录数（提醒 + 督办 + 通报）",
              value=float(sum(supervision.values())), unit="count",
              detail={**supervision, "escalated": counts.total(Metric.escalated),
                      "whistles": counts.total(Metric.whistle_blown)},
              definition=DEFINITIONS["supervision"]),
        Stage(key="statistics", name="统计分析", figure=f"发现的热点数（同一地点同一事项 ≥ {repeat_threshold} 件）",
              value=float(hot_spots_found), unit="count", detail={"repeat_threshold": repeat_threshold},
              definition=DEFINITIONS["repeats"]),
        Stage(key="assessment", name="考核考评", figure="全县综合得分（响应率、解决率、满意率加权）",
              value=round(score * 100, 1) if score is not None else None,
              unit="%",
              detail={"response_rate": _pct(three["response"]), "solution_rate": _pct(three["solution"]),
                      "satisfaction_rate": _pct(three["satisfaction"]), "units_assessed": units_assessed},
              definition=DEFINITIONS["composite"]),
        Stage(key="use_of_results", name="结果运用", figure="重办整改率（重办后已重新办结关闭的比例）",
              value=_pct(rectified), unit="%", detail={"reopened": reopened,
                                                      "closed_again": counts.total(Metric.reopen_closed)},
              definition="期内因不满意重办的工单中，之后已重新办结并关闭的比例。"),
    ]


def week_shares(rows: Iterable[tuple[date, str, int]]) -> dict[date, dict[str, int]]:
    """(week, level, closed) rows -> week -> level -> closed."""
    out: dict[date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for week, level, n in rows:
        out[week][level] += n
    return out
