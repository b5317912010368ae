"""What a report says happened, in the words citizens use, for 并单 (`intake.duplicates`): the kinds
of incident, kinds one incident is told as, what is wrong with a utility (an announced outage, a fault,
the bill), grievances that stand until resolved, and words that tell a report chases one up, is about
another one or adds a matter in passing. General hotline vocabulary, no gazetteer."""

from __future__ import annotations

import re

# What kind of incident, in the words citizens use: two reports of the same kind at one place are
# likely one incident even when worded apart (水管爆了 / 地下冒水). General hotline vocabulary.
_KINDS: dict[str, tuple[str, ...]] = {
    "water_leak": ("水管", "爆管", "冒水", "跑水", "漏水", "渗水", "管道破裂", "水柱", "管子裂", "管子破", "涌水"),
    # (来水 of 没来水, not of 自来水, which names the water whatever is wrong with it)
    # (供水 of 停止供水 or 供水中断, not of 二次供水 or 供水公司, which name the supply whatever is wrong with it)
    "water_outage": ("停水", "没水", "断水", "没来水", "不来水", "才来水", "时候来水", "停止供水", "供水中断",
                     "吃水困难", "饮水", "挑水", "没自来水", "没有自来水", "一滴水都没", "没有水"),
    "water_quality": ("水质", "发黄", "浑浊", "怪味", "铁锈味", "水是黄的", "黄水", "沉淀", "水是浑的", "水就是浑的",
                      "黄汤"),
    "power": ("停电", "没电", "断电", "限电", "来电了", "变压器", "电线", "电压", "跳闸", "忽明忽暗"),
    # (the power out, as against its lines, poles and voltage: felt all round, as a water outage is)
    "power_outage": ("停电", "停的电", "没电", "断电", "来电了", "全黑了", "还没来电", "时候来电", "快点来电",
                     "恢复供电"),
    # (停了四次电, 停了好几回电: the count between the two words; `_KIND_PATTERNS`)
    "gas": ("燃气", "煤气", "天然气", "停气", "气味", "漏气", "臭鸡蛋味"),
    # (a stairwell's or a corridor's light as well as a street's: 楼道灯, 感应灯, 灯坏了)
    "street_light": ("路灯", "不亮", "黑灯", "一片黑", "一盏灯", "漆黑", "黑漆漆", "灯全黑", "灯都黑", "楼道灯",
                     "感应灯", "灯坏", "灯泡"),
    "traffic_light": ("红绿灯", "信号灯", "黄闪", "减速带"),
    "noise": ("噪音", "噪声", "吵", "扰民", "音响", "音箱", "打桩", "炸街", "喇叭", "切割机", "声音很大", "声音太大",
              "声音特别大", "震天响", "震耳", "轰鸣", "轰轰", "轰隆", "喧哗", "吵闹", "哐哐", "咚咚", "低音炮", "蹦迪",
              "音乐开得", "音乐放得", "放得特别大", "放得很大", "开得很大声", "太大声", "鬼哭狼嚎", "敲敲打打", "刺耳"),
    "smoke_smell": ("油烟", "黑烟", "浓烟", "废气", "臭气", "刺鼻", "焚烧", "烧荒", "秸秆", "烧田", "异味",
                    "烧焦", "化学味", "化工味", "烟熏", "熏得", "在烧", "烧塑料", "烧垃圾", "油漆味", "塑料味",
                    "橡胶味", "焦味", "熏醒", "臭醒", "呛鼻", "呛人", "毒气", "烧糊", "糊味"),
    "garbage": ("垃圾", "清运", "满溢", "垃圾站", "垃圾池", "环卫"),
    "sewage": ("污水", "化粪池", "下水道", "管道堵塞", "外溢", "黑水", "冒溢", "反上来", "臭水", "粪水", "排污管",
               "返水", "倒灌", "水沟"),
    "manhole": ("井盖", "窨井", "下水道盖", "盖子丢", "盖板", "盖子不见", "盖子没了", "井口敞着", "没盖的井", "井没盖",
                "没盖子"),
    "road_damage": ("坑", "塌陷", "下沉", "坑槽", "路面", "塌方", "井盖", "压坏", "压烂", "损毁", "断裂", "伸缩缝",
                    "桥面", "护栏", "大洞", "路烂", "塌了个",
                    "桥塌", "桥垮", "垮塌"),
    "parking": ("停车", "违停", "占用", "停满", "堵死", "双排", "停得乱", "车停得"),
    "fire_lane": ("消防通道", "消防车道", "消防同道"),
    "lift": ("电梯",),
    "stall": ("占道", "摆摊", "小吃摊", "流动", "菜贩", "烧烤", "小摊", "摊贩", "地摊", "卖菜的", "早市", "夜市",
              "外摆", "路边摊", "的摊子", "了摊子", "卖菜", "卖早点"),
    "construction": ("施工", "工地", "渣土", "浇筑", "挖机", "挖掘机", "混凝土", "围挡"),
    "tree": ("大树", "倒伏", "行道树", "树", "盗伐", "伐木", "砍伐", "林木"),
    "flood": ("积水", "进水", "淹", "内涝", "渗漏", "坝", "水漫金山", "全是水", "看海", "泡在水里"),
    "pollution": ("排污", "偷排", "死鱼", "化工", "乱排", "粪水", "废水", "排放", "翻白", "红水", "变成红色",
                  "呈红色", "水体"),
    "building": ("违建", "违章建", "盖房", "建房", "起房", "搭建", "地基", "占用耕地"),
    "queue": ("排队", "取号", "拿号", "放号"),
    "boat": ("渡船", "渡口", "超载", "超员", "救生衣", "船上", "坐船", "条船", "船老板", "船舷", "停航", "停渡"),
    "wages": ("工资", "欠薪", "讨薪", "拖欠", "欠款", "工钱", "血汗钱"),
    # (关门 of a shop gone, not of a lift's doors: 电梯经常关门关到一半)
    "refund": ("退费", "退款", "跑路", "预付", "预交", "充值", "会员", "突然关门", "关门了", "关门已", "已关门",
               "关门歇业", "停业", "暂停营业",
               "年卡", "次卡", "储值卡", "私教课", "人去楼空", "卷款"),
    "food": ("食堂", "腹泻", "上吐下泻", "过期", "变质", "拉肚子", "肚子疼", "食物中毒", "伙食", "饭菜"),
    "animals": ("流浪狗", "咬", "狗", "犬", "鸽子", "猪场", "养殖场", "粪污"),
    "sand": ("采沙", "采砂", "挖沙", "挖砂", "抽沙", "抽砂", "盗采", "偷采", "河沙", "河砂"),
    "transit": ("公交", "班车", "一班车", "站牌", "候车亭", "客车", "停运", "班次"),
    "bikes": ("电单车", "共享单车", "乱停"),
    "falling": ("高空抛物", "广告牌", "掉下来", "往下掉", "往下扔", "往楼下扔", "高空扔", "脱落", "掉了一块"),
    "ebike_charging": ("电瓶", "充电", "飞线", "私拉电线"),
    "house_quality": ("空鼓", "开裂", "交房", "收房", "渗漏", "墙裂"),
    "quarry": ("采石", "放炮", "爆破", "矿山", "石场", "石头厂", "碎石", "石料", "开采"),
    "scale": ("秤", "短斤少两", "鬼秤", "缺斤短两", "缺斤少两", "短斤缺两"),
    "fire": ("着火", "起火", "失火", "火灾", "山火", "冒烟", "火势", "烧起来"),
    "rockfall": ("落石", "滚石", "山体滑坡", "滑坡", "石头从山上", "边坡", "泥石流", "塌方", "垮下来", "塌下来",
                 "垮了", "路塌了"),
    "wildlife": ("野猪", "猴子", "野兽", "毁坏农作物", "拱得"),
    "subsidy": ("补贴", "补助", "到账", "发放"),
    # (and mud carried out on a site's wheels: 带泥上路, 一路泥巴, 车辆出场不冲洗; not 泥巴汤 of murky water)
    "dust": ("扬尘", "遗撒", "撒沙", "撒土", "渣土", "起尘", "一阵尘", "灰尘", "粉尘", "带泥", "一路泥",
             "全是泥", "不冲洗", "没冲洗", "未冲洗", "土方车"),
    "wall": ("围墙", "墙倒", "墙塌", "倒塌"),
    "renovation": ("改造", "沟槽", "挖开"),
    # (a charge disputed: 多收, 乱收, a bill's items — 出院清单上有一项收了三天; a school's 资料费)
    "fees": ("物业费", "乱收费", "收费", "涨价", "停车费", "多收", "乱收", "收取费用", "资料费", "费用清单",
             "收费清单", "出院清单", "清单上"),
    "welfare": ("低保", "养老金", "社保", "医保", "五保"),
    # (a quarrel is not noise: 吵架 is read as this alone, `_OWN_KINDS`)
    "public_order": ("赌博", "打架", "斗殴", "醉酒闹事", "寻衅", "吵架", "争吵", "吵起来"),
    "traffic_jam": ("堵车", "拥堵", "车流量大", "堵得死死", "乱成一锅粥", "堵成一锅粥", "水泄不通"),
    "school_place": ("学位", "入学", "校车", "转学"),
    "home_renovation": ("装修", "电钻", "冲击钻", "砸墙", "切瓷砖", "敲墙"),  # a neighbour's works, not a building site
    "roof_leak": ("漏雨", "防水层", "天花板", "楼顶漏", "顶楼漏", "屋顶漏", "下雨就漏", "一下雨就漏"),
    "heating": ("暖气", "供暖", "取暖", "供热"),
    # (not 信号灯, a traffic light)
    # A public place shut when it should be open (县图书馆周六关门了 / 周末闭馆)
    "closed": ("闭馆", "关门了", "没开门", "不开门", "暂停开放"),
    "hot_water": ("热水器", "没热水", "没有热水"),
    "abandoned_car": ("僵尸车", "没人开", "轮胎都瘪", "轮胎瘪", "落满了灰", "废弃车"),
    # What is wrong at a busy public place (a hospital, a service centre, a school, a station), which the
    # router gives one matter whatever happened there: a clerk's manner, a system down, tickets or
    # numbers resold, black cabs touting at the gate.
    "attitude": ("态度差", "态度很差", "态度太差", "态度恶劣", "态度极差", "态度不好", "服务态度", "吼人", "爱答不理",
                 "不耐烦", "甩脸色", "头都不抬"),
    "system_down": ("系统坏", "系统故障", "系统崩", "系统瘫痪", "瘫痪了", "系统出问题", "系统出了问题", "网络故障",
                    "系统卡", "系统维护", "系统升级", "系统问题", "提示失败", "上传失败", "登不上", "网站打不开"),
    # (staff not at their post: a window shut before its hours, 提前下班, 窗口没人)
    "absent": ("提前下班", "窗口没人", "就没人了", "早退", "脱岗", "不在岗"),
    # (sent back and forth for papers: 来回跑了三趟, 证明材料)
    "red_tape": ("来回跑", "跑了三趟", "跑了好几趟", "跑了几趟", "证明材料"),
    "scalper": ("黄牛", "号贩子", "倒号", "倒卖", "加价卖", "炒号"),
    "taxi": ("黑车", "拉客", "揽客", "拒载", "不打表", "出租车", "网约车", "的士", "坐不坐车", "坐我的车"),
    "snacks": ("辣条", "零食", "垃圾食品", "三无", "小卖部"),
    "toilet": ("厕所", "公厕", "卫生间脏", "没人打扫", "蹲坑"),
    "malpractice": ("误诊", "医疗事故", "医疗纠纷", "手术失败", "用错药", "打错针", "开错药"),
    "punishment": ("体罚", "罚站", "打学生", "骂学生", "辱骂学生"),
    "telecom": ("手机信号", "没信号", "信号差", "信号不好", "信号弱", "信号太差", "无信号", "信号中断", "信号覆盖",
                "基站", "4G", "5G", "宽带", "网速", "没网", "没有网"),
}


_NEGATION = frozenset("不没未")


# Each word of a kind → the kinds it and the words it begins with tell (渗漏 is flood and house quality;
# 垃圾站 begins with 垃圾), read in one scan: at each position the longest word there.
_KINDS_OF: dict[str, frozenset[str]] = {}
for _kind, _words in _KINDS.items():
    for _word in _words:
        _KINDS_OF[_word] = _KINDS_OF.get(_word, frozenset()) | {_kind}
# Words that tell their own kind only, not those of the words they begin with (吵架 is a quarrel, not 吵's noise).
_OWN_KINDS = frozenset({"吵架", "吵起来"})
_KINDS_AT = {word: _KINDS_OF[word] if word in _OWN_KINDS
             else frozenset().union(*(kinds for w, kinds in _KINDS_OF.items() if word.startswith(w)))
             for word in _KINDS_OF}
_KIND_WORD = re.compile("(?=(" + "|".join(map(re.escape, sorted(_KINDS_OF, key=len, reverse=True))) + "))")


def incident_kinds(text: str) -> frozenset[str]:
    """The kinds of incident `text` tells of: a word of each, other than right after 不 / 没 / 未 (打不着火
    is a water heater, not a fire)."""
    found: set[str] = set()
    text = _NO_KIND.sub(lambda m: " " * len(m.group(0)), text)
    for m in _KIND_WORD.finditer(text):
        if m.start() == 0 or text[m.start() - 1] not in _NEGATION:
            found |= _KINDS_AT[m.group(1)]
    for pattern, kinds in _KIND_PATTERNS:
        if pattern.search(text):
            found |= kinds
    return frozenset(found)


# Words holding a kind's word that tell of none: cheated (被坑, 坑人), not a pothole; an e-bike (电瓶车) is
# no battery charged (电瓶); a cashier's window (收费窗口, 收费处) is no charge disputed.
_NO_KIND = re.compile("被坑|坑人|坑钱|坑骗|坑了我|电瓶车|收费窗口|收费处")


# Kinds told with other words between their own (停了四次电, 停了好几回电: not 回电话).
_KIND_PATTERNS: tuple[tuple[re.Pattern[str], frozenset[str]], ...] = (
    (re.compile("停了(?:[一二两三四五六七八九十几好多]{1,3}|好几)[次回天趟]电(?![话视梯瓶动费])"),
     frozenset({"power", "power_outage"})),
    # (fish dead, told with a count between: 死了几百斤鱼, 死了好多鱼)
    (re.compile("死了(?:[一二两三四五六七八九十百千几好多些大片斤条]{1,5})的?鱼"), frozenset({"pollution"})),
    # (a queue told by how long: 排了一个多小时, 排了两个钟头)
    (re.compile("排了(?:[一两三四五六七八九十几半]{1,2})个?多?(?:小时|钟头)"), frozenset({"queue"})),
)


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
    # a road wrecked by the trucks of sand dug or stone quarried by night: the matter told by its effect
    frozenset({"road_damage", "sand", "quarry"}),
    frozenset({"road_damage", "renovation"}), frozenset({"construction", "renovation"}),
    frozenset({"parking", "bikes", "fire_lane", "traffic_jam"}),
    frozenset({"ebike_charging", "power"}),  # a cable hung down from a window to charge e-bikes
    frozenset({"refund", "home_renovation"}),  # a shop gone with the members' money, "closed for decoration"
)


# Two sides of one source that are two matters when each report tells one side only: a building site's
# din by night (打桩, 夜间施工) and the mud its trucks carry onto the road (带泥上路, 渣土) are both
# `construction` and related kinds, but two incidents for two teams; a report telling both is either. Only
# where one of them tells of the site: a quarry's blasts and its dust, a road's trucks, are not told apart so.
_SIDES_APART = (("noise", "dust", "construction"),)


def _sides_apart(a: frozenset[str], b: frozenset[str]) -> bool:
    """Of a pair of `_SIDES_APART` (the sides, then the source), one report tells the one side only and the
    other the other only, one of them telling of the source."""
    return any(((x in a and y not in a and y in b and x not in b) or (y in a and x not in a and x in b and y not in b))
               and source in a | b for x, y, source in _SIDES_APART)


# What goes wrong with a utility's supply (no water, murky water, a leak, no power, no heat): a bill is
# not one of them (a flat's water bill and its building's low pressure at night are two matters).
_SUPPLY = frozenset({"water_outage", "water_quality", "water_leak", "power_outage", "heating"})


def bill_and_supply(kinds_a: frozenset[str], facets_a: frozenset[str], kinds_b: frozenset[str],
                    facets_b: frozenset[str]) -> bool:
    """One tells of the bill (`_FACETS`) and no fault of the supply, the other of a fault of the supply
    and not the bill."""
    return any("bill" in fx and "bill" not in fy and ky & _SUPPLY and not kx & _SUPPLY
               for kx, fx, ky, fy in ((kinds_a, facets_a, kinds_b, facets_b), (kinds_b, facets_b, kinds_a, facets_a)))


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


# Said not to be (没看到停水通知, 未接到通知, 没看到哪里贴停水通知: no notice, so no planned outage).
_DENIED = re.compile("(?:没|未|不|无)(?:看到|看见|接到|收到|见到|见|有|发)?(?:任何|哪里|哪儿|什么)?"
                     "(?:张贴|贴|发)?(?:的|过|了)?$")


def _affirmed(word: str, text: str) -> bool:
    """`word` is in `text` other than denied just before it (没看到停水通知 tells of no notice)."""
    at = text.find(word)
    while at >= 0:
        if not _DENIED.search(text, max(0, at - 8), at):
            return True
        at = text.find(word, at + 1)
    return False


def incident_facets(text: str) -> frozenset[str]:
    return frozenset(facet for facet, words in _FACETS.items() if any(_affirmed(w, text) for w in words))


# Grievances that stand until someone resolves them (wages owed, prepaid money gone with a closed
# shop, a flat not handed over or badly built, a benefit or subsidy withheld): a report of one weeks
# later is the grievance still open (taxonomy.md's 攻坚: long-standing, repeated), not a new event as a
# burst or a dark street light weeks later is.
_STANDING = frozenset({"wages", "refund", "house_quality", "welfare", "subsidy", "telecom"})


# A sentence that adds another matter in passing (。还有我们那个路灯也坏了; 。另外…; 顺便说一下).
# ... or in brackets as reported apart: （另有一辆僵尸车另行上报）.
_ASIDE = re.compile("[。！？!?；;]\\s*(?:还有|另外)|顺便(?:说|问|反映)|[（(]\\s*(?:另有|另外|还有)")


# What a spot is told from, right before a word of position (工地门口的车辆, 超市旁边那个, 公交站下车往前): a
# place, not what happened there; blanked before the kinds are read. Not across 在 / 到: what is 在门口 (那堆建筑
# 垃圾还在门口) is what is there, not a spot.
_TOLD_FROM_SPOT = re.compile("(?:(?![在到])[\u4e00-\u9fff]){1,4}(?=门口|旁边|对面|附近|边上|后面|隔壁|那边|下车)")


def without_spots_told_from(text: str) -> str:
    """`text` with what each spot is told from blanked (`_TOLD_FROM_SPOT`)."""
    return _TOLD_FROM_SPOT.sub(lambda m: " " * len(m.group(0)), text)


# An outage of the whole township: where it is reported from is only where the caller is.
_OUTAGES = frozenset({"water_outage", "power"})


_TOWNSHIP_WIDE = re.compile("(?:全|整个|整)(?:镇|乡|街道)")


# Bigrams of the words that say what happened: rare or not, they name no place.
_KIND_BIGRAMS = frozenset(w[i:i + 2] for words in _KINDS.values() for w in words for i in range(len(w) - 1))


# Kinds of incident smelt or seen away from their source (a plant's fumes over the villages around;
# a burst's outage, `_WATER_OUT`).
_FROM_A_SOURCE = frozenset({"smoke_smell", "pollution"})


_WATER_OUT = frozenset({"water_outage"})


_WATER = frozenset({"water_leak", "water_outage"})


# Kinds of incident felt away from where they happen (a burst at the junction empties the taps of
# every house along the road): a report of one places the caller, not the incident. (Not `power`:
# its words are of lines and poles at one spot as much as of outages.)
_FELT_AROUND = frozenset({"water_outage", "water_quality", "power_outage"})


_TOWNSHIP_SCALE = frozenset({"transit", "smoke_smell"})  # told of a whole township, not of one spot


# A report telling of one reported before, still not dealt with (a citizen chasing it up).
_FOLLOW_UP = re.compile("(?:打过|反映过|投诉过|报过|说过|打了好几次|打了几次)|还没(?:修|人|管|来|处理|解决|搬|好|弄)|"
                        "还是没|到现在(?:还|都|也)|至今(?:未|没|还|仍)|又(?:是|在|开始|来了|坏|停|出现)|再次|仍然|依然")


# A report telling of another business, spot or matter than one reported before.
_ANOTHER = re.compile("另(?:一|外一?)(?:家|处|个问题|问题|件事|回事)")
