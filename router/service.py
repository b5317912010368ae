"""The router's public entry point. (Walking-skeleton rule set; replaced by the full router.)"""

from __future__ import annotations

from schemas.routing import RoutingDecision
from schemas.taxonomy import COUNTY_DEPARTMENTS, Level, UnitKind, WhistleClass

from router.models import RoutingHistory, Unit

_RULES: list[tuple[str, str | None, Level]] = [
    ("邻居", None, Level.village),
    ("楼道", None, Level.village),
    ("违建", None, Level.township),
    ("停水", "water_utility", Level.county),
    ("停电", "power_utility", Level.county),
    ("欠薪", "hr_social", Level.county),
    ("工资", "hr_social", Level.county),
]

_UNITS: dict[str, Unit] = {
    "county_centre": Unit("county_centre", "县12345热线中心", UnitKind.centre, Level.county),
    "tw_chengguan": Unit("tw_chengguan", "城关镇人民政府", UnitKind.township, Level.township, "county_centre"),
    "vl_chengguan_renmin": Unit(
        "vl_chengguan_renmin", "城关镇人民路社区居委会", UnitKind.village, Level.village, "tw_chengguan"
    ),
    **{
        code: Unit(code, name, UnitKind.department, Level.county, "county_centre")
        for code, name in COUNTY_DEPARTMENTS.items()
    },
}


class Router:
    """Routes an appeal text to a decision."""

    def units(self) -> dict[str, Unit]:
        return _UNITS

    def route(
        self,
        text: str,
        *,
        channel: str | None = None,
        address: str | None = None,
        history: RoutingHistory | None = None,
    ) -> RoutingDecision:
        for word, dept, level in _RULES:
            if word in text:
                unit = dept or ("vl_chengguan_renmin" if level is Level.village else "tw_chengguan")
                return RoutingDecision(
                    whistle_class=WhistleClass.ordinary, level=level, dept=dept, unit=unit,
                    confidence=0.9, explanation=f"keyword {word}", decisive_terms=[word],
                )
        return RoutingDecision(level=Level.county, dept="gov_services", unit="gov_services",
                               confidence=0.2, explanation="no rule matched")

    @classmethod
    def default(cls) -> Router:
        return cls()
