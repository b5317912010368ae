"""Rules for what a handling unit may do with an order in its hands."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from feedback.exceptions import NotAssignedUnit, NotInHands, NotNow
from schemas.lifecycle import State

LEAD = "lead"

# Actions that change nothing but the record (first contact, progress, 协办) are taken while the
# order is in a unit's hands, before it is resolved.
WORKING_STATES: frozenset[State] = frozenset({State.dispatched, State.claimed})

# Times a unit reports (first contact) may run a little ahead of ours, not more.
CLOCK_SKEW = timedelta(minutes=5)


def check_unit_may_act(
    order_id: str, roles: Mapping[str, str], acting_unit: str, *, lead_only: bool = True
) -> None:
    """`roles` is unit -> role of the units that have the order now. Only the lead unit (主办)
    claims, resolves, returns, asks for help; assisting units (协办) may add progress notes.
    A unit that had the order and lost it meanwhile gets NotInHands."""
    role = roles.get(acting_unit)
    if role is None:
        raise NotInHands(order_id, acting_unit)
    if lead_only and role != LEAD:
        raise NotAssignedUnit(order_id, acting_unit)


def check_working(order_id: str, state: State, what: str) -> None:
    """Notes and requests are taken while the order is dispatched or claimed."""
    if state not in WORKING_STATES:
        raise NotNow(f"cannot {what} on a work order that is {state.value} (only while dispatched or claimed)")


def check_first_contact(order_id: str, at: datetime, now: datetime, dispatched_at: datetime,
                        already: datetime | None) -> None:
    """The first contact is recorded once per hand-over, at a time between the dispatch and now."""
    if already is not None:
        raise NotNow(f"the first contact with the citizen on work order {order_id} is already recorded "
                     f"({already.isoformat()})")
    if at > now + CLOCK_SKEW:
        raise NotNow(f"first contact at {at.isoformat()} is in the future")
    if at < dispatched_at - CLOCK_SKEW:
        raise NotNow(f"first contact at {at.isoformat()} is before the order reached the unit "
                     f"({dispatched_at.isoformat()})")


def on_time(at: datetime, due: datetime | None) -> bool:
    return due is None or at <= due
