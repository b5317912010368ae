"""Named businesses and institutions in an appeal's words, for 并单: a name the gazetteer does not
hold, followed by the word of its trade (悦动健身, 鑫发超市, 妇幼保健院, 丽人坊, 恒达服饰有限公司).

Two reports naming one business are at one place, wherever they say it is or do not; two reports
each naming a business the other does not mention are at two. A name's left edge is unknown without
a dictionary: it is read back from the trade word to a word that cannot be part of a name (a particle,
a verb of the report, a place word), at most `_LONGEST` characters, and the county's prefix (县) is
dropped, as people drop it (县妇幼保健院 / 妇幼).
"""

from __future__ import annotations

import re

# The words a business or institution's name ends with, longest first where one holds another.
_TRADE_WORDS = (
    "健身房", "健身中心", "健身馆", "健身", "瑜伽馆", "游泳馆", "培训学校", "培训中心", "培训机构", "培训班", "教育",
    "幼儿园", "托育中心", "托管中心", "驾校", "保健院", "医院", "诊所", "门诊部", "口腔", "药店", "药房", "大药房",
    "便利超市", "超市", "便利店", "商场", "商行", "百货", "酒店", "饭店", "宾馆", "旅馆", "酒楼", "餐厅", "饭庄",
    "食府", "火锅",
    "美容院", "美容", "美发", "理发店", "足浴", "按摩", "网吧", "网咖", "棋牌室", "茶楼", "KTV", "影院", "洗车",
    "汽修", "车行", "家具城", "建材", "装饰", "物流", "快递", "电子厂", "有限公司", "公司", "工厂", "厂", "店", "坊",
    "养老院", "幸福院", "敬老院", "合作社", "加油站",
)
_TRADE_RE = re.compile("|".join(sorted(_TRADE_WORDS, key=len, reverse=True)))
_LONGEST = 4
_SHORTEST = 2
# Characters no name holds at its end or inside, read back from the trade word: particles and
# pronouns, verbs of the report and of the channels (投诉, 反映, 举报), counts, and words for any business
# (那家店, 一个厂, 小店, 新开的), and words of position (东边厂子, 西侧康乐诊所); not 又, which names hold
# (好又多).
_BREAK = frozenset(
    "的了在是到从往把被和与跟及旁附近那这个条内外说去来住过称响影我们你他她有没就都也还要"
    "家间座所一两几某该此每各"
    "买卖办充交开关闭停进入出回建全找叫问给让被向对"
    "小大新老门分总本工商个"
    "路街巷村镇乡区园楼栋号苑城院口"
    "请已其为上下月系诉映报边侧面头"
)
_COUNTY = ("县", "市")
# A name made of these alone is a word for any business, not one's name.
_GENERIC = frozenset({"连锁", "品牌", "私人", "个体", "黑心", "无证", "附近", "楼下", "对面", "隔壁", "街边", "路边",
                      "美容", "理发", "健身", "服装", "电子", "食品", "医药", "物业", "自来", "供水", "供电", "燃气",
                      "房地", "地产", "建筑", "装修", "施工", "公交", "客运", "出租", "培训", "教育", "中心", "卫生",
                      "人民", "中医", "妇幼保", "保健"})


_PROPER_IDF = 7.5  # a name's first two characters this rare in appeals or rarer: a name, not a trade (烧烤)


def business_names(text: str, idf: dict[str, float] | None = None) -> frozenset[str]:
    """The names of the businesses and institutions `text` names (悦动 of 悦动健身, 妇幼 of 妇幼保健院);
    `text` should have the gazetteer's places blanked (their names hold trade words: 县医院)."""
    found = set()
    for m in _TRADE_RE.finditer(text):
        start = m.start()
        at = start
        while at > 0 and start - at < _LONGEST and "\u4e00" <= text[at - 1] <= "\u9fff" and text[at - 1] not in _BREAK:
            at -= 1
        name = text[at:start]
        for prefix in _COUNTY:
            name = name.removeprefix(prefix)
        if (len(name) >= _SHORTEST and name not in _GENERIC and name[-2:] not in _GENERIC
                and name not in _TRADE_WORDS  # 火锅 of 火锅店: a trade
                and (idf is None or idf.get(name[:2], _PROPER_IDF) >= _PROPER_IDF)):
            found.add(name)
    return frozenset(found)


def names_one(mine: frozenset[str], their_text: str) -> str | None:
    """One of the business names `mine` that `their_text` says (its own reading may differ: 妇幼 of
    妇幼的疫苗), the longest; or None."""
    said = [n for n in mine if n in their_text]
    return max(said, key=lambda n: (len(n), n)) if said else None
