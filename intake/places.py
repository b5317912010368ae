"""Where a report is, in the gazetteer's terms, for 并单: the townships, villages, roads, landmarks and
compounds it names, each with the township and village that hold it.

Two reports are compatible in place when, at every level where both name a place, they name a
common one; a report naming only the township (or the village) is compatible with one naming a
compound or road inside it. A generic word that stands for a named place is read as that place
when the village the report names, else its township, holds exactly one of its kind (学校 in 白沙镇
is 白沙镇中心学校, 广场 by 东湖大道 is 东湖广场). The caller supplies the gazetteer as plain data
(`KnownPlace` by label).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

LEVELS = ("township", "village", "road", "landmark", "compound")
# Landmarks in a text are often where the place is told from (县医院对面, 汽车站旁边): two of them
# tell two places apart only in addresses.
_TOLD_FROM = frozenset({"landmark"})
_VILLAGE_KINDS = frozenset({"village", "community"})
# Generic words that stand for the one place of their kind in a township, and the endings of the
# gazetteer names of that kind. A word followed by one of `_NOT_A_PLACE_AFTER` is something else
# (广场舞 is a dance, 学校里 is still the school).
_GENERIC: dict[str, tuple[str, ...]] = {
    "学校": ("学校", "小学", "中学"), "小学": ("学校", "小学"), "中学": ("学校", "中学"),
    "公园": ("公园",), "广场": ("广场",), "码头": ("码头", "渡口"), "渡口": ("码头", "渡口"),
    **dict.fromkeys(("工业区", "工业园", "工业集中区"), ("工业园", "工业区", "工业集中区")),
    "林场": ("林场",), "医院": ("医院", "卫生院"), "卫生院": ("卫生院", "医院"), "景区": ("景区",), "古镇": ("古镇",),
    "敬老院": ("敬老院", "幸福院"), "幸福院": ("幸福院", "敬老院"), "车站": ("车站", "客运站"),
    "汽车站": ("汽车站", "客运站"), "客运站": ("汽车站", "客运站"), "集镇": ("集镇",),
    **dict.fromkeys(("农贸市场", "菜市场", "菜场"), ("农贸市场", "菜市场", "菜场")),
}
_GENERIC_RE = re.compile("|".join(sorted(_GENERIC, key=len, reverse=True)))
_NOT_A_PLACE_AFTER = frozenset("舞")
_COUNTY_PREFIX = "县"
_VILLAGES_OWN = re.compile(r"村(?:里的?|上的?|头的?)?$")
# Words after a compound's name that tell of a place outside it, near it (对面, 往东50米, 北侧).
_TOLD_FROM_WORDS = re.compile(r"的?(?:斜?对面|对过|隔壁|往[东南西北]|[东南西北]侧|背后|后面|后头)")


@dataclass(frozen=True)
class KnownPlace:
    """A gazetteer place: its name, kind (township, village, community, road, landmark, compound),
    the code of its township and of its village or community (None above or beside one)."""

    name: str
    kind: str
    township: str
    village: str | None = None

    @property
    def level(self) -> str:
        return "village" if self.kind in _VILLAGE_KINDS else self.kind


@dataclass(frozen=True)
class Whereabouts:
    """The gazetteer places a report names, by level, with the townships and villages holding them."""

    places: frozenset[KnownPlace] = frozenset()
    townships: frozenset[str] = frozenset()
    villages: frozenset[str] = frozenset()
    # Per level of `LEVELS`: the townships, villages, then the names of the roads, landmarks and
    # compounds (computed once: intake compares each profile with a few hundred).
    by_level: tuple[frozenset[str], ...] = field(init=False, repr=False, compare=False)
    finest: int = field(init=False, repr=False, compare=False)  # index in LEVELS of the finest named (-1)
    spots: frozenset[KnownPlace] = field(init=False, repr=False, compare=False)  # its landmarks and compounds

    def __post_init__(self) -> None:
        named = [frozenset(p.name for p in self.places if p.level == level) for level in LEVELS[2:]]
        object.__setattr__(self, "by_level", (self.townships, self.villages, *named))
        object.__setattr__(self, "finest", max((LEVELS.index(p.level) for p in self.places), default=-1))
        object.__setattr__(self, "spots", frozenset(p for p in self.places if p.level in ("landmark", "compound")))

    def at(self, level: str) -> frozenset[str]:
        return self.by_level[LEVELS.index(level)]


NOWHERE = Whereabouts()


def contradict(a: Whereabouts, b: Whereabouts, *, addresses: bool = False, roads: bool = True) -> str | None:
    """The level at which `a` and `b` name places and none in common (two villages, two roads …);
    landmarks count only when `a` and `b` are read from addresses, roads unless `roads` is false."""
    for level, mine, theirs in zip(LEVELS, a.by_level, b.by_level, strict=True):
        if (level in _TOLD_FROM and not addresses) or (level == "road" and not roads):
            continue
        if mine and theirs and not mine & theirs:
            return level
    return None


def shared_spots(a: Whereabouts, b: Whereabouts) -> frozenset[KnownPlace]:
    """Landmarks and compounds both name."""
    return a.spots & b.spots


# (Landmarks left out: a place is told from them, 县医院门口那个路口 is the junction with 二中路.)
_BESIDE_A_ROAD = frozenset({"road", "compound"})


def spots_of_one_road(a: Whereabouts, b: Whereabouts) -> bool:
    """Both name one road and no landmark or compound in common, and each names another road or a
    compound the other does not (a road by the junction with another / the same road at
    a compound's gate): two spots of the road, each told by its own neighbour."""
    if not a.at("road") & b.at("road") or a.spots & b.spots:
        return False
    return (any(p.level in _BESIDE_A_ROAD for p in a.places - b.places)
            and any(p.level in _BESIDE_A_ROAD for p in b.places - a.places))


def common_holder(a: Whereabouts, b: Whereabouts) -> tuple[str, str] | None:
    """When one names no place finer than a village or township (a visit recorded at the township
    office, a report naming only the village) and that place holds a place the other names (or both
    name only that village): the holder, ("village", code) or ("township", code); else None. A village
    holds its own roads as the gazetteer lists them (文昌路 of 文昌社区), not the township's own
    landmarks and roads (白沙镇中心学校 is not in 江边村)."""
    village = LEVELS.index("village")
    for coarse, fine in ((a, b), (b, a)):
        if not 0 <= coarse.finest <= village or fine.finest < 0:
            continue
        if fine.finest == coarse.finest == LEVELS.index("township"):
            continue  # both name only a township: tens of thousands of people, no place in common
        if coarse.villages:
            shared = coarse.villages & {p.village for p in fine.places if p.village}  # its roads too
            if shared:
                return "village", min(shared)
        elif coarse.townships & fine.townships:
            return "township", min(coarse.townships & fine.townships)
    return None


def common_area(a: Whereabouts, b: Whereabouts) -> str | None:
    """A village or community both name a place in, roads included (a road may cross two), else None."""
    shared = {p.village for p in a.places if p.village} & {p.village for p in b.places if p.village}
    return min(shared) if shared else None


def _common_word(label: str, place: KnownPlace) -> bool:
    """A township's other name with nothing of its own name (县城, 城区 for 城关镇): people say it of
    the county seat in passing (到县城的班车, 在县城上班), not to place a report."""
    if place.level != "township":
        return False
    stem = re.sub(r"(镇|乡|街道)$", "", place.name)
    return not any(stem[i:i + 2] in label for i in range(len(stem) - 1))


class PlaceBook:
    """The gazetteer's places by every label (name or alias) that names one place only."""

    def __init__(self, labels: Mapping[str, KnownPlace]) -> None:
        # A label of two characters names a township or a village (东湖, 沙洲); a road's or a
        # landmark's (老街) is a common word.
        book = {label: place for label, place in labels.items()
                if (len(label) >= 3 or place.level in ("township", "village")) and not _common_word(label, place)}
        # 一中家属院 for 县一中家属院: people drop the county.
        for label, place in labels.items():
            tail = label.removeprefix(_COUNTY_PREFIX)
            if tail != label and len(tail) >= 4 and tail not in labels:
                book[tail] = place
        self._labels = book
        # 县城, 城区: not a place in passing, but the township of a generic word right after them (县城公园).
        common = {label: place for label, place in labels.items() if _common_word(label, place)}
        self._common_town = {label: place.township for label, place in common.items()}
        self._before_generic = (re.compile("(" + "|".join(map(re.escape, sorted(common, key=len, reverse=True)))
                                           + ")(?=" + _GENERIC_RE.pattern + ")") if common else None)
        self._pattern = re.compile("|".join(map(re.escape, sorted(book, key=len, reverse=True)))) if book else None
        self._villages = {p.village: p for p in labels.values() if p.level == "village" and p.village}
        self._by_kind: dict[tuple[str | None, str], set[KnownPlace]] = {}
        for label, place in book.items():
            if place.level not in ("landmark", "compound"):
                continue
            for word, endings in _GENERIC.items():
                if place.name.endswith(endings) or label.endswith(endings):  # 白沙渡口 is a 码头 too
                    self._by_kind.setdefault((place.township, word), set()).add(place)
                    self._by_kind.setdefault((None, word), set()).add(place)  # the county's

    def whereabouts(self, text: str, townships: Iterable[str] = ()) -> Whereabouts:
        """The places `text` names (leftmost-longest labels), and the one place of their kind that
        generic words left over stand for in the report's township (`townships`: known otherwise,
        e.g. from the router's village), or in the county when it names no township and none is
        known (古镇那个停车场: the county's one 古镇)."""
        return self.whereabouts_and_rest(text, townships)[0]

    def whereabouts_and_rest(self, text: str, townships: Iterable[str] = ()) -> tuple[Whereabouts, str]:
        """`whereabouts`, and `text` with the places it names blanked, in one scan: what is said of
        them (the 渡口 of 白沙渡口 is no ferry)."""
        if self._pattern is None:
            return NOWHERE, text
        found: set[KnownPlace] = set()
        at_it: set[KnownPlace] = set()  # named as where it is, not only as where it is told from

        def blank(m: re.Match[str]) -> str:
            place = self._labels[m.group(0)]
            found.add(place)
            if place.level != "compound" or not _TOLD_FROM_WORDS.match(text, m.end()):
                at_it.add(place)
            return " " * len(m.group(0))

        # What is left of the text once the places it names are blanked (their names hold 学校 …).
        rest = self._pattern.sub(blank, text)
        # A compound named only as where the incident is told from (锦绣大厦往东50米, 一中家属院对面的马路)
        # places the report in its community, not in the compound (nor against another compound).
        found = (found & at_it) | {self._villages[p.village] for p in found - at_it if p.village in self._villages}
        towns = {p.township for p in found} or set(townships)
        if not towns and self._before_generic is not None:
            towns = {self._common_town[m.group(1)] for m in self._before_generic.finditer(rest)}
        villages = {p.village for p in found if p.level == "village"}
        if len(towns) <= 1:
            town = next(iter(towns)) if towns else None  # no township named: the county's one place of its kind
            for m in _GENERIC_RE.finditer(rest):
                if m.end() < len(rest) and rest[m.end()] in _NOT_A_PLACE_AFTER:
                    continue
                candidates = self._by_kind.get((town, m.group(0)), set())
                own = {p for p in candidates if p.village in villages}
                if len(villages) == 1 and len(own) == 1:
                    found |= own  # the one school of the village the report names
                elif _VILLAGES_OWN.search(text, 0, m.start()):
                    continue  # 村小学, 村里的卫生院: the village's own, which the gazetteer does not list
                elif len(candidates) == 1:
                    found |= candidates
        return Whereabouts(frozenset(found), frozenset(p.township for p in found),
                           frozenset(p.village for p in found if p.village and p.kind != "road")), rest
