"""API models of the reports (SPEC §7): 631, the three rates, assessment, hot spots, supervision,
the seven stages, and the dashboard's trends."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from schemas.taxonomy import Level


class LevelShare(BaseModel):
    level: Level
    count: int
    share: float = Field(description="count / total, 0 when nothing closed")
    target: float = Field(description="the 60/30/10 target share")
    gap: float = Field(default=0.0, description="share - target (negative: below target)")


class Report631(BaseModel):
    period_from: str | None
    period_to: str | None
    township: str | None
    township_name: str | None = None
    total: int
    levels: list[LevelShare]
    orders: str | None = Field(default=None, description="the drill-down: the orders behind each count")
    definition: str = ""


class DrillOrder(BaseModel):
    work_order_id: str
    day: date
    township: str
    village: str
    matter: str
    unit: str
    level: str
    state: str


class DrillPage(BaseModel):
    orders: list[DrillOrder]
    next_after: str | None = Field(description="pass as `after` for the next page; null on the last")


class Rate(BaseModel):
    numerator: int
    denominator: int
    value: float | None = Field(description="numerator / denominator; null when the denominator is 0")


class UnitRates(BaseModel):
    unit: str
    unit_name: str
    level: str
    response: Rate = Field(description="响应率")
    solution: Rate = Field(description="解决率")
    satisfaction: Rate = Field(description="满意率")
    composite: float | None = Field(description="weighted composite of the rates that have a denominator")


class RatesReport(BaseModel):
    period_from: date
    period_to: date
    weights: dict[str, float]
    overall: UnitRates
    units: list[UnitRates]
    definitions: dict[str, str]


class AssessmentRow(BaseModel):
    rank: int
    unit: str
    unit_name: str
    level: str
    handed_over: int
    claimed_on_time: Rate = Field(description="按时签收率 (= 响应率)")
    resolved_on_time: Rate = Field(description="按时办结率: resolved within the limit / resolved")
    returned: int
    reopened: int
    supervision_remind: int
    supervision_supervise: int
    supervision_notify: int
    extensions_requested: int
    extensions_approved: int
    reported_on_time: Rate = Field(description="部门报到: reports to a township's whistle made on time / made")
    township_rating: float | None = Field(description="以下评上: the townships' mean 1-5 rating of this department")
    township_ratings: int
    solution: Rate
    satisfaction: Rate
    score: float | None = Field(description="the composite score the ranking is by")


class AssessmentReport(BaseModel):
    period_from: date
    period_to: date
    weights: dict[str, float]
    units: list[AssessmentRow]
    definitions: dict[str, str]


class HotSpot(BaseModel):
    township: str
    township_name: str
    village: str
    village_name: str
    matter: str
    matter_name: str
    count: int
    previous: int = Field(description="the same cell in the previous period of equal length")
    change: int
    trend: str = Field(description="up / down / same / new")
    orders: list[str] = Field(description="the orders behind the count (the first ones; see orders_url)")
    orders_url: str


class PlaceCount(BaseModel):
    township: str
    village: str
    place_name: str
    count: int
    previous: int
    change: int


class HotspotsReport(BaseModel):
    period_from: date
    period_to: date
    previous_from: date
    previous_to: date
    township: str | None
    repeat_threshold: int
    hotspots: list[HotSpot] = Field(description="the most frequent matter × place cells")
    repeats: list[HotSpot] = Field(description="cells with at least repeat_threshold orders: 每月一题 candidates")
    places: list[PlaceCount] = Field(description="places with the most orders, all matters together")
    definitions: dict[str, str]


class SupervisedOrder(BaseModel):
    work_order_id: str
    unit: str = Field(description="whose clock: the lead unit, or a department summoned by a whistle (吹哨)")
    unit_name: str
    role: str = Field("lead", description="lead, or summoned (a department late to 报到)")
    clock: str = Field("", description="claim / first_contact / resolve, or report (报到)")
    level: str = Field(description="remind 提醒 / supervise 督办 / notify 通报")
    level_name: str
    since: datetime | None
    state: str
    township: str
    matter: str
    handed_over: date | None


class SupervisionCount(BaseModel):
    unit: str
    unit_name: str
    remind: int = 0
    supervise: int = 0
    notify: int = 0


class SupervisionReport(BaseModel):
    as_of: datetime
    counts: list[SupervisionCount]
    orders: list[SupervisedOrder]
    raised_from: date
    raised_to: date
    raised: dict[str, int] = Field(description="supervision records raised in the period, by level")
    escalated: int = Field(description="hand-overs passed one level up (上报/吹哨) in the period")
    definitions: dict[str, str]


class Stage(BaseModel):
    key: str
    name: str
    figure: str = Field(description="what the one figure is")
    value: float | None
    unit: str = Field(description="%, minutes or count")
    detail: dict[str, float | int | None]
    definition: str


class StagesReport(BaseModel):
    period_from: date
    period_to: date
    stages: list[Stage]


class DayCount(BaseModel):
    day: date
    count: int


class WeekShares(BaseModel):
    week: date = Field(description="the Monday of the week")
    total: int
    village: float
    township: float
    county: float


class TrendReport(BaseModel):
    period_from: date
    period_to: date
    orders_per_day: list[DayCount]
    shares_631_per_week: list[WeekShares]
