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
