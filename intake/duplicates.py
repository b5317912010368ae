"""Near-duplicate detection (并单): the same incident reported again, by the same or another citizen,
on the same or another channel.

Two reports are the same incident when they are about the same place, about the same matter and
close in time (on `reported_at`). Each of the three can veto: the same matter at another place,
another matter at the same place and the same place and matter weeks later are all different
incidents. Pure functions over `Report`s; the caller supplies what the router knows (the owning
department and matter, a gazetteer node) as `topic` and `places`.

This module decides (`similarity`, the incidents of `repeated_incident`, `DuplicateIndex`); what it
reads lives by capability: `intake.duplicate_profile` (the report and its profile, the knobs),
`intake.duplicate_places` (one place or two), `intake.place_words` and `intake.places` (places in words
and in the gazetteer), `intake.businesses` (named businesses), `intake.incident_kinds` (what happened).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from intake.duplicate_places import (
    _BUSINESS,
    _JUNCTION,
    _SAME_BUILDING,
    _SAME_NAME,
    _SAME_PLACE,
    _WITHIN,
    Band,
    SharedPlace,
    _elsewhere,
    _felt_from_one_source,
    _junction_of,
    _named_spot,
    _outage_and_burst,
    _same_place,
    coordinate_band,
)
from intake.duplicate_profile import (
    DuplicatePolicy,
    MatterLeaning,
    MattersNamed,
    MattersNear,
    Profile,
    Report,
    _cosine,
    bigram_idf,
    leaning_alike,
    profile,
)
from intake.incident_kinds import (
    _FELT_AROUND,
    _FROM_A_SOURCE,
    _STANDING,
    _kinds_apart,
    _related,
    _sides_apart,
    bill_and_supply,
    incident_facets,
    incident_kinds,
)
from intake.lasting import lasting_told, told_lasting
from intake.place_words import _WIDE, place_names
from intake.places import PlaceBook

# The detector's public names, wherever they live (callers import them from here).
__all__ = [
    "Band", "DuplicateIndex", "DuplicatePolicy", "Match", "MatterLeaning", "MattersNamed", "MattersNear", "Profile",
    "Report", "bigram_idf", "coordinate_band", "find_duplicates", "incident_facets", "incident_kinds",
    "incidents_in_order", "lasting_told", "leaning_alike", "matters_apart", "pairwise_scores", "place_names",
    "profile", "repeated_incident", "similarity", "told_lasting",
]


def _facets_apart(a: Profile, b: Profile) -> bool:
    """Both say what is wrong in one of `_FACETS`, and not the same; or each tells one side only of a
    source of two (`_SIDES_APART`: a site's din by night, its trucks' mud on the road); or one tells of
    the bill and the other of a fault of the supply (`bill_and_supply`)."""
    return ((bool(a.facets and b.facets) and not a.facets & b.facets) or _sides_apart(a.kinds, b.kinds)
            or bill_and_supply(a.kinds, a.facets, b.kinds, b.facets))


def matters_apart(a: Profile, b: Profile) -> bool:
    """The two say what happened, and it is not one incident: kinds neither the same nor related, or
    one kind told as an announced outage, a fault or a bill apart."""
    return _kinds_apart(a.kinds, b.kinds) or _facets_apart(a, b)


@dataclass(frozen=True)
class Match:
    report_id: str
    score: float
    why: str
    # A place both reports name (not the router's village or coordinates alone, not only a township or
    # village in common) and a matter in common: firm enough to link two open incidents (`bridged`).
    firm: bool = False
    # The other open incidents (the ids of their first reports) the report repeats as firmly, which it
    # links into this one: reports of one incident that came before the one that joins them.
    bridged: tuple[str, ...] = ()


def _router_near(a: Profile, b: Profile) -> bool:
    """The router's matter for one is among those it ranks the other close to (`Profile.near`)."""
    return any(t.startswith("matter:") and t[7:] in other.near
               for one, other in ((a, b), (b, a)) for t in one.report.topic)


def _catch_all_of_one(a: Profile, b: Profile) -> bool:
    """The router gives one its department's catch-all (….other) and the other a matter of that department."""
    ma = {t[7:] for t in a.report.topic if t.startswith("matter:")}
    mb = {t[7:] for t in b.report.topic if t.startswith("matter:")}
    return any(x.endswith(".other") and y.split(".")[0] == x.split(".")[0]
               for one, other in ((ma, mb), (mb, ma)) for x in one for y in other)


def _departments_apart(a: Profile, b: Profile) -> bool:
    """The router sends both to a department, and not the same one."""
    da = {t for t in a.report.topic if t.startswith("dept:")}
    db = {t for t in b.report.topic if t.startswith("dept:")}
    return bool(da) and bool(db) and not da & db


def _specific_matter(a: Profile, b: Profile) -> bool:
    """The router gives both one matter, and not a department's catch-all (….other)."""
    return any(t.startswith("matter:") and not t.endswith(".other") for t in a.report.topic & b.report.topic)


def _meant(p: Profile, policy: DuplicatePolicy) -> frozenset[str]:
    """The specific matters the router and the learned model make of a report: the router's matter, those
    its rules name (`Profile.cues`) and those it ranks close (`Profile.near`), and the leanings at least
    `meant_leaning` — not a department's catch-all (….other) nor the hotline's own services. Read once per
    profile and `meant_leaning` (`Profile.meant_by`)."""
    found = p.meant_by.get(policy.meant_leaning)
    if found is None:
        said = {t[7:] for t in p.report.topic if t.startswith("matter:")} | p.cues | p.near
        said |= {m for m, w in p.leaning.items() if w >= policy.meant_leaning}
        found = p.meant_by[policy.meant_leaning] = frozenset(
            m for m in said if not m.endswith(".other") and not m.startswith("gov_services."))
    return found


def _told_apart(a: Profile, b: Profile, policy: DuplicatePolicy) -> bool:
    """`matters_apart`, but kinds apart are not when the router gives both one specific matter and the
    learned model reads one matter in both (`min_leaning`): two readings that agree outweigh the kinds'
    words (a contractor's debt told from the site, 工地, and as wages owed)."""
    if _facets_apart(a, b):
        return True  # an announced outage, a fault and a bill are told apart whatever the matter
    return _kinds_apart(a.kinds, b.kinds) and not (_specific_matter(a, b) and a.leaning and b.leaning
                                                   and leaning_alike(a.leaning, b.leaning) >= policy.min_leaning)


def similarity(a: Profile, b: Profile, policy: DuplicatePolicy = DuplicatePolicy()) -> Match | None:
    """`b` as a duplicate of `a`, with a score, or None when they are different incidents."""
    # Counted from when the later says its matter began or was first reported (坏了一周, 上周打过电话).
    gap = policy.apart(a, b) if a.report.reported_at <= b.report.reported_at else policy.apart(b, a)
    # A grievance that stands until resolved: told by both in words of one (`_STANDING`), or classed
    # long-standing (攻坚) by the router for both (a cracked wall, road works stopped half done).
    told_standing = bool(a.kinds & b.kinds & _STANDING)
    classed_standing = a.report.long_standing and b.report.long_standing
    standing = gap <= policy.standing_window and (told_standing or classed_standing)
    if gap > policy.window and not standing and gap > policy.condition_window:
        return None
    place = _same_place(a, b, policy)
    if place is None:
        return None
    if _told_apart(a, b, policy):
        return None  # both clearly say what happened, and it is not the same thing
    # The learned model's leanings over catalogue matters for the two reports' words (places blanked).
    leaning = leaning_alike(a.leaning, b.leaning) if a.leaning and b.leaning else None
    if b.another:
        return None  # the new report says it is about another one (另一家药店, 此次反映另一问题)
    words = _cosine(a.grams, b.grams)
    same_kind = bool(a.kinds & b.kinds)
    # The words themselves name one catalogue matter most (the rules' own reading, not the router's
    # decision, which its model may move), or lean to one as the learned model reads them: a matter
    # in common, told in words no kind lists.
    named_alike = bool(a.cues & b.cues) or (leaning is not None and leaning >= policy.leaning_in_common)
    same_topic = bool(a.report.topic & b.report.topic) or same_kind or _related(a.kinds, b.kinds) or named_alike
    spot = _named_spot(place, a, b)
    # The router's matter: the same, or one's among those the router ranks the other close to (a side
    # word moved one: a night site read as its muck trucks, a stopped bus line as passenger transport).
    same_router_matter = any(t.startswith("matter:") for t in a.report.topic & b.report.topic) or _router_near(a, b)
    # ... or its catch-all (….other) for one and a matter of that department for the other: no matter
    # of its own against the other's.
    router_agrees = same_router_matter or _catch_all_of_one(a, b)
    # The router's matter and the kind of incident (or kinds one incident is told as: 塌方 / 塌陷 of one
    # bridge) both agree: at one place within the window that is the incident again, however
    # differently it is worded.
    # So is the same kind at a place both name (not only the router's village or coordinates): the
    # router's matter is a guess from words and often differs for one incident told apart.
    # ... but not by the spot alone when the router sends the two to different departments and the
    # words' learned leanings are all but orthogonal (`leanings_apart`): one broad kind for two matters
    # of one place (a plant's chemical fumes / a barbecue's smoke; a factory's din / a flat's late
    # handover). Over the read sets and x, z, aa, of the pairs the detector accepted so (words under
    # 0.07 too), 11 were two incidents and 8 one (5 of those joined anyway: an outage felt around).
    same_matter = (same_kind or _related(a.kinds, b.kinds)) and (
        router_agrees or (spot and not (_departments_apart(a, b) and leaning is not None
                                        and leaning < policy.leanings_apart)))
    # ... and when the router's matter, the kind and a named spot all agree, the words may differ wholly.
    certain = same_matter and same_router_matter and spot
    # The router's one specific matter (not a catch-all), or one it ranks the other close to, at a spot
    # both name is the incident again when one of them has no word of its kind (水是黄的 / 浑浊 are both
    # water quality to the router; 县医院门口车停得乱 is parking or the hospital); when neither says
    # what happened, the words decide (`unsaid`): a library's air conditioning and its front steps are
    # both its public service to the router. Nor when the words' learned leanings are all but
    # orthogonal: the router's matter then came from the place named.
    same_matter = same_matter or (spot and (_specific_matter(a, b) or _router_near(a, b))
                                  and bool(a.kinds | b.kinds)
                                  and not (leaning is not None and leaning < policy.leanings_apart))
    # When neither says what happened, the words' learned leanings to one matter (`leaning_in_common`)
    # join them as their words would (a clinic's doctor told as rude by one, on his phone by the other).
    same_matter = same_matter or (spot and _specific_matter(a, b) and not (a.kinds | b.kinds)
                                  and leaning is not None and leaning >= policy.leaning_in_common)
    # ... and so is one outage (felt around) on one road or in one community.
    felt = bool(a.kinds & b.kinds & _FELT_AROUND) or _outage_and_burst(a, b)
    same_matter = same_matter or felt
    # ... and so is one matter the learned model reads in both reports' words, told in words no kind
    # lists, at a spot both name; at a wider place (a road, a community) when the kind of incident or
    # the router's matter agrees too: the leaning then stands for a router's matter that a side word
    # moved (路灯 routed as the market town's), but alone it does not join two poles of one road.
    same_matter = same_matter or (leaning is not None and leaning >= policy.min_leaning
                                  and (spot or same_kind or router_agrees))
    # At a spot both name, leanings well alike are one matter whatever the kinds' words and the router
    # say (a wall's crack / the wall about to fall; cars parked anyhow at a school gate): among the
    # pairs at a spot the rules rejected, 10 of 10 0.6 alike were one incident (sets a-m); 0.5 is the
    # lowest bar that adds no false pair on any read set (a-i, l, m, o, r, v): at 0.4-0.48 a parking
    # fee and a restaurant's bill at one old town lean alike (v).
    same_matter = same_matter or (spot and leaning is not None and leaning >= policy.min_leaning_at_spot)
    # ... and so are, at a spot both name, one of them saying what happened, two reports the router does
    # not send to two departments with a specific matter in common among what it and the learned model
    # make of them (`_meant`: the matter it gives, those its rules name, those it ranks close, the
    # leanings' strong ones): a wall's crack told as a dangerous building and as an old compound's
    # repair; an old people's home's meals. (When neither says what happened, the words decide: `unsaid`.)
    same_matter = same_matter or (spot and bool(a.kinds | b.kinds) and bool(_meant(a, policy) & _meant(b, policy))
                                  and not _departments_apart(a, b)
                                  and not (leaning is not None and leaning < policy.leanings_apart))
    # A report that says it was reported before or is still not dealt with (打过电话, 还没修, 又是) tells
    # of one already reported, often as "it" (那个桥, 那家): at a spot both name, one of them saying no
    # kind of incident, a matter in common is the incident again.
    same_matter = same_matter or ((a.follow_up or b.follow_up) and spot and not (a.kinds and b.kinds)
                                  and same_topic)
    # At a spot both name, neither saying its kind: the router's matters are guesses from words that
    # say no kind, so the words decide as when the matters agree.
    unsaid = spot and not a.kinds and not b.kinds and bool(a.report.topic) and bool(b.report.topic)
    needed = (0.0 if certain else policy.min_similarity_same_matter if same_matter else
              policy.min_similarity if same_topic or unsaid else policy.min_similarity_other_topic)
    coarse = place.how == _WITHIN
    past = gap > policy.window or _past_window_assumed(a, b, policy)
    if coarse and past:
        return None  # past the window a standing grievance is one only at a place both name
    if past and not told_standing and not (spot and same_matter):
        return None  # ... and one classed so only at a spot both name, as one matter
    if gap > policy.window and not standing and not _still_so(place, a, b, same_kind, leaning, policy):
        return None
    if coarse:
        # Only one township or village in common: the same kind of incident, and the router's
        # matter (one specific, or one it ranks the other close to) or the words agree too.
        if not same_kind and not felt:
            return None
        # ... or, for fumes smelt away from their source, the department's catch-all for one, its matter
        # for the other and the words' leanings alike (a plastic burner's night smell told from a compound and
        # from the industrial park); or the leanings as alike as make one matter on a road (`min_leaning`:
        # rubbish burnt by the forest farm told by a passer-by and by the village, routed apart).
        agreed = (felt or _specific_matter(a, b) or _router_near(a, b)
                  or (_catch_all_of_one(a, b) and bool(a.kinds & b.kinds & _FROM_A_SOURCE)
                      and leaning is not None and leaning >= policy.min_leaning_at_spot)
                  or (leaning is not None and leaning >= policy.min_leaning))
        needed = 0.0 if agreed else max(needed, policy.min_similarity_within)
    if words < needed:
        return None
    # Which of the incidents it is like a report repeats: the words, a matter in common, the learned
    # leanings (a chaser saying only 那个大狗的事 at a compound leans to its dog's incident, not to its tap
    # water's, whose reports share more of its everyday words), nearer in time.
    score = (words + (0.3 if same_topic else 0.0) + 0.2 * (leaning or 0.0) - min(gap / policy.window, 1.0) * 0.1
             - (0.2 if coarse else 0.0))
    firm = same_topic and not coarse and place.how in _NAMED_BY_BOTH and not place.router_node
    return Match(a.report.id, score, f"{place}; words {words:.2f}{'; same matter' if same_topic else ''}; "
                                     f"{gap.total_seconds() / 3600:.0f} h apart", firm)


def _no_specific_matter(a: Profile, b: Profile) -> bool:
    """The router gives neither a specific matter: its catch-all (….other: a village's, a township's) or none."""
    return not any(t.startswith("matter:") and not t.endswith(".other") for t in a.report.topic | b.report.topic)


def _still_so(place: SharedPlace, a: Profile, b: Profile, same_kind: bool, leaning: float | None,
              policy: DuplicatePolicy) -> bool:
    """Past the window, up to `condition_window`: a condition told again at a spot of the gazetteer both
    name (a compound, a landmark, a village; not a road, a community, a business of many branches or a
    junction), as the router's one specific matter and the same kind or leanings alike
    (`min_leaning_at_spot`) — or as the same kind where the router gives neither a specific matter (a
    home for the elderly's water heater told by a relative and by the grid worker, both the village's or
    township's catch-all) or the words' leanings are as alike as `min_leaning` (a compound's fee raise told
    to the property's matter and to the community's repairs) —, the later not telling it as back after it
    was dealt with (好了两天又浑了):
    a roof leaking, a guardrail missing, sand dug by night, told again days later by another caller or
    channel."""
    earlier, later = (a, b) if a.report.reported_at <= b.report.reported_at else (b, a)
    if (a.kinds | b.kinds) & _EVENTS:
        return False  # a system down, a clerk's manner, a window left: the day's event, not a condition
    alike = leaning is not None and leaning >= policy.min_leaning
    if later.came_back or not (_specific_matter(a, b) or (same_kind and (_no_specific_matter(a, b) or alike))):
        return False
    if not (same_kind or (leaning is not None and leaning >= policy.min_leaning_at_spot)):
        return False
    return place.how == _SAME_PLACE and any(p.name == place.name and p.level in _STILL_AT
                                            and not place.name.endswith(_WIDE)
                                            for p in earlier.whereabouts.places & later.whereabouts.places)


# What happens on one day at a busy place and is over (a system down, a clerk's manner, staff not at their post): told
# again days later it is another day's, not a condition still so (`_still_so`).
_EVENTS = frozenset({"system_down", "attitude", "absent"})


# The gazetteer's places a condition is told at again days later (`_still_so`).
_STILL_AT = frozenset({"landmark", "compound", "village"})


def _past_window_assumed(a: Profile, b: Profile, policy: DuplicatePolicy) -> bool:
    """The two are further apart than the window, and only a time the later is taken to have lasted (a
    chaser's, a matter told as standing long, with no time said: `Profile.lasting_assumed`) brings
    them within it: that reach is a guess, so they are one only as reports past the window are."""
    earlier, later = (a, b) if a.report.reported_at <= b.report.reported_at else (b, a)
    return later.lasting_assumed and later.report.reported_at - earlier.report.reported_at > policy.window


# The places `_same_place` reads in both reports' words (a gazetteer place, a business, a corner, a
# name or a building both give), as against the router's village node or coordinates alone.
_NAMED_BY_BOTH = frozenset({_SAME_PLACE, _BUSINESS, _JUNCTION, _SAME_NAME, _SAME_BUILDING})


@dataclass
class DuplicateIndex:
    """The open incidents seen so far; `add` says which one a new report repeats (if any)."""

    policy: DuplicatePolicy = field(default_factory=DuplicatePolicy)
    idf: dict[str, float] | None = None
    aliases: Mapping[str, str] | None = None
    book: PlaceBook | None = None
    matters_named: MattersNamed | None = None
    leaning: MatterLeaning | None = None
    matters_near: MattersNear | None = None
    _profiles: list[Profile] = field(default_factory=list)
    _root: dict[str, str] = field(default_factory=dict)

    def profile_of(self, report: Report, told: tuple[timedelta, bool] | None = None) -> Profile:
        """`profile` of `report` with this index's readings (`told`: its `lasting_told`, if known)."""
        return profile(report, self.idf, self.aliases, self.book, self.matters_named, self.leaning, self.matters_near,
                       told)

    def best_incident(self, report: Report, members: Sequence[tuple[Profile, str]],
                      told: tuple[timedelta, bool] | None = None) -> Match | None:
        """`repeated_incident` of `report` among `members` (intake: the open orders of the window and
        the orders merged into them, each with the id of its incident's open order). `told`: the
        report's `lasting_told`, when the caller read it already (for how far back to look)."""
        return repeated_incident(self.profile_of(report, told), members, self.policy)

    def add(self, report: Report) -> str | None:
        """Remember `report`; returns the id of the earliest report of the incident it repeats."""
        horizon = report.reported_at - self.policy.reach(self.policy.max_lasting)
        self._profiles = [p for p in self._profiles if p.report.reported_at >= horizon]
        new = self.profile_of(report)
        # (past the window, only reports of a standing grievance the new one tells of too may be it, or
        # of the time the new one says its matter has lasted, or of a condition told again: `_still_so`)
        recent = report.reported_at - max(self.policy.window + min(new.lasting, self.policy.max_lasting),
                                          self.policy.condition_window)
        standing = new.kinds & _STANDING
        classed = report.long_standing
        members = [(p, self._root.get(p.report.id, p.report.id)) for p in self._profiles
                   if p.report.reported_at >= recent or p.kinds & standing or (classed and p.report.long_standing)]
        # ... with the first report of each incident among them, as intake sees the open order: an
        # incident whose first report tells another matter is not joined through a later one.
        listed = {p.report.id for p, _ in members}
        firsts = {root for _, root in members} - listed
        members += [(p, p.report.id) for p in self._profiles if p.report.id in firsts]
        match = repeated_incident(new, members, self.policy)
        if match is not None:
            for other in match.bridged:  # one incident split before: its reports follow the first one's
                for member, root in self._root.items():
                    if root == other:
                        self._root[member] = match.report_id
                self._root[other] = match.report_id
            self._root[report.id] = match.report_id
        self._profiles.append(new)
        return match.report_id if match else None

    def incident_of(self, report_id: str) -> str:
        """The id of the first report of the incident `report_id` is part of now (itself when it is the
        first): a later report may have linked its incident into one reported before (`Match.bridged`)."""
        return self._root.get(report_id, report_id)


def repeated_incident(new: Profile, members: Sequence[tuple[Profile, str]],
                      policy: DuplicatePolicy = DuplicatePolicy()) -> Match | None:
    """The incident `new` repeats, as a match with the id of the incident's first report: of the
    reports it is like, the best whose incident has no report naming another place (a report naming
    only the township may join the incident of one village, not then another's; another shop's name).
    `members`: each earlier report of the window with the id of its incident's first report."""
    matches = [(m, root) for m, root in ((similarity(p, new, policy), root) for p, root in members) if m is not None]
    # An incident whose first report tells another matter is not joined through a later report of it
    # (one report merged wrongly would lead every later one to the wrong incident).
    # An incident told as an outage of the whole township takes reports of it from anywhere in it.
    wide = {root for p, root in members if p.township_wide}
    # ... and one whose report `new` smells from the source both name (东湖工业园's fumes), or whose burst
    # empties `new`'s taps on the road both name, from wherever its other reports smelt it or were dry:
    # their compounds are where it is felt, not places elsewhere (`_felt_from_one_source`).
    wide |= {root for p, root in members if _felt_from_one_source(p, new)}
    if new.township_wide:
        wide |= {root for _, root in matches}
    reports_of: dict[str, list[Profile]] = {}
    for p, root in members:
        reports_of.setdefault(root, []).append(p)
    # Each incident judged once, however many of its reports `new` is like.
    closed = {root for root in {root for _, root in matches}
              if any((_elsewhere(p, new, _junction_of(reports_of[root])) and root not in wide)
                     or (p.report.id == root and _told_apart(p, new, policy))
                     for p in reports_of[root])}
    open_to = [(m, root) for m, root in sorted(matches, key=lambda found: -found[0].score) if root not in closed]
    if not open_to:
        return None
    match, root = open_to[0]
    if _WITHIN in match.why and root not in wide and any(other != root for _, other in open_to):
        return None  # only a township or village in common, and two incidents in it it could be: neither
    why = match.why if root == match.report_id else f"{match.why}; with {root}"
    linked = _bridged(root, match, open_to, reports_of, policy)
    if not linked:
        return Match(root, match.score, why, match.firm)
    # It repeats two or more open incidents firmly: they were one incident split before a report joining
    # them came. It joins the one first reported, and the others are linked into it.
    first = min((root, *linked), key=lambda r: _first_reported(r, reports_of[r]))
    return Match(first, match.score, f"{why}; links {', '.join(r for r in (root, *linked) if r != first)}",
                 match.firm, tuple(r for r in (root, *linked) if r != first))


def _bridged(root: str, match: Match, open_to: Sequence[tuple[Match, str]],
             reports_of: Mapping[str, Sequence[Profile]], policy: DuplicatePolicy) -> list[str]:
    """The other open incidents a report that repeats `root`'s (`match`) repeats as firmly (`Match.firm`:
    a place both name and a matter in common, for each), none of whose reports names a place
    elsewhere of a report of the incidents linked already, or tells another matter than one of them
    (`_told_apart`: a chaser saying only 那个事 at a compound is like its dog's reports and its tap
    water's, which are two incidents)."""
    if not match.firm:
        return []
    linked: list[str] = []
    for m, other in open_to:
        if not m.firm or other == root or other in linked:
            continue
        joined = [p for r in (root, *linked) for p in reports_of[r]]
        junction = _junction_of(joined)
        if not any(_elsewhere(p, q, junction) or _told_apart(p, q, policy)
                   for p in reports_of[other] for q in joined):
            linked.append(other)
    return linked


def _first_reported(root: str, reports: Sequence[Profile]) -> tuple[datetime, str]:
    """When an incident was first reported: its first report's `reported_at` (then its id)."""
    first = next((p for p in reports if p.report.id == root), None)
    return (first.report.reported_at if first else datetime.max.replace(tzinfo=UTC)), root


def find_duplicates(reports: Sequence[Report], policy: DuplicatePolicy = DuplicatePolicy()) -> list[str | None]:
    """For each report in submission order: None, or the id of the earlier report it merges into (the
    first report of its incident, once every report has been read: `incidents_in_order`)."""
    index = DuplicateIndex(policy)
    for report in reports:
        index.add(report)
    return incidents_in_order([r.id for r in reports], index.incident_of)


def incidents_in_order(ids: Sequence[str], incident_of: Callable[[str], str]) -> list[str | None]:
    """For each id in submission order: None when it is the first of its incident (`incident_of`), else
    the id of the first of its incident in that order — always an earlier one, even where incidents
    were linked into one first reported on a later line (`reported_at` out of submission order)."""
    first: dict[str, str] = {}
    out: list[str | None] = []
    for i in ids:
        incident = incident_of(i)
        out.append(first.get(incident))
        first.setdefault(incident, i)
    return out


def pairwise_scores(predicted: dict[str, str | None], truth: dict[str, str]) -> tuple[float, float, int, int, int]:
    """Pairwise precision and recall of a clustering: `predicted` maps each id to the id it merges
    into (None for a new incident), `truth` each id to its true incident. Returns precision,
    recall, true-positive pairs, predicted pairs, true pairs."""

    def root(i: str) -> str:
        seen = set()
        while predicted.get(i) and i not in seen:
            seen.add(i)
            i = predicted[i] or i
        return i

    def pairs(groups: dict[str, list[str]]) -> set[tuple[str, str]]:
        out: set[tuple[str, str]] = set()
        for members in groups.values():
            ordered = sorted(members)
            out.update((x, y) for n, x in enumerate(ordered) for y in ordered[n + 1:])
        return out

    pred_groups: dict[str, list[str]] = {}
    true_groups: dict[str, list[str]] = {}
    for i in truth:
        pred_groups.setdefault(root(i), []).append(i)
        true_groups.setdefault(truth[i], []).append(i)
    p, t = pairs(pred_groups), pairs(true_groups)
    hit = len(p & t)
    return (hit / len(p) if p else 1.0), (hit / len(t) if t else 1.0), hit, len(p), len(t)
