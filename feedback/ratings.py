"""What a rating does to the order (回访 outcome): close, or reopen (重办) — and a second reopen
makes it a hard case; when a rating is still taken."""

from __future__ import annotations

from datetime import datetime

from feedback.exceptions import NothingToRate
from feedback.policy import FeedbackPolicy
from schemas.appeals import RatingValue
from schemas.lifecycle import Action, State
from schemas.taxonomy import WhistleClass


def action_for_rating(rating: RatingValue) -> Action:
    """An unsatisfied citizen reopens the order (重办); otherwise it closes."""
    return Action.reopen if rating is RatingValue.unsatisfied else Action.close


def rating_due(resolved_at: datetime, policy: FeedbackPolicy) -> datetime:
    """Until when the resolution waits for its rating before it closes unrated."""
    return resolved_at + policy.rating_window


def may_rate(state: State, *, rated: bool, now: datetime, rating_due: datetime | None,
             policy: FeedbackPolicy) -> bool:
    """One rating per resolution: a resolved order waiting for it, or one that closed unrated when
    its window ran out, for as long again (the citizen answered the 回访 late)."""
    if rated or state not in (State.resolved, State.closed):
        return False
    return state is State.resolved or (rating_due is not None and now <= rating_due + policy.rating_window)


def check_may_rate(order_id: str, state: State, *, rated: bool, now: datetime, rating_due: datetime | None,
                   policy: FeedbackPolicy) -> None:
    if not may_rate(state, rated=rated, now=now, rating_due=rating_due, policy=policy):
        raise NothingToRate(order_id, state.value)


def class_after_reopen(current: WhistleClass, reopen_count: int, policy: FeedbackPolicy) -> WhistleClass:
    """Reopened `reopen_count` times (this one included): from the policy's count on the order is a
    hard case (攻坚), with the hard class's longer clocks; an urgent one stays urgent."""
    if current is WhistleClass.urgent or reopen_count < policy.hard_after_reopens:
        return current
    return WhistleClass.hard

