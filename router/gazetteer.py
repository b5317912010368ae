"""The gazetteer: county → townships → villages/communities → compounds, groups, roads, grids.

Each node names the unit that handles matters located there; `locate` finds places in an address
or an appeal text by longest match over names and aliases.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from router.exceptions import GazetteerError
from router.models import Location, Place, Unit
from router.segment import Hit, PhraseIndex, leftmost_longest
from schemas.taxonomy import Level, UnitKind

CENTRE = "county_centre"
_CODE = re.compile(r"^[a-z][a-z0-9_]*$")
# Most specific first: the order `Location.places` is sorted in.
# a village or community, and the places inside one (a compound, a villager group, a grid)
_HOLDERS = frozenset({"village", "community"})
_INSIDE = frozenset({"compound", "group", "grid"})
_SPECIFICITY = {
    "grid": 0, "compound": 1, "group": 1, "road": 2, "landmark": 2,
    "village": 3, "community": 3, "township": 4,
}
_CHINESE_NUMBERS = "一二三四五六七八九十"
# A village's name as people write it: two or three characters, then 村 (and maybe a group).
_NAMED_VILLAGE = re.compile(r"([\u4e00-\u9fff]{2,3})村(?![民委干务级规])")
# characters that are not part of a village's name (pronouns, numbers, places above a village, verbs
# of motion): "我们村", "两个村", "邻村", "镇岩湾村" → "岩湾村"
_NOT_NAME = frozenset("们个两邻本全外隔这那各同进出回到在农乡该每几上下里的是有和与跟镇区县市街道了从去住")


# A township's name as people write it ("龙潭镇", "白沙乡"); the county seat's own town is not rural.
_NAMED_TOWNSHIP = re.compile(r"([\u4e00-\u9fff]{2})[镇乡](?![长里上政府区街道])")
_SEAT_TOWNS = frozenset({"城关", "县城", "城区", "城中", "城北", "城南", "城东", "城西"})


def named_townships(text: str) -> tuple[str, ...]:
    """Township names written in a normalised text other than the county seat's ("龙潭镇老街" →
    ("龙潭镇",)); "乡镇", "镇上", "镇政府" are not names."""
    out: list[str] = []
    for match in _NAMED_TOWNSHIP.finditer(text):
        name = match.group(1)
        if name in _SEAT_TOWNS or any(ch in _NOT_NAME for ch in name):
            continue
        out.append(name + text[match.end(1)])
    return tuple(dict.fromkeys(out))


def named_villages(text: str) -> tuple[str, ...]:
    """Village names written in a normalised text, whether or not the gazetteer knows them
    ("马家湾村五组路灯坏了" → ("马家湾村",)); generic words ("农村", "我们村", "邻村") are not names."""
    out: list[str] = []
    for match in _NAMED_VILLAGE.finditer(text):
        name = match.group(1)
        while name and name[0] in _NOT_NAME:
            name = name[1:]
        if len(name) >= 2 and not any(ch in _NOT_NAME for ch in name):
            out.append(name + "村")
    return tuple(dict.fromkeys(out))


@dataclass
class Gazetteer:
    """Places and the units that handle matters there."""

    county_name: str
    places: dict[str, Place]
    units: dict[str, Unit]
    _names: dict[str, list[Place]] = field(default_factory=dict, repr=False)
    _index: PhraseIndex = field(default_factory=lambda: PhraseIndex(()), repr=False)
    _aliases: dict[str, str] | None = field(default=None, repr=False)

    def names(self) -> list[str]:
        """Every searchable name and alias (for the segmentation dictionary)."""
        return list(self._names)

    def spot_aliases(self) -> dict[str, str]:
        """Each name and alias of a village, community, road, landmark or compound → the place's name
        (客运站 → 县汽车站, 东湖工业区 → 东湖工业园, 解放街社区 → 解放社区); names shared by two such
        places are left out. Computed once."""
        if self._aliases is None:
            spots = {label: {p.name for p in found if p.kind not in ("township", "group", "grid")}
                     for label, found in self._names.items()}
            # A label that is the name behind its township's (北山乡大坪村) stays: the township is a place too.
            self._aliases = {label: name for label, names in spots.items() if len(names) == 1
                             for name in names if label == name or not label.endswith(name)}
        return self._aliases

    def labelled_places(self) -> dict[str, Place]:
        """Each name and alias that names one township, village, community, road, landmark or compound
        (not a villager group or grid) → that place."""
        return {label: found[0] for label, found in self._names.items()
                if len(found) == 1 and found[0].kind not in ("group", "grid")}

    def township_units(self) -> dict[str, str]:
        """Township code → its government's unit code."""
        return {p.township: p.unit for p in self.places.values() if p.kind == "township" and p.township}

    def locate(self, text: str, address: str | None = None, hits: list[Hit] | None = None) -> Location:
        """Where the appeal is: the address field first, then the text (already normalised;
        `hits` may carry a dictionary scan of it).

        The most specific place wins; a place that contradicts an explicitly named township loses
        to one that agrees with it. Every distinct village named is reported, so that a dispute
        between villages can be lifted to the township.
        """
        found = self._places_in(address) if address else []
        text_places = self._places_in(text, hits)
        if not found:
            found = text_places
        if not found:
            named = named_villages(text) if "村" in text else ()
            towns = named_townships(text) if ("镇" in text or "乡" in text) else ()
            return Location(urban=False if (named or towns) else None, named_villages=named, named_townships=towns)
        townships_named = {p.township for p in found if p.kind == "township"}
        ranked = sorted(found, key=lambda p: _SPECIFICITY[p.kind])
        if townships_named:
            agreeing = [p for p in ranked if p.township in townships_named]
            ranked = agreeing + [p for p in ranked if p.township not in townships_named]
        best = ranked[0]
        villages = tuple(dict.fromkeys(p.village for p in text_places + found if p.village))
        townships = tuple(dict.fromkeys(p.township for p in ranked if p.township))
        return Location(
            township=best.township,
            village=best.village,
            places=tuple(ranked),
            villages_mentioned=villages,
            townships_mentioned=townships,
            urban=best.urban,
        )

    def _places_in(self, text: str, hits: list[Hit] | None = None) -> list[Place]:
        """Places named in `text` (or in precomputed dictionary `hits` over it)."""
        if hits is None:
            chosen = self._index.longest(text)
        else:
            names = self._names
            chosen = leftmost_longest(h for h in hits if h[2] in names)
        out: list[Place] = []
        end = -1
        for hit in chosen:
            place = self._names[hit[2]][0]
            prev = out[-1] if out else None
            if (prev is not None and hit[0] == end and prev.kind in _HOLDERS and place.kind in _INSIDE
                    and place.village != prev.village):
                # "人民路社区翠湖苑": the caller places the compound in the community just named
                end = hit[0] - hit[1]
                continue
            out.append(place)
            end = hit[0] - hit[1]
        return out


def _split_names(raw: Any, where: str) -> tuple[str, list[str]]:
    """`name|alias|alias` or a mapping {name, aliases} → (name, aliases)."""
    if isinstance(raw, str):
        name, *aliases = [s.strip() for s in raw.split("|")]
        return name, aliases
    if isinstance(raw, dict) and isinstance(raw.get("name"), str):
        return raw["name"], list(raw.get("aliases") or [])
    raise GazetteerError(f"{where}: expected a name or a mapping with a name, got {raw!r}")


def load_gazetteer(path: Path, *, normalise: Callable[[str], str]) -> Gazetteer:
    """Load and validate the gazetteer YAML; raises GazetteerError naming the bad node."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise GazetteerError(f"{path}: cannot read gazetteer: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("townships"), list):
        raise GazetteerError(f"{path}: expected a mapping with `county` and a `townships` list")
    county = data.get("county") or {}
    county_name = county.get("name", "")
    places: dict[str, Place] = {}
    units: dict[str, Unit] = {
        CENTRE: Unit(CENTRE, county.get("centre_name", f"{county_name}12345热线中心"), UnitKind.centre,
                     Level.county, None),
    }
    names: dict[str, list[Place]] = {}

    def add(place: Place, labels: Iterable[str]) -> None:
        if place.code in places:
            raise GazetteerError(f"{path.name}: duplicate place code {place.code!r}")
        places[place.code] = place
        for label in labels:
            key = normalise(label)
            if len(key) >= 2:
                names.setdefault(key, []).append(place)

    def add_unit(unit: Unit) -> None:
        if unit.code in units:
            raise GazetteerError(f"{path.name}: duplicate unit code {unit.code!r}")
        units[unit.code] = unit

    for tw in data["townships"]:
        tw_code = tw.get("code") if isinstance(tw, dict) else None
        where = f"{path.name}: township {tw_code!r}"
        if not isinstance(tw_code, str) or not _CODE.match(tw_code):
            raise GazetteerError(f"{where}: code must match {_CODE.pattern}")
        tw_name, tw_aliases = _split_names(tw, where)
        urban = bool(tw.get("urban", False))
        tw_unit = f"tw_{tw_code}"
        suffix = "办事处" if tw_name.endswith("街道") else "人民政府"
        add_unit(Unit(tw_unit, f"{tw_name}{suffix}", UnitKind.township, Level.township, CENTRE))
        add(Place(tw_code, tw_name, "township", tw_code, None, tw_unit, urban), [tw_name, *tw_aliases])
        for kind in ("roads", "landmarks"):
            for raw in tw.get(kind) or []:
                name, aliases = _split_names(raw, f"{where}: {kind}")
                code = f"{tw_code}.{kind[:-1]}.{len(places)}"
                add(Place(code, name, kind[:-1], tw_code, None, tw_unit, urban), [name, *aliases])
        for vl in tw.get("villages") or []:
            vl_code = vl.get("code") if isinstance(vl, dict) else None
            vwhere = f"{where}: village {vl_code!r}"
            if not isinstance(vl_code, str) or not _CODE.match(vl_code):
                raise GazetteerError(f"{vwhere}: code must match {_CODE.pattern}")
            vl_name, vl_aliases = _split_names(vl, vwhere)
            kind = vl.get("kind", "village")
            if kind not in ("village", "community"):
                raise GazetteerError(f"{vwhere}: kind must be village or community, not {kind!r}")
            vl_urban = urban and kind == "community"
            vl_unit = f"vl_{tw_code}_{vl_code}"
            committee = "村民委员会" if kind == "village" else "居民委员会"
            add_unit(Unit(vl_unit, f"{tw_name}{vl_name}{committee}", UnitKind.village, Level.village, tw_unit))
            full = f"{tw_code}.{vl_code}"
            labels = [vl_name, *vl_aliases, f"{tw_name}{vl_name}"]
            add(Place(full, vl_name, kind, tw_code, full, vl_unit, vl_urban), labels)
            for n in range(1, int(vl.get("grids", 1)) + 1):
                gr_unit = f"gr_{tw_code}_{vl_code}_{n}"
                add_unit(Unit(gr_unit, f"{vl_name}第{n}网格", UnitKind.grid, Level.village, vl_unit))
                add(Place(f"{full}.grid{n}", f"{vl_name}第{n}网格", "grid", tw_code, full, gr_unit, vl_urban),
                    [f"{vl_name}第{n}网格", f"{vl_name}{n}号网格"])
            for n in range(1, int(vl.get("groups", 0)) + 1):
                group = f"{_CHINESE_NUMBERS[n - 1]}组" if n <= 10 else f"{n}组"
                stem = vl_name.removesuffix("村")
                add(Place(f"{full}.group{n}", f"{vl_name}{group}", "group", tw_code, full, vl_unit, vl_urban),
                    [f"{vl_name}{group}", f"{stem}{group}", f"{vl_name}{n}组"])
            for sub in ("compounds", "roads", "landmarks"):
                sub_kind = "compound" if sub == "compounds" else sub[:-1]
                for raw in vl.get(sub) or []:
                    name, aliases = _split_names(raw, f"{vwhere}: {sub}")
                    code = f"{full}.{sub_kind}.{len(places)}"
                    add(Place(code, name, sub_kind, tw_code, full, vl_unit, vl_urban), [name, *aliases])
    if len(places) == 0:
        raise GazetteerError(f"{path.name}: no places")
    # Where one name is shared (e.g. a road crossing two communities), the least specific node
    # wins: it does not pretend to know the community.
    for shared in names.values():
        shared.sort(key=lambda p: -_SPECIFICITY[p.kind])
    return Gazetteer(county_name, places, units, names, PhraseIndex(names))
