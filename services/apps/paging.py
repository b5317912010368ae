"""Keyset paging, one way for every list: a page is read with one row more than its size, and the
next page's cursor is the (time, id) of its last row, opaque to the client, or null at the end."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Annotated, Any, TypeVar

from fastapi import Query
from fastapi.exceptions import RequestValidationError

from schemas.validation import no_control_characters
from services.db.order_lists import Cursor

Limit = Annotated[int, Query(ge=1, le=500, description="page size")]
T = TypeVar("T")


def bad_query(field: str, problem: str) -> RequestValidationError:
    """A query parameter that cannot be used: 422 naming it, in the one error body."""
    return RequestValidationError([{"loc": ("query", field), "msg": problem, "type": "value_error"}])


def encode_cursor(created_at: datetime, key: str | int) -> str:
    raw = json.dumps([created_at.isoformat(), key], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, Any]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        when, key = json.loads(raw)
        moment = datetime.fromisoformat(when)
        # The key is an order id or a row id as a page gave it out: not a bool (an int to Python,
        # which the database refuses), not beyond a bigint, not a string with NUL (PostgreSQL refuses).
        if (moment.tzinfo is None or isinstance(key, bool) or not isinstance(key, str | int)
                or (isinstance(key, int) and not 0 <= key < 2**63)):
            raise ValueError
        if isinstance(key, str):
            no_control_characters(key)
        return moment.astimezone(UTC), key  # OverflowError: an instant no UTC time can hold
    except (ValueError, TypeError, OverflowError, UnicodeDecodeError, json.JSONDecodeError):
        raise bad_query("cursor", "not a cursor this list gave out") from None


def row_cursor(cursor: str | None) -> tuple[datetime, int] | None:
    """The (time, row id) a page of rows keyed by a row id (history, extensions, supervision records)
    gave out as its next_cursor; None for the first page."""
    if cursor is None or cursor == "":
        return None
    when, key = decode_cursor(cursor)
    if not isinstance(key, int):
        raise bad_query("cursor", "not a cursor this list gave out")
    return when, key


def order_cursor(cursor: str | None) -> Cursor | None:
    """The (created_at, order id) a page of work orders gave out as its next_cursor; None for the first page."""
    if cursor is None:
        return None
    when, key = decode_cursor(cursor)
    return Cursor(when, str(key))


def page_of(
    rows: Sequence[T], limit: int, key: Callable[[T], tuple[datetime, str | int]],
) -> tuple[list[T], str | None]:
    """`rows`, read with `limit` + 1, as a page: its first `limit` rows, and the cursor of the next
    page (`key` of the last row shown) when there was one more, else None."""
    page = list(rows[:limit])
    return page, encode_cursor(*key(page[-1])) if len(rows) > limit else None
