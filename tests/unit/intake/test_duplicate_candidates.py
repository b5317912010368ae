"""What intake's candidate query relies on: the latitude band leaves out only reports the detector
would tell apart anyway."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from intake.duplicates import DuplicatePolicy, Report, latitude_band, profile, similarity

T0 = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)
LAMP = "解放路新华小区门口的路灯不亮了，晚上黑漆漆的"
METRES_PER_DEGREE = 6_371_000 * math.pi / 180


def _at(i: str, lat: float | None, lon: float | None, hours: float = 0.0) -> Report:
    return Report(id=i, text=LAMP, address="城关镇解放路新华小区", reported_at=T0 + timedelta(hours=hours),
                  latitude=lat, longitude=lon)


def test_a_report_with_coordinates_outside_the_band_is_never_at_the_new_reports_place() -> None:
    policy = DuplicatePolicy()
    new = _at("new", 30.0, 110.0, hours=1)
    band = latitude_band(new.latitude, new.longitude, policy)
    assert band is not None
    south, north = band
    limit = policy.max_distance_m / METRES_PER_DEGREE  # degrees of latitude at the distance limit
    for k in (-3.0, -1.01, -1.0, -0.999, -0.5, 0.0, 0.5, 0.999, 1.0, 1.000001, 1.01, 3.0):
        for dlon in (0.0, 0.001):
            earlier = _at(f"e{k}", 30.0 + k * limit, 110.0 + dlon)
            match = similarity(profile(earlier), profile(new), policy)
            if not south <= earlier.latitude <= north:  # type: ignore[operator]
                assert match is None, (k, dlon)
            if abs(k) <= 0.999 and dlon == 0.0:
                assert match is not None and south <= earlier.latitude <= north, k  # type: ignore[operator]


def test_without_both_coordinates_there_is_no_band() -> None:
    policy = DuplicatePolicy()
    assert latitude_band(None, 110.0, policy) is None
    assert latitude_band(30.0, None, policy) is None
    wider = latitude_band(30.0, 110.0, replace(policy, max_distance_m=1000.0))
    narrower = latitude_band(30.0, 110.0, policy)
    assert wider and narrower and wider[0] < narrower[0] < 30.0 < narrower[1] < wider[1]
