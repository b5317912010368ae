"""The centre's configurable numbers for the closed loop (defaults here; settings override them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class FeedbackPolicy:
    """returns_before_arbitration: the return (退单) that sends an order to a dispatcher to arbitrate
    (仲裁); the unit the dispatcher then names may not return it again.
    rating_window: how long after 办结 the citizen (or the centre's 回访) has to rate; then the order
    closes unrated, and a late rating is still taken for as long again.
    hard_after_reopens: the reopen (重办) from which the order is a hard case (攻坚)."""

    returns_before_arbitration: int = 2
    rating_window: timedelta = timedelta(days=7)
    hard_after_reopens: int = 2

    def __post_init__(self) -> None:
        if self.returns_before_arbitration < 1:
            raise ValueError("returns_before_arbitration must be at least 1")
        if self.rating_window <= timedelta(0):
            raise ValueError("rating_window must be positive")
        if self.hard_after_reopens < 1:
            raise ValueError("hard_after_reopens must be at least 1")


DEFAULT_FEEDBACK_POLICY = FeedbackPolicy()
