"""并单's hard negatives on the demo county's own places, through the router and the detector as
`hotline duplicates` runs them: the same matter nearby (a compound and a road of its community, two spots
of one road) and another matter at one place (a school, a hospital, a market, a park, a station, a square,
a village, a compound, a garage) are two incidents however close in time. Written for the 2026-12-02
round (invented, not from any data set); a rule that joins more must keep these apart."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from router.service import Router
from services.offline_duplicates import detect_lines

# (earlier report, later report, hours apart): each pair two incidents.
HARD_NEGATIVES = [
    ("锦绣华庭小区门口的井盖没了，晚上黑灯瞎火很危险",
     "人民路百货大楼那边有个下水道井盖碎了，车一压就响", 7),
    ("文昌花苑里面的路灯坏了好几盏，晚上回家看不见路",
     "文昌路上的路灯不亮了，从一中那头开始一整排都是黑的", 24),
    ("湖滨花园门口有人摆摊卖水果，把路都堵了",
     "滨湖路上晚上烧烤摊占道，桌子摆到马路中间", 13),
    ("桂花园小区3栋的电梯坏了两天了，老人上不了楼",
     "桂花园小区的物业费又涨了，也不公示，业主很有意见", 9),
    ("县人民医院门诊的护士态度很差，问个路都不耐烦",
     "县人民医院收费处多收了我两百块检查费，要求退还", 6),
    ("人民公园的公共厕所脏得没法进，好几天没人打扫",
     "人民公园湖边的垃圾桶满了也没人清，塑料袋到处飞", 8),
    ("御景湾小区地下车库的灯全坏了，停车找不到位置",
     "御景湾小区地下车库漏水，车顶上全是泥水", 13),
    ("阳光城小区里有人养了好多鸽子，鸽子屎到处都是",
     "城南路上流浪狗成群，晚上追着电动车咬", 12),
    ("新华小区门口的垃圾桶好几天没人收了，臭得很",
     "解放路农贸市场后面的垃圾堆成山了，没人来拉", 6),
    ("县图书馆的自习室空调不制冷，热得坐不住",
     "县图书馆门口的台阶坏了一块，老人容易绊倒", 3),
    ("翠湖苑小区5栋楼道里有人私拉电线给电动车充电",
     "翠湖苑小区5栋楼道堆满了杂物，消防通道都堵了", 13),
    ("书香苑门口那家奶茶店卖的奶茶喝了拉肚子",
     "金湖路上有家饭馆后厨很脏，老鼠乱窜", 7),
    ("白沙镇中心学校食堂的饭菜有异味，孩子吃了肚子疼",
     "白沙镇中心学校乱收资料费，每个学生二百元，没有收据", 6),
    ("县人民医院停车场收费太贵，停半小时收十块",
     "县人民医院挂号排队两个小时，窗口只开了一个", 5),
    ("解放路农贸市场有摊贩缺斤短两，买一斤肉少二两",
     "解放路农贸市场里面地面全是污水，卫生太差了", 7),
    ("水岸名都小区的电梯经常停，困过人好几次",
     "水岸名都小区的二次供水水箱好几年没洗，水有怪味", 10),
    ("人民公园里的路灯晚上不亮，散步的人看不清路",
     "人民公园的健身器材坏了，单杠螺丝松了晃得厉害", 13),
    ("县汽车站候车室的座椅坏了一排，也没人修",
     "县汽车站售票员态度恶劣，问个班次就骂人", 5),
    ("东湖广场晚上跳广场舞的音响太吵，影响休息",
     "东湖广场的喷泉池里有死鱼，臭了好几天", 13),
    ("大坪村的自来水这几天是浑的，烧开有沉淀",
     "大坪村的村道坑坑洼洼，下雨全是泥，车子过不去", 9),
    ("阳光城小区物业不作为，楼道灯坏了一个月没人换",
     "阳光城小区物业乱收停车费，业主自己的车位还要交管理费", 13),
    ("北山景区门票涨价了，也没有听证公示",
     "北山景区的游步道护栏松了，游客靠上去很危险", 6),
    ("县政务服务中心办社保卡要跑三趟，材料一次说不清",
     "县政务服务中心门口停车位全被占了，办事的人没地方停车", 5),
    ("金湖湾小区地下车库的排水泵坏了，一下雨就积水",
     "金湖湾小区地下车库有人私拉电线充电，很危险", 11),
]

T0 = datetime.fromisoformat("2026-11-02T08:00:00+08:00")

# Still merged: none. (A compound's property neglect — its stairwell's light — and its parking fees, both the
# property company's, were until a stairwell's light was read as a light, 2026-12-03.)
KNOWN_MERGED: set[tuple[str, str]] = set()


@pytest.fixture(scope="module")
def router() -> Router:
    return Router.default()


def _pair_merged(router: Router, first: str, second: str, hours: float) -> bool:
    lines = [json.dumps({"id": i, "text": text, "reported_at": (T0 + timedelta(hours=h)).isoformat()},
                        ensure_ascii=False)
             for i, text, h in (("a", first, 0.0), ("b", second, hours))]
    rows = list(detect_lines(router, lines))
    return rows[1]["duplicate_of"] == "a"


_STILL = pytest.mark.xfail(strict=True, reason="another matter of one property company at one compound: still merged")


@pytest.mark.parametrize(("first", "second", "hours"), [
    pytest.param(*pair, marks=_STILL) if pair[:2] in KNOWN_MERGED else pair for pair in HARD_NEGATIVES])
def test_two_incidents_stay_apart(router: Router, first: str, second: str, hours: float) -> None:
    assert not _pair_merged(router, first, second, hours)
