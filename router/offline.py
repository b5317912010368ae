"""Offline classification of appeal records (`hotline classify FILE.jsonl`): no servers needed."""

from __future__ import annotations

from typing import Any

from router.categories import default_categories
from router.service import Router

OUTPUT_KEYS = ("id", "redirect", "class", "level", "dept", "unit", "matter", "confidence", "explanation")


def classify_record(router: Router, record: dict[str, Any]) -> dict[str, Any]:
    """One output line for one input record (`id`, `text`, optional `channel` and `address`).

    Keys: id, redirect (null or the emergency line), class, level, dept (county department or
    null), unit, matter, confidence, explanation; extras: top_departments, township, village and
    category (the broad message-board category, router/data/categories.yaml).
    Raises ValueError when `text` is missing or not a string.
    """
    text = record.get("text")
    if not isinstance(text, str):
        raise ValueError(f"record {record.get('id')!r}: field 'text' is required and must be a string")
    decision = router.route(text, channel=record.get("channel"), address=record.get("address"))
    # an emergency is filed under what it is about (its best matter), not under the emergency line
    about = decision.runner_up if decision.redirect and decision.runner_up else None
    category = (default_categories().of(about.matter, about.dept or str(about.level)) if about is not None
                else default_categories().of(decision.matter, decision.dept or decision.level.value))
    return {
        "id": record.get("id"),
        "redirect": decision.redirect.value if decision.redirect else None,
        "class": decision.whistle_class.value,
        "level": decision.level.value,
        "dept": decision.dept,
        "unit": decision.unit,
        "matter": decision.matter,
        "confidence": decision.confidence,
        "explanation": decision.explanation,
        "top_departments": decision.top_departments,
        "township": decision.township,
        "village": decision.village,
        "category": category,
    }

