"""Stable snake_case names for classes: error codes in responses, reasons in metric labels."""

from __future__ import annotations

import re


def snake_case(name: str) -> str:
    """`OrderNotFound` -> `order_not_found`, `HTTPError` -> `http_error`."""
    name = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).lower()
