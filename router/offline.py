"""Offline classification of appeal records (`hotline classify FILE.jsonl`): no servers needed."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any, TextIO

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


def classify_lines(router: Router, lines: Iterable[str]) -> Iterator[dict[str, Any]]:
    """Classify JSON lines; a malformed line yields `{"id": ..., "error": ...}` instead."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            if not isinstance(record, dict):
                raise ValueError("expected a JSON object")
            yield classify_record(router, record)
        except ValueError as exc:
            yield {"id": None, "line": number, "error": str(exc)}


def classify_stream(router: Router, source: TextIO, sink: TextIO) -> int:
    """Read JSON lines from `source`, write one JSON line per record to `sink`; returns the count."""
    count = 0
    for row in classify_lines(router, source):
        sink.write(json.dumps(row, ensure_ascii=False) + "\n")
        count += 1
    return count
