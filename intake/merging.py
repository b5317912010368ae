"""并单: what a merged order shows and may do while it follows the order it was merged into (its root).

A merged order is not worked on its own: the root's unit handles the matter once, and the root's
state, reply and expected time are the merged caller's too. The merged order itself stays `merged`
(so the matter is resolved, closed and counted in the 631 once, on the root); its caller may rate
the outcome on their own order, which is recorded there and does not change the root.
"""

from __future__ import annotations

from schemas.lifecycle import BEFORE_DISPATCH, IN_HANDS_OF_UNIT

MERGED = "merged"
MAX_CHAIN = 8  # a root merged again later: follow at most this many links


# The orders a new report of the same incident may follow: those still to be, or being, worked on. A
# root no longer worked on (closed, invalid, withdrawn, redirected) would leave its follower unhandled.
OPEN_FOR_MERGE: tuple[str, ...] = tuple(s.value for s in (*BEFORE_DISPATCH, *IN_HANDS_OF_UNIT))


def takes_followers(root_state: str) -> bool:
    return root_state in OPEN_FOR_MERGE


def follower_may_withdraw(root_state: str) -> bool:
    """A merged caller may withdraw while the incident is worked on, as the root's own caller may; once
    the root is resolved, closed or otherwise ended there is nothing left to withdraw."""
    return root_state in OPEN_FOR_MERGE


def follows_root(state: str, merged_into: str | None) -> bool:
    return state == MERGED and bool(merged_into)


def shown_state(state: str, root_state: str | None) -> str:
    """The state a merged order shows: its root's (else its own)."""
    return root_state if state == MERGED and root_state else state


def rated_this_resolution(rated_resolutions: list[int], resolution: int | None) -> bool:
    """One rating per merged caller per resolution of the root (a reopened root resolved again can be
    rated again). `rated_resolutions`: the root's hand-overs this caller already rated."""
    return resolution is not None and resolution in rated_resolutions


# What happens to a root that the orders following it are told of (each gets a history record and a
# lifecycle event, so the centre's 回访 and message systems reach their callers too).
ROOT_OUTCOME = "root_outcome"
TOLD_TO_FOLLOWERS = frozenset({"resolve", "close", "reopen"})

# A root whose own caller withdraws leaves its followers' incident unhandled: the earliest follower
# takes over (unlinked and routed as its own order) and the others follow it instead.
HANDED_ON = "root_handed_on"

# A new report repeated two open incidents (intake.duplicates: `Match.bridged`), one incident split before
# the report joining them came: the later one is merged into the one first reported, with the orders
# that follow it (each gets a record naming the report that linked them); a unit that had it is recalled.
INCIDENT_LINKED = "incident_linked"
