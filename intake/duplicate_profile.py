"""One appeal as the 并单 detector sees it (`intake.duplicates`): the `Report` the caller gives, the
`Profile` read from it once (places, kinds, words, the router's and learned model's readings) and the
detector's knobs (`DuplicatePolicy`)."""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from intake.businesses import business_names
from intake.incident_kinds import (
    _ANOTHER,
    _ASIDE,
    _FOLLOW_UP,
    _KIND_BIGRAMS,
    _OUTAGES,
    _TOWNSHIP_WIDE,
    incident_facets,
    incident_kinds,
    without_spots_told_from,
)
from intake.lasting import came_back, lasting_told
from intake.place_keys import NO_KEYS, PlaceKeys, place_keys
from intake.place_words import (
    _BOILERPLATE,
    _COMMON_PLACE_NAMES,
    _COMMON_PLACE_WORDS,
    _LEVELS,
    _NAME_BREAK,
    _NOT_CJK_OR_ALNUM,
    _QUOTED,
    _ROAD_END,
    _address_levels,
    _address_stems,
    _blank,
    _canonical_places,
    _doors,
    _is_coarse,
    _quoted_names,
    _specific_stems,
    _stems,
    _subplaces,
    _trades,
    _without_places,
    _without_townships,
    place_names,
)
from intake.places import (
    NOWHERE,
    PlaceBook,
    Whereabouts,
)


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
    # The router classes it 攻坚 (hard: long-standing, repeated, needs joint action), a grievance that
    # stands until resolved however it is told.
    long_standing: bool = False


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
    keys: PlaceKeys = NO_KEYS  # its references to places as comparable keys (junctions, anchors: `place_keys`)
    # How long before it was reported it says its matter began or was first reported (`told_lasting`).
    lasting: timedelta = timedelta(0)
    # ... and whether that time is assumed, not told (a chaser or a matter standing long with no time said).
    lasting_assumed: bool = False
    # It says its matter was dealt with or stopped for a while before (修好没几天, 好了两天): it is back.
    came_back: bool = False
    # Derived once per profile (intake compares each with a few hundred): `subplaces` by kind
    # (栋 → {3, 5}); the bare names of the places it names as read once (its stems when read
    # without a gazetteer); the bare names of the compounds it names (None when it names none).
    subplaces_by_kind: dict[str, frozenset[int]] = field(init=False, repr=False, compare=False)
    read_stems: frozenset[str] = field(init=False, repr=False, compare=False)
    compound_stems: frozenset[str] | None = field(init=False, repr=False, compare=False)
    # The specific matters it may mean (`intake.duplicates._meant`), by the policy's `meant_leaning`:
    # read once, not for each report it is compared with.
    meant_by: dict[float, frozenset[str]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_kind: dict[str, set[int]] = {}
        for kind, value in self.subplaces:
            by_kind.setdefault(kind, set()).add(value)
        object.__setattr__(self, "subplaces_by_kind", {k: frozenset(v) for k, v in by_kind.items()})
        object.__setattr__(self, "read_stems",
                           _address_stems(self.read) & self.stems if self.read != self.names else self.stems)
        compounds = [n for n in self.names if n.endswith(_LEVELS[2])]
        object.__setattr__(self, "compound_stems", frozenset(_stems(compounds)) if compounds else None)
        object.__setattr__(self, "meant_by", {})


@dataclass(frozen=True)
class DuplicatePolicy:
    """The knobs (configuration): how far apart in time, how similar in words, how near."""

    window: timedelta = timedelta(days=3)
    standing_window: timedelta = timedelta(days=14)  # ... for a grievance both tell of that stands (`_STANDING`)
    # ... for a condition told again at a gazetteer spot both name, as one matter (`intake.duplicates._still_so`)
    condition_window: timedelta = timedelta(days=7)
    min_similarity: float = 0.07  # word overlap needed when the router's topics agree
    min_similarity_same_matter: float = 0.0  # ... when its matter and the kind of incident agree too
    min_similarity_other_topic: float = 0.25  # ... and when they do not
    min_similarity_within: float = 0.1  # ... when they share only a township or village (the same kind)
    max_distance_m: float = 300.0  # coordinates this close are the same place
    min_leaning: float = 0.9  # the learned model's leanings this alike are one matter (on a road …)
    min_leaning_at_spot: float = 0.5  # ... and this alike at a spot both name (a compound, landmark, business)
    leanings_apart: float = 0.05  # ... and less alike than this are two, whatever the router's matter
    leaning_in_common: float = 0.2  # ... and this alike are a matter in common (min_similarity applies)
    meant_leaning: float = 0.4  # a matter the leaning weighs this much is one the report may mean (`_meant`)
    # A report saying its matter has lasted (or was first reported) this long or longer is taken at this.
    max_lasting: timedelta = timedelta(days=30)

    @property
    def widest(self) -> timedelta:
        """How far apart on `reported_at` two reports may be one incident at all, unless the later one
        says how long its matter has lasted (`reach`)."""
        return max(self.window, self.standing_window, self.condition_window)

    def reach(self, lasting: timedelta) -> timedelta:
        """How far before a report saying its matter has lasted `lasting` an earlier report may be of it."""
        return max(self.widest, min(lasting, self.max_lasting) + self.window)

    def apart(self, earlier: Profile, later: Profile) -> timedelta:
        """How far apart in time two reports are, counted from when the later one says its matter
        began or was first reported (`Profile.lasting`, at most `max_lasting`): never less than zero."""
        gap = later.report.reported_at - earlier.report.reported_at
        return max(gap - min(later.lasting, self.max_lasting), timedelta(0))


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    return _BOILERPLATE.sub(" ", text)


def _bigrams(text: str) -> Counter[str]:
    grams: Counter[str] = Counter()
    for chunk in _NOT_CJK_OR_ALNUM.split(text):
        chunk = re.sub(r"\d+", "#", chunk)
        grams.update(chunk[i:i + 2] for i in range(len(chunk) - 1))
    return grams


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
            leaning: MatterLeaning | None = None, matters_near: MattersNear | None = None,
            told: tuple[timedelta, bool] | None = None) -> Profile:
    """`aliases`: other names of places → their names (the gazetteer's roads, landmarks, compounds);
    `book`: the gazetteer's places, to place the report in its hierarchy; `matters_named`: the
    catalogue matters a text's words name; `matters_near`: those the router ranks a text close to;
    `told`: `lasting_told` of the report's text and `reported_at` when the caller has it already
    (intake reads it first for how far back to look), else it is read here."""
    raw_where = unicodedata.normalize("NFKC", f"{report.address or ''} {report.text}")
    where = _canonical_places(_COMMON_PLACE_WORDS.sub(lambda m: _COMMON_PLACE_NAMES[m.group(0)], raw_where), aliases)
    # The places named, and what is left of the address and text once they are blanked (one scan).
    whereabouts, rest = (book.whereabouts_and_rest(_QUOTED.sub(_blank, raw_where), _router_townships(report))
                         if book else (NOWHERE, raw_where))
    said_rest = rest[len(unicodedata.normalize("NFKC", f"{report.address or ''} ")):]  # the text, places blanked
    # The matter is what it tells first: a matter added in passing (。还有…, 顺便说一下) is another one.
    kinds = incident_kinds(_ASIDE.split(without_spots_told_from(said_rest), maxsplit=1)[0])
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
    lasting, lasting_assumed = told if told is not None else lasting_told(said, report.reported_at)
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
                   doors=_doors(raw_where), keys=place_keys(where, rest),
                   lasting=lasting, lasting_assumed=lasting_assumed, came_back=came_back(said))


def _router_townships(report: Report) -> set[str]:
    """The townships of the router's village nodes (`village:<township>.<village>`)."""
    return {p.removeprefix("village:").split(".")[0] for p in report.places if p.startswith("village:")}


_CJK_PAIR = re.compile(r"^[\u4e00-\u9fff]{2}$")


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
