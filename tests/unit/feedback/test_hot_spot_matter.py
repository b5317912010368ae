"""Hot spots count an order under its latest matter: a correction that clears the router's matter (an
override or 改派 to a department that does not take it) moves the order's cell to the one of no matter."""

from __future__ import annotations

from datetime import UTC, date, datetime

from feedback.tallies import OrderTrack, PlaceKey, Tallier

AT = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
DAY = date(2026, 11, 20)


def _event(action: str, **fields: object) -> dict[str, object]:
    return {"at": AT.isoformat(), "action": action, "township": "xiling", "village": "", "state": "dispatched",
            **fields}


def test_a_matter_cleared_by_a_correction_moves_the_hot_spot_to_no_matter() -> None:
    tallier, track = Tallier(lambda _: DAY), OrderTrack(work_order_id="wo_1")
    first = tallier.apply(track, "hotline.workorder.lifecycle", _event(
        "dispatch", unit="tw_xiling", level="township", matter="water_resources.river_management", actor="router"))
    assert first.places[PlaceKey(DAY, "xiling", "", "water_resources.river_management")] == 1

    moved = tallier.apply(track, "hotline.workorder.lifecycle", _event(
        "reassign", unit="water_utility", level="county", matter=None, actor="dispatcher:d1"))
    assert moved.places[PlaceKey(DAY, "xiling", "", "water_resources.river_management")] == -1
    assert moved.places[PlaceKey(DAY, "xiling", "", "")] == 1
    assert track.matter == "" and track.hot_matter == ""

    # an event that carries no summary at all (a recall) leaves the matter as it is
    tallier.apply(track, "hotline.workorder.lifecycle", {"at": AT.isoformat(), "action": "progress"})
    assert track.hot_matter == ""
