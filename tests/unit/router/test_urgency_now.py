"""Urgency from what is happening now (sentences written for these tests, not taken from any
labelled set): water inside homes while it still rains, villages cut off with people short of food,
fuel or medicine, homes partly fallen in, an old person living alone not seen for days, a dog that
goes for children again; and the false alarms next to them: a danger only imagined, a question, a
denied leak, discoloured tap water, a thing (not a person) hit by a car."""

from __future__ import annotations

import pytest

from router.service import Router
from schemas.taxonomy import WhistleClass

URGENT = [
    # flood water already inside homes, rain going on
    "雨一直没停，巷子里的水已经漫进了好几户人家的灶屋，水还在往上涨",
    "小区负一楼车库正在进水，水都到小腿了，麻烦派几台抽水机过来",
    "村头那条水渠满了，水灌进我家屋里，床脚都泡着，外面还在下雨",
    # cut off, people short of food, fuel or medicine
    "大雪封了上山那条路，车开不上去，组里几个五保老人缺粮少药，快撑不住了",
    "进山的便道让泥石流冲断了，湾里十几户出不来，有个老爹爹的降压药吃完了",
    "冰冻好几天了，路上结冰车子进不去，坡上那几户孤寡老人屋里没柴了",
    # a house partly collapsed, a family without shelter
    "连下几天雨，老王家土屋后半边垮塌了，一家五口没地方睡，只能在邻居堂屋打地铺",
    # an old person living alone not seen for days
    "楼下独居的李爹爹两天没见人了，敲门没人答应，手机也打不通，怕他在屋里出事",
    # a dangerous dog at children again
    "隔壁那条大黄狗不拴链子，前几天咬过小孩，今天上午又扑向放学的学生",
]

NOT_URGENT = [
    # a hazard only imagined, nothing happening now, no crowd
    "菜市场后门的安全出口被杂物堵住了，万一出事不好跑，请消防来看看",
    # a question or a plan
    "想问一下开家小油漆店需不需要办危化品许可证，去哪里办",
    # a gas bill, the leak denied
    "这个月气费比平常多扣了一倍，家里没闻到气味，也不是漏气，是不是燃气表走快了",
    # discoloured tap water
    "家里水龙头放出来的水发黄，还有铁锈味，烧开后壶底一层渣子，是管道老化了吗",
    # a long-running nuisance
    "那个砂石场灰尘大，我们这一片窗台天天一层灰，说了好几年了",
]


@pytest.mark.parametrize("text", URGENT)
def test_danger_now_is_urgent(router: Router, text: str) -> None:
    decision = router.route(text)
    assert decision.whistle_class is WhistleClass.urgent, decision.explanation


@pytest.mark.parametrize("text", NOT_URGENT)
def test_imagined_asked_or_denied_danger_is_not_urgent(router: Router, text: str) -> None:
    decision = router.route(text)
    assert decision.redirect is None
    assert decision.whistle_class is not WhistleClass.urgent, decision.explanation


def test_a_hydrant_hit_by_a_car_with_nobody_hurt_is_not_122(router: Router) -> None:
    decision = router.route("小区里两个消防栓坏了，拧开没水，其中一个被货车撞倒了，请消防来修")
    assert decision.redirect is None
    assert decision.dept == "fire_rescue"


def test_a_gas_bill_with_no_smell_goes_to_billing(router: Router) -> None:
    decision = router.route("燃气费这个月扣得特别多，家里也没有什么气味，不是漏气，想请人来看看表")
    assert decision.matter == "gas_utility.billing_meter"


def test_discoloured_tap_water_is_a_water_quality_matter(router: Router) -> None:
    assert router.route("自来水这两天黄黄的，有股铁锈味").matter == "water_utility.quality"
