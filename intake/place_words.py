"""Places read from an appeal's words without the gazetteer, for 并单 (`intake.duplicates`): names before
a place word (建设路, 幸福里小区), sub-places (5栋, 三组), the places an address names at each level, house
numbers, road ends, quoted names and trades; and a text with the places it names blanked."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from functools import lru_cache

from intake.incident_kinds import incident_kinds

# Words channels and operators wrap around what the citizen said; they say nothing of the incident.
_BOILERPLATE = re.compile(
    r"【[^】]{0,12}】|来电人?(?:称|反映|咨询|表示)?|市民来电|村民来电|居民来电|网友发布视频|网民|消费者投诉|"
    r"来访|反映|投诉|请求|要求|希望|请|尽快|相关部门|处理|谢谢|你好|您好|有没有人管|有人管吗"
)


_NOT_CJK_OR_ALNUM = re.compile(r"[^\w]+")


# A named place: a name of 2-6 characters before a place word. Longest suffixes first.
_PLACE_SUFFIX = (
    "街道", "社区", "小区", "大道", "广场", "公园", "市场", "中学", "小学", "幼儿园", "医院", "卫生院", "宿舍",
    "花园", "名苑", "华庭", "大楼", "大厦", "中心", "家属院", "家属区", "工业园", "工业区", "开发区", "园区", "超市",
    "路口", "水库", "大桥", "码头", "渡口", "林场",
    "路", "街", "巷", "村", "镇", "乡", "苑", "园", "城", "湾", "港", "桥", "站", "厂", "店",
)


_SUFFIX_RE = "|".join(sorted(_PLACE_SUFFIX, key=len, reverse=True))


_PLACE = re.compile(rf"([\u4e00-\u9fff]{{1,6}}?)(?:{_SUFFIX_RE})")


# Characters that end a place name on the left: verbs and particles, not names.
_NAME_BREAK = frozenset("的了在是到从往把被和与跟及旁附近那这个条内外说去来住过称响影我们你他她有没就都也还又要")


_COARSE = frozenset({"镇", "乡", "街道", "城"})


_GENERIC_PLACES = frozenset({
    "马路", "公路", "道路", "小路", "大路", "主路", "村道", "街道", "社区", "小区", "村里", "镇上", "乡里", "路口",
    "路边", "街上", "村口", "门口", "城里", "县城", "那边", "这边", "旁边", "边上",
    "超市", "工厂", "公园", "广场", "车站", "医院", "学校", "门店", "商店",
})


# A sub-place inside a named place: a building, unit or villagers' group. Two reports naming
# different ones are about different things (5栋's lift is not 3栋's).
# A list names each (3、4组 is 3组 and 4组).
_SUBPLACE = re.compile(r"((?:[0-9一二三四五六七八九十两]{1,3}[、,和及])*[0-9一二三四五六七八九十两]{1,3})\s*"
                       r"(栋|号楼|#楼|幢|单元|村民小组|小组|组)(楼?)")


_LIST_MARK = re.compile("[、,和及]")


_BUILDING, _BUILDING_WORDS = "栋", frozenset({"栋", "号楼", "#楼", "幢"})  # one building, however it is told


_CN_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"两": 2}


def _cn_number(token: str) -> int:
    if token.isdigit():
        return int(token)
    if token == "十":
        return 10
    if "十" in token:
        tens, _, ones = token.partition("十")
        return (_CN_DIGITS.get(tens, 1) if tens else 1) * 10 + (_CN_DIGITS.get(ones, 0) if ones else 0)
    return _CN_DIGITS.get(token, -1)


_SUFFIX_AT = re.compile(rf"(?=({_SUFFIX_RE}))")


# The last character of the word of a place that holds others (社区, 村, 镇, 乡): a name holds it only
# at its end, before its own place word (西岭社区老街 names 老街, not 区老街 or 社区老街; 开发区大道 is one).
_ENDS_A_HOLDER = frozenset("区村镇乡")


def place_names(text: str) -> set[str]:
    """Named places in `text` (建设路, 幸福里小区, 河口村 …). A name's left edge is unknown
    without a dictionary, so each place word yields the names of 2 to 4 characters before it
    (过建设路 -> 建设路, 过建设路); place words inside a name count too (南桥工业园)."""
    names: set[str] = set()
    for chunk in _NOT_CJK_OR_ALNUM.split(unicodedata.normalize("NFKC", text)):
        for m in _SUFFIX_AT.finditer(chunk):
            suffix, before = m.group(1), chunk[max(0, m.start() - 6):m.start()]
            if not before or not "\u4e00" <= before[-1] <= "\u9fff":
                continue
            for size in range(2, min(4, len(before)) + 1):
                stem = before[-size:]
                name = stem + suffix
                if (name not in _GENERIC_PLACES and name not in _PLACE_SUFFIX and stem not in _GENERIC_PLACES
                        and not _NAME_BREAK.intersection(stem) and not _ENDS_A_HOLDER.intersection(stem[:-1])
                        and all("\u4e00" <= c <= "\u9fff" for c in stem)):
                    names.add(name)
    return names


def _stems(names: Iterable[str]) -> set[str]:
    """The bare names (幸福里 of 幸福里小区) of specific places, to look for in the other text;
    townships and the county are too coarse to say two reports are at one place."""
    stems = set()
    for name in names:
        for suffix in _PLACE_SUFFIX:
            if name.endswith(suffix) and suffix not in _COARSE and len(name) - len(suffix) >= 2:
                stems.add(name[: -len(suffix)])
                break
    return stems


def _subplaces(text: str) -> frozenset[tuple[str, int]]:
    found = set()
    for numbers, kind, building in _SUBPLACE.findall(unicodedata.normalize("NFKC", text)):
        for number in _LIST_MARK.split(numbers):
            if building and number in ("一", "两"):
                continue  # 一栋楼, 两栋楼: a count of buildings, not 1栋
            value = _cn_number(number)
            if value >= 0:
                found.add((_BUILDING if kind in _BUILDING_WORDS else "组" if kind.endswith("组") else kind, value))
    return frozenset(found)


def _is_coarse(name: str) -> bool:
    return any(name.endswith(s) for s in _COARSE)


# Levels of named place at which two addresses naming different places are two places: villages
# and communities, roads, compounds. Landmarks are left out: they go by many names (汽车站 / 客运站).
_ROADS = ("大道", "路", "街", "巷")


_LEVELS = (("社区", "村"), _ROADS,
           ("小区", "花园", "名苑", "华庭", "家园", "公寓", "家属院", "家属区", "大厦", "苑", "新村", "湾"))


def _address_levels(address: str | None) -> tuple[frozenset[str], ...]:
    """The places an address names at each of `_LEVELS` (townships left out)."""
    names = {n for n in place_names(address) if not _is_coarse(n)} if address else set()
    return tuple(frozenset(n for n in names if n.endswith(level)) for level in _LEVELS)


_SUFFIX_NEXT = re.compile(_SUFFIX_RE)


# What may follow a bare name that stands for the place (新华 / 新华那边 / 新华门口), not for another
# place it begins (江边 of 江边村 in 沙洲村江边晚上; 文昌 of 文昌路 in 文昌花苑).
_AFTER_NAME = _NAME_BREAK | frozenset("边旁门口前后上下里内外东西南北对侧段头楼栋号组一馆区场院所站局厂店")


def _mentions(text: str, stem: str, others: tuple[str, ...] = ()) -> bool:
    """`text` names the place whose bare name is `stem`: it occurs followed by a place word, a word
    of position or direction, a particle or nothing (not by more of another name, nor by one of
    `others`: the place words of other places of its level — 锦绣 of 锦绣大厦 in 锦绣华庭)."""
    at = text.find(stem)
    while at >= 0:
        end = at + len(stem)
        if (end >= len(text) or not "\u4e00" <= text[end] <= "\u9fff" or text[end] in _AFTER_NAME
                or (_SUFFIX_NEXT.match(text, end) and not text.startswith(others, end))):
            return True
        at = text.find(stem, at + 1)
    return False


@lru_cache(maxsize=4096)
def _other_kinds(names: frozenset[str], level: tuple[str, ...]) -> tuple[str, ...]:
    """The place words of `level` that none of `names` ends with, but 小区 (any compound is one)."""
    return tuple(w for w in level if w != "小区" and not any(n.endswith(w) for n in names))


def _apart(mine: frozenset[str], theirs: frozenset[str], my_text: str, their_text: str,
           level: tuple[str, ...] = ()) -> bool:
    """Both addresses name places of one level, and neither's place (nor its bare name) is among the
    other's places of that level or in the other's text. (Not in its whole address: 金湖社区 is no
    sign that 御景湾小区 is 金湖湾小区.)"""
    if not mine or not theirs or mine & theirs:
        return False
    their_side, my_side = "|".join(theirs) + "|" + their_text, "|".join(mine) + "|" + my_text
    mine_not, theirs_not = _other_kinds(mine, level), _other_kinds(theirs, level)
    return not (any(_mentions(their_side, stem, mine_not) for stem in _address_stems(mine))
                or any(_mentions(my_side, stem, theirs_not) for stem in _address_stems(theirs)))


@lru_cache(maxsize=4096)
def _address_stems(names: frozenset[str]) -> frozenset[str]:
    """`_stems` of an address's places of one level (the same few for every comparison in intake)."""
    return frozenset(_stems(names))


_COMMON_WORD_IDF = 3.5  # a two-character "name" this common in appeals is a word (晚上, 门口), not a place


def _specific_stems(names: Iterable[str], idf: dict[str, float] | None) -> frozenset[str]:
    # (Not the channels' own words, which the background never shows: 反映 of 反映工业园 is no name.)
    stems = {s for s in _stems(names) if not _BOILERPLATE.fullmatch(s)}
    if idf:
        stems = {s for s in stems if len(s) > 2 or idf.get(s, _COMMON_WORD_IDF) >= _COMMON_WORD_IDF}
    return frozenset(stems)


_TOWNSHIPS = ("镇", "乡", "街道")


def _without_townships(where: str, coarse: Iterable[str]) -> str:
    """`where` without the townships it names: 凤鸣 in 凤鸣街道 is no sign of 凤鸣广场."""
    for name in sorted((n for n in coarse if n.endswith(_TOWNSHIPS)), key=_longest_first, reverse=True):
        where = where.replace(name, " ")
    return where


# The alternation of every alias of a table, longest first, per table (built once, like _UNSEEN_WEIGHTS).
_ALIAS_PATTERNS: dict[int, tuple[Mapping[str, str], re.Pattern[str]]] = {}


def _canonical_places(text: str, aliases: Mapping[str, str] | None) -> str:
    """`text` with each place named by one of its aliases named by its own name (客运站 → 县汽车站)."""
    if not aliases:
        return text
    entry = _ALIAS_PATTERNS.get(id(aliases))
    if entry is None or entry[0] is not aliases:
        if len(_ALIAS_PATTERNS) >= 16:
            _ALIAS_PATTERNS.clear()
        pattern = re.compile("|".join(map(re.escape, sorted(aliases, key=len, reverse=True))))
        entry = _ALIAS_PATTERNS[id(aliases)] = (aliases, pattern)
    return entry[1].sub(lambda m: aliases[m.group(0)], text)


# Everyday words for a kind of place → the word its name ends with (买菜的菜市场 is the 农贸市场).
_COMMON_PLACE_NAMES = {"菜市场": "农贸市场", "菜场": "农贸市场"}


_COMMON_PLACE_WORDS = re.compile("|".join(_COMMON_PLACE_NAMES))


_HOUSE_NUMBER = re.compile(
    r"[0-9一二三四五六七八九十两]{1,4}\s*(?:号楼|号|栋|幢|单元|组)(?:附近|旁边|门口|对面)?|附近|旁边|对面")


def _without_places(text: str, names: Iterable[str]) -> str:
    """`text` without the places it names and house numbers: two reports at one place share those
    words whatever happened there (解放路12号附近 停水 / 解放路12号附近 路灯坏); the place is weighed apart."""
    for name in sorted(names, key=_longest_first, reverse=True):
        text = text.replace(name, " ")
    return _HOUSE_NUMBER.sub(" ", text)


def _longest_first(name: str) -> tuple[int, str]:
    """The longest name, ties broken by the name itself (not by set order, which varies per process)."""
    return len(name), name


# One end or stretch of a road (解放路东头, 清河大道南段): a road is long, two ends are two places.
_ROAD_END = re.compile(r"(?:路|街|大道|巷)的?([东西南北])(?:头|段|端)")


# A house number on a road (人民路1号, 清河大道 200 号; not 5号楼, a building, nor 3号院): the road by the
# two characters before its road word.
_DOOR = re.compile(r"([\u4e00-\u9fff]{2}(?:大道|路|街|巷))\s*([0-9]{1,4})\s*号(?![楼院])")


_DOORS_NEAR = 10  # numbers this close are one stretch of the road (1号 / 3号: two doors of one spot)


def _doors(text: str) -> frozenset[tuple[str, int]]:
    return frozenset((road, int(number)) for road, number in _DOOR.findall(text))


# A business told by its trade: the one or two characters before 厂 / 店 (服装厂, 鞋厂, 蛋糕店), not a
# word for any business (工厂, 商店, 门店), a count (一家店), a verb (闭店, 进厂) or a size (小店, 老厂);
# a 厂房 is a building. Also a registered company's (服饰 of 恒达服饰有限公司; not 物业公司 or 供水公司, which
# every kind of report calls on), and a shop told by what it sells (鞋 of 卖鞋的店, 水果 of 卖水果的).
_TRADE = re.compile(r"([\u4e00-\u9fff]{1,2})(?:厂(?!房)|店|有限公司)|卖([\u4e00-\u9fff]{1,2})的(?:店|摊|铺)?"
                    r"|做([\u4e00-\u9fff]{1,4})的(?:厂|工厂|公司)|([\u4e00-\u9fff]{1,2})摊(?![子位贩点主])")


_NO_TRADE = frozenset("工商门分总本家个一两几这那该此某" "开关闭停进到入出回建全" "小大新老" "地")


# Words before 店 or 厂 that name no trade (购物店 is any shop a guide takes tourists to).
_NOT_TRADES = frozenset({"购物", "零售", "门市", "专卖", "实体", "网点"})


def _trades(text: str) -> frozenset[str]:
    found = set()
    for m in _TRADE.finditer(text):
        trade = m.group(1) or m.group(2) or m.group(3) or m.group(4)
        cut = max((i + 1 for i, c in enumerate(trade) if c in _NAME_BREAK or c in _NO_TRADE), default=0)
        if trade[cut:] and trade[cut:] not in _NOT_TRADES:
            found.add(trade[cut:])
    return frozenset(found)


# A name in quotation marks: 2-6 characters, no pronoun or particle of speech (“还我血汗钱” is a slogan).
_QUOTED = re.compile(r"[“「『\"]([\u4e00-\u9fff]{2,6})[”」』\"]")


_SPEECH = frozenset("我你他她们的了吗呢吧啊")


def _blank(m: re.Match[str]) -> str:
    """A quoted name as blanks for the gazetteer: the 码头 of “老码头饭庄” is no 码头."""
    return " " * len(m.group(0))


def _quoted_names(text: str) -> frozenset[str]:
    """Names in quotation marks (“好味来”), not words quoted that say what happened (a notice on a shut
    door, “装修暂停营业”)."""
    return frozenset(n for n in _QUOTED.findall(text) if not _SPEECH.intersection(n) and not incident_kinds(n))


_WIDE = (*_ROADS, "社区")  # roads and urban communities hold many spots
