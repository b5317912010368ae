"""The centre's 回访 worklist: who still has to be called about a resolution, and how often the
centre has tried. A resolved order waits for its own caller's answer; each caller whose appeal was
merged into it (并单) is called too, until they have answered for this resolution."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

CALLBACK = "callback"  # the history action of a 回访 (reached or not)


@dataclass(frozen=True)
class Step:
    """One history record, as far as the worklist cares."""

    at: datetime
    action: str
    data: dict[str, Any] | None


def unanswered_calls(history: Iterable[Step], since: datetime) -> int:
    """The 回访 calls since `since` (the resolution) that reached nobody."""
    return sum(1 for h in history
               if h.action == CALLBACK and h.at >= since and (h.data or {}).get("contacted") is False)


def resolved_at(history: Iterable[Step]) -> datetime | None:
    """When the order was last resolved (办结): the resolution the centre calls about."""
    times = [h.at for h in history if h.action == "resolve"]
    return max(times) if times else None
