"""Errors of unit actions and ratings; they know nothing of HTTP."""

from __future__ import annotations


class FeedbackError(Exception):
    pass


class NotAssignedUnit(FeedbackError):
    """A unit acted on an order that is not in its hands."""

    def __init__(self, order_id: str, acting: str) -> None:
        self.order_id, self.acting = order_id, acting
        # Never says which unit does lead it: that is not the acting unit's business.
        super().__init__(
            f"{acting} does not lead work order {order_id}: only the lead unit (主办) may claim, resolve or return it"
        )


class InvalidCitizenToken(FeedbackError):
    """A citizen's token is missing or does not match: answered as if the order did not exist."""

    code = "order_not_found"  # the same answer as an unknown id, so a guessed id learns nothing

    def __init__(self, order_id: str) -> None:
        super().__init__(f"work order {order_id} does not exist")


class CitizenTokenMissing(InvalidCitizenToken):
    """A citizen's request without the token: a 404 as for an unknown id, told before the order is
    looked up, so every id answers the same, but saying what is missing (a citizen who forgot the
    header is not sent looking for a lost order)."""

    code = "citizen_token_missing"

    def __init__(self, order_id: str) -> None:
        FeedbackError.__init__(self, f"work order {order_id}: a citizen's request needs the citizen_token its "
                                     "submission returned: send it in the X-Citizen-Token header")


class NothingToRate(FeedbackError):
    """A rating for an order that is not waiting for one (one rating per resolution)."""

    def __init__(self, order_id: str, state: str) -> None:
        super().__init__(f"work order {order_id} is {state}: only a resolved order waiting for its rating can be rated")


class ReturnRefused(FeedbackError):
    """A return (退单) of an order the centre has arbitrated."""


class NotNow(FeedbackError):
    """A unit action that the order's state (or what was already recorded) does not allow now."""


class NotInHands(FeedbackError):
    """The order left the unit's hands meanwhile (reassigned or returned): a conflict, not a secret,
    since the unit did have it."""

    def __init__(self, order_id: str, unit: str) -> None:
        super().__init__(f"work order {order_id} is no longer with {unit} (reassigned or returned meanwhile)")


class BadReportParameter(ValueError):
    """A report was asked for with a parameter that makes no sense (answered 422, naming it)."""

    def __init__(self, field: str, problem: str) -> None:
        self.field, self.problem = field, problem
        super().__init__(f"{field}: {problem}")


class BadPeriod(BadReportParameter):
    """`to` before `from`."""

    def __init__(self, problem: str) -> None:
        super().__init__("to", problem)
