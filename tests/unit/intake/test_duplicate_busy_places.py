"""并单 at a busy public place (a hospital, a service hall, a school), which the router gives one matter
whatever happened there: what the words say happened tells two matters of the place apart. A made-up
county (names of no data set)."""

from __future__ import annotations

from intake.duplicates import DuplicateIndex, bigram_idf, profile
from intake.incident_kinds import _kinds_apart, incident_kinds
from intake.places import KnownPlace, PlaceBook
from tests.unit.intake.duplicate_reports import report, verdicts

BOOK = PlaceBook({
    "松岗镇": KnownPlace("松岗镇", "township", "songgang"),
    "松岗便民服务大厅": KnownPlace("松岗便民服务大厅", "landmark", "songgang"),
    "松岗镇医院": KnownPlace("松岗镇医院", "landmark", "songgang"),
    "梧桐苑": KnownPlace("梧桐苑", "compound", "songgang", "wutong"),
})
HALL = frozenset({"dept:gov_services", "matter:gov_services.window_service"})
HOSPITAL = frozenset({"dept:health", "matter:health.hospital_service"})


def _index() -> DuplicateIndex:
    return DuplicateIndex(book=BOOK)


def test_a_clerks_manner_and_a_system_down_at_one_service_hall_are_two_matters() -> None:
    down = report("a", "松岗便民服务大厅办证窗口的系统故障了，等了一上午也办不了", topic=HALL)
    manner = report("b", "松岗便民服务大厅那个窗口的人态度很差，问一句就不耐烦", hours=2, topic=HALL)
    assert verdicts(_index(), down, manner) == [None, None]
    again = report("b", "松岗便民服务大厅的系统坏了一上午，好多人都白跑了", hours=2, topic=HALL)
    assert verdicts(_index(), down, again) == [None, "a"]


def test_numbers_resold_and_a_bill_disputed_at_one_hospital_are_two_matters() -> None:
    scalpers = report("a", "松岗镇医院挂号处有黄牛，专家号加价卖", topic=HOSPITAL)
    bill = report("b", "在松岗镇医院住了三天院，费用清单上多收了一项检查", hours=5, topic=HOSPITAL)
    assert verdicts(_index(), scalpers, bill) == [None, None]


def test_a_quarrel_is_no_noise_and_black_cabs_are_not_the_parking_at_a_gate() -> None:
    assert "noise" not in incident_kinds("门口两个司机抢客吵架")
    assert "public_order" in incident_kinds("门口两个司机抢客吵架")
    assert "noise" in incident_kinds("楼下每天晚上吵得睡不着")
    assert _kinds_apart(incident_kinds("医院门口有人拉黑车，见人就问去哪"), incident_kinds("医院门口违停严重"))


def test_a_stairwells_light_is_a_light_not_the_septic_tank_of_its_building() -> None:
    septic = report("a", "梧桐苑2栋化粪池堵了，污水冒到楼道口", topic=frozenset({"matter:village.repair"}))
    light = report("b", "梧桐苑2栋楼道灯坏了半个月，老人摸黑上楼", hours=3, topic=frozenset({"matter:village.repair"}))
    assert verdicts(_index(), septic, light) == [None, None]


def test_another_matter_said_in_brackets_as_reported_apart_is_not_what_the_report_tells() -> None:
    kinds = profile(report("a", "梧桐苑门口垃圾桶满了没人清运（另有一辆僵尸车另行上报）"), book=BOOK).kinds
    assert kinds == {"garbage"}


def test_mud_carried_out_by_a_sites_wheels_is_dust_and_murky_tap_water_is_not() -> None:
    assert "dust" in incident_kinds("工地出来的车不冲洗，路上一路泥")
    assert "dust" not in incident_kinds("自来水浑得跟泥巴汤一样，像泥浆")
    assert "dust" in incident_kinds("路上全是泥，应该是晚上那些土方车撒的")


def test_a_charge_disputed_is_a_fee_and_tells_a_hot_water_cut_apart() -> None:
    assert "fees" in incident_kinds("学校又让交资料费，每人两百")
    assert _kinds_apart(incident_kinds("学校又让交资料费，每人两百"), incident_kinds("宿舍一周没热水了"))


SITE = frozenset({"dept:urban_mgmt"})


def test_a_sites_din_by_night_and_its_trucks_mud_on_the_road_are_two_matters() -> None:
    din = report("a", "梧桐苑旁边的工地半夜还在打桩，噪音吵得睡不着", topic=SITE)
    mud = report("b", "梧桐苑旁边工地的渣土车带泥上路，门口一路泥", hours=10, topic=SITE)
    assert verdicts(_index(), din, mud) == [None, None]
    both = report("b", "梧桐苑旁边工地晚上轰轰响，渣土车一趟接一趟，路上全是泥", hours=10, topic=SITE)
    assert verdicts(_index(), din, both) == [None, "a"]


def test_a_notice_quoted_on_a_shut_door_is_no_name_of_another_shop() -> None:
    card = frozenset({"matter:market.prepaid_card"})
    gone = report("a", "梧桐苑一楼的“鹏飞”健身房突然关门了，年卡才办两个月", topic=card)
    notice = report("b", "梧桐苑那家健身房跑路了，门上贴着“装修暂停营业”", hours=6, topic=card)
    assert verdicts(_index(), gone, notice) == [None, "a"]


def _air(text: str) -> dict[str, float]:
    """A stand-in for the learned leaning: night fumes lean to air pollution."""
    return {"ecology.air_pollution": 1.0} if "味" in text or "废气" in text else {"ecology.noise": 1.0}


def test_night_fumes_over_one_township_told_to_its_catch_all_and_to_air_pollution_are_one() -> None:
    smelt = report("a", "松岗镇这几天夜里一股烧塑料的味道，呛得孩子咳嗽",
                   topic=frozenset({"dept:ecology", "matter:ecology.other"}))
    source = report("b", "松岗镇那边是不是有厂晚上偷排废气，半夜臭醒好几次", hours=10,
                    topic=frozenset({"dept:ecology", "matter:ecology.air_pollution"}))
    assert verdicts(DuplicateIndex(book=BOOK, leaning=_air), smelt, source) == [None, "a"]
    assert verdicts(DuplicateIndex(book=BOOK), smelt, source) == [None, None]  # the words alone too few


LINE_BOOK = PlaceBook({
    "松岗镇": KnownPlace("松岗镇", "township", "songgang"),
    "桐山乡": KnownPlace("桐山乡", "township", "tongshan"),
    "桐山村": KnownPlace("桐山村", "village", "tongshan", "tongshancun"),
    "松岗客运站": KnownPlace("松岗客运站", "landmark", "songgang"),
    "梧桐苑": KnownPlace("梧桐苑", "compound", "songgang", "wutong"),
    "银杏里": KnownPlace("银杏里", "compound", "songgang", "wutong"),
})
BUS = frozenset({"dept:transport", "matter:transport.bus"})
WATER = frozenset({"dept:water_utility", "matter:water_utility.outage"})


def test_a_bus_line_between_two_townships_is_one_place_whichever_end_its_riders_call_from() -> None:
    town = report("a", "松岗客运站到桐山乡的班车停了，等了一个钟头", address="松岗镇松岗客运站", topic=BUS)
    village = report("b", "桐山村村民反映桐山到松岗的班车停运了", address="桐山乡桐山村", hours=20, topic=BUS)
    assert verdicts(DuplicateIndex(book=LINE_BOOK), town, village) == [None, "a"]


def test_an_outage_told_over_two_compounds_takes_a_report_from_either() -> None:
    one = report("a", "梧桐苑突然停水了，也没通知", topic=WATER)
    both = report("b", "网格员报：主管破裂，梧桐苑、银杏里两个小区停水", hours=1, topic=WATER)
    other = report("c", "银杏里这边一上午没水，什么时候来水", hours=3, topic=WATER)
    assert verdicts(DuplicateIndex(book=LINE_BOOK), one, both, other) == [None, "a", "a"]
    alone = report("c", "银杏里这边一上午没水，什么时候来水", hours=3, topic=WATER)
    assert verdicts(DuplicateIndex(book=LINE_BOOK), one, alone) == [None, None]  # two compounds: two outages


def test_a_flats_water_bill_and_its_buildings_dry_taps_are_two_matters() -> None:
    dry = report("a", "梧桐苑高层晚上一直没水，楼上几户都一样", topic=WATER)
    chase = report("b", "梧桐苑我前天反映过的，晚上还是没水", hours=30, topic=WATER)
    bill = report("c", "梧桐苑我家这个月水费三百多，平时才五十，是不是水表坏了",
                  hours=40, topic=frozenset({"dept:water_utility", "matter:water_utility.meter_billing"}))
    assert verdicts(DuplicateIndex(book=LINE_BOOK), dry, chase, bill) == [None, "a", None]


def test_a_gyms_loud_music_is_noise_not_its_prepaid_cards() -> None:
    assert "noise" in incident_kinds("那家健身房晚上单车课音乐放得特别大")
    assert _kinds_apart(incident_kinds("那家健身房晚上单车课音乐放得特别大"), incident_kinds("健身房年卡不给退费"))


def _burning(text: str) -> dict[str, float]:
    """A stand-in for the learned leaning: rubbish burnt in the open."""
    return {"urban_mgmt.open_burning": 1.0} if "烧" in text else {"village.other": 1.0}


def test_a_fire_of_rubbish_told_from_a_township_and_from_a_village_in_it_routed_apart_is_one() -> None:
    passer = report("a", "桐山乡那边冒大烟，像是在烧什么东西", topic=frozenset({"dept:fire_rescue"}))
    village = report("b", "桐山村路口有人露天焚烧生活垃圾，已劝离", hours=1,
                     topic=frozenset({"matter:township.market_town"}))
    assert verdicts(DuplicateIndex(book=LINE_BOOK, leaning=_burning), passer, village) == [None, "a"]
    assert verdicts(DuplicateIndex(book=LINE_BOOK), passer, village) == [None, None]


def _fee(text: str) -> dict[str, float]:
    """A stand-in for the learned leaning: a property fee raised."""
    return {"housing.property_service": 1.0} if "物业费" in text else {"village.other": 1.0}


def test_a_fee_raised_told_again_days_later_at_one_compound_is_one_when_the_words_lean_alike() -> None:
    notice = report("a", "梧桐苑物业贴通知说下个月物业费要涨，也没开业主大会",
                    topic=frozenset({"dept:housing", "matter:housing.property_service"}))
    later = report("b", "梧桐苑物业说不交新的物业费就不给办门禁卡，收费太霸道", hours=24 * 6,
                   topic=frozenset({"matter:village.community_minor_repair"}))
    assert verdicts(DuplicateIndex(book=BOOK, leaning=_fee), notice, later) == [None, "a"]
    assert verdicts(DuplicateIndex(book=BOOK), notice, later) == [None, None]


def test_everyday_words_of_stalls_on_the_road_of_wages_and_of_being_cheated() -> None:
    assert "stall" in incident_kinds("菜场外面马路两边全是卖水果的摊子")
    assert "stall" in incident_kinds("一到放学校门口就摆满了摊子")
    assert "stall" not in incident_kinds("市场里有个肉摊子用的秤不准")
    assert "wages" in incident_kinds("干了半年，老板一直不给工钱")
    assert "road_damage" not in incident_kinds("买了两斤肉少了四两，被坑了")
    assert "road_damage" in incident_kinds("路中间一个大坑")


def test_a_hospitals_misdiagnosis_its_toilets_and_a_schools_punishment_are_kinds_of_their_own() -> None:
    toilet = incident_kinds("医院一楼的厕所堵了好几天，没人打扫")
    wrong = incident_kinds("在医院看病被误诊，耽误了治疗")
    punished = incident_kinds("老师体罚学生，让孩子罚站一上午")
    assert {"toilet"} <= toilet and {"malpractice"} <= wrong and {"punishment"} <= punished
    assert _kinds_apart(toilet, wrong) and _kinds_apart(wrong, incident_kinds("挂号处有黄牛倒号"))


def test_everyday_words_of_parking_a_neighbours_works_a_roof_a_bridge_down_and_touts() -> None:
    assert "parking" in incident_kinds("医院门口车停得乱七八糟")
    assert "home_renovation" in incident_kinds("楼上那家半夜还在切瓷砖")
    assert "roof_leak" in incident_kinds("顶楼一下雨就漏，墙皮都泡了")
    assert "road_damage" in incident_kinds("村口的小桥垮塌了一半")
    assert "taxi" in incident_kinds("一出站就被人围着问坐不坐车")


def test_one_employer_told_by_two_words_of_its_trade_is_one_business() -> None:
    wages = frozenset({"dept:hr_social", "matter:hr_social.wage_arrears"})
    idf = bigram_idf(["小区停水了", "路灯不亮", "工资没发", "拖欠工资", "服装厂", "制衣厂招工", "鞋厂招工"])
    first = report("a", "梧桐苑旁边的鹏程制衣厂两个月没发工资了", topic=wages)
    again = report("b", "举报梧桐苑那边鹏程服装厂拖欠工资，一月二月的都没给", hours=20, topic=wages)
    assert verdicts(DuplicateIndex(book=BOOK, idf=idf), first, again) == [None, "a"]
    shoes = report("b", "举报梧桐苑那边鹏程鞋厂拖欠工资，一月二月的都没给", hours=20, topic=wages)
    assert verdicts(DuplicateIndex(book=BOOK, idf=idf), first, shoes) == [None, None]


def test_a_factory_told_by_what_it_makes_has_that_trade() -> None:
    from intake.place_words import _trades

    assert _trades("我在工业园一家做衣服的厂里上班") == {"衣服"}
    assert _trades("鑫源电子厂拖欠工资") == {"电子"}


def test_what_else_happens_at_a_busy_place_a_jam_a_queue_a_window_left_papers_a_site_down() -> None:
    assert "traffic_jam" in incident_kinds("放学的时候门口堵得死死的，乱成一锅粥")
    assert "queue" in incident_kinds("老人在窗口排了一个多小时")
    assert "absent" in incident_kinds("窗口下午四点就没人了，提前下班")
    assert "red_tape" in incident_kinds("要我提供证明材料，来回跑了三趟")
    assert "system_down" in incident_kinds("网上办事上传材料一直提示失败")
    left, down = incident_kinds("窗口下午四点就没人了，提前下班"), incident_kinds("网上办事上传材料一直提示失败")
    assert _kinds_apart(left, down)


def test_an_e_bike_is_no_battery_charged_and_a_cashiers_window_no_charge_disputed() -> None:
    assert "ebike_charging" not in incident_kinds("路灯不亮，电瓶车看不清")
    assert "ebike_charging" in incident_kinds("楼道里有人给电瓶车充电")
    assert "fees" not in incident_kinds("只开了一个收费窗口，排了好久")
    assert "fees" in incident_kinds("收费处多收了我两百块")


def test_a_factory_told_by_what_it_makes_in_four_characters_has_that_trade() -> None:
    from intake.place_words import _trades

    assert _trades("在工业园一家做电子配件的厂上班") == {"电子配件"}


def test_everyday_words_of_dry_taps_a_burnt_smell_and_a_street_under_water() -> None:
    assert "water_outage" in incident_kinds("从早上到现在一滴水都没有")
    assert "smoke_smell" in incident_kinds("满屋子一股塑料烧糊的味道")
    assert "flood" in incident_kinds("一下雨这条路又看海了，车都泡在水里")


def test_a_stall_told_by_what_it_sells_has_that_trade() -> None:
    from intake.place_words import _trades

    assert _trades("进门左手第三家肉摊秤不准") == {"肉"}
    assert _trades("门口摆地摊的把路占了") == set()
    assert _trades("门口的小摊和摊贩") == set()


def test_everyday_words_of_vegetable_sellers_a_workshops_din_and_fish_dead() -> None:
    assert "stall" in incident_kinds("小区门口每天早上都是卖菜卖早点的三轮车")
    assert "noise" in incident_kinds("那个修理厂天天敲敲打打，声音刺耳")
    assert "pollution" in incident_kinds("塘里一夜死了几百斤鱼")
    assert "pollution" in incident_kinds("湖里死了好多鱼，漂在岸边")


def test_a_system_down_told_again_days_later_is_another_days_not_a_condition_still_so() -> None:
    first = report("a", "松岗便民服务大厅取号系统故障，排了一上午", topic=HALL)
    later = report("b", "松岗便民服务大厅网上办事一直提示失败，系统问题没人管", hours=80, topic=HALL)
    assert verdicts(_index(), first, later) == [None, None]


VILLAGE_BOOK = PlaceBook({
    "桐山乡": KnownPlace("桐山乡", "township", "tongshan"),
    "桐山村": KnownPlace("桐山村", "village", "tongshan", "tongshancun"),
})


def test_an_incident_of_one_group_of_a_village_takes_no_report_of_another_group() -> None:
    out = frozenset({"dept:water_utility", "matter:water_utility.outage"})
    four = report("a", "桐山村四组停水两天了，也没通知", topic=out)
    town = report("b", "我妈住桐山乡，那边从前天起就没水了", hours=5, topic=out)
    two = report("c", "桐山村二组今天早上突然没水了，挖机把我们组的水管挖断了", hours=30, topic=out)
    assert verdicts(DuplicateIndex(book=VILLAGE_BOOK), four, town, two) == [None, "a", None]


def test_snacks_sold_at_a_schools_gate_are_not_its_canteens_food() -> None:
    snacks = incident_kinds("学校门口小卖部卖五毛一包的辣条，孩子天天买")
    canteen = incident_kinds("学校食堂吃了以后好多学生拉肚子")
    assert "snacks" in snacks and _kinds_apart(snacks, canteen)
    assert "snacks" in incident_kinds("校门口那些卖垃圾食品的摊子还在") & incident_kinds("小店卖三无零食")


def test_a_shop_a_guide_takes_tourists_to_names_no_trade() -> None:
    from intake.place_words import _trades

    assert _trades("导游把我们带到购物店强制消费") == set()
    assert _trades("导游把我们带到一家卖玉的店") == {"玉"}


def test_an_ask_to_deal_with_it_reaches_across_its_clause_and_is_no_telling_it_as_back() -> None:
    from intake.lasting import came_back

    assert not came_back("夜间有采砂船作业，疑似非法采砂，请镇里联系水利、自然资源部门查处")
    assert came_back("上个月查处过一次，停了两天又开始了")
