"""并单 and outages felt all round: a burst on a road and the taps dry in a compound of its community, or the
power out in a compound and on the road of its community, are one incident told from two places; the
power's lines at one spot and an outage elsewhere in the community are not. A made-up county (names of no
data set)."""

from __future__ import annotations

from intake.duplicates import DuplicateIndex, Report
from intake.places import KnownPlace, PlaceBook
from tests.unit.intake.duplicate_reports import report as _r
from tests.unit.intake.duplicate_reports import verdicts

_LABELS = {
    "青石镇": KnownPlace("青石镇", "township", "qingshi"),
    "青石社区": KnownPlace("青石社区", "community", "qingshi", "qingshi.sq"),
    "翠竹苑": KnownPlace("翠竹苑", "compound", "qingshi", "qingshi.sq"),
    "新民路": KnownPlace("新民路", "road", "qingshi", "qingshi.sq"),
    "桃源社区": KnownPlace("桃源社区", "community", "qingshi", "qingshi.ty"),
    "桃源路": KnownPlace("桃源路", "road", "qingshi", "qingshi.ty"),
}
BOOK = PlaceBook(_LABELS)


def _run(*reports: Report) -> list[str | None]:
    return verdicts(DuplicateIndex(book=BOOK), *reports)


def test_a_burst_on_a_road_and_the_taps_dry_in_a_compound_of_its_community_are_one_incident() -> None:
    burst = _r("a", "新民路水管爆了，水往外喷，路上都成河了")
    dry = _r("b", "翠竹苑家里突然没水了，早上起来没法洗漱，是停水了吗", hours=1)
    assert _run(burst, dry) == [None, "a"]


def test_the_power_out_in_a_compound_and_on_the_road_of_its_community_is_one_incident() -> None:
    compound = _r("a", "翠竹苑停电了，一个小时了还没来电，冰箱里的东西都要坏了")
    road = _r("b", "新民路这边灯一闪就全黑了，整片都停电了", hours=1)
    assert _run(compound, road) == [None, "a"]


def test_an_outage_in_another_community_is_another_incident() -> None:
    compound = _r("a", "翠竹苑停电了，一个小时了还没来电，冰箱里的东西都要坏了")
    other = _r("b", "桃源路这边灯一闪就全黑了，整片都停电了", hours=1)
    assert _run(compound, other) == [None, None]


def test_the_powers_lines_at_one_spot_are_not_an_outage_felt_all_round() -> None:
    lines = _r("a", "翠竹苑门口的电线垂下来了，离地就两米，很危险")
    outage = _r("b", "新民路这边灯一闪就全黑了，整片都停电了", hours=1)
    assert _run(lines, outage) == [None, None]
