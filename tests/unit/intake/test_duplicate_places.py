"""并单 by the gazetteer's hierarchy: a report naming only the township or village joins an incident at
a place inside it when the matter agrees; two places of one level never merge; a generic word is the
one place of its kind in the report's township. A made-up county (names of no data set)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from intake.duplicates import DuplicateIndex, Report
from intake.places import KnownPlace, PlaceBook

T0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)

_TOWN = KnownPlace("青石镇", "township", "qingshi")
_OTHER_TOWN = KnownPlace("红岩乡", "township", "hongyan")
_LABELS = {
    "青石镇": _TOWN, "青石": _TOWN, "红岩乡": _OTHER_TOWN,
    "柏树村": KnownPlace("柏树村", "village", "qingshi", "qingshi.baishu"),
    "桃源村": KnownPlace("桃源村", "village", "qingshi", "qingshi.taoyuan"),
    "青石社区": KnownPlace("青石社区", "community", "qingshi", "qingshi.sq"),
    "翠竹苑": KnownPlace("翠竹苑", "compound", "qingshi", "qingshi.sq"),
    "兰亭小区": KnownPlace("兰亭小区", "compound", "qingshi", "qingshi.sq"),
    "新民路": KnownPlace("新民路", "road", "qingshi", "qingshi.sq"),
    "青石大道": KnownPlace("青石大道", "road", "qingshi"),
    "青石镇中学": KnownPlace("青石镇中学", "landmark", "qingshi"),
    "青石中学": KnownPlace("青石镇中学", "landmark", "qingshi"),
    "青石广场": KnownPlace("青石广场", "landmark", "qingshi"),
    "红岩卫生院": KnownPlace("红岩卫生院", "landmark", "hongyan"),
    "红岩乡医院": KnownPlace("红岩乡医院", "landmark", "hongyan"),
    "红岩古镇": KnownPlace("红岩古镇", "landmark", "hongyan"),
}
BOOK = PlaceBook(_LABELS)
SUBSIDY = frozenset({"matter:agriculture.subsidy"})


def _r(i: str, text: str, address: str | None = None, hours: float = 0.0, **kw: object) -> Report:
    return Report(id=i, text=text, address=address, reported_at=T0 + timedelta(hours=hours), **kw)  # type: ignore[arg-type]


# As the router gives them: every other name of a place below a township → its name.
ALIASES = {label: p.name for label, p in _LABELS.items() if p.kind != "township"}


def _run(*reports: Report) -> list[str | None]:
    index = DuplicateIndex(book=BOOK, aliases=ALIASES)
    return [index.add(r) for r in reports]


def test_a_visit_recorded_at_the_township_joins_the_incident_of_a_village_in_it() -> None:
    village = _r("a", "柏树村今年的种粮补贴到现在还没发，问村干部也说不清", "青石镇柏树村", topic=SUBSIDY)
    visit = _r("b", "村民来访，反映种粮补贴一直没有到账，要求查明", "青石镇", hours=20, topic=SUBSIDY)
    assert _run(village, visit) == [None, "a"]


def test_a_township_only_report_of_another_matter_stays_apart() -> None:
    village = _r("a", "柏树村今年的种粮补贴到现在还没发", "青石镇柏树村", topic=SUBSIDY)
    visit = _r("b", "村民来访，反映镇上垃圾没人清运，臭得很", "青石镇", hours=2)
    assert _run(village, visit) == [None, None]


def test_a_township_only_report_does_not_join_another_towns_incident() -> None:
    village = _r("a", "柏树村今年的种粮补贴到现在还没发", "青石镇柏树村", topic=SUBSIDY)
    visit = _r("b", "村民来访，反映种粮补贴一直没有到账", "红岩乡", hours=2, topic=SUBSIDY)
    assert _run(village, visit) == [None, None]


def test_an_incident_joined_by_a_township_report_takes_no_report_of_another_village() -> None:
    first = _r("a", "柏树村今年的种粮补贴到现在还没发", "青石镇柏树村", topic=SUBSIDY)
    visit = _r("b", "村民来访，反映种粮补贴一直没有到账", "青石镇", hours=2, topic=SUBSIDY)
    other = _r("c", "桃源村二组的种粮补贴少发了，别的组都发了", "青石镇桃源村", hours=4, topic=SUBSIDY)
    assert _run(first, visit, other) == [None, "a", None]


def test_the_same_matter_on_two_roads_of_the_gazetteer_is_two_incidents_whatever_else_is_shared() -> None:
    first = _r("a", "新民路菜场门口的井盖没了，一个大洞", None)
    other = _r("b", "青石大道菜场门口的井盖没了，一个大洞", None, hours=1)
    assert _run(first, other) == [None, None]


def test_a_generic_word_is_the_one_place_of_its_kind_in_the_township() -> None:
    school = _r("a", "青石中学食堂的饭菜变质，好几个学生上吐下泻", None)
    again = _r("b", "孙女在青石镇上的学校住校，昨天吃了食堂的饭拉肚子", None, hours=5)
    assert _run(school, again) == [None, "a"]


def test_a_generic_word_with_two_places_of_its_kind_in_the_township_names_neither() -> None:
    where = BOOK.whereabouts("红岩乡医院门口停车乱")
    assert {p.name for p in where.places} == {"红岩乡医院"}
    assert {p.name for p in BOOK.whereabouts("红岩乡的医院门口停车乱").places} == {"红岩乡"}


def test_with_no_township_said_a_generic_word_is_the_one_place_of_its_kind_in_the_county() -> None:
    assert {p.name for p in BOOK.whereabouts("古镇那个停车场还是收三十，我上礼拜就投诉过了").places} == {"红岩古镇"}
    assert not BOOK.whereabouts("医院门口停车乱，救护车都进不去").places  # two of its kind in the county
    assert not BOOK.whereabouts("青石镇的古镇停车场乱收费").places - {_TOWN}  # none in the township said
    fee = _r("a", "红岩古镇景区停车场牌子写10元，实际收30元", None)
    again = _r("b", "古镇那个停车场还是收三十，今天带亲戚去又是三十", None, hours=30)
    assert _run(fee, again) == [None, "a"]


def test_a_square_dance_is_not_the_square() -> None:
    assert {p.name for p in BOOK.whereabouts("青石社区晚上跳广场舞的音响太吵").places} == {"青石社区"}
    assert "青石广场" in {p.name for p in BOOK.whereabouts("住在青石大道边上，对面广场晚上音响太吵").places}


def test_two_compounds_of_one_community_named_in_the_texts_are_two_places() -> None:
    first = _r("a", "翠竹苑门口的路灯坏了好几盏，晚上一片黑", None)
    other = _r("b", "兰亭小区门口的路灯坏了好几盏，晚上一片黑", None, hours=1)
    assert _run(first, other) == [None, None]


def test_addresses_of_two_townships_are_two_places_whatever_the_texts_share() -> None:
    """Both texts name the county town as where a bus goes; the addresses say where each is."""
    bus = "到县城的班车太少了，下午就停了，能不能加开"
    labels = {**_LABELS, "县城": KnownPlace("城关镇", "township", "chengguan")}
    index = DuplicateIndex(book=PlaceBook(labels))
    assert index.add(_r("a", "青石" + bus, "青石镇")) is None
    assert index.add(_r("b", "红岩乡" + bus, "红岩乡", hours=2)) is None


def test_a_burst_told_as_an_outage_at_the_same_compound_is_one_incident() -> None:
    """水管爆了 and 停水 are related kinds: they do not tell the reports apart."""
    burst = _r("a", "翠竹苑3栋门口水管爆了，水冒得老高", "翠竹苑")
    outage = _r("b", "翠竹苑3栋停水了，说是门口水管爆了在抢修", None, hours=2)
    assert _run(burst, outage) == [None, "a"]


def test_unrelated_kinds_at_one_compound_stay_apart() -> None:
    garbage = _r("a", "翠竹苑东门垃圾好几天没清运，满溢出来了", "翠竹苑")
    stall = _r("b", "翠竹苑东门晚上烧烤摊占道，吵到半夜", "翠竹苑", hours=3)
    assert _run(garbage, stall) == [None, None]


def test_the_vegetable_market_is_the_farmers_market() -> None:
    first = _r("a", "新民路农贸市场门口窨井盖缺失，已放锥桶", "青石镇新民路")
    again = _r("b", "买菜回来看到菜市场门口那个井盖没了，一个大洞", None, hours=3)
    assert _run(first, again) == [None, "a"]


def test_the_routers_one_specific_matter_at_one_compound_needs_no_word_of_its_kind() -> None:
    # (Neither says its kind: the router's matter then needs some words in common, not none.)
    quality = frozenset({"dept:water", "matter:water.quality"})
    first = _r("a", "翠竹苑水龙头放出来带颜色，不敢喝", "翠竹苑", topic=quality)
    again = _r("b", "翠竹苑家里水龙头放出来一股土腥气，烧开有渣", "翠竹苑", hours=5, topic=quality)
    catch_all = frozenset({"dept:water", "matter:water.other"})
    other = _r("c", "翠竹苑水表箱门坏了关不上", "翠竹苑", hours=6, topic=catch_all)
    assert _run(first, again, other) == [None, "a", None]


def test_the_village_school_is_not_the_townships_school() -> None:
    assert {p.name for p in BOOK.whereabouts("柏树村小学门口有人卖三无食品").places} == {"柏树村"}
    labels = {**_LABELS, "桃源村小学": KnownPlace("桃源村小学", "landmark", "qingshi", "qingshi.taoyuan")}
    book = PlaceBook(labels)
    assert {p.name for p in book.whereabouts("桃源村里的学校门口有人卖三无食品").places} == {"桃源村", "桃源村小学"}
    assert {p.name for p in book.whereabouts("柏树村里的学校门口有人卖三无食品").places} == {"柏树村"}
    assert "青石镇中学" in {p.name for p in BOOK.whereabouts("孩子在青石镇上读中学，学校门口有人卖三无食品").places}


def test_a_village_does_not_hold_the_townships_own_landmarks() -> None:
    """A report naming only 柏树村 is not 'within' one at the township's 青石镇中学: they are siblings."""
    village = _r("a", "柏树村小卖部卖过期零食，孩子吃了拉肚子", "青石镇柏树村")
    school = _r("b", "青石中学食堂的菜变质了，学生吃了拉肚子", "青石镇", hours=3)
    assert _run(village, school) == [None, None]


def test_landmarks_a_place_is_told_from_do_not_tell_two_reports_apart() -> None:
    """Two callers place one hole from two landmarks (对面 / 旁边); two addresses at two landmarks differ."""
    first = _r("a", "新民路青石广场对面的井盖没了，一个大洞", None)
    again = _r("b", "新民路上青石中学旁边那段井盖没了，很危险", None, hours=2)
    assert _run(first, again) == [None, "a"]
    at_square = _r("c", "门口的井盖没了，一个大洞", "青石广场")
    at_school = _r("d", "门口的井盖没了，一个大洞", "青石中学", hours=2)
    assert _run(at_square, at_school) == [None, None]


def test_the_county_seat_said_in_passing_places_no_report() -> None:
    """县城 is 城关镇's other name with nothing of its own: 到县城的班车 is not a report from 城关镇."""
    seat = KnownPlace("城关镇", "township", "chengguan")
    book = PlaceBook({**_LABELS, "城关镇": seat, "城关": seat, "县城": seat})
    assert {p.name for p in book.whereabouts("红岩乡到县城的班车太少").places} == {"红岩乡"}
    assert {p.name for p in book.whereabouts("城关这边路灯不亮").places} == {"城关镇"}


def test_the_county_seat_right_before_a_generic_word_names_that_place_of_it() -> None:
    """县城公园 is the county seat's one park, though 县城 alone places no report."""
    seat = KnownPlace("城关镇", "township", "chengguan")
    park = KnownPlace("城关公园", "landmark", "chengguan")
    other = KnownPlace("红岩公园", "landmark", "hongyan")
    book = PlaceBook({**_LABELS, "城关镇": seat, "县城": seat, "城关公园": park, "红岩公园": other})
    assert {p.name for p in book.whereabouts("县城公园晚上广场舞的音箱太响").places} == {"城关公园"}
    assert {p.name for p in book.whereabouts("公园晚上广场舞的音箱太响").places} == set()  # two parks: neither
    assert {p.name for p in book.whereabouts("红岩乡到县城的班车太少").places} == {"红岩乡"}


def test_a_compound_on_a_road_both_name_is_where_the_incident_is() -> None:
    # Both name 新民路 and 翠竹苑: the compound, not the longer road name, is the place both give,
    # so one kind of incident there is the incident again though the router's matters differ.
    garage = _r("a", "翠竹苑地下车库顶上一直渗水，滴到车上全是印子", "青石镇新民路翠竹苑",
                topic=frozenset({"matter:water.waterlogging"}))
    again = _r("b", "青石镇新民路翠竹苑负一楼车库漏水好几天了，物业拿桶接着", "青石镇新民路", hours=20,
               topic=frozenset({"matter:housing.property_service"}))
    assert _run(garage, again) == [None, "a"]


def test_two_spots_of_one_road_each_told_by_its_own_neighbour_are_two_places() -> None:
    roads = frozenset({"matter:urban.municipal_facilities"})
    junction = _r("a", "新民路靠青石大道那头路面有个大坑，昨晚有人摔了", "青石镇新民路", topic=roads)
    gate = _r("b", "新民路翠竹苑门口路面塌了个坑，孩子放学危险", "青石镇新民路", hours=6, topic=roads)
    assert _run(junction, gate) == [None, None]


def test_an_outage_is_felt_along_the_road_away_from_the_burst() -> None:
    water = frozenset({"matter:water.pipe_burst"})
    burst = _r("a", "新民路和青石大道路口水管爆了，水冒得老高", "青石镇新民路青石大道路口", topic=water)
    taps = _r("b", "新民路翠竹苑从早上就停水了，听说是前面路口水管爆了", "青石镇新民路翠竹苑", hours=2, topic=water)
    assert _run(burst, taps) == [None, "a"]


def test_one_outage_is_felt_across_a_community_but_not_taken_for_a_line_down() -> None:
    outage = frozenset({"matter:water.outage"})
    compound = _r("a", "翠竹苑一大早就没水了，物业说外面管子坏了", "青石镇青石社区翠竹苑", topic=outage)
    street = _r("b", "这边怎么停水了，新民路那一片都没水", "青石镇", hours=3, topic=outage)
    assert _run(compound, street) == [None, "a"]
    lines = frozenset({"matter:power.line_hazard"})
    pole = _r("c", "新民路中间那根电线杆歪了，线都垂下来了", "青石镇新民路", topic=lines)
    gate = _r("d", "翠竹苑门口电线掉下来挂在树上", "翠竹苑", hours=20, topic=lines)
    assert _run(pole, gate) == [None, None]


def test_the_corner_of_two_roads_both_name_is_one_spot() -> None:
    pothole = _r("a", "新民路靠青石大道那头有个大坑，昨晚一个骑车的摔了", "青石镇新民路",
                 topic=frozenset({"matter:education.school_management"}))
    grid = _r("b", "网格员巡查：新民路北端近青石大道路口机动车道坑槽一处，需修补", "青石镇新民路", hours=20,
              topic=frozenset({"matter:urban.municipal_facilities"}))
    assert _run(pothole, grid) == [None, "a"]


def test_a_township_only_report_that_could_be_either_of_two_villages_incidents_joins_neither() -> None:
    one = _r("a", "柏树村今年的种粮补贴到现在还没发", "青石镇柏树村", topic=SUBSIDY)
    other = _r("b", "桃源村的种粮补贴也一直没有发放到户", "青石镇桃源村", hours=2, topic=SUBSIDY)
    visit = _r("c", "村民来访，反映今年种粮补贴迟迟没有到账", "青石镇", hours=5, topic=SUBSIDY)
    assert _run(one, other, visit) == [None, None, None]


def test_a_place_word_in_a_quoted_name_is_no_place() -> None:
    index = DuplicateIndex(book=BOOK, aliases=ALIASES)
    shop = index.profile_of(_r("a", "青石镇“老广场饭庄”一盘河虾收了一百多", "青石镇"))
    square = index.profile_of(_r("b", "青石镇广场那边晚上有人吵架", "青石镇"))
    assert {p.name for p in shop.whereabouts.places} == {"青石镇"}
    assert "青石广场" in {p.name for p in square.whereabouts.places}


def test_a_leak_is_not_the_bill_of_the_same_building() -> None:
    gas = frozenset({"dept:gas"})
    bill = _r("a", "翠竹苑这两个月燃气费贵了一倍，要求核查计量", "青石镇翠竹苑", topic=gas | {"matter:gas.billing"})
    leak = _r("b", "翠竹苑2栋楼道里煤气味很重，怀疑泄漏", "青石镇翠竹苑", hours=6, topic=gas | {"matter:gas.leak"})
    again = _r("c", "翠竹苑2栋一股燃气味", None, hours=7, topic=gas | {"matter:gas.leak"})
    assert _run(bill, leak, again) == [None, None, "b"]


def test_a_townships_planned_cut_is_not_a_later_local_fault_nor_its_chain() -> None:
    outage = frozenset({"matter:power.outage"})
    planned = _r("a", "青石镇今天全镇停电，说是计划检修，也没提前通知", "青石镇", topic=outage)
    fault = _r("b", "柏树村三组傍晚听到一声响就停电了，请抢修", "青石镇柏树村", hours=50, topic=outage)
    again = _r("c", "柏树村停电一天了，还修不修", None, hours=66, topic=outage)
    assert _run(planned, fault, again) == [None, None, "b"]


def test_the_words_of_a_place_name_say_nothing_of_what_happened_there() -> None:
    book = PlaceBook({**_LABELS, "青石渡口": KnownPlace("青石码头", "landmark", "qingshi"),
                      "青石码头": KnownPlace("青石码头", "landmark", "qingshi")})
    index = DuplicateIndex(book=book, aliases={"青石渡口": "青石码头"})
    litter = _r("a", "青石渡口边上垃圾堆成山，臭气熏天", None, topic=frozenset({"matter:urban.sanitation"}))
    ferry = _r("b", "青石码头渡船早上严重超员，没有救生衣", "青石镇青石码头", hours=17,
               topic=frozenset({"matter:transport.passenger"}))
    assert [index.add(r) for r in (litter, ferry)] == [None, None]


def test_two_reports_each_naming_a_township_the_other_does_not_are_two_places() -> None:
    bus = frozenset({"matter:transport.bus"})
    cancelled = _r("a", "青石镇发往红岩乡的早班车今天没有发车", "青石镇", topic=bus)
    other_route = _r("b", "青石到柏树岭镇的班车一个小时才一班", "青石镇", hours=10, topic=bus)
    book = PlaceBook({**_LABELS, "柏树岭镇": KnownPlace("柏树岭镇", "township", "baishuling")})
    index = DuplicateIndex(book=book, aliases=ALIASES)
    assert [index.add(r) for r in (cancelled, other_route)] == [None, None]


def test_a_name_inside_two_other_places_of_the_gazetteer_is_no_place_in_common() -> None:
    book = PlaceBook({**_LABELS, "新民路社区": KnownPlace("新民路社区", "community", "qingshi", "qingshi.xm"),
                      "新民路步行街": KnownPlace("新民路步行街", "road", "qingshi")})
    index = DuplicateIndex(book=book, aliases=ALIASES)
    cover = frozenset({"matter:urban.municipal_facilities"})
    missing = _r("a", "网格员：兰亭小区往东约50米人行道井盖丢失，已围挡", "青石镇新民路社区", topic=cover)
    loose = _r("b", "步行街中段有个井盖松动，一踩就响", "青石镇新民路步行街", hours=6, topic=cover)
    assert [index.add(r) for r in (missing, loose)] == [None, None]


def test_at_a_spot_both_name_and_no_kind_said_the_words_decide_as_when_the_matters_agree() -> None:
    cold = _r("a", "兰亭小区集中供暖开通三天了，家里暖气片冰凉，物业推说管道有气", "青石镇兰亭小区",
              topic=frozenset({"matter:power.outage"}))
    again = _r("b", "兰亭小区的暖气片冰凉，是摆设吗？交了取暖费，屋里冷得穿棉袄", None, hours=14,
               topic=frozenset({"matter:village.neighbour_noise"}))
    other = _r("c", "兰亭小区楼道里到处贴小广告，物业也不清理", None, hours=15,
               topic=frozenset({"matter:urban.other"}))
    assert _run(cold, again, other) == [None, "a", None]


def test_a_junction_named_by_one_of_its_roads_is_the_junction_of_both() -> None:
    both = _r("a", "新民路与青石大道交叉口红绿灯四个方向都不亮，车辆抢行", "青石镇新民路与青石大道交叉口",
              topic=frozenset({"matter:traffic.other"}))
    one = _r("b", "新民路口的信号灯从早上到现在一直没亮，晚高峰又堵了", "青石镇", hours=9,
             topic=frozenset({"matter:traffic.signals"}))
    assert _run(both, one) == [None, "a"]


def test_an_outage_of_the_whole_township_takes_the_reports_of_its_villages() -> None:
    outage = frozenset({"matter:water.outage"})
    one = _r("a", "柏树村从凌晨起停水，事先没有通知", "青石镇柏树村", topic=outage)
    town = _r("b", "青石整个镇停水大半天了，青石中学食堂都没水用", None, hours=4, topic=outage)
    other = _r("c", "桃源村也没水了，啥时候能来水", "青石镇桃源村", hours=5, topic=outage)
    assert _run(one, town, other) == [None, "a", "a"]
    assert _run(one, other) == [None, None]  # two villages, without the township-wide report


WAGES = frozenset({"matter:hr_social.wage_arrears"})


def test_two_reports_naming_only_one_township_are_at_no_place_in_common() -> None:
    # two workers' wage claims, or two callers' "our compound has no water", somewhere in one township
    first = _r("a", "我在工地干了三个月，老板一直拖欠工资不给", "青石镇", topic=WAGES)
    second = _r("b", "包工头欠我们八个人两个月工钱，年底了还不结", "青石镇", hours=5, topic=WAGES)
    outage = _r("c", "我们小区从昨天早上开始停水，到现在还没来水", "青石镇", hours=6)
    again = _r("d", "我们小区从昨天早上开始停水，到现在还没来水", "青石镇", hours=7)
    assert _run(first, second, outage, again) == [None, None, None, None]


def test_a_matter_the_whole_township_shares_joins_at_township_level() -> None:
    bus = _r("a", "青石到县城的班车下午五点以后就没有了，建议增加班次", "青石镇")
    again = _r("b", "青石镇去县城的客车停运两天了，也没个通知", "青石镇", hours=30)
    whole = _r("c", "青石镇全镇停水一整天了，什么时候来水", None, hours=40)
    told = _r("d", "青石整个镇都没水了，卫生院都没水用", "青石镇", hours=41)
    assert _run(bus, again, whole, told) == [None, "a", None, "c"]


BURST = frozenset({"matter:water_utility.pipe_burst"})


def test_a_burst_told_from_across_a_compound_joins_the_burst_on_a_road_of_its_community() -> None:
    road = _r("a", "新民路上水管爆了，路上全是水", None, topic=BURST)
    across = _r("b", "翠竹苑对面的马路上一直往外冒水，是不是水管破了", None, hours=2, topic=BURST)
    assert _run(road, across) == [None, "a"]


def test_a_compound_named_only_as_where_it_is_told_from_is_not_a_second_compound() -> None:
    gate = _r("a", "兰亭小区大门口人行道水管爆了，水哗哗地流", None, topic=BURST)
    east = _r("b", "翠竹苑往东五十米人行道下面在冒水，水管破了", None, hours=1, topic=BURST)
    assert _run(gate, east) == [None, "a"]


def test_a_compound_named_as_where_it_happens_is_still_a_second_compound() -> None:
    gate = _r("a", "兰亭小区大门口人行道水管爆了，水哗哗地流", None, topic=BURST)
    inside = _r("b", "翠竹苑里面水管爆了，楼下全是水", None, hours=1, topic=BURST)
    assert _run(gate, inside) == [None, None]


def test_told_from_across_a_compound_another_matter_stays_apart() -> None:
    road = _r("a", "新民路上水管爆了，路上全是水", None, topic=BURST)
    across = _r("b", "翠竹苑对面的烧烤摊天天占道经营，油烟熏人", None, hours=2)
    assert _run(road, across) == [None, None]


LIGHTS = frozenset({"matter:urban_mgmt.street_lights"})


def test_two_ends_of_one_road_are_two_places() -> None:
    east = _r("a", "新民路东头的路灯一到晚上就不亮", None, topic=LIGHTS)
    west = _r("b", "新民路西头那一段路灯全不亮，黑漆漆的", None, hours=3, topic=LIGHTS)
    assert _run(east, west) == [None, None]


def test_one_end_of_a_road_told_twice_is_the_incident_again() -> None:
    east = _r("a", "新民路东头的路灯一到晚上就不亮", None, topic=LIGHTS)
    again = _r("b", "新民路东段路灯全不亮，黑漆漆的", None, hours=3, topic=LIGHTS)
    assert _run(east, again) == [None, "a"]


def test_a_report_of_another_shop_on_the_road_is_not_the_first_shops() -> None:
    PREPAID = frozenset({"matter:market.prepaid_card"})
    first = _r("a", "新民路一家理发店办了卡就关门跑路了，卡里还有钱", None, topic=PREPAID)
    other = _r("b", "新民路另一家理发店也关门跑路了，办的卡退不了", None, hours=5, topic=PREPAID)
    assert _run(first, other) == [None, None]
    again = _r("b", "新民路那家理发店关门跑路了，办的卡退不了", None, hours=5, topic=PREPAID)
    assert _run(first, again) == [None, "a"]
