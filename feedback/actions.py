"""Rules for what a handling unit may do with an order."""

from __future__ import annotations

from feedback.exceptions import NotAssignedUnit


def check_unit_may_act(order_id: str, assigned_unit: str | None, acting_unit: str) -> None:
    """Only the unit an order is dispatched to may claim, resolve or return it."""
    if assigned_unit != acting_unit:
        raise NotAssignedUnit(order_id, acting_unit)
