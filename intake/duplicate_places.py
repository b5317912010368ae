"""Whether two profiled appeals are at one place, for 并单 (`intake.duplicates`): coordinates, the
gazetteer's places, sub-places, named businesses, bare names and rare words; and what tells two places
apart (two roads or compounds, two businesses, two ends of a road, house numbers far apart)."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable
from typing import NamedTuple

from intake.businesses import names_one
from intake.duplicate_profile import DuplicatePolicy, Profile, Report
from intake.incident_kinds import (
    _FELT_AROUND,
    _FROM_A_SOURCE,
    _KIND_BIGRAMS,
    _TOWNSHIP_SCALE,
    _WATER,
    _WATER_OUT,
)
from intake.place_keys import shared_key
from intake.place_words import (
    _BOILERPLATE,
    _BUILDING,
    _DOORS_NEAR,
    _LEVELS,
    _ROADS,
    _WIDE,
    _apart,
    _longest_first,
    _mentions,
)
from intake.places import (
    common_area,
    common_holder,
    contradict,
    shared_spots,
    spots_of_one_road,
)


class SharedPlace(NamedTuple):
    """Where two reports are both at (`_same_place`): `how` they are (`_SAME_PLACE` a place both name, or
    the router's node for both; `_BUSINESS`, `_JUNCTION`, `_SAME_NAME`, `_SAME_BUILDING`; `_WITHIN` only a
    township or village in common; `_NEARBY` coordinates) and the `name` of that place (for `_NEARBY`, the
    metres apart). Read as text it is the reason the detector gives (`same place 锦绣华庭`)."""

    how: str
    name: str

    def __str__(self) -> str:
        return f"{self.name} m apart" if self.how == _NEARBY else self.how + self.name

    @property
    def router_node(self) -> bool:
        """Only the router's village node for both (`village:…`), not a place either names."""
        return ":" in self.name


_SAME_PLACE = "same place "


_NEARBY = "nearby "


_SAME_NAME = "same name "


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


class Band(NamedTuple):
    """The box outside which an earlier report that has coordinates too is never at a report's place:
    latitudes `south`..`north` and longitudes `west`..`east` (None: no bound on the longitude — near a
    pole, or where the box would cross the antimeridian)."""

    south: float
    north: float
    west: float | None
    east: float | None


def coordinate_band(latitude: float | None, longitude: float | None, policy: DuplicatePolicy) -> Band | None:
    """For a report at (`latitude`, `longitude`): the box (`Band`) outside which an earlier report that
    has coordinates too is never at its place (`_same_place` puts no two reports more than
    `max_distance_m` apart at one place), with a margin; a candidate query may leave those out. None
    when the report lacks coordinates: then anything may be at its place.

    Latitude: the great circle is never shorter than the meridian arc between the two parallels.
    Longitude: on the haversine, sin²(Δλ/2)·cos φ0·cos φ1 ≤ sin²(d/2R) for two points d apart, and
    within the latitude band cos φ1 ≥ cos(|φ0| + half the band), so |Δλ| ≤ 2·asin(sin(d/2R) /
    √(cos φ0·cos(|φ0| + half))). Longitudes are those a channel accepts, −180..180."""
    if latitude is None or longitude is None:
        return None
    reach = policy.max_distance_m * 1.000001
    half = reach / _METRES_PER_DEGREE_LATITUDE * 1.01 + 1e-9
    south, north = latitude - half, latitude + half
    farthest = abs(latitude) + half  # the parallel of the band furthest from the equator
    if farthest >= 89.0:
        return Band(south, north, None, None)
    ratio = math.sin(reach / 6_371_000 / 2) / math.sqrt(math.cos(math.radians(latitude))
                                                         * math.cos(math.radians(farthest)))
    if ratio >= 0.5:
        return Band(south, north, None, None)
    spread = math.degrees(2 * math.asin(ratio)) * 1.01 + 1e-9
    west, east = longitude - spread, longitude + spread
    if west < -180.0 or east > 180.0:
        return Band(south, north, None, None)  # across the antimeridian: -179.99 is near 179.99
    return Band(south, north, west, east)


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
    # A bus or ferry line both tell of between townships both name: their addresses are where its riders are.
    line = bool(a.kinds & b.kinds & _LINES) and bool(a.whereabouts.townships & b.whereabouts.townships)
    return ((not felt and contradict(a.whereabouts, b.whereabouts, roads=roads) is not None)
            or (not felt and not line and contradict(a.lodged, b.lodged, addresses=True, roads=roads) is not None)
            or _named_apart(a, b) or _firms_apart(a, b) or _trades_apart(a, b) or _each_its_township(a, b)
            or _subplaces_apart(a, b)
            or _road_ends_apart(a, b) or _doors_apart(a, b)
            or (spots_of_one_road(a.whereabouts, b.whereabouts) and not (a.kinds | b.kinds) & _FELT_AROUND))


_LINES = frozenset({"transit", "boat"})


def _subplaces_apart(a: Profile, b: Profile) -> bool:
    """Both name a group of a village (村民小组) and none in common (四组 / 二组): as `_same_place` reads it, so an
    incident takes no report of another group than one of its reports'. (Not buildings: the one an address gives is
    often the caller's home, not where the incident is — a stall outside the compound told from 2栋 and from 5栋.)"""
    groups_a = a.subplaces_by_kind.get(_GROUP, frozenset())
    groups_b = b.subplaces_by_kind.get(_GROUP, frozenset())
    return bool(groups_a) and bool(groups_b) and not groups_a & groups_b


_GROUP = "组"


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


def _outage_and_burst(a: Profile, b: Profile) -> bool:
    """Both tell of the water, one of an outage (the burst's outage is felt along the road)."""
    return bool((a.kinds | b.kinds) & _WATER_OUT) and bool(a.kinds & _WATER) and bool(b.kinds & _WATER)


def _felt_from_one_source(a: Profile, b: Profile) -> bool:
    """Both tell of fumes or pollution (one a smell, the other a discharge) and name one landmark as its
    source (东湖工业园), or of the water
    and one road (a burst on 文昌路, the taps dry in a compound on it), one telling of an outage: the
    villages and compounds they name are where it is felt, not two places; or of one outage felt around
    at a spot both name, one of them telling it felt at several (建设小区和和平里停水: the other compounds of
    its incident are where it is felt too)."""
    if a.kinds & _FROM_A_SOURCE and b.kinds & _FROM_A_SOURCE and any(
            p.level == "landmark" for p in shared_spots(a.whereabouts, b.whereabouts)):
        return True
    if (a.kinds & b.kinds & _FELT_AROUND and shared_spots(a.whereabouts, b.whereabouts)
            and (len(a.whereabouts.spots) > 1 or len(b.whereabouts.spots) > 1)):
        return True
    return (bool((a.kinds | b.kinds) & _WATER_OUT) and bool(a.kinds & b.kinds & _WATER)
            and bool(a.whereabouts.at("road") & b.whereabouts.at("road")))


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
    return (_said_apart(a.trades, b.trades, a, b) and not set("".join(a.trades)) & set("".join(b.trades))
            and not any(_TRADE_OF.get(x, x) == _TRADE_OF.get(y, y) for x in a.trades for y in b.trades))


# Trades told in other words (宏达服装厂 / 宏达制衣厂 are one employer): each word → its trade.
_TRADE_OF = {word: trade for trade, words in {
    "clothing": ("服装", "制衣", "衣服", "成衣", "服饰", "针织", "织衣"),
    "shoes": ("鞋", "鞋业", "制鞋"),
    "furniture": ("家具", "木器"),
}.items() for word in words}


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


def _same_place(a: Profile, b: Profile, policy: DuplicatePolicy) -> SharedPlace | None:
    """The place `a` and `b` are both at (how they are, and its name), or None."""
    ra, rb = a.report, b.report
    if (ra.latitude is not None and rb.latitude is not None and ra.longitude is not None and rb.longitude is not None
            and abs(ra.latitude - rb.latitude) * _METRES_PER_DEGREE_LATITUDE > policy.max_distance_m * 1.000001):
        return None  # too far apart north to south alone: no need for the great circle (intake's hot loop)
    distance = _metres(ra, rb)
    if distance is not None:
        return SharedPlace(_NEARBY, f"{distance:.0f}") if distance <= policy.max_distance_m else None
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
        return SharedPlace(_SAME_PLACE, max((p.name for p in spots), key=_longest_first))
    firm = names_one(a.firms, b.where) or names_one(b.firms, a.where)
    if firm:
        return SharedPlace(_BUSINESS, firm)  # one business both name, wherever else they say it is
    keyed = shared_key(a.keys, b.keys)
    if keyed:
        # one corner however its roads are told, or one spot told from the same neighbour (农行后面 / 农业银行背后)
        return SharedPlace(_JUNCTION if keyed[0] == "junction" else _SAME_PLACE, keyed[1])
    roads = a.whereabouts.at("road") & b.whereabouts.at("road")
    if len(roads) >= 2:
        return SharedPlace(_JUNCTION, "/".join(sorted(roads)))  # the corner of two roads both name is a spot
    if len(roads) == 1 and all(_JUNCTION_WORDS.search(p.report.text) for p in (a, b)):
        return SharedPlace(_JUNCTION, next(iter(roads)))  # both at a junction of the one road they name (滨湖路口)
    # (A name both hold only inside two other places of the gazetteer is no place in common.)
    shared = (a.names & b.names & (a.read | b.read)) | (a.read & b.read)
    if shared:
        return SharedPlace(_SAME_PLACE, max(shared, key=_finest_first))
    # Each names spots of the gazetteer and none in common (东湖公园 / 东湖广场): a bare name read in
    # the other's text is then part of another place's name, and no place in common. So is one read
    # only inside a gazetteer place of the other's held by no village of its own (`_bare_name_in`).
    apart_spots = bool(a.whereabouts.spots) and bool(b.whereabouts.spots)
    contained = ({s for s in a.read_stems if _bare_name_in(s, b, a)}
                 | {s for s in b.read_stems if _bare_name_in(s, a, b)}) if not apart_spots else set()
    if contained:
        return SharedPlace(_SAME_PLACE, max(contained, key=_longest_first))
    rare = a.rare & b.rare
    # (Nor are words the background never saw, 出行极为 of two formal reports, then a name.)
    if len(rare) >= 2 and not apart_spots:
        return SharedPlace(_SAME_NAME, "".join(sorted(rare)))
    # (a name of one rare word and common ones, outside the places read: 竹山坳, 刘家嘴, 老张麻辣烫)
    unplaced = frozenset(g for g in rare if not any(g in n for n in a.names | b.names | a.coarse | b.coarse))
    name = _name_around(unplaced, _said(a), _said(b)) if unplaced and not apart_spots else None
    if name:
        return SharedPlace(_SAME_NAME, name)
    building = _one_building(a, b)
    if building:
        # A building number both give, the compound named by one only or by neither (水岸名都6栋 / 东湖大道268号
        # 6栋 / 8栋电梯): a place in common as wide as a road, the matter deciding.
        return SharedPlace(_SAME_BUILDING, building)
    nodes = a.report.places & b.report.places
    if nodes and not (_compound_elsewhere(a, b) or _compound_elsewhere(b, a)):
        return SharedPlace(_SAME_PLACE, min(nodes))
    townships = a.whereabouts.townships & b.whereabouts.townships
    if townships and ((a.township_wide and b.township_wide) or a.kinds & b.kinds & _TOWNSHIP_SCALE):
        # both tell of the whole township, or of a matter a township shares (its bus, a smell over it);
        # two reports naming only one township are otherwise at no place in common
        return SharedPlace(_WITHIN, f"township {min(townships)}")
    holder = common_holder(a.whereabouts, b.whereabouts)
    if holder:
        # one names a place in the other's, or both only their village
        return SharedPlace(_WITHIN, f"{holder[0]} {holder[1]}")
    felt = a.kinds & b.kinds & _FELT_AROUND or _outage_and_burst(a, b)
    area = common_area(a.whereabouts, b.whereabouts) if felt else None
    if area:
        return SharedPlace(_WITHIN, f"village {area}")  # an outage felt by two places of one community
    return None


_WITHIN = "within "


def _name_around(rare: frozenset[str], mine: str, theirs: str) -> str | None:
    """The longest run of three or more characters both texts hold around a word the background never
    saw (竹山 of 竹山坳, 家嘴 of 刘家嘴, 张麻 of 老张麻辣烫): one name both say, of a place or a business
    the gazetteer does not hold, where its other words are common (山坳, 刘家, 老张)."""
    best = ""
    for gram in rare:
        at = mine.find(gram)
        while at >= 0:
            start, end = at, at + 2
            while start > 0 and _CJK.match(mine[start - 1]) and mine[start - 1:end] in theirs:
                start -= 1
            while end < len(mine) and _CJK.match(mine[end]) and mine[start:end + 1] in theirs:
                end += 1
            if end - start > len(best):
                best = mine[start:end]
            at = mine.find(gram, at + 1)
    # (not a run across the words of what happened: 晚施工 of 半夜了还在切钢筋，这么晚施工)
    if len(best) < 3 or any(best[i:i + 2] in _KIND_BIGRAMS for i in range(len(best) - 1)):
        return None
    return best


_CJK = re.compile("[\u4e00-\u9fff]")


def _said(p: Profile) -> str:
    """Its address and text as said, without the words every report is told in (诉求人来电称)."""
    said = unicodedata.normalize("NFKC", f"{p.report.address or ''} {p.report.text}")
    return _WHO_SAID.sub(" ", _BOILERPLATE.sub(" ", said))


_WHO_SAID = re.compile("诉求人|来电人|来访人|咨询人|当事人|反映人|举报人")


_BUSINESS = "same business "


_JUNCTION = "same junction "


_SAME_BUILDING = "same building "


def _one_building(a: Profile, b: Profile) -> str | None:
    """The number of a building (栋, 号楼, 幢) both give, when at most one of them names the compound or
    another place than a road (水岸名都6栋 / 东湖大道268号6栋 / 8栋电梯): two reports each naming a compound,
    none in common, are in two buildings of one number."""
    shared = a.subplaces_by_kind.get(_BUILDING, frozenset()) & b.subplaces_by_kind.get(_BUILDING, frozenset())
    if not shared or (_estates(a) and _estates(b)):
        return None
    return f"{min(shared)}{_BUILDING}"


def _estates(p: Profile) -> bool:
    """It names a compound of the gazetteer, or a place of its own words that is not a road."""
    return bool(p.whereabouts.at("compound")) or any(not n.endswith(_ROADS) for n in p.names)


_JUNCTION_WORDS = re.compile("路口|街口|交叉|十字口|交汇|交口|拐角|转角")


def _named_spot(place: SharedPlace, a: Profile, b: Profile) -> bool:
    """The place both reports name is a compound, village, landmark … rather than a road or an urban
    community (wide: one kind of incident in it twice may be two) or only the router's village or
    coordinates."""
    if place.how in (_JUNCTION, _BUSINESS):
        return True
    if place.how != _SAME_PLACE or place.router_node:
        return False
    name = place.name
    return not name.endswith(_WIDE) and not any(n.endswith(name + r) for n in a.names | b.names for r in _WIDE)
