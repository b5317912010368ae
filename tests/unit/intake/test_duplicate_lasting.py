"""并单 over time: a condition told as lasting (天天, 还没修) is the open order still not dealt with a
week on, at a spot both name and as one kind of matter; one told as put right in between (修好以后,
新换的) is a new event. A made-up county (names of no data set)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from intake.duplicates import DuplicateIndex, Report, bigram_idf
from intake.places import KnownPlace, PlaceBook

T0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
BOOK = PlaceBook({
    "青石镇": KnownPlace("青石镇", "township", "qingshi"),
    "青石社区": KnownPlace("青石社区", "community", "qingshi", "qingshi.sq"),
    "翠竹苑": KnownPlace("翠竹苑", "compound", "qingshi", "qingshi.sq"),
    "翠柏园": KnownPlace("翠柏园", "compound", "qingshi", "qingshi.sq"),
    "新民路": KnownPlace("新民路", "road", "qingshi", "qingshi.sq"),
})
IDF = bigram_idf(["小区停水了", "路灯不亮", "电梯坏了", "班车停了", "垃圾没人清运", "停电了什么时候来电"])
LIFT = frozenset({"dept:market", "matter:market.lift"})


def _r(i: str, text: str, hours: float = 0.0, topic: frozenset[str] = LIFT) -> Report:
    return Report(id=i, text=text, reported_at=T0 + timedelta(hours=hours), topic=topic)


def _run(*reports: Report) -> list[str | None]:
    index = DuplicateIndex(book=BOOK, idf=IDF)
    return [index.add(r) for r in reports]


def test_a_condition_told_as_lasting_is_the_same_incident_a_week_on() -> None:
    broken = _r("a", "翠竹苑8栋电梯坏了，老人下不了楼，物业说在等配件")
    still = _r("b", "翠竹苑8栋的电梯还是不能用，物业一直拖着", hours=24 * 7)
    assert _run(broken, still) == [None, "a"]


def test_a_condition_put_right_in_between_is_a_new_event() -> None:
    broken = _r("a", "翠竹苑8栋电梯坏了，老人下不了楼，物业一直拖着")
    again = _r("b", "翠竹苑8栋电梯上个月才修好，今天又坏了，还是关人", hours=24 * 7)
    assert _run(broken, again) == [None, None]


def test_lasting_words_do_not_join_another_matter_or_another_spot_past_the_window() -> None:
    broken = _r("a", "翠竹苑8栋电梯坏了，物业一直拖着")
    other_spot = _r("b", "翠柏园8栋电梯还是不能用，物业一直拖着", hours=24 * 7)
    assert _run(broken, other_spot) == [None, None]
    fees = frozenset({"dept:market", "matter:market.fees"})
    other_matter = _r("b", "翠竹苑物业天天乱收停车费，一直没人管", hours=24 * 7, topic=fees)
    assert _run(broken, other_matter) == [None, None]
    past = _r("b", "翠竹苑8栋的电梯还是不能用，物业一直拖着", hours=24 * 20)
    assert _run(broken, past) == [None, None]  # past the standing window


def test_a_practice_both_tell_of_lasts_though_neither_says_so() -> None:
    """A fee charged every time stands until someone stops it: the car park's charges a week on are the
    same complaint; a burst a week on is a new event."""
    fees = frozenset({"dept:health", "matter:health.hospital_service"})
    first = _r("a", "翠竹苑地下停车场收费太乱，没有公示收费标准", topic=fees)
    again = _r("b", "翠竹苑停车场按次收费又按时收费，收费员说了算", hours=24 * 6, topic=fees)
    assert _run(first, again) == [None, "a"]
    water = frozenset({"dept:water", "matter:water.pipe_burst"})
    burst = _r("a", "翠竹苑门口水管爆了，水冒得老高", topic=water)
    burst_again = _r("b", "翠竹苑门口水管爆了，路上全是水", hours=24 * 6, topic=water)
    assert _run(burst, burst_again) == [None, None]


def test_everyday_words_of_signal_weights_noise_and_prepaid_cards_are_their_kinds() -> None:
    from intake.duplicates import incident_kinds

    assert "telecom" in incident_kinds("信号还是没修好，打电话提示无服务")
    assert "scale" in incident_kinds("水产摊缺斤短两很严重")
    assert "noise" in incident_kinds("跳舞的音量太大了")
    assert "refund" in incident_kinds("申请退卡，商家不退")
    assert "manhole" in incident_kinds("路边有个井口敞着")


def _lean_alike(text: str) -> dict[str, float]:
    """A stand-in for the learned leaning: every text leans to one matter."""
    return {"one.matter": 1.0}


def test_on_a_road_only_a_report_saying_it_has_lasted_joins_past_the_window() -> None:
    lamps = frozenset({"dept:urban", "matter:urban.street_lights"})
    dark = _r("a", "新民路那一段路灯全不亮，晚上黑乎乎的", topic=lamps)
    still = _r("b", "新民路路灯坏了一周了还是黑的，请城管看看", hours=24 * 5, topic=lamps)
    fresh = _r("b", "新民路路灯不亮，晚上黑乎乎的", hours=24 * 5, topic=lamps)
    for later, expected in ((still, "a"), (fresh, None)):
        index = DuplicateIndex(book=BOOK, idf=IDF, leaning=_lean_alike)
        assert [index.add(r) for r in (dark, later)] == [None, expected]


def test_one_building_both_name_in_a_community_is_a_spot() -> None:
    charging = frozenset({"dept:fire", "matter:fire.ebike_charging"})
    first = _r("a", "青石社区3栋一楼楼道里天天有人拉电线给电动车充电", topic=charging)
    check = _r("b", "网格员入户排查青石社区3栋楼道飞线充电情况，已劝离5辆电动车", hours=24 * 7, topic=charging)
    other = _r("b", "网格员入户排查青石社区5栋楼道飞线充电情况，已劝离5辆电动车", hours=24 * 7, topic=charging)
    assert _run(first, check) == [None, "a"]
    assert _run(first, other) == [None, None]


def test_only_a_new_report_saying_it_still_goes_on_joins_past_the_window() -> None:
    """An earlier report of a nightly nuisance (每天晚上) does not make a report of the same kind at the
    spot ten days on the same incident: the new one must say it still goes on."""
    noise = frozenset({"dept:urban", "matter:urban.shop_noise"})
    nightly = _r("a", "翠竹苑楼下的烧烤店每天晚上音响开得很大", topic=noise)
    fresh = _r("b", "翠竹苑楼下的烧烤店音响开得很大，吵得睡不着", hours=24 * 10, topic=noise)
    still = _r("b", "翠竹苑楼下的烧烤店音响还是开得很大，一直没人修理这个问题", hours=24 * 10, topic=noise)
    assert _run(nightly, fresh) == [None, None]
    assert _run(nightly, still) == [None, "a"]


def test_what_is_wrong_this_time_is_a_new_event() -> None:
    broken = _r("a", "翠竹苑8栋电梯坏了，老人下不了楼")
    this_time = _r("b", "翠竹苑8栋电梯又坏了，这次是门关不上，一直开着", hours=24 * 10)
    assert _run(broken, this_time) == [None, None]
