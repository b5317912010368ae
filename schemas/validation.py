"""How a pydantic validation error reads to whoever sent the input (API client, CLI user, import file)."""

from __future__ import annotations

from pydantic_core import ErrorDetails

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
    return str(error.get("msg", "invalid")).removeprefix("Value error, ")


def tag_field(error: ErrorDetails) -> str | None:
    """The field a tagged union's tag error is about (`channel`), else None: pydantic locates it at
    the union itself (the body, the row), not at the field the caller left out or got wrong."""
    if error.get("type") not in _TAG_ERRORS:
        return None
    return str((error.get("ctx") or {}).get("discriminator", "")).strip("'") or None
