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
from router.segment import TermMatcher
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
        self._matcher = TermMatcher(
            [(("urgent", t), t.parts) for t in urgent] + [(("hard", t), t.parts) for t in hard]
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
        urgent, hard = 0.0, 0.0
        urgent_cues: list[str] = []
        hard_cues: list[str] = []
        for kind, term in self._matcher.match(text, found):  # type: ignore[misc]
            if kind == "urgent":
                urgent += term.weight
                urgent_cues.append(term.label)
            else:
                hard += term.weight
                hard_cues.append(term.label)
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

    def words(self) -> set[str]:
        """Every cue phrase (for a shared dictionary scan)."""
        return set(self._matcher.phrases())

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
