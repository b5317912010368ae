"""The one normalised appeal every channel's submission becomes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Appeal:
    """An appeal as intake stores it, whatever channel it came from. `details` holds the channel's
    own facts (the business of a 12315 complaint, the grid of a grid worker's report …) as JSON."""

    channel: str
    text: str
    address: str | None = None
    reported_at: datetime | None = None
    confidential: bool = False
    caller_name: str | None = None
    caller_phone: str | None = None
    external_id: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    deadline: datetime | None = None  # upper_transfer: the upper body's deadline bounds our clocks
    latitude: float | None = None
    longitude: float | None = None
    callback_wanted: bool = True
