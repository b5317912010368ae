"""Place references normalised into keys that compare across wordings, for 并单 (`intake.duplicates`).

People name one spot in different words: the corner of two roads as 人民路和二中路交叉口, 二中路跟人民路那个十字
路口, 人民路二中路口 or 二中路与人民路交汇处; a spot by what it is beside, 农行后面 / 农业银行背后 / 二中门口那个
路口. The gazetteer's own places are read elsewhere (`intake.places`); these keys are what is left once
they are blanked:

- a junction: the set of its two roads, whatever the order, the word between them or the word for the
  corner (路口, 交叉口, 交汇处, 交口, 拐角, 十字路口);
- an anchor: the name a position word follows (门口, 门前, 对面, 后面, 旁边, 那个路口 …), with the county's
  prefix dropped and the common short forms of institutions read as one (农业银行 / 农行, 第二中学 / 二中).

Two reports sharing a key are at one spot; keys never tell two places apart (a spot is told from more
than one neighbour).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# A road by the two characters before its road word (清河大道, 二中路, 县前街): both reports read the same
# two characters, however far left the name really goes (滨江一路 → 江一路 in each).
_ROAD = r"[\u4e00-\u9fff]{2}(?:大道|路|街)"
_CORNER = r"(?:交叉路口|交叉口|交叉处|交叉|交汇处|交汇口|交汇|交口|十字路口|十字口|丁字路口|路口|拐角|转角|口)"
_JUNCTION = re.compile(
    rf"({_ROAD})(?:[东西南北][段头端])?(?:和|与|跟|同|及|、|/)?({_ROAD})(?:的|那个|这个|那|这)?{_CORNER}")

# A house number on a road (解放路45号, 解放路45号院; not 5号楼, a building of a compound).
_DOOR = re.compile(rf"({_ROAD}|[\u4e00-\u9fff]{{2}}巷)\s*([0-9]{{1,4}})\s*号(?!楼)")

# Words of position after the name of what a spot is told from. A bare 路口 is left out: 二中路口 is the
# corner of 二中路, not a spot beside 二中.
_POSITION = re.compile(
    r"(?:正门口|大门口|门口|门前|大门|正门|后门|侧门|斜对面|对面|对过|旁边|隔壁|后面|后头|背后|"
    r"那个路口|这个路口|的路口|那个十字路口)")
# Characters that end a name read back from a position word: particles, pronouns, verbs, counts.
# A road's word ends a name too (县前街农业银行 is 农行 on 县前街), and 口 (门口那个路口 is told from the gate).
_BREAK = frozenset("的了在是到从往把被和与跟及旁那这个条内外说去来住过称我们你他她有没就都也还又要上下一家楼"
                   "路街巷道口")
_LONGEST = 6
_PREFIXES = ("县城", "县")  # people drop the county's word (县二中 / 二中)
# Institutions' short forms, as people say them.
_SHORT_FORMS = {"农业银行": "农行", "工商银行": "工行", "建设银行": "建行", "中国银行": "中行",
                "农商银行": "农商行", "邮政局": "邮局",
                "第一中学": "一中", "第二中学": "二中", "第三中学": "三中", "第四中学": "四中"}
# Names that are a word for any place, not one place: two reports beside "the compound" are not at one.
_ANY_PLACE = frozenset({
    "小区", "学校", "医院", "超市", "商店", "店", "厂", "工厂", "工地", "公司", "村", "村口", "社区",
    "单位", "银行", "市场", "路", "马路", "大路", "公路", "路边", "街上", "镇上", "楼", "楼道", "单元",
    "小卖部", "饭店", "餐馆", "门面", "车站", "公园", "广场", "幼儿园", "小学", "中学", "站台", "公交站",
    "菜市场", "菜场", "宿舍", "老小区", "宾馆", "酒店",
})


@dataclass(frozen=True)
class PlaceKeys:
    junctions: frozenset[frozenset[str]] = frozenset()  # each corner named, as its two roads
    anchors: frozenset[str] = frozenset()  # what spots are told from (二中, 农行, 新华书店)
    doors: frozenset[str] = frozenset()  # house numbers on a road (解放路45号)


NO_KEYS = PlaceKeys()


def place_keys(text: str, rest: str) -> PlaceKeys:
    """The keys of the places `text` names: junctions read from `text`, anchors from `rest` (the text
    with the gazetteer's places blanked, so that a gazetteer place is not read again here: a compound
    told from is its community's, `intake.places`)."""
    text = unicodedata.normalize("NFKC", text)
    junctions = frozenset(frozenset((m.group(1), m.group(2))) for m in _JUNCTION.finditer(text)
                          if m.group(1) != m.group(2))
    doors = frozenset(f"{m.group(1)}{int(m.group(2))}号" for m in _DOOR.finditer(text))
    text = unicodedata.normalize("NFKC", rest)
    anchors = set()
    for m in _POSITION.finditer(text):
        start = m.start()
        while (start > 0 and m.start() - start < _LONGEST and "\u4e00" <= text[start - 1] <= "\u9fff"
               and text[start - 1] not in _BREAK):
            start -= 1
        name = _normalised(text[start:m.start()])
        if len(name) >= 2 and name not in _ANY_PLACE:
            anchors.add(name)
    if not junctions and not anchors and not doors:
        return NO_KEYS
    return PlaceKeys(junctions, frozenset(anchors), doors)


def _normalised(name: str) -> str:
    for prefix in _PREFIXES:
        if name.startswith(prefix) and len(name) - len(prefix) >= 2:
            name = name[len(prefix):]
            break
    for long, short in _SHORT_FORMS.items():
        if name.endswith(long):
            return name[: -len(long)] + short
    return name


def shared_key(a: PlaceKeys, b: PlaceKeys) -> tuple[str, str] | None:
    """The spot both name by a key, as ("junction", "路A/路B") or ("anchor", name); else None."""
    junctions = a.junctions & b.junctions
    if junctions:
        return "junction", "/".join(sorted(min(junctions, key=sorted)))
    doors = a.doors & b.doors
    if doors:
        return "door", min(doors)
    anchors = a.anchors & b.anchors
    if anchors:
        return "anchor", max(anchors, key=lambda n: (len(n), n))
    return None
