"""How a pydantic validation error reads to whoever sent the input (API client, CLI user, import file)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, field_validator
from pydantic_core import ErrorDetails

# NUL and the other C0 controls and DEL: none belongs in an id, a code or a header value.
CONTROL_CHARACTERS = frozenset({chr(c) for c in range(0x20)} | {"\x7f"})
_TEXT_CONTROL = CONTROL_CHARACTERS - frozenset("\t\n\r")  # free text may hold tabs and line breaks

# Patterns of the input models, and how their refusal reads: pydantic's own words quote the regex.
PHONE_PATTERN = r"^[0-9+\-\s().（）－＋０-９]{5,30}$"
ONE_WORD_PATTERN = r"^[^\s]+$"
_PATTERN_WORDS = {
    PHONE_PATTERN: "should be a phone number: 5 to 30 digits, with + - ( ) . or spaces between them",
    ONE_WORD_PATTERN: "should be one word, with no spaces",
}


def no_control_characters(value: str) -> str:
    """`value`, unless it holds NUL or another control character (tab and line breaks are text):
    no person types them, and PostgreSQL refuses NUL in text."""
    if not _TEXT_CONTROL.isdisjoint(value):
        raise ValueError("must not contain NUL or other control characters")
    return value


class CleanInput(BaseModel):
    """A request body whose every string field (and every string in a list field) refuses NUL
    and other control characters, naming the field: a unit's note, a dispatcher's reason, a
    citizen's comment, as an appeal's own fields do."""

    @field_validator("*", mode="after")
    @classmethod
    def _clean_strings(cls, value: Any) -> Any:
        if isinstance(value, str):
            return no_control_characters(value)
        if isinstance(value, list | tuple):
            for item in value:
                if isinstance(item, str):
                    no_control_characters(item)
        return value


# pydantic's errors of a tagged union: the tag is missing, or names no member.
_TAG_ERRORS = ("union_tag_not_found", "union_tag_invalid")


def problem_words(error: ErrorDetails) -> str:
    """The error's message without the "Value error, " pydantic puts before a validator's own words;
    a tagged union's missing or unknown tag (an appeal's `channel`) in the words of any other field."""
    ctx = error.get("ctx") or {}
    if error.get("type") == "union_tag_not_found":
        return "Field required"  # pydantic's words: "Unable to extract tag using discriminator 'channel'"
    if error.get("type") == "union_tag_invalid":
        return f"Input should be one of {ctx.get('expected_tags', '')} (got '{ctx.get('tag', '')}')"
    if error.get("type") == "string_pattern_mismatch" and ctx.get("pattern") in _PATTERN_WORDS:
        return _PATTERN_WORDS[ctx["pattern"]]
    if error.get("type") == "timezone_aware":  # pydantic's words: "Input should have timezone info"
        return "should be a time with its offset, e.g. 2026-11-20T09:30:00+08:00"
    return str(error.get("msg", "invalid")).removeprefix("Value error, ")


class FieldProblem(ValueError):
    """A model validator's refusal of one field (one the action needs, one it forbids): raised with
    the field's name, so the error names that field and not the whole body."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(problem)
        self.field = field


def tag_field(error: ErrorDetails) -> str | None:
    """The field an error pydantic locates at the model itself is about, else None: a tagged
    union's tag (`channel`: pydantic locates it at the union, the body or the row, not at the field
    the caller left out or got wrong), or the field a model validator's FieldProblem names."""
    ctx = error.get("ctx") or {}
    if isinstance(ctx.get("error"), FieldProblem):
        return str(ctx["error"].field)
    if error.get("type") not in _TAG_ERRORS:
        return None
    return str(ctx.get("discriminator", "")).strip("'") or None
