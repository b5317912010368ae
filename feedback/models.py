"""What a handling unit sends with each of its actions (the bodies of the unit commands), and the
centre's 回访 record. The same models validate a REST body and a Kafka reply's body, so an action
means the same and fails the same over both (services.orders.unit_commands)."""

from __future__ import annotations

from pydantic import AwareDatetime, ConfigDict, Field, model_validator

from feedback.returns import ReturnReason
from schemas.appeals import RatingValue
from schemas.validation import CleanInput, FieldProblem

NOTE = 2000


class _Body(CleanInput):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ClaimIn(_Body):
    """签收 / 报到: the lead unit takes the order on; optionally it already called the citizen."""

    note: str | None = Field(default=None, max_length=NOTE, description="for the record (not shown to the citizen)")
    first_contact_at: AwareDatetime | None = Field(
        default=None, description="when the unit first reached the citizen, if it already has (ISO 8601 with offset)"
    )


class FirstContactIn(_Body):
    """The unit reached the citizen (first-contact clock)."""

    at: AwareDatetime | None = Field(default=None, description="when (ISO 8601 with offset); default: now")
    note: str | None = Field(default=None, max_length=NOTE)


class ProgressIn(_Body):
    """A progress note (处理进展): recorded, no change of state."""

    note: str = Field(min_length=2, max_length=NOTE, description="what has been done so far")


class ResolveIn(_Body):
    """办结: the reply to the citizen is what the citizen sees and rates."""

    reply: str = Field(min_length=2, max_length=NOTE,
                       description="the answer to the citizen (办理结果): shown to them, and rated by them")
    note: str | None = Field(default=None, max_length=NOTE, description="internal note (not shown to the citizen)")


class ReturnIn(_Body):
    """退单: the unit says the order is not its to handle."""

    reason: ReturnReason = Field(description="why: " + ", ".join(f"{r.value} ({r.label})" for r in ReturnReason))
    text: str = Field(min_length=2, max_length=NOTE, description="the unit's explanation, for the dispatcher")


class AssistanceIn(_Body):
    """协办: the lead unit asks other units to help; they get the order as assisting units."""

    units: list[str] = Field(min_length=1, max_length=10, description="unit codes to assist (e.g. market, housing)")
    reason: str = Field(min_length=2, max_length=NOTE, description="what the lead needs from them")


class CallbackIn(_Body):
    """回访: the centre called the citizen back about a resolved order."""

    contacted: bool = Field(description="whether the citizen was reached")
    solved: bool | None = Field(default=None, description="the citizen says it is solved (required when contacted)")
    rating: RatingValue | None = Field(default=None, description="required when contacted")
    comment: str | None = Field(default=None, max_length=NOTE)

    @model_validator(mode="after")
    def _reached_citizen_rates(self) -> CallbackIn:
        if self.contacted and (self.rating is None or self.solved is None):
            missing = "rating" if self.rating is None else "solved"
            raise FieldProblem(missing, f"{missing} is required when the citizen was contacted")
        if not self.contacted and self.rating is not None:
            raise FieldProblem("rating", "a citizen who was not reached cannot have rated")
        return self

