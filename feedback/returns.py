"""退单: why a unit may give an order back, and when the centre arbitrates (仲裁) instead."""

from __future__ import annotations

from enum import StrEnum

from feedback.exceptions import ReturnRefused
from feedback.policy import FeedbackPolicy


class ReturnReason(StrEnum):
    not_our_remit = "not_our_remit"  # 非本单位职责
    wrong_place = "wrong_place"  # 不属本辖区
    incomplete = "incomplete"  # 诉求信息不全, cannot be handled as it stands
    duplicate = "duplicate"  # 重复工单
    other = "other"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    ReturnReason.not_our_remit: "非本单位职责: not this unit's responsibility",
    ReturnReason.wrong_place: "不属本辖区: the place is outside this unit's area",
    ReturnReason.incomplete: "诉求信息不全: the appeal lacks what is needed to act",
    ReturnReason.duplicate: "重复工单: the same appeal is already being handled",
    ReturnReason.other: "其他: explained in the text",
}


def needs_arbitration(return_count: int, policy: FeedbackPolicy) -> bool:
    """After this many returns (counted over the order's life) a dispatcher arbitrates: the
    review queue marks the order, and whoever the dispatcher names keeps it."""
    return return_count >= policy.returns_before_arbitration


def check_may_return(order_id: str, return_count: int, policy: FeedbackPolicy) -> None:
    """An order the centre has arbitrated cannot be returned again."""
    if needs_arbitration(return_count, policy):
        raise ReturnRefused(
            f"work order {order_id} was assigned by the centre's arbitration (仲裁) after "
            f"{return_count} returns and may not be returned again; ask for assistance (协办) instead"
        )
