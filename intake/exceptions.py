"""What intake refuses, in domain terms (each app maps these to HTTP statuses in one place)."""

from __future__ import annotations


class IntakeError(Exception):
    pass


class RepeatConflict(IntakeError):
    """A repeat id (channel + external id, or Idempotency-Key) sent with different content."""

    def __init__(self, field: str, value: str) -> None:
        self.field = field
        super().__init__(f"{field}: {value!r} was already used for a different appeal; send the same content to "
                         "repeat it, or a new id for a new appeal")


class ChannelClosed(IntakeError):
    """A channel switched off in configuration."""

    def __init__(self, channel: str) -> None:
        super().__init__(f"channel {channel!r} is switched off at this centre")


class NotWithdrawable(IntakeError):
    """A merged appeal whose incident is no longer worked on (resolved, closed …) cannot be withdrawn."""

    def __init__(self, order_id: str, root_state: str) -> None:
        super().__init__(f"work order {order_id} follows an incident that is {root_state}: there is nothing "
                         "left to withdraw")


class VaultError(IntakeError):
    pass
