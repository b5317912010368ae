"""并单 signals that do not hang on a list of words: places named apart (house numbers, groups in a
list, two named spots sharing only unusual words). A made-up county (names of no data set)."""

from __future__ import annotations

from collections.abc import Callable

from intake.duplicates import DuplicateIndex, Report, bigram_idf, incident_kinds
from intake.places import KnownPlace, PlaceBook
from tests.unit.intake.duplicate_reports import report as _r
from tests.unit.intake.duplicate_reports import verdicts

_TOWN = KnownPlace("青石镇", "township", "qingshi")
BOOK = PlaceBook({
    "青石镇": _TOWN,
    "柏树村": KnownPlace("柏树村", "village", "qingshi", "qingshi.baishu"),
    "青石社区": KnownPlace("青石社区", "community", "qingshi", "qingshi.sq"),
    "翠竹苑": KnownPlace("翠竹苑", "compound", "qingshi", "qingshi.sq"),
    "青石车站": KnownPlace("青石车站", "landmark", "qingshi"),
    "新民路": KnownPlace("新民路", "road", "qingshi", "qingshi.sq"),
    "柳湖公园": KnownPlace("柳湖公园", "landmark", "qingshi"),
    "柳湖广场": KnownPlace("柳湖广场", "landmark", "qingshi"),
    "青石工业园": KnownPlace("青石工业园", "landmark", "qingshi"),
    "柳湖路": KnownPlace("柳湖路", "road", "qingshi"),
    "翠柏园": KnownPlace("翠柏园", "compound", "qingshi", "qingshi.sq"),
})
# A background of everyday appeals: words it never saw look like proper names.
IDF = bigram_idf(["小区停水了", "路灯不亮", "电梯坏了", "班车停了", "垃圾没人清运", "停电了什么时候来电"])


def _run(*reports: Report) -> list[str | None]:
    return verdicts(DuplicateIndex(book=BOOK, idf=IDF), *reports)


def test_two_named_spots_sharing_only_unusual_words_are_two_places() -> None:
    hall = _r("a", "青石车站候车厅的电梯坏了三天，老人拎着行李上下极为吃力")
    lift = _r("b", "翠竹苑3栋电梯坏了三天，老人上下楼极为吃力", hours=30)
    assert _run(hall, lift) == [None, None]


def test_an_unknown_name_both_say_is_still_one_place() -> None:
    first = _r("a", "悦动健身房突然关门了，卡里还有两千块钱")
    second = _r("b", "悦动健身关门跑路，会员卡退不了钱", hours=5)
    assert _run(first, second) == [None, "a"]


def test_a_group_in_a_list_is_one_of_the_groups() -> None:
    one = _r("a", "柏树村三组从昨晚停电到现在，冰箱里的东西都坏了", "青石镇柏树村")
    both = _r("b", "柏树村网格员报：本村3、4组约四十户停电，疑为变压器故障", "柏树村", hours=10)
    assert _run(one, both) == [None, "a"]
    other = _r("b", "柏树村网格员报：本村4、5组约四十户停电，疑为变压器故障", "柏树村", hours=10)
    assert _run(one, other) == [None, None]


def test_two_house_numbers_far_apart_on_one_road_are_two_places() -> None:
    first = _r("a", "青石镇新民路1号门口的井盖丢了")
    far = _r("b", "青石镇新民路200号门口的井盖丢了", hours=1)
    near = _r("b", "青石镇新民路3号门口的井盖丢了", hours=1)
    assert _run(first, far) == [None, None]
    assert _run(first, near) == [None, "a"]


def test_a_house_number_is_where_the_caller_is_when_the_water_is_out() -> None:
    burst = _r("a", "新民路168号门口水管爆了，水冒得老高")
    tap = _r("b", "新民路120号从早上停水了，听说前面水管爆了", hours=1)
    assert _run(burst, tap) == [None, "a"]



def _lean_water(text: str) -> dict[str, float]:
    """A stand-in for the learned leaning: muddy taps and a source gone bad lean 0.52 alike, a muddy tap and
    a school's meals 0.24 (unit vectors)."""
    if "浑" in text or "黄" in text:
        return {"water.quality": 0.6, "water.outage": 0.8}
    if "水源" in text:
        return {"water.quality": 0.87, "ecology.water": 0.49}
    if "饭" in text:
        return {"water.outage": 0.3, "education.meals": 0.954}
    return {}


def test_leanings_somewhat_alike_at_a_spot_are_one_matter_not_leanings_far_apart() -> None:
    taps = _r("a", "翠竹苑的自来水这两天出来是黄的，烧开底下一层泥")
    source = _r("b", "翠竹苑供水的水源地这几天进了泥，请派人看看", hours=20)
    index = DuplicateIndex(book=BOOK, idf=IDF, leaning=_lean_water)
    assert [index.add(r) for r in (taps, source)] == [None, "a"]
    meals = _r("b", "翠竹苑幼儿园的午饭越来越少，孩子回家喊饿", hours=20)
    index = DuplicateIndex(book=BOOK, idf=IDF, leaning=_lean_water)
    assert [index.add(r) for r in (taps, meals)] == [None, None]


def _lean(text: str) -> dict[str, float]:
    """A stand-in for the learned matter leaning: a pole's lean and a lift, told in any words."""
    if "杆" in text:
        return {"power.line_hazard": 0.8, "power.outage": 0.6}
    if "梯" in text:
        return {"market.lift": 1.0}
    return {}


def _leaning_run(*reports: Report, leaning: bool = True) -> list[str | None]:
    index = DuplicateIndex(book=BOOK, idf=IDF, leaning=_lean if leaning else None)
    return [index.add(r) for r in reports]


def test_one_matter_the_learned_model_reads_at_a_spot_both_name_is_the_incident_again() -> None:
    pole = _r("a", "翠竹苑门口那根电线杆歪得厉害，线都快垂到头顶了")
    again = _r("b", "翠竹苑大门外低压杆倾斜约三十度，导线下垂", hours=4)
    assert _leaning_run(pole, again) == [None, "a"]
    assert _leaning_run(pole, again, leaning=False) == [None, None]


def test_the_learned_leaning_does_not_join_two_matters_nor_two_spots_of_a_road() -> None:
    pole = _r("a", "翠竹苑门口那根电线杆歪得厉害，线都快垂到头顶了")
    lift = _r("b", "翠竹苑3栋的电梯卡住不动，物业说等配件", hours=4)
    assert _leaning_run(pole, lift) == [None, None]
    road = _r("a", "新民路上那根电线杆歪得厉害，线都快垂到头顶了")
    road_again = _r("b", "新民路低压杆倾斜约三十度，导线下垂", hours=4)
    assert _leaning_run(road, road_again) == [None, None]  # a road holds many poles: the words decide


def test_two_landmarks_sharing_a_bare_name_are_two_places() -> None:
    drums = _r("a", "柳湖公园每天早上六点就有人敲锣打鼓，吵得睡不着")
    dance = _r("b", "柳湖广场晚上跳舞的音响声音太大，九点多还不停", hours=10)
    assert _run(drums, dance) == [None, None]
    again = _r("b", "柳湖公园里早上打鼓的声音太大了，天天如此", hours=10)
    assert _run(drums, again) == [None, "a"]


def test_two_registered_companies_of_other_trades_in_one_park_are_two_employers() -> None:
    wages = _r("a", "青石工业园鑫源电子厂拖欠我两个月工资，财务一直推")
    other = _r("b", "来访人反映青石工业园恒达服饰有限公司拖欠二十多名工人工资", hours=20)
    assert _run(wages, other) == [None, None]
    same = _r("b", "青石工业园鑫源电子有限公司欠我们工资三个月了", hours=20)
    assert _run(wages, same) == [None, "a"]


TRANSIT = frozenset({"matter:transit.passenger"})


def _station_lean(text: str) -> dict[str, float]:
    """A stand-in for the learned leaning: the words of a bus line, of a road caving in."""
    if "班车" in text or "班线" in text:
        return {"transit.passenger": 1.0}
    if "陷" in text or "坑" in text:
        return {"roads.surface": 0.9, "roads.other": 0.43}
    return {}


def test_the_routers_matter_read_from_a_place_name_does_not_join_two_matters_at_it() -> None:
    """The router reads 青石车站 as passenger transport whatever happened there; the words' leanings
    tell a stopped bus line from the road caving in by the station."""
    bus = _r("a", "青石车站发往红岩的班车停运了，群众出行不便", topic=TRANSIT)
    road = _r("b", "青石车站边上的马路陷下去了，电动车差点掉进去", hours=20, topic=TRANSIT)
    index = DuplicateIndex(book=BOOK, idf=IDF, leaning=_station_lean)
    assert [index.add(r) for r in (bus, road)] == [None, None]
    blind = DuplicateIndex(book=BOOK, idf=IDF)
    assert [blind.add(r) for r in (bus, road)] == [None, "a"]  # as before the leaning
    index = DuplicateIndex(book=BOOK, idf=IDF, leaning=_station_lean)
    stopped = _r("b", "青石车站那趟班线好几天没车了，老人看病都去不了", hours=20, topic=TRANSIT)
    assert [index.add(r) for r in (bus, stopped)] == [None, "a"]


def _bridge_lean(text: str) -> dict[str, float]:
    """A stand-in for the learned leaning: railings and a handrail of a footbridge lean alike."""
    return {"roads.footbridge": 0.8, "roads.other": 0.6} if "桥" in text else {"other": 1.0}


def test_words_leaning_to_one_matter_need_only_some_words_in_common_on_a_road() -> None:
    loose = _r("a", "新民路那座天桥的扶手松了，摇摇晃晃的")
    shaking = _r("b", "新民路天桥栏杆晃动得厉害，老人不敢走", hours=3)
    index = DuplicateIndex(book=BOOK, idf=IDF, leaning=_bridge_lean)
    assert [index.add(r) for r in (loose, shaking)] == [None, "a"]
    blind = DuplicateIndex(book=BOOK, idf=IDF)
    assert [blind.add(r) for r in (loose, shaking)] == [None, None]  # 0.08 of words: not 0.25


def test_a_shop_told_by_what_it_sells_is_of_that_trade() -> None:
    shoes = _r("a", "青石车站旁边那家卖鞋的店，门口大喇叭天天喊清仓，吵得不行")
    phones = _r("b", "青石车站旁边手机店门口的喇叭天天喊办卡，吵得不行", hours=5)
    assert _run(shoes, phones) == [None, None]
    again = _r("b", "青石车站旁的鞋店门口大喇叭喊清仓甩卖，吵得不行", hours=5)
    assert _run(shoes, again) == [None, "a"]


def _light_lean(text: str) -> dict[str, float]:
    """A stand-in for the learned leaning: street lights, in any words."""
    return {"lights.street": 0.95, "lights.other": 0.31} if "灯" in text else {"other": 1.0}


def test_one_matter_the_learned_model_reads_on_a_road_is_one_when_the_kind_or_the_router_agrees() -> None:
    """On a road the learned leaning stands for the router's matter (which a side word may move):
    with the kind of incident both say, or the router's matter, it is the incident again whatever
    the words; alone it is not (a road holds many poles)."""
    dark = _r("a", "新民路的路灯坏了一个多星期，从头到尾一片黑")
    again = _r("b", "来电反映新民路一带路灯夜间不亮已持续多日，请安排维修", hours=6)
    index = DuplicateIndex(book=BOOK, idf=IDF, leaning=_light_lean)
    assert [index.add(r) for r in (dark, again)] == [None, "a"]
    blind = DuplicateIndex(book=BOOK, idf=IDF)
    assert [blind.add(r) for r in (dark, again)] == [None, None]


def _near_run(near: Callable[[str], frozenset[str]], *reports: Report) -> tuple[list[str | None], ...]:
    """The detector's answers with the router's near matters `near`, and without."""
    index, blind = DuplicateIndex(book=BOOK, idf=IDF, matters_near=near), DuplicateIndex(book=BOOK, idf=IDF)
    return [index.add(r) for r in reports], [blind.add(r) for r in reports]


def _near_transit(text: str) -> frozenset[str]:
    """A stand-in for the router's ranking: a bus line stopped is a bus matter or passenger transport."""
    return frozenset({"transit.bus", "transit.passenger"}) if "班车" in text or "客车" in text else frozenset()


def test_the_routers_matter_among_those_it_ranks_the_other_close_to_agrees() -> None:
    """The router dispatched one report as a bus matter, the other as passenger transport; each is
    among the matters it ranks the other close to, so a township's report joins the village's."""
    village = _r("a", "柏树村到县城的班车这几天都停了，老人去看病都没车", "青石镇柏树村",
                 topic=frozenset({"matter:transit.bus"}))
    town = _r("b", "青石镇这边的客车取消啦，一天一趟也没有", hours=20,
              topic=frozenset({"matter:transit.passenger"}))
    assert _near_run(_near_transit, village, town) == ([None, "a"], [None, None])  # with, without
    lift = _r("b", "青石镇这边的电梯坏啦，一天一趟也没有", hours=20,
              topic=frozenset({"matter:market.lift"}))
    assert _near_run(_near_transit, village, lift)[0] == [None, None]


def test_a_bare_name_inside_an_unrelated_place_of_the_other_is_no_place_in_common() -> None:
    """柳湖 of 柳湖公园 stands inside 柳湖路, a road of the township that no village of the park's holds:
    a milk-tea shop's loudspeaker there and the dancers' at the park are two places."""
    idf = bigram_idf(["奶茶店门口音响开得太大，吵得不行", "南门晚上跳舞的音响太吵了，吵得睡不着", "步行街"])
    shop = _r("a", "柳湖路奶茶店门口音响开得太大，吵得不行")
    park = _r("b", "柳湖公园南门晚上跳舞的音响开得太大，吵得睡不着", hours=5)
    index = DuplicateIndex(book=BOOK, idf=idf)
    assert [index.add(r) for r in (shop, park)] == [None, None]
    again = _r("c", "柳湖公园南门跳舞的音响太吵了，吵得睡不着", hours=6)
    assert index.add(again) == "b"


def test_a_word_of_a_kind_negated_is_not_that_kind() -> None:
    assert "fire" not in incident_kinds("水压太小，热水器都打不着火")
    assert "fire" in incident_kinds("楼下厨房着火了，冒黑烟")


def test_a_standing_grievance_reported_again_weeks_on_is_still_one_but_an_event_is_not() -> None:
    """Wages owed stand until paid: the workers' report ten days later is the same grievance. A dark
    street light ten days later is a new failure (the same place and matter weeks later)."""
    owed = _r("a", "青石工业园鑫源电子厂拖欠我们两个月工资，老板一直拖着不给")
    again = _r("b", "鑫源电子厂（青石工业园）的工资到现在还没发，工人们都等着钱过年", hours=240)
    assert _run(owed, again) == [None, "a"]
    dark = _r("a", "翠竹苑门口的路灯不亮了，晚上黑漆漆的")
    dark_again = _r("b", "翠竹苑门口的路灯又不亮了，晚上黑漆漆的", hours=240)
    assert _run(dark, dark_again) == [None, None]
    later = _r("b", "青石工业园鑫源电子厂的工资还是没发，工人们都等着钱过年", hours=24 * 20)
    assert _run(owed, later) == [None, None]  # past the standing window


def test_a_report_chasing_one_up_at_a_spot_is_the_incident_again_though_it_says_no_kind() -> None:
    """"That bridge, I called the day before yesterday and nobody came": a chaser tells of the incident
    already reported as "it", so a matter in common at the spot both name is enough (here the router's
    department: it read the chaser as the department's catch-all)."""
    bridge = _r("a", "柏树村村口那座石桥的桥墩被水冲坏了，桥面都歪了",
                topic=frozenset({"dept:roads", "matter:roads.rural"}))
    chaser = _r("b", "柏树村那个桥我前天就打过电话了，到现在一个人都没来看", hours=30,
                topic=frozenset({"dept:roads", "matter:roads.other"}))
    assert _run(bridge, chaser) == [None, "a"]
    fresh = _r("b", "柏树村那个桥今天好多人在上面钓鱼拍照，热闹得很", hours=30,
               topic=frozenset({"dept:roads", "matter:roads.other"}))
    assert _run(bridge, fresh) == [None, None]


def test_a_channels_own_word_before_a_place_word_is_no_place_name() -> None:
    """反映工业园 (反映 of an operator's 来访，反映…) is no place called 反映 that every 来电人反映 names."""
    visit = DuplicateIndex(book=BOOK, idf=IDF).profile_of(_r("a", "村民来访，反映工业园扩园的补偿款至今未发"))
    assert "反映" not in visit.stems


def test_fumes_from_one_landmark_smelt_in_two_villages_are_one_incident() -> None:
    """A plant's fumes are smelt around it: the village and the compound each names are where, the
    park both name is the source. Trucks from the park breaking two villages' roads are two places."""
    village = _r("a", "柏树村这边晚上一股刺鼻的化工味，就是青石工业园那边飘过来的", "青石镇柏树村")
    compound = _r("b", "翠竹苑半夜又闻到烧塑料的臭气，估计是青石工业园哪个厂偷偷排的", "青石社区翠竹苑", hours=5)
    assert _run(village, compound) == [None, "a"]
    smell = _r("a", "柏树村这边晚上一股刺鼻的味道，就是青石工业园那边飘过来的", "青石镇柏树村")
    dumped = _r("b", "翠竹苑居民反映青石工业园有厂夜里偷排", "青石社区翠竹苑", hours=5)  # a discharge, not a smell
    assert _run(smell, dumped) == [None, "a"]
    road = _r("a", "青石工业园的大货车把柏树村的村道压坏了，坑坑洼洼", "青石镇柏树村")
    gate = _r("b", "青石工业园的大货车把翠竹苑门口的路压坏了，坑坑洼洼", "青石社区翠竹苑", hours=5)
    assert _run(road, gate) == [None, None]


def test_reports_at_a_junction_naming_either_of_its_roads_are_one_incident() -> None:
    """The lights at the corner of 新民路 and 柳湖路, told by one as the corner of both, by others as
    柳湖路口 or 新民路口: two roads of that junction are not two places for reports at a junction."""
    corner = _r("a", "新民路和柳湖路交叉口的红绿灯四个方向都不亮了，车都抢着走")
    one = _r("b", "柳湖路口的红绿灯坏了，全是黄闪，太危险了", hours=1)
    other = _r("c", "新民路口红绿灯不亮，早高峰车都堵住了，交警快来", hours=2)
    assert _run(corner, one, other) == [None, "a", "a"]
    elsewhere = _r("c", "新民路上那段路灯不亮，晚上黑漆漆的", hours=2)
    assert _run(corner, one, elsewhere) == [None, "a", None]


def test_a_phone_signal_black_spot_and_a_care_homes_meals_are_kinds_of_incident() -> None:
    assert "telecom" in incident_kinds("村里手机信号太差了，打电话要跑到山坡上")
    assert "telecom" in incident_kinds("4、5组无4G信号，请建设基站")
    assert "telecom" not in incident_kinds("路口的信号灯坏了，一直黄闪")  # a traffic light
    assert "food" in incident_kinds("敬老院伙食很差，饭菜经常是冷的")
    no_signal = _r("a", "柏树村手机信号太差了，打个电话要跑到山坡上", "青石镇柏树村")
    again = _r("b", "柏树村群众反映村内无4G信号，请协调运营商建设基站", "柏树村", hours=24 * 9)
    assert _run(no_signal, again) == [None, "a"]  # a black spot stands until a mast is built


def _works_lean(text: str) -> dict[str, float]:
    """A stand-in for the learned leaning: night works on a road, in any words."""
    return {"works.night": 0.95, "works.other": 0.31}


def test_the_routers_catch_all_is_no_matter_of_its_own_against_the_leaning() -> None:
    """On a road, the router gave one report its department's catch-all and the other a matter of
    that department: with the words leaning to one matter (0.9 alike), the catch-all does not keep them
    apart; a matter of another department does."""
    works = _r("a", "新民路在挖路铺管子，每天晚上十一二点还在用破碎锤，哒哒哒的",
               topic=frozenset({"matter:works.other"}))
    permit = _r("b", "新民路夜间作业扰民，请核查是否办理许可", hours=20, topic=frozenset({"matter:works.night"}))
    index = DuplicateIndex(book=BOOK, idf=IDF, leaning=_works_lean)
    assert [index.add(r) for r in (works, permit)] == [None, "a"]
    other = _r("b", "新民路夜间作业扰民，请核查是否办理许可", hours=20, topic=frozenset({"matter:lights.night"}))
    index = DuplicateIndex(book=BOOK, idf=IDF, leaning=_works_lean)
    assert [index.add(r) for r in (works, other)] == [None, None]


def test_kinds_one_incident_is_told_as_agree_as_one_kind() -> None:
    """One bridge told as caving in (塌陷) and as about to collapse (垮了): related kinds are one matter
    at the village both name; the router's catch-all for one is no matter of its own against the other's."""
    roads, other = frozenset({"dept:roads", "matter:roads.rural"}), frozenset({"dept:roads", "matter:roads.other"})
    caved = _r("a", "柏树村村口那座桥的桥面塌陷了一大块，小孩每天走", topic=roads)
    falling = _r("b", "柏树村那座老桥眼看就要垮了，出了事谁负责", hours=20, topic=other)
    assert _run(caved, falling) == [None, "a"]
    lift = _r("b", "柏树村那座老桥边的电梯坏了，出了事谁负责", hours=20, topic=other)
    assert _run(caved, lift) == [None, None]


def _near_parking(text: str) -> frozenset[str]:
    """A stand-in for the router's ranking: cars blocking a station's gate, read as parking or the station."""
    return frozenset({"police.parking", "transit.station"}) if "停" in text else frozenset({"transit.station"})


def test_the_routers_near_matter_at_a_spot_joins_a_report_that_says_no_kind() -> None:
    parked = _r("a", "青石车站正门两侧乱停车严重，占了应急车道", topic=frozenset({"matter:police.parking"}))
    blocked = _r("b", "青石车站门口乱七八糟，救护车刚才被堵了好几分钟", hours=2,
                 topic=frozenset({"matter:transit.station"}))
    assert _near_run(_near_parking, parked, blocked) == ([None, "a"], [None, None])


def test_an_outage_in_one_compound_from_a_burst_at_another_on_the_road_both_name_is_one() -> None:
    burst = _r("a", "新民路翠竹苑门口水管爆了，水冒得老高，路上全是水")
    dry = _r("b", "我是翠柏园的住户，家里早上就没水了，听说是前面新民路水管爆了", hours=2)
    assert _run(burst, dry) == [None, "a"]
    another = _r("b", "翠柏园门口新民路上水管也爆了，水哗哗地流", hours=2)
    assert _run(burst, another) == [None, None]  # a burst at each compound's gate: two places


def test_everyday_words_of_noise_and_of_stalls_are_their_kinds() -> None:
    assert "noise" in incident_kinds("楼下烧烤店喧哗声持续到凌晨两三点")
    assert "noise" in incident_kinds("广场上吵闹到半夜")
    assert "stall" in incident_kinds("夜间外摆，桌子摆到了人行道上")
    assert "stall" in incident_kinds("早市把路占了一半")


def test_past_the_window_a_standing_grievance_is_joined_only_at_a_place_both_name() -> None:
    """Ten days on, a township's report of wages owed may be any employer's: only a place both name
    keeps a grievance one past the 72 hours (the township alone does within them)."""
    wages = frozenset({"matter:labour.wages"})
    idf = bigram_idf(["这边有个厂拖欠我们两个月工资，老板一直拖着不给", "电子厂"])
    owed = _r("a", "青石工业园鑫源电子厂拖欠我们两个月工资，老板一直拖着不给", topic=wages)
    town = _r("b", "青石镇这边有个厂拖欠我们两个月工资，老板一直拖着不给", hours=240, topic=wages)
    index = DuplicateIndex(book=BOOK, idf=idf)
    assert [index.add(r) for r in (owed, town)] == [None, None]
    soon = _r("b", "青石镇这边有个厂拖欠我们两个月工资，老板一直拖着不给", hours=20, topic=wages)
    index = DuplicateIndex(book=BOOK, idf=idf)
    assert [index.add(r) for r in (owed, soon)] == [None, "a"]


def _lean_wall(text: str) -> dict[str, float]:
    """A stand-in for the learned leaning: a crack and a wall about to fall lean alike, not the same."""
    if "缝" in text:
        return {"housing.dangerous_building": 0.8, "housing.quality": 0.6}
    if "倒" in text:
        return {"housing.dangerous_building": 0.8, "village.other": 0.6}
    return {}


def test_leanings_well_alike_at_a_spot_are_one_matter_though_no_kind_is_said() -> None:
    crack = _r("a", "翠竹苑5栋外墙裂了好长一条缝，越来越宽")
    falling = _r("b", "翠竹苑那栋老楼的墙都快倒了，天天从下面走", hours=20)
    index = DuplicateIndex(book=BOOK, idf=IDF, leaning=_lean_wall)
    assert [index.add(r) for r in (crack, falling)] == [None, "a"]
    road = DuplicateIndex(book=BOOK, idf=IDF, leaning=_lean_wall)  # a road holds many walls
    assert [road.add(r) for r in (_r("a", "新民路外墙裂了好长一条缝"), _r("b", "新民路老楼的墙快倒了", hours=20))
            ] == [None, None]


def test_fumes_told_by_their_smell_from_the_township_s_one_industrial_area_are_one_incident() -> None:
    """工业集中区 stands for the township's one industrial park as 工业园 does; a paint smell, or one that
    wakes a caller at night, is fumes as 刺鼻 is."""
    village = _r("a", "柏树村这边晚上一股油漆味，是不是青石工业园哪个厂在喷漆", "青石镇柏树村")
    compound = _r("b", "翠竹苑半夜很浓的臭味，把我都熏醒了，应该是工业集中区那边传过来的", "青石社区翠竹苑", hours=8)
    assert _run(village, compound) == [None, "a"]
