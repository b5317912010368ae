"""Level from who the appeal asks and where the thing is (sentences written for these tests): the
village asked keeps a matter in the village; the township asked takes a rural department matter;
a lamp, bin or manhole cover inside a residential compound is the community's; a villager's
livestock fouling a river is the township's."""

from __future__ import annotations

import pytest

from router.service import Router
from schemas.taxonomy import Level

CASES = [
    ("沙洲村二组和四组为抢水浇田吵了好几回，请村里出面把放水的时间排一排", Level.village),
    ("我叔叔一个人住在岭下村，几个子女为养老的事互相推诿，希望村委会出面调解", Level.village),
    ("石门村后山有户人家的土坯房墙歪了，随时可能倒，需村里马上做工作让老人搬出来", Level.village),
    ("北山村有人在河道里堆了一大堆砖块和木料，挡着行洪，需要乡里组织清走", Level.township),
    ("桂花园小区里5栋旁边的路灯不亮半个月了，物业一直拖着不修", Level.village),
    ("翠湖苑小区里面有个窨井盖碎了一半，晚上看不清很危险", Level.village),
    ("河口村有户人家在河边围了一片养鸭，鸭粪全冲进河里，下游洗衣服的都不敢去了", Level.township),
]


@pytest.mark.parametrize(("text", "level"), CASES)
def test_level_follows_who_is_asked_and_where(router: Router, text: str, level: Level) -> None:
    decision = router.route(text)
    assert decision.level is level, decision.explanation


def test_a_food_matter_is_not_pushed_down_by_asking_the_township(router: Router) -> None:
    decision = router.route("县城建设路一家餐馆卖的卤菜吃了拉肚子，请镇里管一管")
    assert decision.level is Level.county
