"""并单 of one incident told as its cause by one caller and as its effect by another (an electric box
on fire / the power out; a burst / the road lifted), of a smell told as 怪味, and of similes that tell
what something is like, not what happened. A made-up county (names of no data set)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from intake.duplicates import DuplicateIndex, Report, incident_kinds
from intake.places import KnownPlace, PlaceBook

T0 = datetime(2026, 6, 1, 19, 0, tzinfo=UTC)
BOOK = PlaceBook({
    "青石镇": KnownPlace("青石镇", "township", "qingshi"),
    "柏树村": KnownPlace("柏树村", "village", "qingshi", "qingshi.baishu"),
    "翠竹苑": KnownPlace("翠竹苑", "compound", "qingshi", "qingshi.sq"),
    "新民路": KnownPlace("新民路", "road", "qingshi", "qingshi.sq"),
})


def _r(i: str, text: str, hours: float = 0.0, topic: frozenset[str] = frozenset()) -> Report:
    return Report(id=i, text=text, reported_at=T0 + timedelta(hours=hours), topic=topic)


def _run(*reports: Report) -> list[str | None]:
    index = DuplicateIndex(book=BOOK)
    return [index.add(r) for r in reports]


def test_a_fire_that_cuts_the_power_is_one_incident_with_the_outage() -> None:
    fire = _r("a", "柏树村三组路口那个电箱起火了，噼里啪啦响")
    dark = _r("b", "柏树村刚才砰的一声，整片停电了，啥时候来电", hours=0.5)
    assert _run(fire, dark) == [None, "a"]


def test_a_smell_told_as_strange_is_the_fumes_another_caller_tells_of() -> None:
    assert "smoke_smell" in incident_kinds("晚上一股怪味，酸酸的呛鼻子")
    fumes = _r("a", "柏树村旁边那家厂夜里偷偷排废气，呛得人嗓子疼")
    smell = _r("b", "柏树村晚上一股怪味睡不着，关着窗户都能闻到", hours=3)
    assert _run(fumes, smell) == [None, "a"]


def test_a_simile_or_a_denial_tells_no_kind_of_incident() -> None:
    assert "fire" not in incident_kinds("烧烤摊的烟大得跟着火了一样")
    assert "fire" not in incident_kinds("烟很大（不是真着火）")
    assert "fire" in incident_kinds("山上着火了，烟很大")
    assert incident_kinds("像下过雨一样，路上全是水") == frozenset({"flood"})
    # (and 跟 … 一样 only within a clause: 我跟物业说了，路灯还是不亮 is street lights)
    assert "street_light" in incident_kinds("我跟物业说了一样没用，路灯不亮")


def test_an_effect_at_another_matter_of_the_same_spot_is_still_told_apart() -> None:
    smoke = _r("a", "翠竹苑旁边砖厂烟囱冒黑烟，灰落到晒的衣服上")
    water = _r("b", "翠竹苑自来水发黄浑浊，烧开后底下一层泥沙", hours=18)
    assert _run(smoke, water) == [None, None]


def test_on_a_road_hours_apart_do_not_join_what_the_router_reads_apart() -> None:
    """A road holds many spots: two reports of road damage on it an hour apart that the router reads
    as two matters are left to the words (two potholes of one road are two; tried and left out: one
    kind within six hours as one matter, which joined two spots of one road in the read sets)."""
    water = frozenset({"dept:water", "matter:water.pipe_burst"})
    roads = frozenset({"dept:roads", "matter:roads.damage"})
    burst = _r("a", "新民路地下水管爆了，水往上冒", topic=water)
    road = _r("b", "新民路路面拱起来裂开了，车都绕着走", hours=1, topic=roads)
    assert _run(burst, road) == [None, None]


def test_a_crack_is_of_a_wall_or_a_slope_and_parking_told_as_disorder_is_parking() -> None:
    assert "crack" in incident_kinds("7栋外墙出现贯通裂缝")
    assert "parking" in incident_kinds("学校门口车子停得乱七八糟")
    wall = _r("a", "翠竹苑7栋西山墙开裂，雨天往里渗水")
    crack = _r("b", "翠竹苑7栋外墙出现贯通裂缝，居民担心房屋安全", hours=20)
    assert _run(wall, crack) == [None, "a"]
