"""Value objects of the router: matters, places, handling units and the history it may consult."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from schemas.taxonomy import EmergencyLine, Level, UnitKind, WhistleClass


@dataclass(frozen=True)
class Unit:
    """A handling unit (承办单位) that receives dispatches on its own topic."""

    code: str
    name: str
    kind: UnitKind
    level: Level
    parent: str | None = None  # the unit one level up (村 -> 乡镇 -> county centre)


class RoutingHistory(Protocol):
    """What the router may ask about the past, supplied by the caller (the database in services)."""

    def recent_similar(self, matter: str, place: str | None) -> int:
        """How many orders of this matter at this place arrived within the repeat window."""
        ...


@dataclass(frozen=True)
class Term:
    """One keyword rule of a matter: every part must occur in the text; `weight` may be negative."""

    parts: tuple[str, ...]
    weight: float
    label: str = field(default="", compare=False)  # the term as written: parts joined by `&`

    def __post_init__(self) -> None:
        if not self.label:
            object.__setattr__(self, "label", "&".join(self.parts))


@dataclass(frozen=True)
class Matter:
    """One item of the responsibility catalogue (事项清单).

    `dept` is the owning county department, or None for a matter owned by a village/community
    or a township. `rural_level` is the level that takes the matter over outside the county
    seat's urban area (e.g. street lights: the village committee; stalls: the township's
    enforcement team); None means the owner is the same everywhere.
    """

    code: str
    name: str
    dept: str | None
    assisting: tuple[str, ...]
    level: Level
    whistle_class: WhistleClass
    terms: tuple[Term, ...]
    examples: tuple[str, ...]
    rural_level: Level | None = None
    source: str = ""
    # the owning department's code, or the level ("village" / "township") that owns the matter
    owner: str = field(init=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "owner", self.dept or str(self.level))

    def handled_by_department(self, dept: str) -> bool:
        """Whether county department `dept` may be given the matter: it owns it or assists with it
        (a village or township may be given any matter at its level or above: 631)."""
        return dept == self.dept or dept in self.assisting


@dataclass(frozen=True)
class Place:
    """A gazetteer node: township, village/community, compound, group, road or grid."""

    code: str
    name: str
    kind: str  # township | village | community | compound | group | road | grid | landmark
    township: str | None  # township code
    village: str | None  # village/community code (None for township-level nodes)
    unit: str  # handling unit code for matters located here
    urban: bool  # inside the county seat's urban area (城区)


@dataclass(frozen=True)
class Location:
    """Where an appeal is, as far as the gazetteer can tell."""

    township: str | None = None
    village: str | None = None
    places: tuple[Place, ...] = ()
    villages_mentioned: tuple[str, ...] = ()
    townships_mentioned: tuple[str, ...] = ()
    urban: bool | None = None  # None when unknown
    # villages named in the text that the gazetteer does not know ("马家湾村", "桃坪村四组"): the
    # appeal is rural even where no node can be found, and two of them make a cross-village matter
    named_villages: tuple[str, ...] = ()
    named_townships: tuple[str, ...] = ()  # likewise for townships other than the county seat's

    @property
    def most_specific(self) -> Place | None:
        """The most specific place found (grid/compound/group before village before township)."""
        return self.places[0] if self.places else None


@dataclass(frozen=True)
class EmergencyCall:
    """An emergency the appeal reports: the line to hand it to and the words that said so."""

    line: EmergencyLine
    cues: tuple[str, ...]
    score: float


@dataclass(frozen=True)
class WhistleAssessment:
    """The whistle class chosen and the cues that chose it."""

    whistle_class: WhistleClass
    urgent_cues: tuple[str, ...] = ()
    hard_cues: tuple[str, ...] = ()
    reason: str = ""
    urgent_score: float = 0.0  # the urgent cues' and the situation's score (router.whistle)
    hard_score: float = 0.0  # the hard cues' and the scale cues' score
    deferred: bool = False  # a question, a plan, a danger denied or only imagined ("万一…", "请问")

    def with_class(self, whistle_class: WhistleClass, reason: str) -> WhistleAssessment:
        """The same cues and scores with another class and reason: `dataclasses.replace` written out, a
        routing pass's 20,000 instructions fewer (every field above is passed on)."""
        return WhistleAssessment(whistle_class, self.urgent_cues, self.hard_cues, reason, self.urgent_score,
                                 self.hard_score, self.deferred)


@dataclass(frozen=True, slots=True)
class ScoredMatter:
    """A candidate matter with its blended score and the words that supported it."""

    matter: Matter
    score: float
    rule_score: float
    model_score: float
    terms: tuple[str, ...] = ()


@dataclass(frozen=True)
class LabelledRecord:
    """One historical routing outcome to learn from (a closed order or a dispatcher's correction).

    At least one of `matter` or `dept` is given; `level` is optional. `weight` lets corrections
    count more than plain closed orders.
    """

    text: str
    matter: str | None = None
    dept: str | None = None
    level: str | None = None
    weight: float = 1.0
    extra: dict[str, str] = field(default_factory=dict)
    whistle_class: str | None = None  # when known, also teaches the learned urgency model
    # the emergency line an appeal was handed to ("110"…"122"); such a record teaches the learned
    # emergency head, not the owner model. Records with a whistle class and no line are
    # the head's examples of appeals that were not emergencies.
    redirect: str | None = None
