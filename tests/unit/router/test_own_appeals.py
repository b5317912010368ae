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


FRESH_SETS = ("own_appeals.jsonl", "fresh_check.jsonl", "third_check.jsonl", "fourth_check.jsonl")


@pytest.mark.parametrize("name", FRESH_SETS)
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


def test_urgent_appeals_of_the_fresh_sets_stay_urgent(router: Router) -> None:
    """At least nine in ten of the sets' urgent appeals, pooled (a set has as few as five: one hazard with no
    harm told, "液化气罐都是过期的", is ordinary for the calibrated class)."""
    rows = [row for name in FRESH_SETS for row in _rows(name) if row["class"] == "urgent"]
    hits = sum(1 for row in rows if router.route(str(row["text"])).whistle_class.value == "urgent")
    assert hits / len(rows) >= 0.9


def test_urgency_follows_danger_now_scale_and_vulnerability(router: Router) -> None:
    """Ongoing hazards (rising water, failing structures, pollution incidents, vulnerable people
    without heat or food) are urgent; questions, plans and routine complaints are not; people
    collapsed are 120, while things hit by cars and children already found are not emergencies."""
    rows = _rows("urgent_check.jsonl")
    decisions = [router.route(str(row["text"])) for row in rows]
    for row, d in zip(rows, decisions, strict=True):
        assert (d.redirect.value if d.redirect else None) == row["redirect"], row["text"]
    right = sum(1 for row, d in zip(rows, decisions, strict=True)
                if (d.whistle_class.value == "urgent") == row["urgent"])
    assert right / len(rows) >= 0.9
    calm = [d for row, d in zip(rows, decisions, strict=True) if not row["urgent"]]
    assert all(d.whistle_class.value != "urgent" for d in calm)


def test_township_matters_are_not_pushed_down_or_up(router: Router) -> None:
    """Disputes between villages or villager groups, rural building enforcement, the market town's
    streets, relocation and supplies for cut-off villages go to the township; a village's own
    small matters stay in the village; functional departments keep theirs."""
    rows = _rows("level_check.jsonl")
    right = sum(1 for row in rows
                if ((d := router.route(str(row["text"]))).dept or d.level.value) == (row["dept"] or row["level"]))
    assert right / len(rows) >= 0.9
