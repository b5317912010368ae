"""Errors of the application layer (beyond the domain packages' own)."""

from __future__ import annotations


class OrderNotFound(LookupError):
    def __init__(self, order_id: str) -> None:
        self.order_id = order_id
        super().__init__(f"work order {order_id} does not exist")


def quoted(given: str, limit: int = 40) -> str:
    """What a caller sent, quoted in an error: its first `limit` characters (a code is never longer), so
    a 5,000-character value does not come back whole."""
    return repr(given if len(given) <= limit else given[:limit] + "…")


class UnknownUnit(ValueError):
    def __init__(self, unit: str) -> None:
        self.unit = unit
        super().__init__(f"unit {quoted(unit)} is not in the gazetteer or the department catalogue")


class UnknownMatter(ValueError):
    """A dispatcher named a matter that is not in the catalogue, or there is nothing to confirm."""


class MatterOfAnotherDepartment(ValueError):
    """A dispatcher gave a county department a matter it neither owns nor assists with."""


class MergeIntoItself(ValueError):
    """A dispatcher named the order itself as the one it repeats (并单)."""

    def __init__(self, order_id: str, named: str | None = None) -> None:
        via = f" (nor into {named}, which follows it)" if named and named != order_id else ""
        super().__init__(f"merge_into: work order {order_id} cannot be merged into itself{via}")


class MergeTargetClosed(RuntimeError):
    """A dispatcher named an order that is no longer worked on as the one an order repeats (并单)."""

    def __init__(self, named: str, root: str, state: str) -> None:
        via = f" (it follows {root}, which is {state})" if root != named else f" ({state})"
        super().__init__(f"merge_into: work order {named} is no longer worked on{via}: it can take no "
                         "report; dispatch this one as its own")


class NothingToConfirm(RuntimeError):
    """A dispatcher confirmed an order the router made no usable suggestion for."""


class Unauthenticated(PermissionError):
    """No credentials, or credentials that match no live key."""


class Forbidden(PermissionError):
    """The caller's role may not do this."""


class ExtensionNotFound(LookupError):
    def __init__(self, extension_id: int) -> None:
        self.extension_id = extension_id
        super().__init__(f"extension {extension_id} does not exist")
