"""Reading a long message-board post for its main request."""

from __future__ import annotations

from router.service import Router

POST = """关于阳光小区门口夜市摊贩占道经营、油烟扰民的问题
尊敬的领导：
您好！我是城东区阳光小区的居民，在这里住了十几年了。这几年城区的道路修得越来越好，感谢政府的辛勤付出。
从今年五月起，小区门口的人行道上每天晚上摆满了烧烤摊和小吃摊，一直摆到凌晨一两点，油烟和吵闹声让楼上的住户没法休息，人行道也被占满了，老人孩子只能走到机动车道上。
希望城管部门能来管一管，规范摊点的经营时间和位置。
另外，小区里的路灯也坏了好几盏。
谢谢！"""


def test_greetings_praise_background_and_a_second_topic_do_not_route(router: Router) -> None:
    reading = router.parts.reader.read(router.parts.normalise(POST))
    roles = dict((sentence[:6], role) for role, sentence in reading.sentences)
    assert reading.long and reading.subject.startswith("关于阳光小区")
    assert roles["尊敬的领导:"] == "courtesy" and roles["谢谢!"] == "courtesy"
    assert roles["这几年城区的"] == "praise"
    assert roles["您好!"] == "courtesy" and roles["我是城东区阳"] == "background"
    assert roles["另外,小区里"] == "aside"
    assert roles["希望城管部门"] == "request"
    assert "路灯" not in reading.focus and "道路修得" not in reading.focus


def test_a_long_post_goes_to_its_main_request(router: Router) -> None:
    decision = router.route(POST)
    assert decision.redirect is None
    assert decision.dept == "urban_mgmt" and decision.matter != "urban_mgmt.street_lights"
    assert decision.whistle_class.value != "urgent"


def test_a_short_appeal_is_read_whole(router: Router) -> None:
    text = router.parts.normalise("小区门口烧烤摊油烟太大了")
    reading = router.parts.reader.read(text)
    assert not reading.long and reading.focus == text


PAST_STROKE_LETTER = (
    "去年冬天母亲中风后急诊等了很久，建议优化县医院急诊流程\n尊敬的领导您好：\n"
    "去年十二月一天夜里，我母亲在家突发中风，半边身子动不了，我们赶紧叫了救护车。"
    "到了县医院急诊，挂号、排队、做CT前后折腾了两个多小时，医生说耽误了溶栓的时间。"
    "母亲现在在家慢慢康复，生活基本能自理，也感谢医生护士的辛苦。\n"
    "我知道急诊病人多，但中风是和时间赛跑的病，恳请卫生健康部门督促县医院开通卒中绿色通道，优化急诊流程。谢谢！")
NOW_FIRE_LETTER = (
    "小区地下车库电动车充电问题反映多次没人管——现在车库冒浓烟了\n"
    "领导您好，我是锦绣华庭的业主，之前多次反映地下车库有人私拉电线给电动车充电，物业一直不管。\n"
    "就在刚才，车库里面冒出很浓的黑烟，能看到明火，还有人在里面喊救命，我们已经在往外跑了。\n"
    "请赶快派消防车过来！车库的问题事后也请有关部门彻底整治。")


def test_a_letter_about_a_past_emergency_asks_for_a_service_and_a_letter_about_one_now_is_redirected(
    router: Router,
) -> None:
    """A long letter's emergency words stand only when the learned head does not all but rule it out
    (LONG_LETTER_DANGER_FLOOR): the stroke is last winter's, the letter asks for a faster emergency room."""
    past = router.route(PAST_STROKE_LETTER)
    assert past.redirect is None and past.dept == "health"
    now = router.route(NOW_FIRE_LETTER)
    assert now.redirect is not None and now.redirect.value == "119"
