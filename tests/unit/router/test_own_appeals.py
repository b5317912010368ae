"""A small labelled set written for these tests (not the development set): the router must keep
routing appeals phrased in ways its catalogue examples do not use."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from router.service import Router

DATA = Path(__file__).parent / "data"


def _rows(name: str) -> list[dict[str, object]]:
    path = DATA / name
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.parametrize("name", ["own_appeals.jsonl", "fresh_check.jsonl", "third_check.jsonl", "fourth_check.jsonl"])
def test_owner_level_and_emergencies_on_a_fresh_set(router: Router, name: str) -> None:
    rows = _rows(name)
    decisions = [router.route(str(row["text"])) for row in rows]
    owner_ok = sum(
        1 for row, d in zip(rows, decisions, strict=True)
        if (d.dept or d.level.value) == (row["dept"] or row["level"])
    )
    assert owner_ok / len(rows) >= 0.9
    for row, d in zip(rows, decisions, strict=True):
        assert (d.redirect.value if d.redirect else None) == row["redirect"], row["text"]
    urgent = [(row, d) for row, d in zip(rows, decisions, strict=True) if row["class"] == "urgent"]
    assert sum(1 for _, d in urgent if d.whistle_class.value == "urgent") / len(urgent) >= 0.9
