"""Near-duplicate detection (并单): the same incident reported again, by the same or another citizen,
on the same or another channel.

Two reports are the same incident when they are about the same place, about the same matter and
close in time (on `reported_at`). Each of the three can veto: the same matter at another place,
another matter at the same place and the same place and matter weeks later are all different
incidents. Pure functions over `Report`s; the caller supplies what the router knows (the owning
department and matter, a gazetteer node) as `topic` and `places`.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache

from intake.businesses import business_names, names_one
from intake.places import (
    NOWHERE,
    PlaceBook,
    Whereabouts,
    common_area,
    common_holder,
    contradict,
    shared_spots,
    spots_of_one_road,
)

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
                       r"(栋|号楼|幢|单元|组)(楼?)")
_LIST_MARK = re.compile("[、,和及]")
# What kind of incident, in the words citizens use: two reports of the same kind at one place are
# likely one incident even when worded apart (水管爆了 / 地下冒水). General hotline vocabulary.
_KINDS: dict[str, tuple[str, ...]] = {
    "water_leak": ("水管", "爆管", "冒水", "跑水", "漏水", "渗水", "管道破裂", "水柱", "管子裂", "管子破", "涌水"),
    # (来水 of 没来水, not of 自来水, which names the water whatever is wrong with it)
    "water_outage": ("停水", "没水", "断水", "没来水", "不来水", "才来水", "时候来水", "供水", "吃水困难", "饮水",
                     "挑水", "没自来水", "没有自来水"),
    "water_quality": ("水质", "发黄", "浑浊", "怪味", "铁锈味", "水是黄的", "黄水", "沉淀"),
    "power": ("停电", "没电", "断电", "限电", "来电了", "变压器", "电线", "电压", "跳闸", "忽明忽暗"),
    "gas": ("燃气", "煤气", "天然气", "停气", "气味", "漏气", "臭鸡蛋味"),
    "street_light": ("路灯", "不亮", "黑灯", "一片黑", "一盏灯", "漆黑", "黑漆漆"),
    "traffic_light": ("红绿灯", "信号灯", "黄闪", "减速带"),
    "noise": ("噪音", "噪声", "吵", "扰民", "音响", "音箱", "打桩", "炸街", "喇叭", "切割机", "声音很大", "声音太大",
              "声音特别大", "震天响", "震耳", "轰鸣", "喧哗", "吵闹"),
    "smoke_smell": ("油烟", "黑烟", "浓烟", "废气", "臭气", "刺鼻", "焚烧", "烧荒", "秸秆", "烧田", "异味",
                    "烧焦", "化学味", "化工味", "烟熏", "熏得", "在烧", "烧塑料", "烧垃圾"),
    "garbage": ("垃圾", "清运", "满溢", "垃圾站", "垃圾池", "环卫"),
    "sewage": ("污水", "化粪池", "下水道", "管道堵塞", "外溢", "黑水", "冒溢", "反上来", "臭水", "粪水", "排污管",
               "返水", "倒灌", "水沟"),
    "manhole": ("井盖", "窨井", "下水道盖", "盖子丢", "盖板", "盖子不见", "盖子没了"),
    "road_damage": ("坑", "塌陷", "下沉", "坑槽", "路面", "塌方", "井盖", "压坏", "压烂", "损毁", "断裂", "伸缩缝",
                    "桥面", "护栏"),
    "parking": ("停车", "违停", "占用", "停满", "堵死", "双排"),
    "fire_lane": ("消防通道", "消防车道", "消防同道"),
    "lift": ("电梯",),
    "stall": ("占道", "摆摊", "小吃摊", "流动", "菜贩", "烧烤", "小摊", "摊贩", "地摊", "卖菜的", "早市", "夜市",
              "外摆"),
    "construction": ("施工", "工地", "渣土", "浇筑", "挖机", "挖掘机", "混凝土", "围挡"),
    "tree": ("大树", "倒伏", "行道树", "树"),
    "flood": ("积水", "进水", "淹", "内涝", "渗漏", "坝"),
    "pollution": ("排污", "偷排", "死鱼", "化工", "乱排", "粪水", "废水", "排放", "翻白", "红水", "变成红色",
                  "呈红色", "水体"),
    "building": ("违建", "违章建", "盖房", "建房", "起房", "搭建", "地基", "占用耕地"),
    "queue": ("排队", "取号", "拿号", "放号"),
    "boat": ("渡船", "渡口", "超载", "超员", "救生衣", "船"),
    "wages": ("工资", "欠薪", "讨薪", "拖欠", "欠款"),
    "refund": ("退费", "退款", "跑路", "预付", "预交", "充值", "会员", "关门", "停业", "暂停营业"),
    "food": ("食堂", "腹泻", "上吐下泻", "过期", "变质", "拉肚子", "肚子疼", "食物中毒", "伙食", "饭菜"),
    "animals": ("流浪狗", "咬", "狗", "犬", "鸽子", "猪场", "养殖场", "粪污"),
    "sand": ("采沙", "采砂", "挖沙", "挖砂", "抽沙", "抽砂", "盗采", "偷采", "河沙", "河砂"),
    "transit": ("公交", "班车", "一班车", "站牌", "候车亭", "客车", "停运", "班次"),
    "bikes": ("电单车", "共享单车", "乱停"),
    "falling": ("高空抛物", "广告牌", "掉下来", "往下掉", "往下扔", "往楼下扔", "高空扔", "脱落"),
    "ebike_charging": ("电瓶", "充电", "飞线", "私拉电线"),
    "house_quality": ("空鼓", "开裂", "交房", "收房", "渗漏", "墙裂"),
    "quarry": ("采石", "放炮", "爆破", "矿山", "石场", "石头厂", "碎石", "石料", "开采"),
    "scale": ("秤", "短斤少两", "鬼秤"),
    "fire": ("着火", "起火", "失火", "火灾", "山火", "冒烟", "火势", "烧起来"),
    "rockfall": ("落石", "滚石", "山体滑坡", "滑坡", "石头从山上", "边坡", "泥石流", "塌方", "垮下来", "塌下来",
                 "垮了"),
    "wildlife": ("野猪", "猴子", "野兽", "毁坏农作物", "拱得"),
    "subsidy": ("补贴", "补助", "到账", "发放"),
    "dust": ("扬尘", "遗撒", "撒沙", "撒土", "渣土", "起尘", "一阵尘", "灰尘", "粉尘"),
    "wall": ("围墙", "墙倒", "墙塌", "倒塌"),
    "renovation": ("改造", "沟槽", "挖开"),
    "fees": ("物业费", "乱收费", "收费", "涨价", "停车费"),
    "welfare": ("低保", "养老金", "社保", "医保", "五保"),
    "public_order": ("赌博", "打架", "斗殴", "醉酒闹事", "寻衅"),
    "traffic_jam": ("堵车", "拥堵", "车流量大"),
    "school_place": ("学位", "入学", "校车", "转学"),
    "home_renovation": ("装修", "电钻", "冲击钻", "砸墙"),  # a neighbour's works, not a building site
    "roof_leak": ("漏雨", "防水层", "天花板", "楼顶漏", "顶楼漏", "屋顶漏"),
    "heating": ("暖气", "供暖", "取暖", "供热"),
    # (not 信号灯, a traffic light)
    "telecom": ("手机信号", "没信号", "信号差", "信号不好", "信号弱", "信号太差", "无信号", "信号中断", "信号覆盖",
                "基站", "4G", "5G", "宽带", "网速", "没网", "没有网"),
}


_NEGATION = frozenset("不没未")


def _said(word: str, text: str) -> bool:
    """`word` is in `text` other than negated (打不着火 is a water heater, not a fire)."""
    at = text.find(word)
    while at >= 0:
        if at == 0 or text[at - 1] not in _NEGATION:
            return True
        at = text.find(word, at + 1)
    return False


def incident_kinds(text: str) -> frozenset[str]:
    return frozenset(kind for kind, words in _KINDS.items() if any(_said(w, text) for w in words))


# Kinds one incident is told as by different people (a blocked sewer is 污水 to one and 排污 to
# another; night work on a site is 施工 or 噪音; a car parked on the pavement is 违停 or 乱停):
# two reports of related kinds are not told apart by their kinds, though neither is that the same kind.
_RELATED_KINDS = (
    frozenset({"water_leak", "water_outage", "flood"}),
    frozenset({"water_leak", "roof_leak", "house_quality"}),
    frozenset({"sewage", "pollution"}), frozenset({"sewage", "flood"}),
    frozenset({"pollution", "water_quality"}), frozenset({"pollution", "animals"}),
    frozenset({"smoke_smell", "pollution", "fire"}),
    frozenset({"dust", "quarry", "construction"}),
    frozenset({"noise", "construction", "quarry"}),
    frozenset({"road_damage", "manhole"}), frozenset({"road_damage", "rockfall"}),
    frozenset({"road_damage", "renovation"}), frozenset({"construction", "renovation"}),
    frozenset({"parking", "bikes", "fire_lane", "traffic_jam"}),
)


def _related(a: frozenset[str], b: frozenset[str]) -> bool:
    return any(x in f and y in f for f in _RELATED_KINDS for x in a for y in b)


def _kinds_apart(a: frozenset[str], b: frozenset[str]) -> bool:
    """Both reports say what happened, in kinds neither the same nor related."""
    return bool(a and b) and not a & b and not _related(a, b)


# What is wrong with a utility or service, more narrowly than its kind: an outage announced ahead
# (计划检修), a fault or leak as it happens (一声响, 烧毁, 泄漏, 煤气味), or the bill. At one place the
# same department and kind (燃气, 停电) is not one incident when the two tell different ones of these:
# a leak in a building is not the building's gas bill, a township's planned cut not a local fault.
_FACETS: dict[str, tuple[str, ...]] = {
    "planned": ("计划检修", "计划停", "检修停电", "检修停水", "停电通知", "停水通知", "停气通知", "按计划"),
    "fault": ("一声响", "一声巨响", "烧毁", "烧坏", "冒烟", "跳闸", "故障", "泄漏", "漏气", "爆管", "爆裂", "破裂",
              "煤气味", "燃气味", "臭鸡蛋味"),
    "bill": ("燃气费", "电费", "水费", "气费", "账单", "计量", "扣费", "多扣", "抄表", "缴费"),
}


# Said not to be (没看到停水通知, 未接到通知: no notice, so no planned outage).
_DENIED = re.compile("(?:没|未|不|无)(?:看到|看见|接到|收到|见到|见|有|发)?(?:任何)?$")


def _affirmed(word: str, text: str) -> bool:
    """`word` is in `text` other than denied just before it (没看到停水通知 tells of no notice)."""
    at = text.find(word)
    while at >= 0:
        if not _DENIED.search(text, max(0, at - 5), at):
            return True
        at = text.find(word, at + 1)
    return False


def incident_facets(text: str) -> frozenset[str]:
    return frozenset(facet for facet, words in _FACETS.items() if any(_affirmed(w, text) for w in words))


def _facets_apart(a: Profile, b: Profile) -> bool:
    """Both say what is wrong in one of `_FACETS`, and not the same."""
    return bool(a.facets and b.facets) and not a.facets & b.facets


# Grievances that stand until someone resolves them (wages owed, prepaid money gone with a closed
# shop, a flat not handed over or badly built, a benefit or subsidy withheld): a report of one weeks
# later is the grievance still open (taxonomy.md's 攻坚: long-standing, repeated), not a new event as a
# burst or a dark street light weeks later is.
_STANDING = frozenset({"wages", "refund", "house_quality", "welfare", "subsidy", "telecom"})


def matters_apart(a: Profile, b: Profile) -> bool:
    """The two say what happened, and it is not one incident: kinds neither the same nor related, or
    one kind told as an announced outage, a fault or a bill apart."""
    return _kinds_apart(a.kinds, b.kinds) or _facets_apart(a, b)


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


@dataclass(frozen=True)
class Report:
    """One appeal as the detector sees it. `topic` is what the router says it is about (e.g. the
    owning department and matter); `places` are place codes resolved elsewhere (gazetteer nodes)."""

    id: str
    text: str
    reported_at: datetime
    address: str | None = None
    channel: str | None = None
    topic: frozenset[str] = frozenset()
    places: frozenset[str] = frozenset()
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True)
class Profile:
    report: Report
    grams: Counter[str]
    names: frozenset[str]  # specific places named (roads, villages, compounds, shops …)
    coarse: frozenset[str]  # townships and the like: too big to make two reports one place
    stems: frozenset[str]
    kinds: frozenset[str]
    rare: frozenset[str]  # bigrams never seen in the background corpus: proper names (悦动, 宏达 …)
    where: str
    subplaces: frozenset[tuple[str, int]]
    # The places the address names at each level of `_LEVELS` (villages, roads, compounds).
    levels: tuple[frozenset[str], ...] = ()
    # The gazetteer places it names (with the townships and villages that hold them).
    whereabouts: Whereabouts = NOWHERE
    lodged: Whereabouts = NOWHERE  # ... in its address alone (白沙镇 for a bus from there to 县城)
    quoted: frozenset[str] = frozenset()  # names in quotation marks: a shop's, a restaurant's (“好味来”)
    trades: frozenset[str] = frozenset()  # the trades of the businesses it names (服装 of 服装厂, 鞋 of 鞋厂)
    facets: frozenset[str] = frozenset()  # planned, fault, bill (`_FACETS`)
    read: frozenset[str] = frozenset()  # `names` as read once (the gazetteer's where it knows them)
    township_wide: bool = False  # an outage of the whole township (全镇停电, 整个镇停水)
    # The catalogue matters its own words (places blanked) name most, when the caller can tell
    # (`MattersNamed`): a far wider vocabulary of what happened than `_KINDS`.
    cues: frozenset[str] = frozenset()
    road_ends: frozenset[str] = frozenset()  # the ends or stretches of a road it tells of (东 of 解放路东头)
    another: bool = False  # it says it is about another one than reported before (另一家, 另一问题)
    follow_up: bool = False  # it says it was reported before or is still not dealt with (打过电话, 还没修)
    firms: frozenset[str] = frozenset()  # the names of businesses it names (悦动 of 悦动健身: `business_names`)
    doors: frozenset[tuple[str, int]] = frozenset()  # house numbers on a road (人民路, 1 of 人民路1号)
    # The learned model's leaning over catalogue matters for its words (places blanked), as a unit
    # vector of its few likeliest matters (`MatterLeaning`): read once, compared by a dot product.
    leaning: Mapping[str, float] = field(default_factory=dict)
    # The matters the router ranks its text close to its best (`MattersNear`): what it would have
    # dispatched it as had a side word weighed a little less.
    near: frozenset[str] = frozenset()
    open_where: str = ""  # `where` with the gazetteer's places blanked (their names hold other bare names)
    # Derived once per profile (intake compares each with a few hundred): `subplaces` by kind
    # (栋 → {3, 5}); the bare names of the places it names as read once (its stems when read
    # without a gazetteer); the bare names of the compounds it names (None when it names none).
    subplaces_by_kind: dict[str, frozenset[int]] = field(init=False, repr=False, compare=False)
    read_stems: frozenset[str] = field(init=False, repr=False, compare=False)
    compound_stems: frozenset[str] | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_kind: dict[str, set[int]] = {}
        for kind, value in self.subplaces:
            by_kind.setdefault(kind, set()).add(value)
        object.__setattr__(self, "subplaces_by_kind", {k: frozenset(v) for k, v in by_kind.items()})
        object.__setattr__(self, "read_stems",
                           _address_stems(self.read) & self.stems if self.read != self.names else self.stems)
        compounds = [n for n in self.names if n.endswith(_LEVELS[2])]
        object.__setattr__(self, "compound_stems", frozenset(_stems(compounds)) if compounds else None)


@dataclass(frozen=True)
class DuplicatePolicy:
    """The knobs (configuration): how far apart in time, how similar in words, how near."""

    window: timedelta = timedelta(days=3)
    standing_window: timedelta = timedelta(days=14)  # ... for a grievance both tell of that stands (`_STANDING`)
    min_similarity: float = 0.07  # word overlap needed when the router's topics agree
    min_similarity_same_matter: float = 0.0  # ... when its matter and the kind of incident agree too
    min_similarity_other_topic: float = 0.25  # ... and when they do not
    min_similarity_within: float = 0.1  # ... when they share only a township or village (the same kind)
    max_distance_m: float = 300.0  # coordinates this close are the same place
    min_leaning: float = 0.9  # the learned model's leanings this alike are one matter (on a road …)
    min_leaning_at_spot: float = 0.6  # ... and this alike at a spot both name (a compound, landmark, business)
    leanings_apart: float = 0.05  # ... and less alike than this are two, whatever the router's matter
    leaning_in_common: float = 0.2  # ... and this alike are a matter in common (min_similarity applies)

    @property
    def widest(self) -> timedelta:
        """How far apart on `reported_at` two reports may be one incident at all."""
        return max(self.window, self.standing_window)


@dataclass(frozen=True)
class Match:
    report_id: str
    score: float
    why: str


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    return _BOILERPLATE.sub(" ", text)


def _bigrams(text: str) -> Counter[str]:
    grams: Counter[str] = Counter()
    for chunk in _NOT_CJK_OR_ALNUM.split(text):
        chunk = re.sub(r"\d+", "#", chunk)
        grams.update(chunk[i:i + 2] for i in range(len(chunk) - 1))
    return grams


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
                found.add(("栋" if kind in ("栋", "号楼", "幢") else kind, value))
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


# What the words of a text name as matters of the catalogue (the router's terms, e.g. `Router.matters_named`).
MattersNamed = Callable[[str], frozenset[str]]
# The learned model's leaning over the catalogue's matters for a text: matter → weight, a unit vector.
MatterLeaning = Callable[[str], Mapping[str, float]]
# The matters the router ranks a text close to its best (e.g. `Router.matters_near`).
MattersNear = Callable[[str], frozenset[str]]


def leaning_alike(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    """The cosine of two leanings (0 when either is unknown)."""
    if len(b) < len(a):
        a, b = b, a
    return sum(v * b.get(k, 0.0) for k, v in a.items())


def profile(report: Report, idf: dict[str, float] | None = None, aliases: Mapping[str, str] | None = None,
            book: PlaceBook | None = None, matters_named: MattersNamed | None = None,
            leaning: MatterLeaning | None = None, matters_near: MattersNear | None = None) -> Profile:
    """`aliases`: other names of places → their names (the gazetteer's roads, landmarks, compounds);
    `book`: the gazetteer's places, to place the report in its hierarchy; `matters_named`: the
    catalogue matters a text's words name; `matters_near`: those the router ranks a text close to."""
    raw_where = unicodedata.normalize("NFKC", f"{report.address or ''} {report.text}")
    where = _canonical_places(_COMMON_PLACE_WORDS.sub(lambda m: _COMMON_PLACE_NAMES[m.group(0)], raw_where), aliases)
    # The places named, and what is left of the address and text once they are blanked (one scan).
    whereabouts, rest = (book.whereabouts_and_rest(_QUOTED.sub(_blank, raw_where), _router_townships(report))
                         if book else (NOWHERE, raw_where))
    said_rest = rest[len(unicodedata.normalize("NFKC", f"{report.address or ''} ")):]  # the text, places blanked
    # The matter is what it tells first: a matter added in passing (。还有…, 顺便说一下) is another one.
    kinds = incident_kinds(_ASIDE.split(said_rest, maxsplit=1)[0])
    township_wide = bool(kinds & _OUTAGES) and bool(_TOWNSHIP_WIDE.search(report.text))
    if township_wide:  # the whole township is out: the places it names are some of those without
        whereabouts = Whereabouts(frozenset(p for p in whereabouts.places if p.level == "township"),
                                  whereabouts.townships)
    names = place_names(where)
    # The names as read once: the gazetteer's places where it names one (人民路社区, 人民路步行街), the
    # text's guesses elsewhere (not 人民路, which is part of each and named by neither).
    read = (place_names(rest) | {p.name for p in whereabouts.places}) if book else names
    specific = {n for n in names if not _is_coarse(n)}
    coarse = names - specific
    said = unicodedata.normalize("NFKC", report.text)
    text = _canonical_places(said, aliases)
    known = {n for n in names if n in aliases} if aliases else set()
    # The matter's words: the text without the places it names (the gazetteer's, when there is one:
    # 县图书馆's air conditioning and its opening hours share only the library's name).
    matter = _clean(_without_places(said_rest if book else text, known | coarse))
    return Profile(report=report, grams=_weighted(_bigrams(matter), idf),
                   cues=matters_named(matter) if matters_named else frozenset(),
                   leaning=leaning(matter) if leaning else {},
                   near=matters_near(said) if matters_near else frozenset(),
                   names=frozenset(specific), coarse=frozenset(coarse),
                   stems=_specific_stems(specific, idf),
                   kinds=kinds, township_wide=township_wide,
                   rare=frozenset(_rare(where, idf)), where=_without_townships(where, coarse),
                   open_where=rest if book else "",
                   subplaces=_subplaces(where), levels=_address_levels(report.address),
                   whereabouts=whereabouts, read=frozenset(read - coarse),
                   lodged=book.whereabouts(unicodedata.normalize("NFKC", report.address))
                   if book and report.address else NOWHERE, quoted=_quoted_names(report.text),
                   trades=_trades(said), facets=incident_facets(said),
                   road_ends=frozenset(_ROAD_END.findall(said)), another=bool(_ANOTHER.search(said)),
                   follow_up=bool(_FOLLOW_UP.search(said)), firms=business_names(rest if book else where, idf),
                   doors=_doors(raw_where))


# A sentence that adds another matter in passing (。还有我们那个路灯也坏了; 。另外…; 顺便说一下).
_ASIDE = re.compile("[。！？!?；;]\\s*(?:还有|另外)|顺便(?:说|问|反映)")
# An outage of the whole township: where it is reported from is only where the caller is.
_OUTAGES = frozenset({"water_outage", "power"})
_TOWNSHIP_WIDE = re.compile("(?:全|整个|整)(?:镇|乡|街道)")


def _router_townships(report: Report) -> set[str]:
    """The townships of the router's village nodes (`village:<township>.<village>`)."""
    return {p.removeprefix("village:").split(".")[0] for p in report.places if p.startswith("village:")}


_CJK_PAIR = re.compile(r"^[\u4e00-\u9fff]{2}$")


# Bigrams of the words that say what happened: rare or not, they name no place.
_KIND_BIGRAMS = frozenset(w[i:i + 2] for words in _KINDS.values() for w in words for i in range(len(w) - 1))


def _rare(text: str, idf: dict[str, float] | None) -> set[str]:
    """Bigrams never seen in the background corpus: proper names (悦动, 宏达 …), not the words of
    the matter or particles."""
    if not idf:
        return set()
    return {g for g in _bigrams(_clean(text)) if g not in idf and _CJK_PAIR.match(g) and g not in _KIND_BIGRAMS
            and not _NAME_BREAK.intersection(g)}


def _weighted(grams: Counter[str], idf: dict[str, float] | None) -> Counter[str]:
    if not idf:
        return grams
    default = _unseen_weight(idf)
    return Counter({g: n * idf.get(g, default) for g, n in grams.items()})


# The weight of a bigram the background never saw (the largest there is), per weights table: a
# scan of the whole table for every profile cost more than the rest of intake together. Tables are
# built once and never changed; the entry holds its table, so its id is never reused meanwhile.
_UNSEEN_WEIGHTS: dict[int, tuple[dict[str, float], float]] = {}


def _unseen_weight(idf: dict[str, float]) -> float:
    entry = _UNSEEN_WEIGHTS.get(id(idf))
    if entry is None or entry[0] is not idf:
        if len(_UNSEEN_WEIGHTS) >= 16:
            _UNSEEN_WEIGHTS.clear()
        entry = _UNSEEN_WEIGHTS[id(idf)] = (idf, max(idf.values(), default=1.0))
    return entry[1]


def bigram_idf(texts: Iterable[str]) -> dict[str, float]:
    """Inverse document frequencies of character bigrams over a background corpus of appeals
    (common words such as 晚上, 小区 weigh little)."""
    df: Counter[str] = Counter()
    n = 0
    for text in texts:
        n += 1
        df.update(set(_bigrams(_clean(text))))
    return {g: math.log((n + 1) / (c + 1)) + 1.0 for g, c in df.items()}


def _cosine(a: Counter[str], b: Counter[str]) -> float:
    if not a or not b:
        return 0.0
    dot = sum(v * b[k] for k, v in a.items() if k in b)
    return dot / math.sqrt(sum(v * v for v in a.values()) * sum(v * v for v in b.values()))


def _metres(a: Report, b: Report) -> float | None:
    if None in (a.latitude, a.longitude, b.latitude, b.longitude):
        return None
    assert a.latitude is not None and a.longitude is not None and b.latitude is not None and b.longitude is not None
    lat1, lat2 = math.radians(a.latitude), math.radians(b.latitude)
    dlat, dlon = lat2 - lat1, math.radians(b.longitude - a.longitude)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 6_371_000 * 2 * math.asin(math.sqrt(h))


# Metres per degree of latitude on the sphere _metres uses: two points are at least this far apart
# per degree between their parallels (the great circle is never shorter than the meridian arc).
_METRES_PER_DEGREE_LATITUDE = 6_371_000 * math.pi / 180


def latitude_band(latitude: float | None, longitude: float | None, policy: DuplicatePolicy
                  ) -> tuple[float, float] | None:
    """For a report at (`latitude`, `longitude`): the latitudes (south, north) outside which an
    earlier report that has coordinates too is never at its place (`_same_place` tells them apart
    by the distance north to south alone), with a margin; a candidate query may leave those out.
    None when the report lacks coordinates: then anything may be at its place."""
    if latitude is None or longitude is None:
        return None
    half = policy.max_distance_m * 1.000001 / _METRES_PER_DEGREE_LATITUDE * 1.01 + 1e-9
    return latitude - half, latitude + half


def _longest_first(name: str) -> tuple[int, str]:
    """The longest name, ties broken by the name itself (not by set order, which varies per process)."""
    return len(name), name


def _finest_first(name: str) -> tuple[bool, int, str]:
    """Names of spots before roads and urban communities (锦绣华庭 before 人民路), then the longest."""
    return not name.endswith(_WIDE), len(name), name


def _compound_elsewhere(a: Profile, b: Profile) -> bool:
    """`a` names a compound (小区, 花苑 …) that `b` does not mention: the router's village holds many."""
    return a.compound_stems is not None and not any(stem in b.where for stem in a.compound_stems)


def _elsewhere(a: Profile, b: Profile, junction: frozenset[str] = frozenset()) -> bool:
    """The texts, or the addresses alone, name two places of one level of the gazetteer (landmarks:
    the addresses), or each quotes a name
    the other does not say (“好味来”蛋糕店 / “甜心坊”面包店: two shops). Two roads of `junction` (the
    roads of a junction an incident's report names) are not two places for two reports at a junction."""
    felt = _felt_from_one_source(a, b)
    roads = not _at_one_junction(a, b, junction)
    return ((not felt and contradict(a.whereabouts, b.whereabouts, roads=roads) is not None)
            or (not felt and contradict(a.lodged, b.lodged, addresses=True, roads=roads) is not None)
            or _named_apart(a, b) or _firms_apart(a, b) or _trades_apart(a, b) or _each_its_township(a, b)
            or _road_ends_apart(a, b) or _doors_apart(a, b)
            or (spots_of_one_road(a.whereabouts, b.whereabouts) and not (a.kinds | b.kinds) & _FELT_AROUND))


def _at_one_junction(a: Profile, b: Profile, junction: frozenset[str]) -> bool:
    """Both tell of a junction (路口) and name only roads of `junction` (a corner of two roads)."""
    if len(junction) < 2 or not all(_JUNCTION_WORDS.search(p.report.text) for p in (a, b)):
        return False
    return a.whereabouts.at("road") <= junction and b.whereabouts.at("road") <= junction


def _junction_of(reports: Iterable[Profile]) -> frozenset[str]:
    """The two roads of a junction that a report among `reports` names with a junction word."""
    for p in reports:
        roads = p.whereabouts.at("road")
        if len(roads) == 2 and _JUNCTION_WORDS.search(p.report.text):
            return roads
    return frozenset()


# Kinds of incident smelt or seen away from their source (a plant's fumes over the villages around;
# a burst's outage, `_WATER_OUT`).
_FROM_A_SOURCE = frozenset({"smoke_smell", "pollution"})


_WATER_OUT = frozenset({"water_outage"})
_WATER = frozenset({"water_leak", "water_outage"})


def _outage_and_burst(a: Profile, b: Profile) -> bool:
    """Both tell of the water, one of an outage (the burst's outage is felt along the road)."""
    return bool((a.kinds | b.kinds) & _WATER_OUT) and bool(a.kinds & _WATER) and bool(b.kinds & _WATER)


def _felt_from_one_source(a: Profile, b: Profile) -> bool:
    """Both tell of fumes or pollution and name one landmark as its source (东湖工业园), or of the water
    and one road (a burst on 文昌路, the taps dry in a compound on it), one telling of an outage: the
    villages and compounds they name are where it is felt, not two places."""
    if a.kinds & b.kinds & _FROM_A_SOURCE and any(p.level == "landmark"
                                                 for p in shared_spots(a.whereabouts, b.whereabouts)):
        return True
    return (bool((a.kinds | b.kinds) & _WATER_OUT) and bool(a.kinds & b.kinds & _WATER)
            and bool(a.whereabouts.at("road") & b.whereabouts.at("road")))


# One end or stretch of a road (解放路东头, 清河大道南段): a road is long, two ends are two places.
_ROAD_END = re.compile(r"(?:路|街|大道|巷)的?([东西南北])(?:头|段|端)")


# A house number on a road (人民路1号, 清河大道 200 号; not 5号楼, a building, nor 3号院): the road by the
# two characters before its road word.
_DOOR = re.compile(r"([\u4e00-\u9fff]{2}(?:大道|路|街|巷))\s*([0-9]{1,4})\s*号(?![楼院])")
_DOORS_NEAR = 10  # numbers this close are one stretch of the road (1号 / 3号: two doors of one spot)


def _doors(text: str) -> frozenset[tuple[str, int]]:
    return frozenset((road, int(number)) for road, number in _DOOR.findall(text))


def _doors_apart(a: Profile, b: Profile) -> bool:
    """Both give a house number on one road, and none of one's is near one of the other's (人民路1号 and
    人民路200号 are two places of one road; 1号 and 3号 one) — unless it is a water outage, felt away
    from where it happens (the caller's number is not the burst's)."""
    if not a.doors or not b.doors or (a.kinds | b.kinds) & _FELT_AROUND:
        return False
    roads = {road for road, _ in a.doors} & {road for road, _ in b.doors}
    return any(not any(abs(x - y) <= _DOORS_NEAR for r, x in a.doors if r == road for q, y in b.doors if q == road)
               for road in roads)


def _road_ends_apart(a: Profile, b: Profile) -> bool:
    """Each tells of an end or stretch of a road, and not the same (东头 / 西头, 南段 / 北端)."""
    return bool(a.road_ends) and bool(b.road_ends) and not a.road_ends & b.road_ends


def _each_its_township(a: Profile, b: Profile) -> bool:
    """Each names a township the other does not (the bus from 县城 to one township / to another)."""
    ta, tb = a.whereabouts.townships, b.whereabouts.townships
    return bool(ta - tb) and bool(tb - ta)


# Kinds of incident felt away from where they happen (a burst at the junction empties the taps of
# every house along the road): a report of one places the caller, not the incident. (Not `power`:
# its words are of lines and poles at one spot as much as of outages.)
_FELT_AROUND = frozenset({"water_outage", "water_quality"})
_TOWNSHIP_SCALE = frozenset({"transit", "smoke_smell"})  # told of a whole township, not of one spot


def _said_apart(mine: frozenset[str], theirs: frozenset[str], a: Profile, b: Profile) -> bool:
    """Both say some of these (names, trades), and neither says one of the other's."""
    return (bool(mine) and bool(theirs) and not any(n in b.report.text for n in mine)
            and not any(n in a.report.text for n in theirs))


def _firms_apart(a: Profile, b: Profile) -> bool:
    """Each names a business the other does not mention (悦动健身 / 力美健身: two gyms)."""
    return (bool(a.firms) and bool(b.firms) and names_one(a.firms, b.where) is None
            and names_one(b.firms, a.where) is None)


def _named_apart(a: Profile, b: Profile) -> bool:
    return _said_apart(a.quoted, b.quoted, a, b)


def _trades_apart(a: Profile, b: Profile) -> bool:
    """Each names a business by its trade, the trades share no character (石桥村砖厂 / 石桥砖厂 are one)
    and no trade of one is in the other's text (a 服装厂 and a 鞋厂 on one road are two employers)."""
    return _said_apart(a.trades, b.trades, a, b) and not set("".join(a.trades)) & set("".join(b.trades))


# A business told by its trade: the one or two characters before 厂 / 店 (服装厂, 鞋厂, 蛋糕店), not a
# word for any business (工厂, 商店, 门店), a count (一家店), a verb (闭店, 进厂) or a size (小店, 老厂);
# a 厂房 is a building. Also a registered company's (服饰 of 恒达服饰有限公司; not 物业公司 or 供水公司, which
# every kind of report calls on), and a shop told by what it sells (鞋 of 卖鞋的店, 水果 of 卖水果的).
_TRADE = re.compile(r"([\u4e00-\u9fff]{1,2})(?:厂(?!房)|店|有限公司)|卖([\u4e00-\u9fff]{1,2})的(?:店|摊|铺)?")
_NO_TRADE = frozenset("工商门分总本家个一两几这那该此某" "开关闭停进到入出回建全" "小大新老")


def _trades(text: str) -> frozenset[str]:
    found = set()
    for m in _TRADE.finditer(text):
        trade = m.group(1) or m.group(2)
        cut = max((i + 1 for i, c in enumerate(trade) if c in _NAME_BREAK or c in _NO_TRADE), default=0)
        if trade[cut:]:
            found.add(trade[cut:])
    return frozenset(found)


# A name in quotation marks: 2-6 characters, no pronoun or particle of speech (“还我血汗钱” is a slogan).
_QUOTED = re.compile(r"[“「『\"]([\u4e00-\u9fff]{2,6})[”」』\"]")
_SPEECH = frozenset("我你他她们的了吗呢吧啊")


def _blank(m: re.Match[str]) -> str:
    """A quoted name as blanks for the gazetteer: the 码头 of “老码头饭庄” is no 码头."""
    return " " * len(m.group(0))


def _quoted_names(text: str) -> frozenset[str]:
    return frozenset(n for n in _QUOTED.findall(text) if not _SPEECH.intersection(n))


def _bare_name_in(stem: str, other: Profile, mine: Profile) -> bool:
    """`other` names the place whose bare name `stem` is (of a place `mine` names): outside the
    gazetteer's places `other` names, or inside one in the same village or community as one of
    `mine`'s (文昌 of 文昌路 in 文昌社区, which holds it) — not inside an unrelated one (人民 of 人民公园 in
    人民路步行街, a street of the township)."""
    if not _mentions(other.where, stem):
        return False
    if not other.whereabouts.places or _mentions(other.open_where, stem):
        return True
    villages = {p.village for p in mine.whereabouts.places if p.village}
    return any(p.village in villages for p in other.whereabouts.places if stem in p.name)


def _same_place(a: Profile, b: Profile, policy: DuplicatePolicy) -> str | None:
    """Why `a` and `b` are at the same place, or None."""
    ra, rb = a.report, b.report
    if (ra.latitude is not None and rb.latitude is not None and ra.longitude is not None and rb.longitude is not None
            and abs(ra.latitude - rb.latitude) * _METRES_PER_DEGREE_LATITUDE > policy.max_distance_m * 1.000001):
        return None  # too far apart north to south alone: no need for the great circle (intake's hot loop)
    distance = _metres(ra, rb)
    if distance is not None:
        return f"{distance:.0f} m apart" if distance <= policy.max_distance_m else None
    kinds_a, kinds_b = a.subplaces_by_kind, b.subplaces_by_kind
    if any(not kinds_a[k] & kinds_b[k] for k in kinds_a.keys() & kinds_b.keys()):
        return None  # 3栋 and 5栋 of the same compound are two places
    if _elsewhere(a, b):
        return None  # two townships, villages, roads, landmarks or compounds of the gazetteer
    if not _felt_from_one_source(a, b) and any(_apart(x, y, a.report.text, b.report.text, level)
                                                for x, y, level in zip(a.levels, b.levels, _LEVELS, strict=True)):
        return None  # the addresses name two villages, two roads or two compounds
    # The finest place both name first: a compound or landmark on a road both name is where it is.
    spots = shared_spots(a.whereabouts, b.whereabouts)
    if spots:
        return "same place " + max((p.name for p in spots), key=_longest_first)
    firm = names_one(a.firms, b.where) or names_one(b.firms, a.where)
    if firm:
        return _BUSINESS + firm  # one business both name, wherever else they say it is
    roads = a.whereabouts.at("road") & b.whereabouts.at("road")
    if len(roads) >= 2:
        return _JUNCTION + "/".join(sorted(roads))  # the corner of two roads both name is a spot
    if len(roads) == 1 and all(_JUNCTION_WORDS.search(p.report.text) for p in (a, b)):
        return _JUNCTION + next(iter(roads))  # both at a junction of the one road they name (滨湖路口)
    # (A name both hold only inside two other places of the gazetteer is no place in common.)
    shared = (a.names & b.names & (a.read | b.read)) | (a.read & b.read)
    if shared:
        return "same place " + max(shared, key=_finest_first)
    # Each names spots of the gazetteer and none in common (东湖公园 / 东湖广场): a bare name read in
    # the other's text is then part of another place's name, and no place in common. So is one read
    # only inside a gazetteer place of the other's held by no village of its own (`_bare_name_in`).
    apart_spots = bool(a.whereabouts.spots) and bool(b.whereabouts.spots)
    contained = ({s for s in a.read_stems if _bare_name_in(s, b, a)}
                 | {s for s in b.read_stems if _bare_name_in(s, a, b)}) if not apart_spots else set()
    if contained:
        return "same place " + max(contained, key=_longest_first)
    rare = a.rare & b.rare
    # (Nor are words the background never saw, 出行极为 of two formal reports, then a name.)
    if len(rare) >= 2 and not apart_spots:
        return "same name " + "".join(sorted(rare))
    nodes = a.report.places & b.report.places
    if nodes and not (_compound_elsewhere(a, b) or _compound_elsewhere(b, a)):
        return "same place " + min(nodes)
    townships = a.whereabouts.townships & b.whereabouts.townships
    if townships and ((a.township_wide and b.township_wide) or a.kinds & b.kinds & _TOWNSHIP_SCALE):
        # both tell of the whole township, or of a matter a township shares (its bus, a smell over it);
        # two reports naming only one township are otherwise at no place in common
        return f"{_WITHIN}township {min(townships)}"
    holder = common_holder(a.whereabouts, b.whereabouts)
    if holder:
        return f"{_WITHIN}{holder[0]} {holder[1]}"  # one names a place in the other's, or both only their village
    area = common_area(a.whereabouts, b.whereabouts) if a.kinds & b.kinds & _FELT_AROUND else None
    if area:
        return f"{_WITHIN}village {area}"  # an outage felt by two places of one community
    return None


# A report telling of one reported before, still not dealt with (a citizen chasing it up).
_FOLLOW_UP = re.compile("(?:打过|反映过|投诉过|报过|说过|打了好几次|打了几次)|还没(?:修|人|管|来|处理|解决|搬|好|弄)|"
                        "还是没|到现在(?:还|都|也)|至今(?:未|没|还|仍)|又(?:是|在|开始|来了|坏|停|出现)|再次|仍然|依然")
# A report telling of another business, spot or matter than one reported before.
_ANOTHER = re.compile("另(?:一|外一?)(?:家|处|个问题|问题|件事|回事)")
_WITHIN = "within "
_BUSINESS = "same business "
_JUNCTION = "same junction "
_JUNCTION_WORDS = re.compile("路口|街口|交叉|十字口")


_WIDE = (*_ROADS, "社区")  # roads and urban communities hold many spots


def _named_spot(place: str, a: Profile, b: Profile) -> bool:
    """The place both reports name is a compound, village, landmark … rather than a road or an urban
    community (wide: one kind of incident in it twice may be two) or only the router's village or
    coordinates."""
    if place.startswith((_JUNCTION, _BUSINESS)):
        return True
    if not place.startswith("same place ") or ":" in place:
        return False
    name = place.removeprefix("same place ")
    return not name.endswith(_WIDE) and not any(n.endswith(name + r) for n in a.names | b.names for r in _WIDE)


def _router_near(a: Profile, b: Profile) -> bool:
    """The router's matter for one is among those it ranks the other close to (`Profile.near`)."""
    return any(t.startswith("matter:") and t[7:] in other.near
               for one, other in ((a, b), (b, a)) for t in one.report.topic)


def _catch_all_of_one(a: Profile, b: Profile) -> bool:
    """The router gives one its department's catch-all (….other) and the other a matter of that department."""
    ma = {t[7:] for t in a.report.topic if t.startswith("matter:")}
    mb = {t[7:] for t in b.report.topic if t.startswith("matter:")}
    return any(x.endswith(".other") and y.split(".")[0] == x.split(".")[0]
               for one, other in ((ma, mb), (mb, ma)) for x in one for y in other)


def _specific_matter(a: Profile, b: Profile) -> bool:
    """The router gives both one matter, and not a department's catch-all (….other)."""
    return any(t.startswith("matter:") and not t.endswith(".other") for t in a.report.topic & b.report.topic)


def similarity(a: Profile, b: Profile, policy: DuplicatePolicy = DuplicatePolicy()) -> Match | None:
    """`b` as a duplicate of `a`, with a score, or None when they are different incidents."""
    gap = abs(b.report.reported_at - a.report.reported_at)
    if gap > policy.window and not (gap <= policy.standing_window and a.kinds & b.kinds & _STANDING):
        return None
    place = _same_place(a, b, policy)
    if place is None:
        return None
    if matters_apart(a, b):
        return None  # both clearly say what happened, and it is not the same thing
    if b.another:
        return None  # the new report says it is about another one (另一家药店, 此次反映另一问题)
    words = _cosine(a.grams, b.grams)
    same_kind = bool(a.kinds & b.kinds)
    # The learned model's leanings over catalogue matters for the two reports' words (places blanked).
    leaning = leaning_alike(a.leaning, b.leaning) if a.leaning and b.leaning else None
    # The words themselves name one catalogue matter most (the rules' own reading, not the router's
    # decision, which its model may move), or lean to one as the learned model reads them: a matter
    # in common, told in words no kind lists.
    named_alike = bool(a.cues & b.cues) or (leaning is not None and leaning >= policy.leaning_in_common)
    same_topic = bool(a.report.topic & b.report.topic) or same_kind or _related(a.kinds, b.kinds) or named_alike
    spot = _named_spot(place, a, b)
    # The router's matter: the same, or one's among those the router ranks the other close to (a side
    # word moved one: a night site read as its muck trucks, a stopped bus line as passenger transport).
    same_router_matter = any(t.startswith("matter:") for t in a.report.topic & b.report.topic) or _router_near(a, b)
    # ... or its catch-all (….other) for one and a matter of that department for the other: no matter
    # of its own against the other's.
    router_agrees = same_router_matter or _catch_all_of_one(a, b)
    # The router's matter and the kind of incident (or kinds one incident is told as: 塌方 / 塌陷 of one
    # bridge) both agree: at one place within the window that is the incident again, however
    # differently it is worded.
    # So is the same kind at a place both name (not only the router's village or coordinates): the
    # router's matter is a guess from words and often differs for one incident told apart.
    same_matter = (same_kind or _related(a.kinds, b.kinds)) and (router_agrees or spot)
    # ... and when the router's matter, the kind and a named spot all agree, the words may differ wholly.
    certain = same_matter and same_router_matter and spot
    # The router's one specific matter (not a catch-all), or one it ranks the other close to, at a spot
    # both name is the incident again when one of them has no word of its kind (水是黄的 / 浑浊 are both
    # water quality to the router; 县医院门口车停得乱 is parking or the hospital); when neither says
    # what happened, the words decide (`unsaid`): a library's air conditioning and its front steps are
    # both its public service to the router. Nor when the words' learned leanings are all but
    # orthogonal: the router's matter then came from the place named.
    same_matter = same_matter or (spot and (_specific_matter(a, b) or _router_near(a, b))
                                  and bool(a.kinds | b.kinds)
                                  and not (leaning is not None and leaning < policy.leanings_apart))
    # When neither says what happened, the words' learned leanings to one matter (`leaning_in_common`)
    # join them as their words would (a clinic's doctor told as rude by one, on his phone by the other).
    same_matter = same_matter or (spot and _specific_matter(a, b) and not (a.kinds | b.kinds)
                                  and leaning is not None and leaning >= policy.leaning_in_common)
    # ... and so is one outage (felt around) on one road or in one community.
    felt = bool(a.kinds & b.kinds & _FELT_AROUND) or _outage_and_burst(a, b)
    same_matter = same_matter or felt
    # ... and so is one matter the learned model reads in both reports' words, told in words no kind
    # lists, at a spot both name; at a wider place (a road, a community) when the kind of incident or
    # the router's matter agrees too: the leaning then stands for a router's matter that a side word
    # moved (路灯 routed as the market town's), but alone it does not join two poles of one road.
    same_matter = same_matter or (leaning is not None and leaning >= policy.min_leaning
                                  and (spot or same_kind or router_agrees))
    # At a spot both name, leanings well alike are one matter whatever the kinds' words and the router
    # say (a wall's crack / the wall about to fall; cars parked anyhow at a school gate): among the
    # pairs at a spot the rules rejected, 10 of 10 this alike were one incident (sets a-m).
    same_matter = same_matter or (spot and leaning is not None and leaning >= policy.min_leaning_at_spot)
    # A report that says it was reported before or is still not dealt with (打过电话, 还没修, 又是) tells
    # of one already reported, often as "it" (那个桥, 那家): at a spot both name, one of them saying no
    # kind of incident, a matter in common is the incident again.
    same_matter = same_matter or ((a.follow_up or b.follow_up) and spot and not (a.kinds and b.kinds)
                                  and same_topic)
    # At a spot both name, neither saying its kind: the router's matters are guesses from words that
    # say no kind, so the words decide as when the matters agree.
    unsaid = spot and not a.kinds and not b.kinds and bool(a.report.topic) and bool(b.report.topic)
    needed = (0.0 if certain else policy.min_similarity_same_matter if same_matter else
              policy.min_similarity if same_topic or unsaid else policy.min_similarity_other_topic)
    coarse = place.startswith(_WITHIN)
    if coarse and gap > policy.window:
        return None  # past the window a standing grievance is one only at a place both name
    if coarse:
        # Only one township or village in common: the same kind of incident, and the router's
        # matter (one specific, or one it ranks the other close to) or the words agree too.
        if not same_kind:
            return None
        agreed = felt or _specific_matter(a, b) or _router_near(a, b)
        needed = 0.0 if agreed else max(needed, policy.min_similarity_within)
    if words < needed:
        return None
    score = words + (0.3 if same_topic else 0.0) - min(gap / policy.window, 1.0) * 0.1 - (0.2 if coarse else 0.0)
    return Match(a.report.id, score, f"{place}; words {words:.2f}{'; same matter' if same_topic else ''}; "
                                     f"{gap.total_seconds() / 3600:.0f} h apart")


@dataclass
class DuplicateIndex:
    """The open incidents seen so far; `add` says which one a new report repeats (if any)."""

    policy: DuplicatePolicy = field(default_factory=DuplicatePolicy)
    idf: dict[str, float] | None = None
    aliases: Mapping[str, str] | None = None
    book: PlaceBook | None = None
    matters_named: MattersNamed | None = None
    leaning: MatterLeaning | None = None
    matters_near: MattersNear | None = None
    _profiles: list[Profile] = field(default_factory=list)
    _root: dict[str, str] = field(default_factory=dict)

    def profile_of(self, report: Report) -> Profile:
        return profile(report, self.idf, self.aliases, self.book, self.matters_named, self.leaning, self.matters_near)

    def best_incident(self, report: Report, members: Sequence[tuple[Profile, str]]) -> Match | None:
        """`repeated_incident` of `report` among `members` (intake: the open orders of the window and
        the orders merged into them, each with the id of its incident's open order)."""
        return repeated_incident(self.profile_of(report), members, self.policy)

    def add(self, report: Report) -> str | None:
        """Remember `report`; returns the id of the earliest report of the incident it repeats."""
        horizon = report.reported_at - self.policy.widest
        self._profiles = [p for p in self._profiles if p.report.reported_at >= horizon]
        new = self.profile_of(report)
        # (past the window, only reports of a standing grievance the new one tells of too may be it)
        recent, standing = report.reported_at - self.policy.window, new.kinds & _STANDING
        members = [(p, self._root.get(p.report.id, p.report.id)) for p in self._profiles
                   if p.report.reported_at >= recent or p.kinds & standing]
        # ... with the first report of each incident among them, as intake sees the open order: an
        # incident whose first report tells another matter is not joined through a later one.
        listed = {p.report.id for p, _ in members}
        firsts = {root for _, root in members} - listed
        members += [(p, p.report.id) for p in self._profiles if p.report.id in firsts]
        match = repeated_incident(new, members, self.policy)
        if match is not None:
            self._root[report.id] = match.report_id
        self._profiles.append(new)
        return match.report_id if match else None


def repeated_incident(new: Profile, members: Sequence[tuple[Profile, str]],
                      policy: DuplicatePolicy = DuplicatePolicy()) -> Match | None:
    """The incident `new` repeats, as a match with the id of the incident's first report: of the
    reports it is like, the best whose incident has no report naming another place (a report naming
    only the township may join the incident of one village, not then another's; another shop's name).
    `members`: each earlier report of the window with the id of its incident's first report."""
    matches = [(m, root) for m, root in ((similarity(p, new, policy), root) for p, root in members) if m is not None]
    # An incident whose first report tells another matter is not joined through a later report of it
    # (one report merged wrongly would lead every later one to the wrong incident).
    # An incident told as an outage of the whole township takes reports of it from anywhere in it.
    wide = {root for p, root in members if p.township_wide}
    if new.township_wide:
        wide |= {root for _, root in matches}
    reports_of: dict[str, list[Profile]] = {}
    for p, root in members:
        reports_of.setdefault(root, []).append(p)
    # Each incident judged once, however many of its reports `new` is like.
    closed = {root for root in {root for _, root in matches}
              if any((_elsewhere(p, new, _junction_of(reports_of[root])) and root not in wide)
                     or (p.report.id == root and matters_apart(p, new))
                     for p in reports_of[root])}
    open_to = [(m, root) for m, root in sorted(matches, key=lambda found: -found[0].score) if root not in closed]
    if not open_to:
        return None
    match, root = open_to[0]
    if _WITHIN in match.why and root not in wide and any(other != root for _, other in open_to):
        return None  # only a township or village in common, and two incidents in it it could be: neither
    return Match(root, match.score, match.why if root == match.report_id else f"{match.why}; with {root}")


def find_duplicates(reports: Sequence[Report], policy: DuplicatePolicy = DuplicatePolicy()) -> Iterator[str | None]:
    """For each report in submission order: None, or the id of the earlier report it merges into."""
    index = DuplicateIndex(policy)
    for report in reports:
        yield index.add(report)


def pairwise_scores(predicted: dict[str, str | None], truth: dict[str, str]) -> tuple[float, float, int, int, int]:
    """Pairwise precision and recall of a clustering: `predicted` maps each id to the id it merges
    into (None for a new incident), `truth` each id to its true incident. Returns precision,
    recall, true-positive pairs, predicted pairs, true pairs."""

    def root(i: str) -> str:
        seen = set()
        while predicted.get(i) and i not in seen:
            seen.add(i)
            i = predicted[i] or i
        return i

    def pairs(groups: dict[str, list[str]]) -> set[tuple[str, str]]:
        out: set[tuple[str, str]] = set()
        for members in groups.values():
            ordered = sorted(members)
            out.update((x, y) for n, x in enumerate(ordered) for y in ordered[n + 1:])
        return out

    pred_groups: dict[str, list[str]] = {}
    true_groups: dict[str, list[str]] = {}
    for i in truth:
        pred_groups.setdefault(root(i), []).append(i)
        true_groups.setdefault(truth[i], []).append(i)
    p, t = pairs(pred_groups), pairs(true_groups)
    hit = len(p & t)
    return (hit / len(p) if p else 1.0), (hit / len(t) if t else 1.0), hit, len(p), len(t)
