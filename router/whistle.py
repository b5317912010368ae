"""Whistle class (一般 / 攻坚 / 紧急): urgency and difficulty cues, history and the matter's default.

Precedence, one rule in one place:
1. an emergency redirect, or urgent cues scoring at least the threshold → `urgent`
   (risk to life, safety or property now; many people affected now);
2. hard cues at least the threshold, a repeat of the same matter at the same place within the
   history window, or a reopened order → `hard` (long-standing, repeated, many households,
   several departments);
3. otherwise the matter's default class.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from router.catalogue import parse_term
from router.exceptions import LexiconError
from router.models import Matter, Term, WhistleAssessment
from router.normalise import Normaliser
from router.segment import PhraseIndex
from schemas.taxonomy import WhistleClass


class WhistleRules:
    """Scores urgency and difficulty cues in normalised text and chooses the whistle class."""

    def __init__(
        self,
        urgent: list[Term],
        hard: list[Term],
        urgent_threshold: float = 2.0,
        hard_threshold: float = 2.0,
    ) -> None:
        self._urgent = urgent
        self._hard = hard
        self.urgent_threshold = urgent_threshold
        self.hard_threshold = hard_threshold
        self._index = PhraseIndex({p for t in urgent + hard for p in t.parts if len(p) >= 2})

    @staticmethod
    def _score(terms: list[Term], found: set[str]) -> tuple[float, list[str]]:
        score, cues = 0.0, []
        for term in terms:
            if all(p in found for p in term.parts):
                score += term.weight
                cues.append(term.label)
        return score, cues

    def assess(
        self,
        text: str,
        matter: Matter | None,
        *,
        emergency: bool = False,
        repeats: int = 0,
        reopened: bool = False,
    ) -> WhistleAssessment:
        """Choose the class for normalised `text` routed to `matter`.

        `repeats` is how many orders of the same matter at the same place arrived within the
        history window; `reopened` marks an order reopened after an unsatisfied rating.
        """
        found = self._index.found(text) | set(text)  # single characters qualify longer parts
        urgent, urgent_cues = self._score(self._urgent, found)
        hard, hard_cues = self._score(self._hard, found)
        if emergency:
            return WhistleAssessment(WhistleClass.urgent, tuple(urgent_cues), tuple(hard_cues),
                                     "emergency redirect")
        if urgent >= self.urgent_threshold:
            return WhistleAssessment(WhistleClass.urgent, tuple(urgent_cues), tuple(hard_cues),
                                     f"urgent cues {urgent:.1f}")
        if hard >= self.hard_threshold or repeats > 0 or reopened:
            why = [f"hard cues {hard:.1f}"] if hard >= self.hard_threshold else []
            if repeats:
                why.append(f"{repeats} similar order(s) at this place recently")
            if reopened:
                why.append("reopened order")
            return WhistleAssessment(WhistleClass.hard, tuple(urgent_cues), tuple(hard_cues), "; ".join(why))
        default = matter.whistle_class if matter else WhistleClass.ordinary
        return WhistleAssessment(default, tuple(urgent_cues), tuple(hard_cues), "matter default")

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
        except ValueError as exc:
            raise LexiconError(f"{path}: {exc}") from None
        return cls(
            urgent,
            hard,
            float(data.get("urgent_threshold", 2.0)),
            float(data.get("hard_threshold", 2.0)),
        )
