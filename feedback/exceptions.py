"""Errors of unit actions and ratings; they know nothing of HTTP."""

from __future__ import annotations


class FeedbackError(Exception):
    pass


class NotAssignedUnit(FeedbackError):
    """A unit acted on an order that is not in its hands."""

    def __init__(self, order_id: str, acting: str, assigned: str | None) -> None:
        self.order_id, self.acting, self.assigned = order_id, acting, assigned
        super().__init__(
            f"work order {order_id} is assigned to {assigned or 'no unit'}, not to {acting}"
        )


class InvalidCitizenToken(FeedbackError):
    def __init__(self, order_id: str) -> None:
        super().__init__(f"the citizen token does not match work order {order_id}")
