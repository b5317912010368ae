"""Families added to generalise beyond the labelled sets (sentences written for these tests, not
taken or paraphrased from any labelled set): people exposed to a failing structure and harm already
done make a hazard urgent; a gas smell with precautions against sparks is the gas company's, not
119; a wound already in a doctor's hands and livestock with purple skin are not 120; complaints
passed back and forth are hard; compound buildings and village-run services stay in the village;
departments chosen by what is asked."""

from __future__ import annotations

import pytest

from router.service import Router
from schemas.taxonomy import WhistleClass

URGENT = [
    # a failing structure with people below it
    "菜场门口那块大招牌被风吹得晃，底下天天有人排队买菜，螺丝都松了",
    "幼儿园围墙这几天往里歪，墙根下就是小朋友做早操的地方",
    # harm already done, and the danger still there
    "超市自动门失灵，刚才夹伤了一个老太太的胳膊，店里还在照常开门",
    "村小学门口的水沟盖板被车压坏了，洞口敞着，放学的学生都从那边走",
    # ice and snow stranding people today
    "通往林场的坡道冻雨结冰，三辆车滑到路边下不来，车上有老人",
    # someone suffering now and refused care
    "我爸胸口疼得受不了，镇卫生院说没有医生值班不给看，现在人还躺在车上",
    # an exam tomorrow and noise tonight
    "明天中考，隔壁工地今晚还在打桩，考生根本睡不着，求今晚就停工",
]

NOT_URGENT = [
    # the same words, nothing at risk now
    "想问下小区大门的伸缩门什么时候换新的，现在这个开得慢",
    "去年冬天结冰的时候班车停过几天，今年能不能提前安排除冰",
]


@pytest.mark.parametrize("text", URGENT)
def test_hazard_with_exposure_or_harm_is_urgent(router: Router, text: str) -> None:
    assert router.route(text).whistle_class is WhistleClass.urgent, text


@pytest.mark.parametrize("text", NOT_URGENT)
def test_plain_request_is_not_urgent(router: Router, text: str) -> None:
    assert router.route(text).whistle_class is not WhistleClass.urgent, text


@pytest.mark.parametrize("text", [
    "三单元二楼走廊一股天然气味，我们让邻居都别开灯别打火，燃气公司快来人看看",
    "厨房煤气味很重，不敢点火，快来人查一下是不是管子漏了",
    "楼下商铺门口闻到液化气味，老板说不要打火，请燃气公司马上派人",
])
def test_gas_smell_with_precautions_is_the_gas_company(router: Router, text: str) -> None:
    decision = router.route(text)
    assert decision.redirect is None, text
    assert decision.dept == "gas_utility", text
    assert decision.whistle_class is WhistleClass.urgent, text


@pytest.mark.parametrize("text", [
    "孩子手被玻璃划了口子还在流血，卫生院的医生说要缝针让我们去县医院，这个费用怎么算",
    "老人摔了一跤头上流血，已经包扎好了，想问社区能不能派车送去复查",
    "养的几头猪耳朵发紫不吃食，有人说是猪病，请兽医站来看看",
    "邻村好几户的羊接连死了，皮肤青紫，怀疑是疫病，请畜牧站来人",
])
def test_care_already_given_or_animals_are_not_120(router: Router, text: str) -> None:
    assert router.route(text).redirect is None, text


@pytest.mark.parametrize("text", [
    "孩子的学籍转不过来，学校说找教育局，教育局说找学校，来回折腾没有答复，家长联名反映",
    "去派出所补户口本跑了四趟，每次说的都不一样，到现在也没办下来",
    "厂里的粉尘从投诉到现在，环保来了就停一天，走了照样生产",
])
def test_passed_back_and_forth_is_hard(router: Router, text: str) -> None:
    assert router.route(text).whistle_class is WhistleClass.hard, text


@pytest.mark.parametrize("text", [
    "桂花园小区3栋门口的路灯不亮了，麻烦物业来修一下",
    "新华小区5单元的下水道堵了，一楼地漏往上冒水，请社区帮忙叫人疏通",
    "下湾村三组那条巷子路面坑坑洼洼，大家想让村里出点钱补一补",
    "石门村我们组自己打井供水，水泵老了抽不上来，管水的人说要村里出钱换",
])
def test_compound_and_village_run_matters_stay_in_the_village(router: Router, text: str) -> None:
    assert router.route(text).level.value == "village", text


@pytest.mark.parametrize(("text", "dept"), [
    ("城郊那个碎石场天天灰尘漫天，附近菜地和屋顶全是一层灰", "ecology"),
    ("村东头的小作坊里堆着油漆和稀料桶，离民房很近，担心着火爆炸", "emergency_mgmt"),
    ("街口那家液化气站给没检验的旧钢瓶充气，还往小罐子里倒气", "market"),
    ("县一中学校食堂昨天的晚饭，好多学生吃了上吐下泻，要求查清楚", "market"),
    ("我家养的猪这两天接连死了五头，不进食还发烧，怀疑是猪瘟", "agriculture"),
    ("灵活就业的社保费今年在哪交，手机上找不到缴费入口", "tax"),
    ("那家药店用医保卡买药要搭着保健品一起刷，不然不给刷", "medical_security"),
    ("车站广场躺着个流浪的大爷，衣服单薄冻得直抖，能不能送救助站", "civil_affairs"),
    ("我们组有条疯狗见人就咬，已经咬了两个人，请派人来抓", "police"),
])
def test_department_by_what_is_asked(router: Router, text: str, dept: str) -> None:
    assert router.route(text).dept == dept, text
