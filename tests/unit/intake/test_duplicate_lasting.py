"""How far back a report says its matter goes (`told_lasting`), and 并单 counting the time two reports
are apart from then: a condition told as lasting a week is the incident reported a week before; the
same place and matter told as new again weeks later is not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from intake.duplicates import DuplicatePolicy, Report, find_duplicates, lasting_told, profile, told_lasting
from intake.incident_kinds import incident_kinds, without_spots_told_from

FRIDAY = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(("text", "days"), [
    ("大坪村手机信号没了快一个礼拜了", 7),
    ("山里一个村子断信号二十天没人管", 20),
    ("一个井盖报了快十天都没人来修", 10),
    ("东湖大道路灯坏了一周，是不是电缆被偷了", 7),
    ("江面采砂船仍在作业，已持续半个多月", 15),
    ("四天前我就打过电话说橡胶厂臭的事", 4),
    ("我上个礼拜三打过电话的，到今天没人联系", 9),  # a Friday: last Wednesday was 9 days before
    ("我9号打过的，鸡场的事还是没动", 11),
    ("道路硬化工程自9月停工至今", 80),
    ("养猪场的污染问题反映了二十来天，到现在还是没人管", 20),
    # a chaser that names no time: up to two weeks after the report it chases
    ("又开始臭了，猪场那个，上次说来看看，也没看到人来。", 14),
    ("我们村东头那个桥栏杆到现在还没修，上次网格员拉了根绳子", 14),
    ("建材市场那条路又堵了，我反映两次了，一点改变都没有。", 14),
    # a matter told as standing a long time, no time said: as long
    ("湖滨花园小区内部消防通道夜间长期被占，部分车主仍拒不挪车", 14),
    ("汽车站门口黑车拉客乱象持续，有旅客被收取八十元", 14),
    ("东湖公园南门有人拿话筒唱歌，公园旁边住户投诉好几次了", 14),
    ("工人前期已多次拨打热线，要求见人社局负责人", 14),
])
def test_a_report_tells_how_long_its_matter_has_lasted(text: str, days: int) -> None:
    assert told_lasting(text, FRIDAY) == timedelta(days=days)


@pytest.mark.parametrize("text", [
    "每天晚上九点以后还有人砸杠铃",  # how often, not how long
    "一天三次来回跑",
    "请三天内答复",
    "跟上个月一模一样，凌晨两点被熏醒",  # another time it happened
    "上个月整治了一阵，现在又跟以前一样",  # dealt with before: it is back, a new incident
    "采石场停了一个月，这几天又开始放炮了",
    "上个礼拜好了两天，这两天又是黄汤一样",
    "桥头的路灯上月初电工来接过线，亮了一个月，前天起又全灭了",  # mended, lit a month, dark again: a new incident
    "新华小区里面污水横流，昨天就有人报了，还没人来抽。",  # chased a day after: the window holds it
    "我打过电话了，请尽快处理",  # reported before, and nothing said of what came of it
    "每晚在店外摆桌，喧哗声持续到凌晨两三点",  # until when, each night
    "小区从昨晚十一点左右开始停水，至今未恢复",  # since last night: the window holds it
    "邻居建房占了宅基地约一米宽，多次协商无果，请求村里调解",  # dealt with the other party: often the first report
    "一楼住户养的大狗夜里狂吠，和他沟通多次无果",
])
def test_a_report_of_its_matter_coming_back_tells_no_lasting(text: str) -> None:
    assert told_lasting(text, FRIDAY) == timedelta(0)


FIRST = Report(id="a", text="解放路新华小区大门口人行道上的井盖没了，就剩一个黑窟窿，差点踩进去。",
               address="解放路新华小区门口", reported_at=FRIDAY)


def _later(text: str, days: float) -> Report:
    return Report(id="b", text=text, address="新华小区门口", reported_at=FRIDAY + timedelta(days=days))


def test_a_condition_told_as_lasting_since_the_first_report_is_that_incident() -> None:
    chaser = _later("新华小区门口的井盖没了快十天了，上周打过电话，到现在还没人管，黑窟窿还在。", days=9)
    assert find_duplicates([FIRST, chaser]) == [None, "a"]


def test_the_same_condition_told_as_new_weeks_later_is_another_incident() -> None:
    again = _later("新华小区门口的井盖又没了，昨天晚上被人偷了，黑窟窿很危险。", days=9)
    assert find_duplicates([FIRST, again]) == [None, None]


def test_a_condition_lasting_less_than_the_time_since_is_another_incident() -> None:
    again = _later("新华小区门口的井盖没了两天了，黑窟窿很危险，请尽快补上。", days=20)
    assert find_duplicates([FIRST, again]) == [None, None]


def test_what_a_report_says_it_lasted_counts_up_to_the_policys_longest() -> None:
    policy = DuplicatePolicy()
    assert policy.reach(timedelta(days=200)) == policy.max_lasting + policy.window
    assert policy.reach(timedelta(0)) == policy.widest


ON_THE_ROAD = Report(id="a", text="解放路人行道上的井盖没了，就剩一个黑窟窿，差点踩进去。", address="解放路",
                     reported_at=FRIDAY)


def test_a_chaser_naming_no_time_joins_past_the_window_only_at_a_spot_both_name() -> None:
    # the time it is taken to have lasted is a guess: a road is as wide as two manholes
    chaser = Report(id="b", text="解放路的井盖上次说来看看，到现在还没人来修。", address="解放路",
                    reported_at=FRIDAY + timedelta(days=9))
    assert find_duplicates([ON_THE_ROAD, chaser]) == [None, None]
    at_the_gate = _later("新华小区门口的井盖上次说来看看，到现在还没人来修，黑窟窿还在。", days=9)
    assert find_duplicates([FIRST, at_the_gate]) == [None, "a"]


def test_a_chaser_telling_its_time_joins_past_the_window_on_a_road() -> None:
    told = Report(id="b", text="解放路的井盖没了快十天了，到现在还没人来修。", address="解放路",
                  reported_at=FRIDAY + timedelta(days=9))
    assert find_duplicates([ON_THE_ROAD, told]) == [None, "a"]


@pytest.mark.parametrize(("text", "days"), [
    ("我上上个礼拜打过电话，就是路灯不亮那个事", 18),  # a Friday: the week before last began 18 days before
    ("之前报的林场砍树那个事，今天上山一看又少了一片。", 14),  # a report told as an earlier time's
    ("之前打电话说过小区门口乱停车堵消防通道，交警来贴过一次条，第二天又停满了。", 14),
    ("上回反映的那个废品站，现在更多了", 14),
    ("村里那个占路盖房子的，镇里来看过说要处理，到底处理没有？", 14),  # an official's visit before
    ("我家门口那个坑到底什么时候填？打了好几个电话了。", 14),  # calls made before
])
def test_a_report_chasing_an_earlier_one_tells_how_far_back(text: str, days: int) -> None:
    assert told_lasting(text, FRIDAY) == timedelta(days=days)


def test_a_profile_takes_the_lasting_its_caller_read_already() -> None:
    """Intake reads `lasting_told` once, for how far back to look, and hands it to the profile: the
    profile is the one it would read itself."""
    at = datetime(2026, 5, 7, 9, 0, tzinfo=UTC)
    for text in ("路灯坏了一周了还没修", "上次说来看看，也没看到人来", "今天早上停水了"):
        report = Report(id="a", text=text, reported_at=at)
        told = lasting_told(text, at)
        assert profile(report, told=told) == profile(report)
        assert (profile(report, told=told).lasting, profile(report, told=told).lasting_assumed) == told


@pytest.mark.parametrize(("text", "told"), [
    ("悦动健身的事，我前几天在12315登记过，现在什么进展？", (timedelta(days=5), False)),  # 前几天: a few days ago
    ("前两天就停水了，到现在也没来", (timedelta(days=2), False)),
    ("之前提前三天通知过", (timedelta(0), False)),  # 提前 / 之前 are no time ago
    ("红岩村村民来访，称已打过12345未得答复", (timedelta(days=14), True)),  # a visit's record of a chase
    ("村里协调多次无果，之前反映过", (timedelta(days=14), True)),
    ("电梯上上个礼拜才修好，今天早上又不动了", (timedelta(0), False)),  # mended since: a new breakdown
    ("路灯修好没几天又不亮了，上周四就报过", (timedelta(0), False)),
    ("路灯还没修好，上周四就报了", (timedelta(days=7), False)),  # 还没修好 is no mending
])
def test_times_ago_chases_and_mending_as_said(text: str, told: tuple[timedelta, bool]) -> None:
    assert lasting_told(text, datetime(2026, 5, 7, 9, 0, tzinfo=UTC)) == told  # a Thursday


def test_what_is_at_a_gate_is_what_happened_not_a_spot_told_from() -> None:
    assert "garbage" in incident_kinds(without_spots_told_from("上个礼拜说的那堆建筑垃圾还在门口，一点没动"))
    assert not incident_kinds(without_spots_told_from("工地门口的车辆出不来"))
