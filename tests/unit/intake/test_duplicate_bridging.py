"""并单 of an incident split in two before the report joining them came: a report that repeats two open
incidents firmly (a place both reports name and a matter in common, for each) links them into the one
first reported, offline as in intake; a weak likeness (only the router's village) links nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from intake.duplicate_profile import profile
from intake.duplicates import DuplicateIndex, Report, find_duplicates, incidents_in_order, similarity

T0 = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)


def _r(i: str, text: str, address: str | None = None, hours: float = 0.0, **kw: object) -> Report:
    return Report(id=i, text=text, address=address, reported_at=T0 + timedelta(hours=hours), **kw)  # type: ignore[arg-type]


# One missing manhole cover told from the compound by one caller and from the road by another: neither
# report names the other's place, so they are two open incidents until a third names both.
AT_COMPOUND = _r("a", "桂花苑小区门口的井盖丢了，晚上黑漆漆的很危险", "桂花苑小区")
ON_ROAD = _r("b", "解放路有个下水道井盖没了，一个大洞，电动车差点掉进去", "解放路", hours=2)
BOTH = _r("c", "解放路桂花苑小区门口那个井盖丢了好几天了，还没人来装", "解放路桂花苑小区门口", hours=5)


def test_a_report_repeating_two_open_incidents_links_them_into_the_first_reported() -> None:
    index = DuplicateIndex()
    assert [index.add(r) for r in (AT_COMPOUND, ON_ROAD)] == [None, None]
    assert index.add(BOTH) == "a"
    assert [index.incident_of(i) for i in "abc"] == ["a", "a", "a"]
    assert find_duplicates([AT_COMPOUND, ON_ROAD, BOTH]) == [None, "a", "a"]


def test_the_same_matter_on_another_road_is_not_linked() -> None:
    other_road = _r("b", "新华路有个下水道井盖没了，一个大洞，电动车差点掉进去", "新华路", hours=2)
    assert find_duplicates([AT_COMPOUND, other_road, BOTH]) == [None, None, "a"]


def test_the_later_reports_of_a_linked_incident_follow_it_too() -> None:
    road_again = _r("b2", "解放路那个没盖子的下水井还是一个大洞，晚上看不见", "解放路", hours=3)
    assert find_duplicates([AT_COMPOUND, ON_ROAD, road_again, BOTH]) == [None, "a", "a", "a"]


def test_only_the_routers_village_in_common_is_no_firm_likeness() -> None:
    village = frozenset({"village:baisha.dapin"})
    topic = frozenset({"matter:water.supply"})
    first = _r("v1", "家里停水两天了，什么时候来水", places=village, topic=topic)
    again = _r("v2", "我们这里停水了，做饭都没水", places=village, topic=topic, hours=1)
    match = similarity(profile(first), profile(again))
    assert match is not None and not match.firm


def test_each_line_names_the_first_line_of_its_incident() -> None:
    # Incidents linked into one first reported on a later line (reported_at out of file order): the
    # answer names the earlier line, never a later one.
    incident = {"x": "y", "y": "y", "z": "y", "w": "w"}
    assert incidents_in_order(["x", "y", "w", "z"], incident.__getitem__) == [None, "x", None, "x"]



def test_two_open_incidents_telling_two_matters_are_not_linked() -> None:
    """A chaser saying only 那个事 at a compound is like the tap water's report and the dog's, as the
    router reads it: two matters at one place stay two incidents; it joins one of them."""
    water = _r("w", "桂花苑小区今天早上自来水是黄的，水质浑浊", "桂花苑小区",
               topic=frozenset({"dept:water", "matter:water.quality"}))
    dog = _r("d", "桂花苑小区有户人家的大狗不拴绳，追着小孩咬", "桂花苑小区", hours=30,
             topic=frozenset({"dept:police", "matter:police.dogs"}))
    chaser = _r("c", "桂花苑小区那个事我上回打过电话了，还是老样子", "桂花苑小区", hours=40,
                topic=frozenset({"dept:water", "dept:police"}))
    verdicts = find_duplicates([water, dog, chaser])
    assert verdicts[:2] == [None, None] and verdicts[2] in ("w", "d")
