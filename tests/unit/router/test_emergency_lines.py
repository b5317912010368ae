"""Which emergency line: dialect for a child, violence with a cry for help, and look-alikes."""

from __future__ import annotations

import pytest

from router.service import Router


@pytest.fixture(scope="module")
def router() -> Router:
    return Router.default()


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("我伢刚刚还在小区门口玩，一转身就不见了，到处都找不到，才四岁！", "110"),
        ("楼上那户男的正在打老婆，女的一直在喊救命，门反锁着敲不开", "110"),
        ("隔壁家暴，正在砸东西，孩子哭着喊救命，快派警察来", "110"),
        ("厂房着火了，里面有人在喊救命，烟越来越大", "119"),
        ("对面楼那个男的在打他媳妇，她一直喊救命，东西摔了一地", "110"),
        ("水库边有人喊救命，说是有个人掉下去了，在水里扑腾", "119"),
        # a collision with someone unconscious is a crash with injuries: 122 (120 noted)
        ("两个车追尾 有个司机昏迷了", "122"),
        ("路口一辆货车把骑三轮的老汉撞了 老汉躺着叫不醒", "122"),
        # no collision: the ambulance
        ("我爸开车回来 在家门口突然晕倒了 叫不醒", "120"),
        # equal evidence for two lines: violence going on is the police's, whatever the hash seed
        ("出租屋里传出打斗和呼救的声音 门从里面反锁了 里面还在吵", "110"),
    ],
)
def test_ongoing_emergency_goes_to_the_right_line(router: Router, text: str, line: str) -> None:
    decision = router.route(text)
    assert decision.redirect is not None and decision.redirect.value == line


@pytest.mark.parametrize(
    "text",
    [
        "养鸡场这几天死了好多鸡，鸡冠发紫，怀疑是鸡瘟，请畜牧站来看看",
        "这是地里烧荒的烟，不是着火，呛得人难受，请乡里管一管",
        "村口老仓库塌了一半，有人天天去里面捡砖头卖，担心哪天出事",
        "车棚里有人拉了根插线板给电瓶车充电，线都老化了，怕起火",
    ],
)
def test_look_alikes_are_not_emergencies(router: Router, text: str) -> None:
    assert router.route(text).redirect is None


@pytest.mark.parametrize(
    "text",
    ["楼下仓库着火了，浓烟很大，有人被困在三楼", "隔壁在打架，有人拿着刀", "想咨询一下社保卡怎么补办",
     "车棚里有人拉了根插线板给电瓶车充电，线都老化了，怕起火"],
)
def test_the_intake_emergency_check_agrees_with_the_full_routing_pass(router: Router, text: str) -> None:
    assert router.emergency_line(text) == router.route(text).redirect


@pytest.mark.parametrize(
    ("text", "line"),
    [
        # a phone transcript whose pauses are spaces: each pause is a clause break
        ("隔壁屋头又在打婆娘 女的喊救命 打了十来分钟还没停", "110"),
        ("楼道里全是烟 呛得睁不开眼 我们一家在六楼下不去", "119"),
        ("吃了自己采的菌子 一家人都在吐 老人已经站不起来了", "120"),
    ],
)
def test_dialect_and_transcribed_calls_are_redirected(router: Router, text: str, line: str) -> None:
    decision = router.route(text)
    assert decision.redirect is not None and decision.redirect.value == line


def test_a_construction_site_still_piling_at_midnight_is_not_violence(router: Router) -> None:
    assert router.route("半夜十二点了工地还在打桩 咚咚咚的 能不能管一下").redirect is None
