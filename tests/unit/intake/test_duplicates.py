"""The near-duplicate detector: the same incident again is found; the same matter elsewhere, another
matter at the same place and the same place and matter weeks later are not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from intake.duplicates import DuplicateIndex, Report, find_duplicates, pairwise_scores, place_names

T0 = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)


def _r(i: str, text: str, address: str | None = None, hours: float = 0.0, **kw: object) -> Report:
    return Report(id=i, text=text, address=address, reported_at=T0 + timedelta(hours=hours), **kw)  # type: ignore[arg-type]


BURST = _r("a", "来电人反映：和平路与学府路路口人行道下面水管爆裂，大量跑水，请供水公司抢修。", "和平路学府路口")
BURST_AGAIN = _r("b", "和平路学府路口地下冒水，水一直往外涌，路都淹了", "和平路", hours=1)


def test_the_same_burst_reported_again_nearby_in_time_is_a_duplicate() -> None:
    assert list(find_duplicates([BURST, BURST_AGAIN])) == [None, "a"]


def test_the_same_matter_on_another_road_is_another_incident() -> None:
    elsewhere = _r("c", "解放街菜场门口水管爆了，到处是水，请尽快来修", "解放街", hours=1)
    assert list(find_duplicates([BURST, elsewhere])) == [None, None]


def test_another_matter_at_the_same_place_is_another_incident() -> None:
    lights = _r("d", "和平路学府路口的红绿灯坏了，一直黄灯闪，路口很乱", "和平路学府路口", hours=2)
    assert list(find_duplicates([BURST, lights])) == [None, None]


def test_the_same_place_and_matter_weeks_later_is_a_new_incident() -> None:
    later = _r("e", "和平路学府路口水管又爆了，大量跑水", "和平路学府路口", hours=24 * 21)
    assert list(find_duplicates([BURST, later])) == [None, None]


def test_another_building_of_the_same_compound_is_another_place() -> None:
    lift3 = _r("f", "桂花苑3栋电梯坏了两天没人修", "桂花苑3栋")
    lift5 = _r("g", "桂花苑5栋电梯停了，老人上不了楼", "桂花苑5栋", hours=3)
    lift3_again = _r("h", "桂花苑三栋的电梯还是坏的", "桂花苑", hours=5)
    assert list(find_duplicates([lift3, lift5, lift3_again])) == [None, None, "f"]


def test_a_third_report_joins_the_first_report_of_its_incident() -> None:
    third = _r("i", "学府路路口水管破裂还在跑水，已经三个小时了", "学府路", hours=3)
    index = DuplicateIndex()
    assert [index.add(r) for r in (BURST, BURST_AGAIN, third)] == [None, "a", "a"]


def test_place_names_drop_the_verbs_before_them() -> None:
    names = place_names("早上路过建设路，看到幸福里小区门口")
    assert "建设路" in names and "幸福里小区" in names
    assert not any(n.startswith("过") for n in names)


def test_pairwise_scores_count_pairs_within_clusters() -> None:
    truth = {"a": "x", "b": "x", "c": "x", "d": "y"}
    predicted: dict[str, str | None] = {"a": None, "b": "a", "c": None, "d": "a"}
    precision, recall, hit, npred, ntrue = pairwise_scores(predicted, truth)
    assert (hit, npred, ntrue) == (1, 3, 3)
    assert round(precision, 3) == round(recall, 3) == 0.333


def test_the_same_matter_on_another_road_of_the_same_town_is_another_incident() -> None:
    # Worded alike, the same router matter, one town, an hour apart: the addresses name two roads.
    lights = frozenset({"matter:lights"})
    first = _r("f", "解放路那排路灯全部不亮，晚上走路黑漆漆的很危险", "城关镇解放路", topic=lights)
    other = _r("g", "文昌路那排路灯全部不亮，晚上走路黑漆漆的很危险", "城关镇文昌路", hours=1, topic=lights)
    again = _r("h", "解放路路灯坏了，黑得看不见路", "解放路", hours=2, topic=lights)
    assert list(find_duplicates([first, other, again])) == [None, None, "f"]


def test_two_compounds_or_two_villages_named_in_the_addresses_are_two_places() -> None:
    wages = "工地老板拖欠工人三个月工资，十几个人的血汗钱讨不回来"
    compounds = [_r("i", wages, "东湖街道金湖湾小区"), _r("j", wages, "金湖社区御景湾小区", hours=3)]
    dark = "村口路灯不亮好几天了"
    villages = [_r("k", dark, "白沙镇沙洲村"), _r("m", dark, "白沙镇江边村", hours=3)]
    assert list(find_duplicates(compounds)) == [None, None]
    assert list(find_duplicates(villages)) == [None, None]


def test_worded_apart_the_same_matter_at_the_same_place_is_the_incident_again() -> None:
    # The router's matter and the kind of incident agree: little word overlap is enough.
    topic = frozenset({"matter:gas_leak"})
    first = _r("n", "金桂园4栋楼道燃气味很重，怀疑哪家漏气", "金桂园4栋", topic=topic)
    again = _r("o", "4栋2单元楼梯间闻到煤气味，邻居都下楼了", "金桂园4栋2单元", hours=0.5, topic=topic)
    assert list(find_duplicates([first, again])) == [None, "n"]


def test_place_words_inside_a_name_are_read_too() -> None:
    assert "南桥工业园" in place_names("南桥工业园晚上施工声音太大")
    assert "工业园" not in place_names("南桥工业园晚上施工声音太大")  # a place word alone names no place


def test_shared_place_words_are_not_matter_similarity() -> None:
    """Short reports at one place, each of another matter: the place's words are most of each text."""
    matters = ["长椅坏", "宣传栏倒", "健身器材断", "窗玻璃碎", "台阶缺角"]  # no kind of incident named
    aliases = {"解放社区": "解放社区", "解放路": "解放路"}
    index = DuplicateIndex(aliases=aliases)
    for n, matter in enumerate(matters):
        assert index.add(_r(str(n), f"城关镇解放社区解放路12号附近{matter}", hours=n / 10)) is None, matter


def test_a_bare_name_that_begins_another_place_is_not_that_place() -> None:
    road = _r("r", "文昌路这边整个小区停水了，什么时候来水", None)
    compound = _r("s", "文昌花苑5栋今天早上起来没水，也没看到停水通知", "文昌花苑", hours=1)
    assert list(find_duplicates([road, compound])) == [None, None]


def test_a_landmark_called_by_another_of_its_names_is_the_same_place() -> None:
    aliases = {"县汽车站": "县汽车站", "汽车站": "县汽车站", "客运站": "县汽车站"}
    index = DuplicateIndex(aliases=aliases)
    assert index.add(_r("x", "县汽车站门口的路灯全不亮，晚上黑漆漆的", None)) is None
    assert index.add(_r("y", "客运站门口路灯不亮，晚上一片黑，过马路危险", None, hours=1)) == "x"


def test_a_report_between_two_buildings_is_at_either() -> None:
    """6栋和7栋之间 names both buildings: the verdict must not hang on which one a set yields first."""
    first = _r("p", "东城国际小区6栋楼下消防通道被车堵死了", "东城国际小区6栋")
    between = _r("q", "东城国际小区6栋和7栋之间消防通道又被占用，消防车进不来", "东城国际小区", hours=2)
    assert list(find_duplicates([first, between])) == [None, "p"]


def test_one_building_is_a_building_not_building_number_one() -> None:
    """一栋楼 counts buildings; it does not name 1栋 against the other report's 7栋."""
    gas = frozenset({"matter:gas_leak"})
    first = _r("t", "银杏苑7栋一楼外墙燃气管道有很重的煤气味", "银杏苑7栋", topic=gas)
    again = _r("u", "银杏苑小区一栋楼边上的燃气管子漏气，嘶嘶响", "银杏苑", hours=1, topic=gas)
    assert list(find_duplicates([first, again])) == [None, "t"]


def test_a_staff_compound_is_a_named_place() -> None:
    assert "林业局家属院" in place_names("林业局家属院这几天晚上电压不稳")


def test_two_compounds_sharing_a_bare_name_are_two_places() -> None:
    """锦江大厦 and 锦江华庭: the one's bare name in the other's is not a mention of it."""
    leak = "地下车库顶上一直在漏水，车上全是泥水印子"
    tower = _r("v", "锦江大厦" + leak, "锦江社区锦江大厦")
    court = _r("w", "锦江华庭" + leak, "锦江社区锦江华庭", hours=2)
    assert list(find_duplicates([tower, court])) == [None, None]
    again = _r("x", "锦江小区车库漏水好几天了", "锦江华庭", hours=3)
    assert list(find_duplicates([court, again])) == [None, "w"]


def test_two_shops_quoted_by_name_on_one_street_are_two_places() -> None:
    topic = frozenset({"dept:market", "matter:market.prepaid_card"})
    closed = _r("q1", "桃园街“麦香村”面包店突然关门，卡里还有六百块，老板电话打不通", "桃园街", topic=topic)
    heard = _r("q2", "桃园街那家面包店跑路了，我们好多人都充了卡", "桃园街", hours=2, topic=topic)
    other = _r("q3", "桃园街“蜜语轩”蛋糕店充值送的钱不让用，只能扣本金", "桃园街", hours=5, topic=topic)
    again = _r("q4", "“麦香村”关门了，充的卡怎么办", "桃园街", hours=6, topic=topic)
    assert list(find_duplicates([closed, heard, other, again])) == [None, "q1", None, "q1"]


def test_a_slogan_in_quotation_marks_is_not_a_name() -> None:
    topic = frozenset({"dept:hr_social", "matter:hr_social.wage_arrears"})
    first = _r("s1", "柳岸路“明发”制衣厂拖欠工人两个月工资", "柳岸路", topic=topic)
    crowd = _r("s2", "柳岸路明发制衣厂门口工人举牌“还我血汗钱”，讨要拖欠的工资", "柳岸路", hours=3, topic=topic)
    assert list(find_duplicates([first, crowd])) == [None, "s1"]


def test_two_businesses_of_other_trades_on_one_road_are_two_employers() -> None:
    topic = frozenset({"dept:hr_social", "matter:hr_social.wage_arrears"})
    first = _r("t1", "来访人称其在柳岸路宏远纺织厂上班，厂里两个月没发工资", "柳岸路", topic=topic)
    shoes = _r("t2", "柳岸路桥头那个鞋厂辞工了不给结最后一个月工资", "柳岸路", hours=5, topic=topic)
    again = _r("t3", "柳岸路那个纺织厂拖欠我们几十个人的工资", "柳岸路", hours=8, topic=topic)
    kiln = _r("t4", "石湾村砖厂烟囱冒黑烟", "石湾村", hours=30)
    kiln_again = _r("t5", "石湾砖厂天天冒黑烟，菜叶子上都是灰", "石湾村砖厂", hours=50)
    assert list(find_duplicates([first, shoes, again, kiln, kiln_again])) == [None, None, "t1", None, "t4"]


def test_common_words_of_kinds_of_incident() -> None:
    from intake.duplicates import incident_kinds

    assert "water_outage" in incident_kinds("村里两天没自来水了")
    assert "animals" in incident_kinds("一群流浪犬在村口")
    assert "building" in incident_kinds("有人在菜地里起房子")
    assert "sewage" in incident_kinds("排水沟堵了")
    assert "smoke_smell" in incident_kinds("谁在烧东西，味道好大")
    assert "rockfall" in incident_kinds("山上垮了一块下来")
    assert "heating" in incident_kinds("家里暖气片冰凉") & incident_kinds("交了取暖费屋里还是冷")
    assert "animals" in incident_kinds("那边的猪场臭得要命")
    assert "sand" in incident_kinds("半夜有人偷挖河沙")
    # A neighbour's works are not a building site's: 电钻 at home is not 打桩 next door.
    assert incident_kinds("楼上装修电钻一直响") & incident_kinds("工地晚上还在打桩") == frozenset()


def test_a_verb_or_a_size_before_a_shop_is_no_trade() -> None:
    topic = frozenset({"dept:market", "matter:market.prepaid_card"})
    named = _r("v1", "桃园街那家理发店充了卡，现在突然关门了", "桃园街", topic=topic)
    closed = _r("v2", "桃园街有个小店老板闭店跑路，我们充的卡都用不了", "桃园街", hours=3, topic=topic)
    assert list(find_duplicates([named, closed])) == [None, "v1"]
