"""The work-order lifecycle of SPEC §5: states, actions and the one table of allowed transitions.

Every change of state in the system goes through `next_state`; nothing else decides whether a
transition is allowed. Overdue and supervision are flags with levels, not states.
"""

from __future__ import annotations

from enum import StrEnum


class State(StrEnum):
    received = "received"
    pending_review = "pending_review"
    dispatched = "dispatched"
    claimed = "claimed"
    resolved = "resolved"
    closed = "closed"
    redirected = "redirected"
    merged = "merged"
    invalid = "invalid"
    withdrawn = "withdrawn"


class Action(StrEnum):
    hold_for_review = "hold_for_review"  # low-confidence routing waits for a dispatcher
    dispatch = "dispatch"  # 派单 to a handling unit
    redirect = "redirect"  # handed to an emergency line (110/119/120/122)
    merge = "merge"  # duplicate of another order
    unlink = "unlink"  # a dispatcher undoes a 并单: the merged order is routed as its own again
    invalidate = "invalidate"  # not an appeal (abuse, empty, test call)
    withdraw = "withdraw"  # the citizen withdraws
    claim = "claim"  # 签收 / 报到
    return_ = "return"  # 退单: the unit says it is not theirs -> back to routing
    escalate = "escalate"  # 上报 / 吹哨: dispatched to a unit one level up
    resolve = "resolve"  # 办结
    close = "close"  # citizen satisfied (or no answer after the rating window)
    reopen = "reopen"  # 重办: unsatisfied rating -> dispatched again
    reassign = "reassign"  # a dispatcher hands an order already dispatched to another unit


TERMINAL_STATES: frozenset[State] = frozenset(
    {State.closed, State.redirected, State.merged, State.invalid, State.withdrawn}
)

BEFORE_DISPATCH: tuple[State, ...] = (State.received, State.pending_review)
# A unit has the order (dispatched to it or claimed by it): its clocks run, and it may be returned,
# passed up or reassigned. IN_HANDS_STATES: the same as the plain values columns and events hold.
IN_HANDS_OF_UNIT: tuple[State, ...] = (State.dispatched, State.claimed)
IN_HANDS_STATES: tuple[str, ...] = tuple(s.value for s in IN_HANDS_OF_UNIT)

# (from state, action) -> to state. The single source of truth for the lifecycle.
TRANSITIONS: dict[tuple[State, Action], State] = {
    (State.received, Action.hold_for_review): State.pending_review,
    **{(s, Action.dispatch): State.dispatched for s in BEFORE_DISPATCH},
    **{(s, Action.redirect): State.redirected for s in BEFORE_DISPATCH},
    # 并单 of an order in a unit's hands: one incident reported first elsewhere (its unit is recalled).
    **{(s, Action.merge): State.merged for s in (*BEFORE_DISPATCH, *IN_HANDS_OF_UNIT)},
    (State.merged, Action.unlink): State.received,
    **{(s, Action.invalidate): State.invalid for s in BEFORE_DISPATCH},
    **{(s, Action.withdraw): State.withdrawn for s in (*BEFORE_DISPATCH, *IN_HANDS_OF_UNIT, State.merged)},
    (State.dispatched, Action.claim): State.claimed,
    **{(s, Action.return_): State.pending_review for s in IN_HANDS_OF_UNIT},
    **{(s, Action.escalate): State.dispatched for s in IN_HANDS_OF_UNIT},
    **{(s, Action.reassign): State.dispatched for s in IN_HANDS_OF_UNIT},
    (State.claimed, Action.resolve): State.resolved,
    (State.resolved, Action.close): State.closed,
    (State.resolved, Action.reopen): State.dispatched,
    (State.closed, Action.reopen): State.dispatched,
}


class TransitionNotAllowed(Exception):
    """An action was asked of a work order in a state that does not allow it."""

    def __init__(self, state: State, action: Action) -> None:
        self.state = state
        self.action = action
        allowed = sorted(a.value for (s, a) in TRANSITIONS if s is state)
        hint = f"allowed from {state.value}: {', '.join(allowed)}" if allowed else f"{state.value} is final"
        super().__init__(f"cannot {action.value} a work order that is {state.value} ({hint})")


def next_state(state: State, action: Action) -> State:
    """The state `action` leads to from `state`, or TransitionNotAllowed."""
    try:
        return TRANSITIONS[(state, action)]
    except KeyError:
        raise TransitionNotAllowed(state, action) from None


def allowed_actions(state: State) -> list[Action]:
    """Actions allowed from `state`, in table order."""
    return [a for (s, a) in TRANSITIONS if s is state]
