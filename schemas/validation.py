"""How a pydantic validation error reads to whoever sent the input (API client, CLI user, import file)."""

from __future__ import annotations

from pydantic_core import ErrorDetails


def problem_words(error: ErrorDetails) -> str:
    """The error's message without the "Value error, " pydantic puts before a validator's own words."""
    return str(error.get("msg", "invalid")).removeprefix("Value error, ")
