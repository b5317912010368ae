"""The lifecycle table: every allowed transition works, every other one is refused clearly."""

from __future__ import annotations

import itertools

import pytest

from schemas.lifecycle import (
    TERMINAL_STATES,
    TRANSITIONS,
    Action,
    State,
    TransitionNotAllowed,
    allowed_actions,
    next_state,
)

EXPECTED: dict[tuple[State, Action], State] = {
    (State.received, Action.hold_for_review): State.pending_review,
    (State.received, Action.dispatch): State.dispatched,
    (State.pending_review, Action.dispatch): State.dispatched,
    (State.received, Action.redirect): State.redirected,
    (State.pending_review, Action.redirect): State.redirected,
    (State.received, Action.merge): State.merged,
    (State.pending_review, Action.merge): State.merged,
    (State.dispatched, Action.merge): State.merged,  # one incident with an order reported first
    (State.claimed, Action.merge): State.merged,
    (State.merged, Action.unlink): State.received,
    (State.merged, Action.withdraw): State.withdrawn,  # its caller no longer follows the root
    (State.received, Action.invalidate): State.invalid,
    (State.pending_review, Action.invalidate): State.invalid,
    (State.received, Action.withdraw): State.withdrawn,
    (State.pending_review, Action.withdraw): State.withdrawn,
    (State.dispatched, Action.withdraw): State.withdrawn,
    (State.claimed, Action.withdraw): State.withdrawn,
    (State.dispatched, Action.claim): State.claimed,
    (State.dispatched, Action.return_): State.pending_review,
    (State.claimed, Action.return_): State.pending_review,
    (State.dispatched, Action.escalate): State.dispatched,
    (State.claimed, Action.escalate): State.dispatched,
    (State.dispatched, Action.reassign): State.dispatched,
    (State.claimed, Action.reassign): State.dispatched,
    (State.claimed, Action.resolve): State.resolved,
    (State.resolved, Action.close): State.closed,
    (State.resolved, Action.reopen): State.dispatched,
    (State.closed, Action.reopen): State.dispatched,
}


@pytest.mark.parametrize(("state", "action"), list(EXPECTED))
def test_allowed_transition_leads_to_the_documented_state(state: State, action: Action) -> None:
    assert next_state(state, action) is EXPECTED[(state, action)]


FORBIDDEN = [pair for pair in itertools.product(State, Action) if pair not in EXPECTED]


@pytest.mark.parametrize(("state", "action"), FORBIDDEN)
def test_every_other_transition_is_refused_with_a_clear_message(state: State, action: Action) -> None:
    with pytest.raises(TransitionNotAllowed) as info:
        next_state(state, action)
    message = str(info.value)
    assert f"cannot {action.value}" in message and state.value in message


def test_table_has_no_transition_the_tests_do_not_know() -> None:
    assert TRANSITIONS == EXPECTED


def test_terminal_states_allow_nothing_but_reopening_a_closed_order_and_unlinking_or_withdrawing_a_merged_one(
) -> None:
    ways_out = {State.closed: [Action.reopen], State.merged: [Action.unlink, Action.withdraw]}
    for state in TERMINAL_STATES:
        expected = ways_out.get(state, [])
        assert allowed_actions(state) == expected


def test_refusal_lists_what_is_allowed_instead() -> None:
    allowed = "allowed from dispatched: claim, escalate, merge, reassign, return, withdraw"
    with pytest.raises(TransitionNotAllowed, match=allowed):
        next_state(State.dispatched, Action.resolve)
