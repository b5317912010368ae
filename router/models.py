"""Value objects of the router: handling units and the history it may consult."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from schemas.taxonomy import Level, UnitKind


@dataclass(frozen=True)
class Unit:
    """A handling unit (承办单位) that receives dispatches on its own topic."""

    code: str
    name: str
    kind: UnitKind
    level: Level
    parent: str | None = None  # the unit one level up (村 -> 乡镇 -> county centre)


class RoutingHistory(Protocol):
    """What the router may ask about the past, supplied by the caller (the database in services)."""

    def recent_similar(self, matter: str, place: str | None) -> int:
        """How many orders of this matter at this place arrived within the repeat window."""
        ...
