"""What a citizen's rating does to the order (回访 outcome)."""

from __future__ import annotations

from schemas.appeals import RatingValue
from schemas.lifecycle import Action


def action_for_rating(rating: RatingValue) -> Action:
    """An unsatisfied citizen reopens the order (重办); otherwise it closes."""
    return Action.reopen if rating is RatingValue.unsatisfied else Action.close


def counts_as_satisfied(rating: RatingValue) -> bool:
    """满意率 counts satisfied and basically satisfied."""
    return rating in (RatingValue.satisfied, RatingValue.basically_satisfied)
