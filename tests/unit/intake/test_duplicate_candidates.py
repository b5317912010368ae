"""What intake's candidate query relies on: the coordinate band (latitudes and longitudes) leaves out
only reports the detector would tell apart anyway."""

from __future__ import annotations

import math
import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from intake.duplicates import Band, DuplicatePolicy, Report, coordinate_band, profile, similarity

T0 = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)
LAMP = "解放路新华小区门口的路灯不亮了，晚上黑漆漆的"
METRES_PER_DEGREE = 6_371_000 * math.pi / 180


def _at(i: str, lat: float | None, lon: float | None, hours: float = 0.0) -> Report:
    return Report(id=i, text=LAMP, address="城关镇解放路新华小区", reported_at=T0 + timedelta(hours=hours),
                  latitude=lat, longitude=lon)


def test_a_report_with_coordinates_outside_the_band_is_never_at_the_new_reports_place() -> None:
    policy = DuplicatePolicy()
    new = _at("new", 30.0, 110.0, hours=1)
    band = coordinate_band(new.latitude, new.longitude, policy)
    assert band is not None
    south, north = band.south, band.north
    limit = policy.max_distance_m / METRES_PER_DEGREE  # degrees of latitude at the distance limit
    for k in (-3.0, -1.01, -1.0, -0.999, -0.5, 0.0, 0.5, 0.999, 1.0, 1.000001, 1.01, 3.0):
        for dlon in (0.0, 0.001):
            earlier = _at(f"e{k}", 30.0 + k * limit, 110.0 + dlon)
            match = similarity(profile(earlier), profile(new), policy)
            if not south <= earlier.latitude <= north:  # type: ignore[operator]
                assert match is None, (k, dlon)
            if abs(k) <= 0.999 and dlon == 0.0:
                assert match is not None and south <= earlier.latitude <= north, k  # type: ignore[operator]


def _inside(band: Band, lat: float, lon: float) -> bool:
    return band.south <= lat <= band.north and (band.west is None or band.west <= lon <= band.east)  # type: ignore[operator]


def test_a_report_with_coordinates_east_or_west_of_the_band_is_never_at_the_new_reports_place() -> None:
    """Along the parallel and on the band's corners, at the equator, in the county's latitudes and
    far north: a report outside the box is never a match, one well inside it at the limit's edge is."""
    policy = DuplicatePolicy()
    for lat in (0.0, 30.0, -45.0, 60.0, 80.0):
        new = _at("new", lat, 110.0, hours=1)
        band = coordinate_band(new.latitude, new.longitude, policy)
        assert band is not None and band.west is not None and band.east is not None
        assert band.west < 110.0 < band.east
        along = policy.max_distance_m / (METRES_PER_DEGREE * math.cos(math.radians(lat)))  # degrees at the limit
        north = policy.max_distance_m / METRES_PER_DEGREE
        for k in (-3.0, -1.01, -1.0, -0.999, -0.5, 0.0, 0.5, 0.999, 1.0, 1.01, 3.0):
            for dlat in (0.0, 0.7 * north, -0.7 * north):
                earlier = _at(f"e{k}", lat + dlat, 110.0 + k * along)
                match = similarity(profile(earlier), profile(new), policy)
                if not _inside(band, earlier.latitude, earlier.longitude):  # type: ignore[arg-type]
                    assert match is None, (lat, k, dlat)
            if abs(k) <= 0.99:
                earlier = _at(f"e{k}", lat, 110.0 + k * along)
                assert similarity(profile(earlier), profile(new), policy) is not None, (lat, k)
                assert _inside(band, lat, 110.0 + k * along), (lat, k)


def test_every_report_the_detector_puts_at_the_place_is_inside_the_band() -> None:
    """Random points around random reports (latitudes up to 88°, longitudes near the antimeridian
    too): whenever the detector's distance puts them at one place, the earlier one is inside the new
    one's band."""
    policy = DuplicatePolicy()
    rng = random.Random(7)
    for _ in range(3000):
        lat, lon = rng.uniform(-88.0, 88.0), rng.uniform(-180.0, 180.0)
        if rng.random() < 0.1:
            lon = rng.choice((-1.0, 1.0)) * rng.uniform(179.9, 180.0)
        band = coordinate_band(lat, lon, policy)
        assert band is not None
        scale = 0.01 / max(math.cos(math.radians(lat)), 0.05)
        other_lat = max(-90.0, min(90.0, lat + rng.uniform(-0.01, 0.01)))
        other_lon = lon + rng.uniform(-scale, scale)
        other_lon = (other_lon + 180.0) % 360.0 - 180.0
        new, earlier = _at("new", lat, lon, hours=1), _at("e", other_lat, other_lon)
        if similarity(profile(earlier), profile(new), policy) is not None:
            assert _inside(band, other_lat, other_lon), (lat, lon, other_lat, other_lon)


def test_no_longitude_bound_across_the_antimeridian_or_near_a_pole() -> None:
    policy = DuplicatePolicy()
    for lat, lon in ((30.0, 179.999), (30.0, -179.9999), (89.9, 10.0), (-89.5, 10.0)):
        band = coordinate_band(lat, lon, policy)
        assert band is not None and band.west is None and band.east is None, (lat, lon)


def test_without_both_coordinates_there_is_no_band() -> None:
    policy = DuplicatePolicy()
    assert coordinate_band(None, 110.0, policy) is None
    assert coordinate_band(30.0, None, policy) is None
    wider = coordinate_band(30.0, 110.0, replace(policy, max_distance_m=1000.0))
    narrower = coordinate_band(30.0, 110.0, policy)
    assert wider and narrower and wider.south < narrower.south < 30.0 < narrower.north < wider.north
    assert wider.west < narrower.west < 110.0 < narrower.east < wider.east  # type: ignore[operator]
