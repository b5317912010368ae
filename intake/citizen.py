"""What a citizen sees of their own appeal: public steps only, in the county's local time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from schemas.lifecycle import State

# History actions a citizen sees, and how they read. Anything else (reviews, reminders, extensions,
# supervision) is internal and left out.
PUBLIC_STEPS = {
    "receive": "已受理 received", "dispatch": "已派单 dispatched to the responsible unit",
    "hold_for_review": "分派中 being assigned", "claim": "承办单位已签收 claimed by the unit",
    "resolve": "已办结 resolved, waiting for your rating", "close": "已办结归档 closed",
    "reopen": "重办 reopened", "return": "重新派单中 being re-assigned", "escalate": "已上报 passed up a level",
    "redirect": "已转紧急热线 handed to the emergency line", "merge": "与相同诉求合并 merged with the same appeal",
    "unlink": "单独办理 handled on its own", "invalidate": "无效诉求 invalid", "withdraw": "已撤回 withdrawn",
    "first_contact": "承办单位已与您联系 the unit contacted you", "progress": "办理中 being worked on",
    "request_assistance": "多部门协同办理 other units help", "reassign": "已改派 re-assigned",
    "callback": "回访 the centre called you back", "rate": "已评价 rated", "rate_merged": "已评价 rated",
}


# The states in which the citizen, and every staff view and the clocks, are told which unit handles the
# order and by when (its due times, when it claimed): a unit has it, or has answered. Received, back in
# the review queue after a return (退单), withdrawn or invalid: none has, whatever the row still holds.
SHOWS_HANDLER = frozenset({State.dispatched, State.claimed, State.resolved, State.closed})


@dataclass(frozen=True)
class Record:
    at: datetime
    action: str
    unit: str | None = None  # the unit's name, for dispatch steps
    reply: str | None = None  # the unit's reply (resolve note), masked


@dataclass(frozen=True)
class Step:
    at: datetime
    what: str
    unit: str | None
    reply: str | None


def public_steps(records: list[Record], zone: tzinfo) -> list[Step]:
    """The steps of `records` a citizen may see, times in `zone` (the county's local time)."""
    return [Step(at=r.at.astimezone(zone), what=PUBLIC_STEPS[r.action], unit=r.unit,
                 reply=r.reply if r.action == "resolve" else None)
            for r in records if r.action in PUBLIC_STEPS]
