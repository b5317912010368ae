"""并单 and named businesses the gazetteer does not hold (a name and the word of its trade). A made-up
county (names of no data set)."""

from __future__ import annotations

from intake.businesses import business_names
from intake.duplicates import DuplicateIndex, Report, bigram_idf, place_names
from intake.places import KnownPlace, PlaceBook
from tests.unit.intake.duplicate_reports import report as _r
from tests.unit.intake.duplicate_reports import verdicts

BOOK = PlaceBook({
    "青石镇": KnownPlace("青石镇", "township", "qingshi"),
    "青石社区": KnownPlace("青石社区", "community", "qingshi", "qingshi.sq"),
    "新民路": KnownPlace("新民路", "road", "qingshi", "qingshi.sq"),
    "柳湖路": KnownPlace("柳湖路", "road", "qingshi"),
})
# A background of everyday appeals: words it never saw look like proper names; 烧烤 it has seen often.
IDF = bigram_idf(["小区停水了", "路灯不亮", "电梯坏了", "班车停了", "烧烤店油烟大", "楼下烧烤太吵", "烧烤摊占道"])


def _run(*reports: Report) -> list[str | None]:
    return verdicts(DuplicateIndex(book=BOOK, idf=IDF), *reports)


def test_a_business_is_read_by_its_name_not_by_its_trade_or_a_word_before_it() -> None:
    assert business_names("在新民路福临健身办了年卡", IDF) == frozenset({"福临"})
    assert business_names("县康宁医院挂号难", IDF) == frozenset({"康宁"})  # people drop the county
    assert business_names("楼下那家烧烤店", IDF) == frozenset()  # a trade the background knows, no name
    assert business_names("那家店关门了", IDF) == frozenset()
    assert business_names("楼下那个火锅店油烟大") == frozenset()  # a trade word is no name, known or not
    assert business_names("老街蜀香阁火锅油烟大") == frozenset({"蜀香阁"})
    assert business_names("投诉好又多便利超市（柳湖路店）卖过期奶", IDF) == frozenset({"好又多"})  # 又 of a name
    assert business_names("大门西侧康乐诊所给人输液", IDF) == frozenset({"康乐"})
    assert business_names("东边厂子排的吧", IDF) == frozenset()  # a position, no name


def test_a_place_name_does_not_begin_inside_the_community_or_village_before_it() -> None:
    names = place_names("西岭社区老街")
    assert not {"区老街", "社区老街", "岭社区老街"} & names
    assert "开发区大道" in place_names("城东开发区大道")


def test_two_reports_naming_one_business_are_at_one_place_though_one_gives_no_road() -> None:
    first = _r("a", "新民路福临健身突然关门，年卡还剩八个月，要求退费", "新民路福临健身")
    second = _r("b", "福临健身是不是跑路了？刚充的卡退不了钱", hours=20)
    assert _run(first, second) == [None, "a"]


def test_an_institution_told_by_its_short_name_is_the_same_place() -> None:
    first = _r("a", "县康宁医院挂号要排队两个小时，取号机也坏了")
    second = _r("b", "康宁挂号排队太长了，老人站不住", hours=6)
    assert _run(first, second) == [None, "a"]


def test_two_businesses_of_one_trade_on_one_road_are_two_places() -> None:
    first = _r("a", "柳湖路福临健身关门跑路，会员卡退不了钱")
    second = _r("b", "柳湖路康泰健身关门跑路，会员卡退不了钱", hours=8)
    assert _run(first, second) == [None, None]


def test_an_incident_past_the_window_is_judged_by_its_first_report_as_intake_does() -> None:
    # The second report tells of the staff's wages aside; the third is a worker's wage claim days
    # later: not the refund incident, which its first report tells of.
    refund = _r("a", "福临健身关门跑路了，年卡的钱退不了")
    aside = _r("b", "福临健身跑路了，充的卡退不了，前台说她们工资也没发", hours=22)
    wages = _r("c", "我是福临健身的员工，拖欠两个月工资，老板失联", hours=80)
    assert _run(refund, aside, wages) == [None, "a", None]
