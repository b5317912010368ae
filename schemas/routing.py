"""The router's decision for one appeal, as carried in events and the API."""

from __future__ import annotations

from pydantic import BaseModel, Field

from schemas.taxonomy import EmergencyLine, Level, WhistleClass


class Candidate(BaseModel):
    """One scored alternative the router considered (a matter and its owner)."""

    matter: str
    dept: str | None = None
    level: Level
    score: float


class RoutingDecision(BaseModel):
    """What the router decided and why.

    `unit` is the handling unit code that receives the dispatch: a department code for county
    matters, a township or village unit code from the gazetteer otherwise. `dept` is the county
    department that owns the matter (null for matters owned by a village or township).
    """

    redirect: EmergencyLine | None = None
    whistle_class: WhistleClass = WhistleClass.ordinary
    level: Level = Level.county
    dept: str | None = None
    unit: str | None = None
    assisting_units: list[str] = Field(default_factory=list)
    matter: str | None = None
    matter_name: str | None = None
    township: str | None = None
    village: str | None = None
    confidence: float = 0.0
    explanation: str = ""
    decisive_terms: list[str] = Field(default_factory=list)
    runner_up: Candidate | None = None
    top_departments: list[str] = Field(default_factory=list)
    # The confidence from which this decision's matter is dispatched without a dispatcher, when the
    # router was given thresholds learned from the centre's history (null: the centre's default).
    review_threshold: float | None = None
