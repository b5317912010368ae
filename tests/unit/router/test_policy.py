"""631-first level and unit choice."""

from __future__ import annotations

from router.service import Router
from schemas.taxonomy import Level


def test_neighbour_noise_in_a_compound_goes_to_its_community(router: Router) -> None:
    decision = router.route("楼上邻居每天半夜拖桌子，跟他说了也不听，金湖湾小区6栋")
    assert decision.level is Level.village
    assert decision.dept is None
    assert decision.unit == "vl_donghu_jinhu"
    assert decision.village == "donghu.jinhu"


def test_a_dispute_between_two_villages_goes_to_the_township(router: Router) -> None:
    decision = router.route("沙洲村和江边村为了一块荒地的归属吵了起来，双方村民都不让步")
    assert decision.level is Level.township
    assert decision.unit == "tw_baisha"


def test_functional_department_matters_are_never_pushed_down(router: Router) -> None:
    decision = router.route("松林村停电一整天了，冰箱里的东西都坏了")
    assert decision.level is Level.county
    assert decision.dept == "power_utility" and decision.unit == "power_utility"
    assert decision.village == "beishan.songlin"


def test_street_lights_are_the_village_committees_job_in_a_village(router: Router) -> None:
    village = router.route("石门村村委会前面那几盏路灯坏了半个月")
    assert village.level is Level.village and village.unit == "vl_xiling_shimen"
    town = router.route("县城人民路的路灯坏了半个月")
    assert town.level is Level.county and town.dept == "urban_mgmt"


def test_illegal_building_outside_the_county_seat_goes_to_township_enforcement(router: Router) -> None:
    rural = router.route("茶园村有村民没有审批手续就在承包地上盖三层楼")
    assert rural.level is Level.township and rural.unit == "tw_xiling"
    assert "urban_mgmt" in rural.assisting_units
    urban = router.route("文昌社区有住户在楼顶违规加盖了一层彩钢房")
    assert urban.level is Level.county and urban.dept == "urban_mgmt"


def test_unknown_village_sends_a_village_matter_to_the_township_or_the_centre(router: Router) -> None:
    in_township = router.route("南桥镇有户人家楼道里堆满了杂物，上下楼都过不去")
    assert in_township.level is Level.village and in_township.unit == "tw_nanqiao"
    nowhere = router.route("楼道里堆满了杂物，上下楼都过不去")
    assert nowhere.unit == "county_centre"


def test_the_decision_explains_itself(router: Router) -> None:
    decision = router.route("县前街的奶茶店卖过期的奶茶，喝完肚子疼")
    assert decision.dept == "market"
    assert decision.matter == "market.food_safety"
    assert decision.decisive_terms
    assert "事项" in decision.explanation and "关键词" in decision.explanation
    assert len(decision.top_departments) >= 3 and decision.top_departments[0] == "market"
    assert 0.5 <= decision.confidence <= 1.0


def test_gibberish_has_low_confidence(router: Router) -> None:
    assert router.route("嗯嗯好的谢谢").confidence < 0.5


def test_a_village_the_gazetteer_does_not_know_is_still_rural(router: Router) -> None:
    """A named village ("马家湾村五组") places a street light or a rubbish pool with the village,
    even where the gazetteer has no node for it; two named villages make a township matter."""
    lights = router.route("马家湾村五组路灯坏了三盏 晚上黑黢黢的")
    assert lights.level.value == "village"
    ditch = router.route("马家湾村到高家湾村的那条排水沟堵死了 两边的田都淹了")
    assert ditch.dept is None and ditch.level.value == "township"


def test_a_market_town_the_gazetteer_does_not_know_is_not_the_county_seat(router: Router) -> None:
    """A stall blocking the road in a named township's market day is the township's to handle;
    a household building beyond its plot is the township's enforcement matter; a village that has
    tried and failed hands the matter up."""
    stalls = router.route("龙潭镇赶场天摊摊摆到马路中间 车子根本过不去")
    assert stalls.level.value == "township"
    house = router.route("石门镇岩脚村有户人家把老房子拆了扩建 超了原来的面积 邻居意见大")
    assert house.level.value == "township"
