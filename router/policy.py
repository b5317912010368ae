"""The 631-first routing policy: which level and which unit receives a matter.

One rule in one place:
- a county department's matter goes to the department — it is never pushed down — except where
  the matter names a `rural_level` and the appeal is outside the county seat's urban area (the
  village committee runs village street lights; the township's enforcement team handles stalls
  and illegal building in small towns and villages), or a matter the village runs there lies inside
  a residential compound (a lamp, a bin, a hedge "小区里", "物业也不管": the community and the property
  company see to it; enforcement — a rooftop extension, a restaurant's fumes — stays the
  department's in town), or the appeal from a village explicitly asks the township to act ("需乡里
  组织拆除", "需要镇里派机械": the township leads, the department assists);
- a village/community matter goes to that village's committee; one that spans several
  villages or communities (or several villager groups in dispute) goes to their township, and so
  does one in a township's market town (集镇, 镇区, 老街: no village committee runs its streets)
  or one the appeal explicitly hands to the township ("需要镇里派人");
- a village matter stays with the village when the appeal explicitly asks the village or community
  to act ("请村里出面", "需村里做工作"), even between groups of one village; a township matter
  that asks the village goes down to it too (unless the township is asked as well);
- a township matter goes to the township government;
- when the village is unknown the township receives it (and passes it down); when the township
  is unknown too, the county hotline centre does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from router.exceptions import LexiconError
from router.gazetteer import CENTRE, Gazetteer
from router.models import Location, Matter
from router.normalise import Normaliser
from router.segment import PhraseIndex
from schemas.taxonomy import Level

_NUM = r"[一二三四五六七八九十\d]{1,3}"
# "一组和二组", "三组与五组", "两个村民小组", "几个组": several villager groups of one village
# "2栋", "三号楼", "5单元", "一单元": a building or entrance of a residential compound
_BUILDING = re.compile(r"[一二三四五六七八九十\d]{1,3}(?:栋|幢|号楼|单元)")
_CROSS_GROUP = re.compile(
    _NUM + r"组(?:和|与|跟|同|、)" + _NUM + r"组|[两几]个(?:村民)?小?组(?!织)|组与组|各组之间"
)


@dataclass(frozen=True)
class Placement:
    """Level, owner and receiving unit of one appeal."""

    level: Level
    dept: str | None
    unit: str
    assisting_units: tuple[str, ...]
    reason: str


class LevelPolicy:
    """Chooses level and unit from the matter, the location and a few place cues."""

    def __init__(self, gazetteer: Gazetteer, rural: list[str], urban: list[str], cross: list[str],
                 town_seat: list[str] | None = None, township_asked: list[str] | None = None,
                 village_asked: list[str] | None = None, compound: list[str] | None = None) -> None:
        self._gazetteer = gazetteer
        self._tw_units = gazetteer.township_units()
        self._rural = frozenset(rural)
        self._urban = frozenset(urban)
        self._cross = frozenset(cross)
        self._town_seat = frozenset(town_seat or ())
        self._township_asked = frozenset(township_asked or ())
        self._village_asked = frozenset(village_asked or ())
        self._compound = frozenset(compound or ())
        self._index = PhraseIndex(self.words())

    def words(self) -> set[str]:
        """Every cue phrase (for a shared dictionary scan)."""
        return set(self._rural | self._urban | self._cross | self._town_seat | self._township_asked
                   | self._village_asked | self._compound)

    def in_town_seat(self, text: str, location: Location, found: set[str] | None = None) -> bool:
        """The appeal is about a township's market town (集镇 / 镇区), not one of its villages."""
        if location.village:
            place = location.most_specific
            if place is not None and place.kind != "township":
                return False
        found = self._index.found(text) if found is None else found
        return bool(found & self._town_seat)

    def asks_township(self, text: str, found: set[str] | None = None) -> bool:
        """The appeal explicitly hands the matter to the township ("请镇里出面")."""
        found = self._index.found(text) if found is None else found
        return bool(found & self._township_asked)

    def asks_village(self, text: str, found: set[str] | None = None) -> bool:
        """The appeal explicitly asks the village committee or community to act ("请村里出面")."""
        found = self._index.found(text) if found is None else found
        return bool(found & self._village_asked)

    def in_compound(self, text: str, found: set[str] | None = None, location: Location | None = None) -> bool:
        """The matter lies inside a residential compound ("小区里", "物业也不管"), or at one of a
        named compound's buildings ("新华小区2栋", "翠湖苑三单元")."""
        found = self._index.found(text) if found is None else found
        if found & self._compound:
            return True
        place = location.most_specific if location is not None else None
        return place is not None and place.kind == "compound" and bool(_BUILDING.search(text))

    def is_rural(self, text: str, location: Location, found: set[str] | None = None) -> bool:
        """Outside the county seat's urban area (gazetteer first, then wording)."""
        place = location.most_specific
        if place is not None and place.kind != "township":
            return not place.urban
        if location.named_villages:
            return True
        found = self._index.found(text) if found is None else found
        if location.named_townships and not found & self._urban and not found & self._compound:
            return True
        if found & self._rural or found & self._town_seat:
            return True
        if place is not None:
            return not place.urban
        return False

    def spans_villages(self, text: str, location: Location, found: set[str] | None = None) -> bool:
        """The appeal concerns two or more villages/communities."""
        if len(location.villages_mentioned) >= 2 or len(location.named_villages) >= 2:
            return True
        found = self._index.found(text) if found is None else found
        return bool(found & self._cross)

    def place(self, matter: Matter, text: str, location: Location, found: set[str] | None = None) -> Placement:
        """Level, owner and receiving unit for normalised `text` routed to `matter` (`found`: the
        dictionary phrases in the text, when already scanned)."""
        assisting = tuple(matter.assisting)
        level = matter.level
        reasons: list[str] = []
        asks_township = self.asks_township(text, found)
        asks_village = self.asks_village(text, found) and not asks_township
        if matter.dept is not None:
            if matter.rural_level is Level.township and asks_township and location.township:
                level = Level.township
                reasons.append(f"the appeal asks the township's enforcement team to act on {matter.name}")
            elif matter.rural_level is Level.village and self.in_compound(text, found, location):
                # what a village committee runs in the countryside the community runs inside a compound; what
                # the township enforces there (a rooftop extension, a restaurant's fumes, night works) stays
                # with the enforcement department in town
                level = Level.village
                reasons.append(f"inside a residential compound: the community handles {matter.name}")
            elif matter.rural_level is not None and self.is_rural(text, location, found):
                level = matter.rural_level
                reasons.append(f"outside the urban area: {level} handles {matter.name}")
            elif asks_township and location.township and self.is_rural(text, location, found):
                level = Level.township
                reasons.append(f"the appeal asks the township to act; {matter.dept} assists")
            else:
                return Placement(Level.county, matter.dept, matter.dept, assisting,
                                 f"county department {matter.dept} owns {matter.name}")
            assisting = (matter.dept, *(a for a in assisting if a != matter.dept))
        elif level is Level.township and asks_village and len(location.villages_mentioned) < 2:
            level = Level.village
            reasons.append("the appeal asks the village/community to act")
        if level is Level.village and asks_village and len(location.villages_mentioned) < 2:
            reasons.append("the appeal asks the village/community to act")
        elif level is Level.village:
            if self.spans_villages(text, location, found) or _CROSS_GROUP.search(text):
                level = Level.township
                reasons.append("spans several villages/communities or groups: the township coordinates")
            elif self.in_town_seat(text, location, found):
                level = Level.township
                reasons.append("in the township's market town: the township government handles it")
            elif asks_township:
                level = Level.township
                reasons.append("the appeal asks the township to act")
        unit = self._unit_for(level, location, reasons)
        return Placement(level, None, unit, assisting, "; ".join(reasons) or f"{level} matter")

    def _unit_for(self, level: Level, location: Location, reasons: list[str]) -> str:
        if level is Level.village and location.village:
            place = location.most_specific
            if place is not None and place.village == location.village:
                return place.unit
            return f"vl_{location.village.replace('.', '_')}"
        if location.township:
            if level is Level.village:
                reasons.append("village not identified: the township receives it and passes it down")
            return self._tw_units[location.township]
        reasons.append("place not identified: the hotline centre assigns it")
        return CENTRE

    @classmethod
    def from_file(cls, path: Path, gazetteer: Gazetteer, normalise: Normaliser) -> LevelPolicy:
        """Load the place cues (rural, urban, cross_village lists)."""
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise LexiconError(f"{path}: cannot read policy lexicon: {exc}") from exc
        lists = {}
        for key in ("rural", "urban", "cross_village", "town_seat", "township_asked", "village_asked", "compound"):
            words = data.get(key) or []
            if not isinstance(words, list):
                raise LexiconError(f"{path}: {key} must be a list")
            lists[key] = [normalise(w) for w in words]
        return cls(gazetteer, lists["rural"], lists["urban"], lists["cross_village"], lists["town_seat"],
                   lists["township_asked"], lists["village_asked"], lists["compound"])
