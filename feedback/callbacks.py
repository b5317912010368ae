"""The centre's 回访 worklist: who still has to be called about a resolution, and how often the
centre has tried. A resolved order waits for its own caller's answer; each caller whose appeal was
merged into it (并单) is called too, until they have answered for this resolution."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, Protocol

CALLBACK = "callback"  # the history action of a 回访 (reached or not)


class Step(Protocol):
    """One history record, as far as the worklist cares."""

    @property
    def at(self) -> datetime: ...
    @property
    def action(self) -> str: ...
    @property
    def data(self) -> dict[str, Any] | None: ...


def unanswered_calls(history: Iterable[Step], since: datetime) -> int:
    """The 回访 calls since `since` (the resolution) that reached nobody."""
    return sum(1 for h in history
               if h.action == CALLBACK and h.at >= since and (h.data or {}).get("contacted") is False)

