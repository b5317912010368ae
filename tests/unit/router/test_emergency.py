"""Emergency redirect: danger happening now goes to 110/119/120/122; hazards and past events do not."""

from __future__ import annotations

import pytest

from router.service import Router


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("救命！仓库那边着火了，浓烟很大，二楼还有两个工人没出来！", "119"),
        ("商场电梯卡在三楼半，里面困着五六个人，门打不开", "119"),
        ("有个小孩在河边玩掉进水里了，快来救人", "119"),
        ("我老婆突然倒在地上叫不醒，口吐白沫，快派救护车", "120"),
        ("我儿子刚才误服了降压药，现在一直吐", "120"),
        ("十字路口一辆货车把骑电动车的人撞倒了，人倒在地上流了好多血", "122"),
        ("我家孩子在公园不见了，找了半个小时了，穿蓝色衣服", "110"),
        ("有个男的拿着刀在小区门口追着人砍，快来人", "110"),
        ("刚才有人冒充客服说我账户异常，让我转账到安全账户，我转了三万，被骗了", "110"),
    ],
)
def test_ongoing_danger_is_redirected(router: Router, text: str, line: str) -> None:
    decision = router.route(text)
    assert decision.redirect is not None and decision.redirect.value == line
    assert decision.whistle_class.value == "urgent"
    assert decision.explanation


@pytest.mark.parametrize(
    "text",
    [
        "上周我们楼下饭店着过一次火，已经扑灭了，想问问有没有消防检查",
        "网吧的安全出口被锁死了，万一着火人都跑不出去",
        "电动车电池鼓包了，我怕会着火，商家不给换",
        "我们小区电梯上个月困过人，维保公司一直敷衍",
        "投诉一下110，前天报警两个小时才来人",
        "上个月叫了120送我爸去医院，收费八百多是否合理",
        "路口红绿灯坏了，有车追尾剐蹭，但没有人受伤",
        "火锅店的油烟太大了，熏得我们家没法开窗",
        "变压器一直冒火花，嗡嗡响，就在居民楼旁边",
        "燃气管道被挖断了，现场很大的煤气味，周边已经疏散",
    ],
)
def test_hazards_past_events_and_complaints_are_not_redirected(router: Router, text: str) -> None:
    assert router.route(text).redirect is None


def test_an_emergency_in_traditional_characters_is_still_caught(router: Router) -> None:
    assert router.route("著火了！廚房冒出很大的火，屋裡還有老人").redirect is not None


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("救命！仓库冒烟了", "119"),
        ("求救，我爸在院子里晕过去了", "120"),
        ("快来人！楼下有人拿刀", "110"),
    ],
)
def test_a_call_for_help_next_to_a_danger_word_is_caught_across_sentences(
    router: Router, text: str, line: str
) -> None:
    decision = router.route(text)
    assert decision.redirect is not None and decision.redirect.value == line


@pytest.mark.parametrize(
    "text", ["救命！上个月仓库着过火，保险一直不赔", "快来人修一下路灯，垃圾都倒在路边了", "救命啊，物业费又涨了"]
)
def test_a_call_for_help_alone_is_not_an_emergency(router: Router, text: str) -> None:
    assert router.route(text).redirect is None


def test_a_fresh_set_of_emergencies_and_near_misses() -> None:
    """Every emergency in a set written for this test is caught, and no near miss is redirected."""
    import json
    from pathlib import Path

    router = Router.default()
    path = Path(__file__).parent / "data" / "emergency_check.jsonl"
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        decision = router.route(row["text"])
        assert (decision.redirect.value if decision.redirect else None) == row["redirect"], row["text"]
