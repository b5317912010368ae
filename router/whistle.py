"""Whistle class (一般 / 攻坚 / 紧急): urgency and difficulty cues, history and the matter's default.

Precedence, one rule in one place:
1. an emergency redirect, or urgent cues scoring at least the threshold → `urgent`
   (risk to life, safety or property now; many people affected now);
2. hard cues at least the threshold, a repeat of the same matter at the same place within the
   history window, or a reopened order → `hard` (long-standing, repeated, many households,
   several departments);
3. otherwise the matter's default class — except that a matter urgent by default (a gas leak, a
   crowded place's fire exits, a dam) is ordinary when the appeal only asks a question, plans
   ahead, denies the danger or imagines it ("万一…", "需不需要办证", "不是漏气") and no urgent cue
   reaches the threshold (`defer` cues).

Urgency is read two ways and added up: single cue phrases (`urgent`), and the structure of the
situation (`situation`): a hazard (flood water, a failing structure, a pollution incident, people
without heat or food, …) scores only together with what makes it urgent — it is happening now
or is imminent or worsening, and it reaches many households or vulnerable people (the elderly,
children, the sick, people living alone) or the caller asks for evacuation or immediate action.
Harm the hazard has already done (`harm`: "刚砸坏", "夹到了手", "压塌了院墙") makes it pressing as
well; people exposed to it where it is (`exposure`: "下面就是…", "必经的路", "天天有人走") add to
the score without opening the gate. All groups are read over the whole text, in any order, so a
hazard in one clause and "now" or the people at risk in another still combine.
Calm wording (a question, a plan, a past and settled event) takes the situation score down.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from router.catalogue import parse_term
from router.exceptions import LexiconError
from router.models import Matter, Term, WhistleAssessment
from router.normalise import Normaliser
from router.segment import TermMatcher
from schemas.taxonomy import WhistleClass

_NUMERAL = r"(\d{1,4}|[一二两三四五六七八九十百千几数上]+)"
# "三十多名工人", "两百多户业主", "12个人": how many people or households are affected
_HEADCOUNT = re.compile(_NUMERAL + r"[多余来]?[个名位户家号]?(?:人|户|家|工人|村民|业主|居民|农户|学生|会员|老人|群众)")
# "好几年了", "三年多", "两年": how long it has lasted (not 今年/去年, 2021年, 三年级, 两年前)
_YEARS = re.compile(
    r"(?<![今去明前往每当同\d])(\d{1,2}|[一二两三四五六七八九十几好多]+)[多余来]?年(?![级龄纪底初前后内度轻货味终])"
)
# "坏了三次", "发生四起事故", "好几回": how often it has happened
_TIMES = re.compile(r"(\d{1,2}|[一二两三四五六七八九十几好]+)[多余]?(?:次|回|起)(?![来床身码])")
# "反映了很多次", "投诉过好几回", "跑了四五趟", "多次找": the citizen has already asked, in vain
_ASKED_AGAIN = re.compile(
    r"(?:反映|反应|投诉|举报|找|跑|报修|催)了?过?(?:很多|好多|好几|无数|多|几|[二两三四五六七八九十]{1,2}|\d{1,2})[次回趟遍]"
    r"|(?:很多|好多|好几|无数|多)[次回趟遍]了?(?:反映|反应|投诉|举报|找|打|跑|报修|催)"
)
# "三个月了", "两个多月": how long the citizen has waited (months)
_MONTHS = re.compile(r"(?<![上下这本每])(\d{1,2}|[两三四五六七八九十几好]+)个多?月(?:了|没|还|都|一直)")
# What each pattern above needs somewhere in the text: a numeral with the word it counts right after. These
# begin with a character class, which the regex engine skips to; the patterns begin with a group and are tried
# at every position of the text. Most appeals hold none, and skip the pattern.
_HEADCOUNT_NEAR = re.compile(r"[\d一二两三四五六七八九十百千几数上][多余来]?[个名位户家号]?[人户家工村业居农学会老群]")
_YEARS_NEAR = re.compile(r"[\d一二两三四五六七八九十几好多][多余来]?年")
_TIMES_NEAR = re.compile(r"[\d一二两三四五六七八九十几好][多余]?[次回起]")
_MONTHS_NEAR = re.compile(r"[\d两三四五六七八九十几好]个多?月")
# Where none of the four can match: a numeral of any of them, then what any of them counts. One search where most
# appeals made four.
_ANY_NEAR = re.compile(r"[\d一二两三四五六七八九十百千几数上好多]"
                       r"(?:[多余来]?[个名位户家号]?[人户家工村业居农学会老群]|[多余来]?年|[多余]?[次回起]|个多?月)")
_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
           "几": 3, "数": 3, "好": 3, "多": 3}
_UNITS = {"十": 10, "百": 100, "千": 1000}


def chinese_number(text: str) -> int:
    """A numeral as written by citizens ("12", "十二", "两百", "几十", "上百") → an integer
    (vague ones such as "几十" count low: 30)."""
    if text.isdigit():
        return int(text)
    total, current = 0, 0
    for ch in text:
        if ch in _DIGITS:
            current = _DIGITS[ch]
        elif ch in _UNITS:
            total += (current or 1) * _UNITS[ch]
            current = 0
    return total + current


def _asked_again(text: str) -> bool:
    """The citizen says the matter was reported again and again (反映了好几次); most texts have no word it counts."""
    return any(unit in text for unit in "次回趟遍") and _ASKED_AGAIN.search(text) is not None


def scale_cues(text: str) -> list[tuple[str, float]]:
    """Difficulty cues read from numbers: many people or households affected, repeated
    occurrences, years of duration. Returns (cue, weight) pairs to add to the hard score."""
    cues: list[tuple[str, float]] = []
    if _ANY_NEAR.search(text) is None:  # no count of people, times, months or years: only the asking again
        if _asked_again(text):
            cues.append(("已多次反映", 1.5))
        return cues
    heads = 0
    for found in (_HEADCOUNT.findall(text) if _HEADCOUNT_NEAR.search(text) else ()):
        heads = max(heads, chinese_number(found))
    if heads >= 30:
        cues.append((f"涉及约{heads}人/户", 2.0))
    elif heads >= 10:
        cues.append((f"涉及约{heads}人/户", 1.5))
    times = 0
    for found in (_TIMES.findall(text) if _TIMES_NEAR.search(text) else ()):
        times = max(times, chinese_number(found))
    if 3 <= times < 100:
        cues.append((f"已发生约{times}次", 1.5))
    if _asked_again(text):
        cues.append(("已多次反映", 1.5))
    if _MONTHS_NEAR.search(text) and _MONTHS.search(text):
        cues.append(("已拖数月", 0.5))
    years = 0
    for found in (_YEARS.findall(text) if _YEARS_NEAR.search(text) else ()):
        years = max(years, chinese_number(found))
    if 2 <= years < 100:
        cues.append((f"持续约{years}年", 1.5))
    elif years == 1:
        cues.append(("持续一年", 1.0))
    return cues


_SITUATION_GROUPS = ("hazard", "now", "worsening", "vulnerable", "scale", "action", "exposure", "harm", "calm")


class SituationModel:
    """Urgency from the structure of the situation: hazard × (now, worsening) × (scale,
    vulnerability, a call for action) − calm wording. Groups are lists of terms; the hazard group
    is split into families (the best family counts, a second family adds `extra_family`). A
    hazard scores only when one of the `gate` groups (what makes it pressing) is present."""

    def __init__(
        self,
        hazards: dict[str, list[Term]],
        groups: dict[str, list[Term]],
        weights: dict[str, float],
        *,
        gate: tuple[str, ...] = ("now", "worsening"),
        extra_family: float = 0.5,
    ) -> None:
        self._weights = weights
        self._gate = gate
        self._extra_family = extra_family
        items: list[tuple[tuple[str, str, Term], tuple[str, ...]]] = []
        for family, terms in hazards.items():
            items.extend((("hazard", family, t), t.parts) for t in terms)
        for group, terms in groups.items():
            items.extend(((group, group, t), t.parts) for t in terms)
        self._matcher: TermMatcher[tuple[str, str, Term]] = TermMatcher(items)

    def words(self) -> set[str]:
        """Every phrase read (for a shared dictionary scan)."""
        return set(self._matcher.phrases())

    def score(self, text: str, found: set[str] | None = None) -> tuple[float, list[str]]:
        """The situation's urgency score and the cues that made it (0 without a hazard)."""
        family_best: dict[str, float] = {}
        group_best: dict[str, float] = {}
        cues: list[str] = []
        for group, family, term in self._matcher.match(text, found):
            if term.weight <= 0:
                group_best[group] = group_best.get(group, 0.0) + term.weight
                cues.append(term.label)
                continue
            if group == "hazard":
                if term.weight > family_best.get(family, 0.0):
                    family_best[family] = term.weight
            elif term.weight > group_best.get(group, 0.0):
                group_best[group] = term.weight
            cues.append(term.label)
        positive = sorted((w for w in family_best.values() if w > 0), reverse=True)
        if not positive:
            return 0.0, []
        if self._gate and not any(group_best.get(g, 0.0) > 0 for g in self._gate):
            return 0.0, []  # a hazard with nothing making it pressing now
        total = positive[0] + (self._extra_family if len(positive) > 1 else 0.0)
        for group, best in group_best.items():
            total += best * self._weights.get(group, 1.0)
        return total, cues

    @classmethod
    def from_data(cls, data: dict[str, object], normalise: Normaliser) -> SituationModel:
        """Build from the `situation` section of the whistle lexicon."""
        hazards_raw = data.get("hazard") or {}
        if not isinstance(hazards_raw, dict):
            raise ValueError("situation.hazard must map family names to term lists")
        hazards = {str(f): [parse_term(str(t), normalise) for t in terms or []] for f, terms in hazards_raw.items()}
        groups: dict[str, list[Term]] = {}
        for group in _SITUATION_GROUPS[1:]:
            terms = data.get(group) or []
            if not isinstance(terms, list):
                raise ValueError(f"situation.{group} must be a list")
            groups[group] = [parse_term(str(t), normalise) for t in terms]
        unknown = set(data) - set(_SITUATION_GROUPS) - {"weights", "gate", "extra_family"}
        if unknown:
            raise ValueError(f"unknown situation key(s) {', '.join(sorted(map(str, unknown)))}")
        weights_raw = data.get("weights") or {}
        if not isinstance(weights_raw, dict):
            raise ValueError("situation.weights must be a mapping")
        weights = {str(k): float(v) for k, v in weights_raw.items()}
        gate = data.get("gate", ["now", "worsening"])
        if not isinstance(gate, list) or not set(map(str, gate)) <= set(_SITUATION_GROUPS[1:]):
            raise ValueError("situation.gate must list groups of the situation")
        return cls(hazards, groups, weights, gate=tuple(map(str, gate)),
                   extra_family=float(str(data.get("extra_family", 0.5))))


class WhistleRules:
    """Scores urgency and difficulty cues in normalised text and chooses the whistle class."""

    def __init__(
        self,
        urgent: list[Term],
        hard: list[Term],
        urgent_threshold: float = 2.0,
        hard_threshold: float = 2.0,
        situation: SituationModel | None = None,
        defer: list[Term] | None = None,
        default_urgent_needs: float = 0.0,
        default_hard_needs: float = 0.0,
        urgent_as_reported: frozenset[str] = frozenset(),
    ) -> None:
        self._situation = situation
        self.urgent_as_reported = urgent_as_reported
        self.default_urgent_needs = default_urgent_needs
        self.default_hard_needs = default_hard_needs
        self._urgent = urgent
        self._hard = hard
        self.urgent_threshold = urgent_threshold
        self.hard_threshold = hard_threshold
        self._matcher: TermMatcher[tuple[str, Term]] = TermMatcher(
            [(("urgent", t), t.parts) for t in urgent] + [(("hard", t), t.parts) for t in hard]
            + [(("defer", t), t.parts) for t in defer or ()]
        )

    def assess(
        self,
        text: str,
        matter: Matter | None,
        *,
        emergency: bool = False,
        repeats: int = 0,
        reopened: bool = False,
        found: set[str] | None = None,
    ) -> WhistleAssessment:
        """Choose the class for normalised `text` routed to `matter`.

        `repeats` is how many orders of the same matter at the same place arrived within the
        history window; `reopened` marks an order reopened after an unsatisfied rating; `found`
        may carry the dictionary phrases of a shared scan.
        """
        urgent, hard, defer = 0.0, 0.0, 0.0
        urgent_cues: list[str] = []
        hard_cues: list[str] = []
        for kind, term in self._matcher.match(text, found):
            if kind == "urgent":
                urgent += term.weight
                urgent_cues.append(term.label)
            elif kind == "defer":
                defer = max(defer, term.weight)
            else:
                hard += term.weight
                hard_cues.append(term.label)
        if self._situation is not None:
            situation, labels = self._situation.score(text, found)
            if situation > 0:
                urgent += situation
                urgent_cues.extend(labels)
        for label, weight in scale_cues(text):
            hard += weight
            hard_cues.append(label)

        def made(whistle_class: WhistleClass, reason: str) -> WhistleAssessment:
            return WhistleAssessment(whistle_class, tuple(urgent_cues), tuple(hard_cues), reason, urgent, hard,
                                     defer >= 1.0)

        if emergency:
            return made(WhistleClass.urgent, "emergency redirect")
        if urgent >= self.urgent_threshold:
            return made(WhistleClass.urgent, f"urgent cues {urgent:.1f}")
        if hard >= self.hard_threshold or repeats > 0 or reopened:
            why = [f"hard cues {hard:.1f}"] if hard >= self.hard_threshold else []
            if repeats:
                why.append(f"{repeats} similar order(s) at this place recently")
            if reopened:
                why.append("reopened order")
            return made(WhistleClass.hard, "; ".join(why))
        default = matter.whistle_class if matter else WhistleClass.ordinary
        if default is WhistleClass.urgent and defer >= 1.0:
            return made(WhistleClass.ordinary, "a question, a plan or a danger only imagined: not urgent now")
        # A hazard matter (a crowded place's blocked exits, a dam) is urgent when the appeal shows
        # some danger now; a hazard reported with nothing happening is an ordinary order. Matters
        # whose report is itself the harm now (a gas leak, no water) stay urgent as reported.
        # Likewise a matter that is often hard needs some sign of difficulty.
        if (default is WhistleClass.urgent and urgent < self.default_urgent_needs and matter is not None
                and matter.code not in self.urgent_as_reported):
            return made(WhistleClass.ordinary, "a hazard with no danger now: ordinary")
        if default is WhistleClass.hard and hard < self.default_hard_needs:
            return made(WhistleClass.ordinary, "no sign of difficulty: ordinary")
        return made(default, "matter default")

    def words(self) -> set[str]:
        """Every cue phrase (for a shared dictionary scan)."""
        words = set(self._matcher.phrases())
        if self._situation is not None:
            words |= self._situation.words()
        return words

    @classmethod
    def from_file(cls, path: Path, normalise: Normaliser) -> WhistleRules:
        """Load `urgent` and `hard` cue lists (terms as in the catalogue) and their thresholds."""
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise LexiconError(f"{path}: cannot read whistle lexicon: {exc}") from exc
        if not isinstance(data, dict) or not isinstance(data.get("urgent"), list):
            raise LexiconError(f"{path}: expected `urgent` and `hard` lists")
        try:
            urgent = [parse_term(str(t), normalise) for t in data["urgent"]]
            hard = [parse_term(str(t), normalise) for t in data.get("hard") or []]
            defer = [parse_term(str(t), normalise) for t in data.get("defer") or []]
            situation_raw = data.get("situation")
            if situation_raw is not None and not isinstance(situation_raw, dict):
                raise ValueError("`situation` must be a mapping")
            situation = SituationModel.from_data(situation_raw, normalise) if situation_raw else None
        except ValueError as exc:
            raise LexiconError(f"{path}: {exc}") from None
        return cls(
            urgent,
            hard,
            float(data.get("urgent_threshold", 2.0)),
            float(data.get("hard_threshold", 2.0)),
            situation,
            defer,
            float(data.get("default_urgent_needs", 0.0)),
            float(data.get("default_hard_needs", 0.0)),
            frozenset(str(code) for code in data.get("urgent_as_reported") or ()),
        )
