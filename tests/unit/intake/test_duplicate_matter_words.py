"""并单 by what the words say happened: the words of the places a report names are no matter in
common, and the catalogue matter the words name most (`Router.matters_named`) is one, told in words
no kind of incident lists. A made-up county (names of no data set)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from intake.duplicates import DuplicateIndex, Report, incident_kinds
from intake.places import KnownPlace, PlaceBook
from router.service import Router

T0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
BOOK = PlaceBook({
    "青石镇": KnownPlace("青石镇", "township", "qingshi"),
    "青石图书室": KnownPlace("青石图书室", "landmark", "qingshi"),
    "滨河路": KnownPlace("滨河路", "road", "qingshi"),
})


def _r(i: str, text: str, hours: float = 0.0, topic: frozenset[str] = frozenset()) -> Report:
    return Report(id=i, text=text, reported_at=T0 + timedelta(hours=hours), topic=topic)


def _venue_noise(text: str) -> frozenset[str]:
    """A stand-in for the catalogue: bars and karaoke halls are one matter."""
    return frozenset({"culture.venue_noise"}) if "酒吧" in text or "歌厅" in text else frozenset()


def _run(*reports: Report, named: bool = True) -> list[str | None]:
    index = DuplicateIndex(book=BOOK, matters_named=_venue_noise if named else None)
    return [index.add(r) for r in reports]


def test_two_matters_at_one_landmark_share_only_its_name_and_stay_apart() -> None:
    cold = _r("a", "青石图书室的空调坏了，坐着太冷")
    closed = _r("b", "青石图书室周末不开门，孩子没地方看书", hours=2)
    assert _run(cold, closed) == [None, None]


CULTURE = frozenset({"matter:culture.public_culture"})


def test_the_routers_one_matter_at_a_spot_is_not_the_incident_again_when_neither_says_what_happened() -> None:
    cooling = _r("a", "青石图书室的空调不制冷，热得坐不住", topic=CULTURE)
    steps = _r("b", "青石图书室门口的台阶砖坏了一块", hours=3, topic=CULTURE)
    assert _run(cooling, steps) == [None, None]
    again = _r("b", "青石图书室空调坏了，里面热得坐不住", hours=3, topic=CULTURE)
    assert _run(cooling, again) == [None, "a"]


def test_one_matter_the_words_name_on_one_road_is_the_incident_again_with_some_words_in_common() -> None:
    singing = _r("a", "滨河路那家酒吧半夜还在唱歌，一直到两点")
    shouting = _r("b", "滨河路酒吧的客人喝多了在街上喊叫，天天如此", hours=2)
    assert _run(singing, shouting) == [None, "a"]
    assert _run(singing, shouting, named=False) == [None, None]


def test_a_matter_named_alike_still_needs_some_words_in_common_on_a_road() -> None:
    karaoke = _r("a", "滨河路那家歌厅半夜还在放歌，一直到两点")
    bar = _r("b", "滨河路酒吧门口客人喝多了在街上大喊大叫", hours=2)
    assert _run(karaoke, bar) == [None, None]


def test_the_router_names_the_matter_its_terms_weigh_most() -> None:
    router = Router.default()
    assert "water_utility.outage" in router.matters_named("家里从早上就停水了，到现在还没来水")
    assert router.matters_named("今天天气不错") == frozenset()


def test_the_router_ranks_a_text_close_to_the_matters_its_words_support() -> None:
    router = Router.default()
    near = router.matters_near("晚上工地还在施工，渣土车一趟接一趟")
    assert {"urban_mgmt.night_construction", "urban_mgmt.muck_trucks"} <= near
    assert len(router.matters_near("今天天气不错")) == 1  # no words of any matter: only the router's pick


def _reading_lean(text: str) -> dict[str, float]:
    """A stand-in for the learned leaning: a librarian's manner (the model half sure of the second
    telling), and the building's cooling."""
    if "说话" in text:
        return {"culture.service": 0.9, "culture.other": 0.44}
    if "玩手机" in text:
        return {"culture.service": 0.6, "culture.facilities": 0.8}
    return {"culture.facilities": 1.0}


def test_the_routers_one_matter_at_a_spot_neither_says_is_one_when_the_words_lean_to_one_matter() -> None:
    rude = _r("a", "青石图书室那个管理员说话很冲，问两句就嫌烦", topic=CULTURE)
    phone = _r("b", "图书室工作人员上班一直玩手机，叫他也不理人，青石图书室", hours=3, topic=CULTURE)
    index = DuplicateIndex(book=BOOK, leaning=_reading_lean)
    assert [index.add(r) for r in (rude, phone)] == [None, "a"]
    blind = DuplicateIndex(book=BOOK)
    assert [blind.add(r) for r in (rude, phone)] == [None, None]  # few words in common: the words decide
    cooling = _r("b", "青石图书室的空调不制冷，热得坐不住", hours=3, topic=CULTURE)
    index = DuplicateIndex(book=BOOK, leaning=_reading_lean)
    assert [index.add(r) for r in (rude, cooling)] == [None, None]  # leanings orthogonal


def test_an_outage_and_a_burst_on_the_road_both_name_are_one_incident() -> None:
    # The router reads one as an outage and the other as a burst: the outage is felt along the road.
    dry = _r("a", "滨河路这边一早就没水了，也没看到通知", topic=frozenset({"matter:water.outage"}))
    burst = _r("b", "滨河路上水管爆了，水哗哗往外冒", hours=0.5, topic=frozenset({"matter:water.pipe_burst"}))
    assert _run(dry, burst, named=False) == [None, "a"]
    lamp = _r("b", "滨河路上路灯不亮", hours=0.5, topic=frozenset({"matter:urban.street_lights"}))
    assert _run(dry, lamp, named=False) == [None, None]


def test_a_notice_said_not_to_have_been_seen_is_no_planned_outage() -> None:
    outage = frozenset({"matter:water.outage"})
    dry = _r("a", "滨河路一早就没水了，也没看到停水通知，什么时候来水", topic=outage)
    burst = _r("b", "滨河路供水主管破裂，周边停水，已通知抢修", hours=1, topic=outage)
    assert _run(dry, burst, named=False) == [None, "a"]
    planned = _r("a", "滨河路贴了停水通知，说明天检修", topic=outage)
    assert _run(planned, burst, named=False) == [None, None]


def test_a_matter_added_in_passing_does_not_keep_a_report_from_its_incident() -> None:
    fumes = frozenset({"matter:urban.restaurant_fumes"})
    smoke = _r("a", "青石图书室门口的烧烤油烟太大，窗户都不敢开", topic=fumes)
    aside = _r("b", "青石图书室门口那家摊子，呛得我们没法看书。还有，门口的路灯也坏了两个", hours=3, topic=fumes)
    assert _run(smoke, aside, named=False) == [None, "a"]
    lamp = _r("b", "青石图书室门口的路灯坏了两个，晚上看不见", hours=3, topic=fumes)
    assert _run(smoke, lamp, named=False) == [None, None]


def test_a_prepaid_card_gone_with_its_shop_is_told_in_the_words_of_its_card() -> None:
    """A gym closed with the members' money: the card (两年卡, 私教课) says so as 退费 or 跑路 would; selling
    a card is not (推销办卡)."""
    assert "refund" in incident_kinds("在力健健身办了两年卡，花了三千六，今天去发现门锁了")
    assert "refund" in incident_kinds("上个月刚续了私教课十二节，今晚去上课人去楼空")
    assert "refund" not in incident_kinds("理发师全程推销办卡，不办卡就说头发要做护理")


def test_murky_tap_water_and_a_road_fallen_in_are_told_in_everyday_words() -> None:
    assert "water_quality" in incident_kinds("换完以后水就是浑的，黄汤一样，不敢给孩子喝")
    assert "rockfall" in incident_kinds("山上那段路塌了两三天了，土还堆在那里")


def test_the_supply_and_the_boats_named_in_passing_are_no_kind_of_incident() -> None:
    """二次供水 (a building's tank) is no outage, and garbage where people wait for the boat is no boat's matter:
    another matter at the same compound or pier than an outage or an overloaded ferry."""
    assert "water_outage" not in incident_kinds("我们楼用的二次供水，楼顶水箱好几年没清洗过了，水有股怪味")
    assert "water_outage" in incident_kinds("小区从昨晚开始停止供水，也没有通知")
    assert "boat" not in incident_kinds("码头候船的地方垃圾遍地，塑料袋到处都是")
    assert "boat" in incident_kinds("渡口那条船严重超载，船上没有救生衣")


def test_a_cable_to_charge_e_bikes_and_a_shop_closed_for_decoration_are_not_told_apart() -> None:
    """Kinds one incident is told as: 飞线充电 and 电线吊下来 (e-bike charging, power); a gym's members' money
    gone and its doors shut 说是装修 (refund, a neighbour's works)."""
    from intake.incident_kinds import _kinds_apart

    cable = incident_kinds("那根从楼上吊下来的电线今天晚上还挂着")
    charging = incident_kinds("3栋存在飞线充电，已上门劝导")
    assert not _kinds_apart(cable, charging)
    refund = incident_kinds("健身关门已经快十天，预付卡余额无法退还")
    decoration = incident_kinds("那家店到现在还没开门，说好的装修一周，现在人都找不到了")
    assert not _kinds_apart(refund, decoration)


def test_a_gyms_din_an_open_manhole_and_a_street_under_water_in_everyday_words() -> None:
    assert "noise" in incident_kinds("楼下健身房又开始蹦迪了，地板都在震")
    assert "noise" in incident_kinds("练器械的地方晚上哐哐响")
    assert "manhole" in incident_kinds("解放路有个井口敞着，晚上没灯很危险")
    assert "flood" in incident_kinds("解放路水漫金山了，市场门口跟条河一样")


def test_a_power_cut_told_as_the_power_cut_yesterday_is_an_outage() -> None:
    assert "power_outage" in incident_kinds("村里昨天停的电今天早上还没来，老人要用制氧机")


def test_everyday_words_of_a_power_cut_counted_a_hole_a_piece_fallen_a_place_shut_and_a_car_left() -> None:
    assert "power_outage" in incident_kinds("集镇这两天停了四次电，什么原因也不说")
    assert "power_outage" in incident_kinds("两天停了好几回电，冰柜里的肉都化了")
    assert "power_outage" not in incident_kinds("停了一会儿，回电话也没人接")
    assert "road_damage" in incident_kinds("路中间塌了个大洞，旁边就一个锥桶")
    assert "falling" in incident_kinds("楼下还只是拉了根绳子，今天又掉了一块")
    assert "closed" in incident_kinds("图书室今天周六怎么关门了") & incident_kinds("周末闭馆没有提前公告")
    assert "hot_water" in incident_kinds("敬老院的热水器坏了一个星期了")
    assert "abandoned_car" in incident_kinds("广场边上有辆破面包车一直没人开，占着车位")


def test_a_lifts_doors_closing_are_no_shop_gone() -> None:
    assert "refund" not in incident_kinds("写字楼的电梯经常关门关到一半又弹开，夹了小孩的书包")
    assert "refund" in incident_kinds("健身房突然关门了，私教课才上了两节")


def test_no_notice_seen_anywhere_is_no_planned_outage() -> None:
    from intake.incident_kinds import incident_facets

    assert "planned" not in incident_facets("昨天也没看到哪里贴停水通知啊，今天一滴水都没有")
    assert "planned" in incident_facets("楼下贴了停水通知，说今天检修")


def test_a_road_wrecked_by_the_trucks_of_sand_dug_by_night_is_not_told_apart_from_the_digging() -> None:
    from intake.incident_kinds import _kinds_apart

    digging = incident_kinds("村江边晚上有船在抽沙子，好几辆大车排队拉，都是半夜干")
    road = incident_kinds("我们村的村道这两天被大车压烂了，水泥板都压碎了")
    assert not _kinds_apart(digging, road)
    assert _kinds_apart(incident_kinds("小区门口的垃圾桶满了没人清运"), road)
