"""并单 of reports that say no place: an incident known by a name (a takeaway, a video) rather than by
where it is. A made-up county (names of no data set)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from intake.duplicates import DuplicateIndex, Report, bigram_idf
from intake.places import KnownPlace, PlaceBook

T0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
BOOK = PlaceBook({
    "青石镇": KnownPlace("青石镇", "township", "qingshi"),
    "翠竹苑": KnownPlace("翠竹苑", "compound", "qingshi", "qingshi.sq"),
    "青石中学家属院": KnownPlace("青石中学家属院", "compound", "qingshi", "qingshi.sq"),
})
# A background of everyday appeals: words it never saw look like proper names (刘记 of 刘记凉皮).
IDF = bigram_idf(["外卖吃了凉皮拉肚子", "点的外卖吃坏了肚子", "群里好几个人都拉肚子了", "店还开着", "吃完上吐下泻",
                  "青石中学门口堵车", "电表箱烧了", "单元里四户没电", "家属院后面"])
FOOD = frozenset({"dept:market", "matter:market.food_safety"})
FOOD_OTHER = frozenset({"dept:market", "matter:market.other"})
PRICES = frozenset({"dept:market", "matter:market.price"})


def _r(i: str, text: str, hours: float = 0.0, topic: frozenset[str] = FOOD, address: str | None = None) -> Report:
    return Report(id=i, text=text, address=address, reported_at=T0 + timedelta(hours=hours), topic=topic)


def _run(*reports: Report, leaning: bool = False) -> list[str | None]:
    index = DuplicateIndex(book=BOOK, idf=IDF, leaning=(lambda text: {"market.food_safety": 1.0}) if leaning else None)
    return [index.add(r) for r in reports]


def test_two_reports_naming_no_place_but_one_takeaway_are_one_incident() -> None:
    first = _r("a", "昨晚点了刘记凉皮的外卖，吃完全家上吐下泻")
    again = _r("b", "吃了刘记的凉皮拉肚子的不止我家，群里好几个人都拉肚子了，店还开着", hours=6)
    assert _run(first, again) == [None, "a"]


def test_another_name_or_another_matter_or_a_place_is_not_the_same_incident() -> None:
    first = _r("a", "昨晚点了刘记凉皮的外卖，吃完全家上吐下泻")
    other_shop = _r("b", "吃了王记的凉皮拉肚子的不止我家，群里好几个人都拉肚子了", hours=6)
    assert _run(first, other_shop) == [None, None]
    prices = _r("b", "吃了刘记的凉皮，一碗要二十块，明码标价写的十二", hours=6, topic=PRICES)
    assert _run(first, prices) == [None, None]  # the router's matters apart
    placed = _r("b", "吃了刘记的凉皮拉肚子，群里好几个人都拉肚子了", hours=6, address="青石镇翠竹苑")
    assert _run(first, placed) == [None, None]  # one says where: the place rules judge it


def test_the_routers_catch_all_joins_a_name_both_say_when_the_words_lean_to_one_matter() -> None:
    first = _r("a", "昨晚点了刘记凉皮的外卖，吃完全家上吐下泻")
    again = _r("b", "吃了刘记的凉皮拉肚子的不止我家，群里好几个人都拉肚子了，店还开着", hours=6, topic=FOOD_OTHER)
    assert _run(first, again) == [None, None]
    assert _run(first, again, leaning=True) == [None, "a"]


WAGES = frozenset({"dept:labour", "matter:labour.wage_arrears"})
LABOUR_OTHER = frozenset({"dept:labour", "matter:labour.other"})
PENSION = frozenset({"dept:labour", "matter:labour.pension"})
ROADS = frozenset({"dept:transport", "matter:transport.rural_road"})


def _wage_run(*reports: Report) -> list[str | None]:
    index = DuplicateIndex(book=BOOK, idf=IDF, leaning=lambda text: {"labour.wage_arrears": 1.0})
    return [index.add(r) for r in reports]


def test_a_grievance_one_tells_in_its_words_and_the_router_reads_in_both_stands() -> None:
    """Ten days on, the same business's money owed: one says 拖欠工资, the other only 派件费没结 (the
    router's catch-all of its department, the words leaning to one matter), or the router reads both
    as one matter."""
    owed = _r("a", "顺达快递网点老板欠我们两个月的派件费没结", topic=LABOUR_OTHER)
    again = _r("b", "顺达快递网点拖欠快递员工资，老板一直说等总部结算", hours=240, topic=WAGES)
    assert _wage_run(owed, again) == [None, "a"]
    assert _run(owed, again) == [None, None]  # no leaning: the catch-all alone is no matter in common
    pension = _r("a", "我是退休职工王学成，养老金算出来比同事少五百多，请帮我核一下", topic=PENSION)
    chased = _r("b", "上周打过电话，王学成，核对退休金那个事，到今天还没人联系", hours=100, topic=PENSION)
    assert _run(pension, chased) == [None, "a"]
    road = _r("b", "上周打过电话，王学成，村里那条路到今天还没人来修", hours=100, topic=ROADS)
    assert _run(pension, road) == [None, None]


POWER = frozenset({"dept:power", "matter:power.outage"})


def test_a_compound_named_after_a_place_is_not_that_place() -> None:
    """青石中学家属院 is the school's staff housing: a report by the school (not in the gazetteer) is
    elsewhere, though both say 青石中学; a report naming the compound again is at it."""
    housing = _r("a", "青石中学家属院2单元电表箱烧了，单元里四户没电", topic=POWER, address="青石中学家属院")
    school = _r("b", "青石中学后面那一片都停电了，是不是变压器坏了", hours=1, topic=POWER)
    assert _run(housing, school) == [None, None]
    again = _r("b", "青石中学家属院2单元电表箱烧坏了，楼上楼下都没电", hours=1, topic=POWER)
    assert _run(housing, again) == [None, "a"]


SANITATION = frozenset({"dept:urban", "matter:urban.sanitation"})


def test_the_townships_street_is_its_market_town() -> None:
    """街上 in a township (青石街上) is where its market is, the 集镇 the gazetteer holds."""
    town = KnownPlace("青石镇", "township", "qingshi")
    book = PlaceBook({"青石镇": town, "青石": town, "青石镇集镇": KnownPlace("青石镇集镇", "landmark", "qingshi"),
                      "青石林场": KnownPlace("青石林场", "landmark", "qingshi")})
    station = _r("a", "青石镇集镇菜市场旁边的垃圾站满了，垃圾堆到马路上", topic=SANITATION)
    dumped = _r("f", "青石林场门口有人倒建筑垃圾，倒了一大片", hours=2, topic=SANITATION)
    street = _r("b", "青石街上那个垃圾房袋子堆得比人还高，好几天没人拉", hours=20, topic=SANITATION)
    index = DuplicateIndex(book=book, idf=IDF)  # (naming only the township, it might be either)
    assert [index.add(r) for r in (station, dumped, street)] == [None, None, "a"]
