"""How far back a report says its matter goes, for 并单 (`intake.duplicates`): the condition has
lasted so long (坏了一周, 信号没了快一个礼拜了, 已经拖了两个月, 垮桥三天了), or it was reported before
at a time it names (上周四我打过电话, 四天前我就打过电话, 我31号就报过了, 自9月停工至今), or it chases a
report made before and nothing came of it (上次说来看看，也没看到人来), or tells of it as standing long (长期被
占, 乱象持续, 反映过多次) with no time said: up to two weeks.

A report of a condition that has lasted a week is the incident of a report made a week ago, not a new
one: the time the two are apart is counted from when the later one says it began. The same place and
matter weeks later is still another incident when the later report tells of it as new (昨晚又坏了).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timedelta

_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def _number(said: str) -> int | None:
    """A count as written: 3, 三, 十二, 二十, 几 / 好几 (taken as 5), 一两 (2), 半 (0: half a unit)."""
    if said.isdigit():
        return int(said)
    if said in ("几", "好几", "十几"):
        return 15 if said == "十几" else 5
    if said == "半":
        return 0
    if len(said) == 2 and all(c in _DIGITS for c in said):  # 一两, 两三, 三四: the larger
        return max(_DIGITS[c] for c in said)
    if "十" in said:
        tens, _, ones = said.partition("十")
        return (_DIGITS.get(tens, 1) if tens else 1) * 10 + (_DIGITS.get(ones, 0) if ones else 0)
    return _DIGITS.get(said) if len(said) == 1 else None


_UNIT_DAYS = {"天": 1, "日": 1, "夜": 1, "晚": 1, "晚上": 1, "宿": 1, "星期": 7, "礼拜": 7, "周": 7, "月": 30}

_NUM = "(?P<n>\\d{1,3}|好几|十几|[一二两三四五六七八九十几]{1,3}|半)来?"
_UNIT = "(?P<half>个?半)?个?多?(?P<u>天|日|夜|晚上|晚|宿|星期|礼拜|周|月)(?P<more>多|有余)?"

# A span of time the condition has lasted: a count of days, weeks or months said as lasting so far —
# after a word of duration (已经, 快, 持续, 拖了, 坏了 …) or before one (了, 没人管, 都, 还, 以来 …) —,
# or ago (三天前, 前几天, 前两天; not 之前 / 提前). Not a frequency (每天, 一天三次), a deadline (三天内) or what
# comes after (一周后).
_SPAN = re.compile(
    "(?P<before>已经|已|快|(?<!最)近|将近|都|持续|连续|整整|足足|了|有|过去|拖|这|(?<![之提])前)?" + _NUM + _UNIT
    + "(?P<after>前|了|没|都|还|也|不|仍|无|以来|至今|一直|过去|时间了)?")

# A report made before, on a weekday of last week (上周四, 上个礼拜三), on a day of the month (我31号就报过了,
# 9号打过的), or since a month (自9月停工至今, 10月份开始); not
# last month alone (跟上个月一样 is another time it happened).
_LAST_WEEK = re.compile("(?P<two>上)?上个?(?:周|星期|礼拜)(?P<d>[一二三四五六日天])?")  # 上上个礼拜: two weeks back
_DAY_OF_MONTH = re.compile("(?P<d>\\d{1,2})(?:号|日)(?:就|那天|晚上|早上|上午|下午)?(?:打|报|反映|投诉|开始|起|以来)")
_SINCE_MONTH = re.compile("(?:自|从)(?P<m>\\d{1,2}|[一二三四五六七八九十]{1,2})月|"
                          "(?P<m2>\\d{1,2}|[一二三四五六七八九十]{1,2})月份?(?:初|中|底)?(?:就|起|开始|以来|至今)")
# A report that says the matter was dealt with, or stopped, for a while before (上个月整治了一阵, 停了一个月,
# 协调后好了一阵子), or put right lately (上上个礼拜才修好, 修好没几天): it tells of its coming back, a new
# incident, whatever spans of time it names (上上个礼拜 is then when it was mended, not when it began).
_DEALT_WITH_BEFORE = re.compile(
    "处理(?:了|过|后)|整治|查(?:完|处)|协调(?:后|过|了)|打击|装了|坚持了|修好(?:了|过|后|以后|没(?:几|多久|两|一))|(?:才|刚|已经?)修好|"
    "(?:停|好|亮|消停|安静|管)了(?:一阵|一段|些|[一两二三四五六七八九十几半]+)")
_WEEKDAYS = "一二三四五六日"
# A matter told as standing a long time, or reported again and again, with no time said (长期被占, 乱象持续,
# 多次向社区反映, 投诉好几次了): taken as lasting as long as a chaser's. Not what the citizen did with the
# other party again and again (多次协商未果, 沟通多次无果, 多次讨要): as often told by the first report of a
# matter (10 of the 18 reports of sets a-i, l, m, o, r, v, x and z so told were the first of their incident).
_LONG = re.compile("长期|常年|持续(?!到)|至今未|迟迟|"
                   "(?:多次|屡次|反复|一再)(?:向|到|去|找|给|打)?[^，。,！!？?]{0,6}?"
                   "(?:反映|投诉|举报|来电|致电|电话|热线|上报|报修|报过)|"
                   "(?:反映|投诉|举报|报修|打电话)(?:过|了)?(?:多次|屡次|好多次|好几次)")

# A report chasing one made before that it names no time of: it tells of the report (上次说来看看, 我已经报过
# 一次, 反映两次了, 网格员拉了根绳子, 在12315登记过) and that nothing came of it (还没修, 到现在, 照样停, 一点改变都
# 没有; as a visit's record puts it: 未得答复, 协商无果, 一点没动).
_REPORTED_BEFORE = re.compile("(?:打|报|反映|投诉|说|举报|来电|致电|登记)(?:过|了)|"
                              "(?:打|报|反映|投诉|来电|致电)了?[一两二三几好多]+次|"
                              "上(?:次|回)(?:说|讲|来|报|反映|打)|"
                              "(?:网格员|社区|物业|城管|供电所|村里|镇上)(?:来)?(?:看了|拉了|说了|协调了|来过)")
_NOTHING_CAME_OF_IT = re.compile("还没|还是|到现在|至今|仍然|仍在|照样|依然|没人(?:来|管|理)|一点(?:改变|进展|动静)|"
                                 "没(?:有)?(?:解决|处理|结果|下文|回音|回复|动静|改变)|没(?:看到|见)(?:人|动静)|不了了之|"
                                 "未(?:得到?|获|见|有)?(?:答复|回复|回音|解决|处理|结果|改善|整改)|无果|未果|一点没动")
# ... or that tells of a report made before as an earlier time's (之前报的…那个事, 上回反映的, 之前打电话说过),
# of an official's visit since (镇里来看过说要处理) or of calls made (打了好几个电话), whatever it says came of it.
_EARLIER_REPORT = re.compile("(?:之前|上次|上回|前段时间|前阵子|前些天|早就|先前|此前)(?:已经?|就|也|都)?"
                             "[^，。,！？!?]{0,3}?(?:打过?|报过?的|报了|反映|投诉|举报|来电|致电|说过)|"
                             "(?:网格员|社区|物业|城管|供电所|村里|村委会?|镇上|镇里|街道|交警|派出所)(?:的人)?来?(?:看过|来过)|"
                             "打了?[一两二三几好多]+(?:个|通)电话")
# ... unless it says the report was lately (昨天就有人报了): up to this long after the report it chases.
_LATELY = re.compile("昨天|昨晚|前天|前晚|前两天|今天早上|今早|刚才|刚刚|上午")
_CHASED_WITHIN = timedelta(days=14)


def came_back(text: str) -> bool:
    """The report says its matter was dealt with, or stopped, for a while before (`_DEALT_WITH_BEFORE`), not
    as what it asks for (请核查处理, 要求依法查处, 希望整治)."""
    said = unicodedata.normalize("NFKC", text)
    return any(not _ASKED.search(said, _clause_start(said, m.start()), m.start())
               for m in _DEALT_WITH_BEFORE.finditer(said))


def _clause_start(text: str, at: int) -> int:
    """Where the clause holding `at` begins (after the last mark of punctuation before it); an ask reaches across
    the clause (请镇里联系水利、自然资源部门查处), not into the sentence before."""
    return max(text.rfind(mark, 0, at) for mark in "，,。；;！!？?") + 1


_ASKED = re.compile("请|要求|希望|建议|尽快|依法|予以|核|督促|协调")


def told_lasting(text: str, reported_at: datetime) -> timedelta:
    """How long before `reported_at` the report says its matter began or was first reported (zero when
    it says nothing of it): the longest it tells. Counts of days, weeks, months; 上周X; a day of the
    month; since a month."""
    return lasting_told(text, reported_at)[0]


def lasting_told(text: str, reported_at: datetime) -> tuple[timedelta, bool]:
    """`told_lasting`, and whether that time is assumed (a chaser's or a matter told as standing long
    with no time said: `_CHASED_WITHIN`) rather than told."""
    said = unicodedata.normalize("NFKC", text)
    if came_back(said):
        return timedelta(0), False
    days = 0.0
    for m in _SPAN.finditer(said):
        before, after = m.group("before"), m.group("after")
        if not before and not after:
            continue  # 一天三次, 每天: not how long it has lasted
        if after == "前" and m.group("u") == "月":
            continue  # 两个月前 is when it was bought or signed, as often as when it began
        n = _number(m.group("n"))
        if n is None:
            continue
        unit = _UNIT_DAYS[m.group("u")]
        count = n + (0.5 if m.group("half") or m.group("n") == "半" else 0) + (0.5 if m.group("more") else 0)
        days = max(days, count * unit)
    weekday = reported_at.weekday()
    for m in _LAST_WEEK.finditer(said):
        d = m.group("d")
        weeks = 14 if m.group("two") else 7
        days = max(days, weeks + weekday - (_WEEKDAYS.index(d) if d and d != "天" else (6 if d else 0)))
    for m in _DAY_OF_MONTH.finditer(said):
        d = int(m.group("d"))
        if 1 <= d <= 31:
            days = max(days, reported_at.day - d if d <= reported_at.day else reported_at.day + 30 - d)
    for m in _SINCE_MONTH.finditer(said):
        month = _number(m.group("m") or m.group("m2"))
        if month is not None and 1 <= month <= 12:
            back = (reported_at.month - month) % 12
            days = max(days, back * 30 + reported_at.day)
    if not days and not _LATELY.search(said) and (
            (_REPORTED_BEFORE.search(said) and _NOTHING_CAME_OF_IT.search(said)) or _EARLIER_REPORT.search(said)
            or _LONG.search(said)):  # (not 从昨晚开始停水，至今未恢复, nor 喧哗声持续到凌晨: _LATELY)
        return _CHASED_WITHIN, True  # it chases a report, or tells of a matter standing long, and says no time of it
    return timedelta(days=days), False
