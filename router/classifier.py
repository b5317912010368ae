"""Which matter is this appeal? Catalogue keyword rules blended with the learned model.

The rule layer adds up the weights of each matter's terms found in the text; the learned model
gives a probability per owner (department, village or township level), which every matter of
that owner receives. The blend is `rule score + model_weight × probability`, so a
clear keyword decides, the model settles close calls and covers appeals with no known keyword.
When the rules' best matter leads by `model_weight` or more, the model cannot change the choice
and is skipped (most appeals; a history-trained model that should overrule the rules more often
is given a larger `model_weight`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from router.catalogue import Catalogue
from router.learning import LearnedModel
from router.models import Matter, ScoredMatter
from router.segment import TermMatcher

_NO_OWNER = np.zeros(1, dtype=np.float32)  # the probability of an owner the model never saw


@dataclass(frozen=True)
class Ranking:
    """Candidates best first, with a confidence for the first."""

    candidates: tuple[ScoredMatter, ...]
    confidence: float
    model_consulted: bool = True
    neighbours: dict[str, tuple[str, ...]] | None = None

    @property
    def best(self) -> ScoredMatter:
        """The chosen matter."""
        return self.candidates[0]

    @property
    def runner_up(self) -> ScoredMatter | None:
        """The best candidate with a different owner, if any."""
        best = self.candidates[0]
        owner = best.matter.owner
        for cand in self.candidates[1:]:
            if cand.matter.owner != owner:
                return cand
        return None

    def departments(self, limit: int = 5, least: int = 3) -> list[str]:
        """County departments ranked by their best candidate (owners first, then assistants),
        padded to `least` with the departments most often working with the leaders."""
        ranked: list[str] = []
        for cand in self.candidates:
            for dept in (cand.matter.dept, *cand.matter.assisting):
                if dept and dept not in ranked:
                    ranked.append(dept)
            if len(ranked) >= limit:
                break
        if len(ranked) < least and self.neighbours:
            for dept in list(ranked):
                for other in self.neighbours.get(dept, ()):
                    if other not in ranked:
                        ranked.append(other)
                    if len(ranked) >= least:
                        return ranked
        return ranked[:limit]


def department_neighbours(matters: list[Matter]) -> dict[str, tuple[str, ...]]:
    """For each department, the departments it most often works with in the catalogue (assisting
    its matters, or being assisted by it): the natural second and third guesses."""
    weight: dict[str, dict[str, float]] = {}
    for matter in matters:
        if matter.dept is None:
            continue
        for other in matter.assisting:
            if other != matter.dept:
                weight.setdefault(matter.dept, {}).setdefault(other, 0.0)
                weight[matter.dept][other] += 2.0
                weight.setdefault(other, {}).setdefault(matter.dept, 0.0)
                weight[other][matter.dept] += 1.0
    return {
        dept: tuple(sorted(others, key=lambda o: (-others[o], o))) for dept, others in weight.items()
    }


class MatterClassifier:
    """Scores every catalogue matter for a normalised appeal text."""

    def __init__(
        self,
        catalogue: Catalogue,
        model: LearnedModel | None = None,
        *,
        model_weight: float = 3.0,
        temperature: float = 1.0,
        owner_support: float = 0.25,
    ) -> None:
        self.catalogue = catalogue
        self.model = model
        self.model_weight = model_weight
        self.temperature = temperature
        self.owner_support = owner_support
        self._matters: list[Matter] = list(catalogue)
        self._owners = [m.owner for m in self._matters]
        self._neighbours = department_neighbours(self._matters)
        self._matcher: TermMatcher[tuple[int, float, str]] = TermMatcher(
            ((mi, term.weight, term.label), term.parts)
            for mi, matter in enumerate(self._matters)
            for term in matter.terms
        )
        self._model_order: np.ndarray | None = None
        if model is not None:
            # each matter reads its owner's probability; owners the model never saw read 0
            column = {owner: i for i, owner in enumerate(model.classes)}
            missing = len(model.classes)
            self._model_order = np.array([column.get(m.owner, missing) for m in self._matters], dtype=np.intp)
        # With no keyword at all, an owner's catch-all matter ("其他…事项") is the honest choice.
        self._prior = np.array([1e-3 if m.code.endswith(".other") else 0.0 for m in self._matters], dtype=np.float32)

    @property
    def catalogue_matters(self) -> list[Matter]:
        """The matters in the order `rule_scores` indexes them."""
        return self._matters

    def vocabulary(self) -> list[str]:
        """Every phrase the rules look for (for the segmentation dictionary)."""
        return self._matcher.phrases()

    def rule_scores(self, text: str, found: set[str] | None = None) -> dict[int, tuple[float, list[str]]]:
        """Matter index → (summed term weight, matched term labels)."""
        totals: dict[int, float] = {}
        labels: dict[int, list[str]] = {}
        for mi, weight, label in self._matcher.match(text, found):
            if mi in totals:
                totals[mi] += weight
                labels[mi].append(label)
            else:
                totals[mi] = weight
                labels[mi] = [label]
        return {mi: (score, labels[mi]) for mi, score in totals.items()}

    def model_scores(self, text: str) -> np.ndarray:
        """The model's probability of each catalogue matter's owner (zeros without a model)."""
        if self.model is None or self._model_order is None:
            return np.zeros(len(self._matters), dtype=np.float32)
        # The model's classes put in catalogue order; matters it never saw get probability 0.
        return np.concatenate((self.model.probabilities(text), _NO_OWNER)).take(self._model_order)

    def rank(self, text: str, limit: int = 6, found: set[str] | None = None) -> Ranking:
        """Candidates for normalised `text`, best first (always at least one)."""
        rules = self._with_owner_support(self.rule_scores(text, found))
        consult = self._model_can_change_top(rules)
        if not consult and rules:
            # Rules decide alone: rank just the matters they found, no array work.
            order = sorted(rules, key=lambda mi: (-rules[mi][0], mi))[:limit]  # ties: catalogue order
            decided = tuple(
                ScoredMatter(self._matters[i], rules[i][0], rules[i][0], 0.0, tuple(rules[i][1])) for i in order
            )
            return Ranking(decided, self._confidence(decided), False, self._neighbours)
        model = self.model_scores(text) if consult else np.zeros(len(self._matters), dtype=np.float32)
        total = model * self.model_weight + self._prior
        for mi, (score, _) in rules.items():
            total[mi] += score
        top = np.argpartition(-total, limit)[:limit] if len(total) > limit else np.arange(len(total))
        # the kept matters' scores as floats, ordered in Python (a handful: numpy's lexsort cost more than all of
        # this); ties: catalogue order, whatever order the words came in
        kept, scores, model_scores = top.tolist(), total[top].tolist(), model[top].tolist()
        matters = self._matters
        ranked: list[ScoredMatter] = []
        for k in sorted(range(len(kept)), key=lambda k: (-scores[k], kept[k])):
            i = kept[k]
            ruled = rules.get(i)
            ranked.append(ScoredMatter(matters[i], scores[k], ruled[0] if ruled is not None else 0.0, model_scores[k],
                                       tuple(ruled[1]) if ruled is not None else ()))
        candidates = tuple(ranked)
        return Ranking(candidates, self._confidence(candidates), consult, self._neighbours)

    def _with_owner_support(self, rules: dict[int, tuple[float, list[str]]]) -> dict[int, tuple[float, list[str]]]:
        """Add `owner_support` × the rule evidence for the owner's other matters: words spread over
        several matters of one department still point at that department."""
        if len(rules) < 2 or not self.owner_support:
            return rules
        owner_total: dict[object, float] = {}
        for mi, (score, _) in rules.items():
            owner = self._owners[mi]
            owner_total[owner] = owner_total.get(owner, 0.0) + max(score, 0.0)
        return {
            mi: (score + self.owner_support * (owner_total[self._owners[mi]] - max(score, 0.0)), labels)
            for mi, (score, labels) in rules.items()
        }

    def _model_can_change_top(self, rules: dict[int, tuple[float, list[str]]]) -> bool:
        """Whether the model's vote could change the best matter. It adds at most
        `model_weight` (× a probability) to any matter, so when the rules' best leads every
        other matter by more than that the model cannot overturn it and is not run."""
        if self.model is None:
            return False
        best = second = 0.0
        for score, _ in rules.values():
            if score > best:
                best, second = score, best
            elif score > second:
                second = score
        return best - second <= self.model_weight

    def _confidence(self, candidates: tuple[ScoredMatter, ...]) -> float:
        """Softmax share of the best candidate over owners, damped when evidence is thin."""
        best = candidates[0]
        by_owner: dict[str, float] = {}
        for cand in candidates:
            owner = cand.matter.owner
            if cand.score > by_owner.get(owner, -1e9):
                by_owner[owner] = cand.score
        scores = sorted(by_owner.values(), reverse=True)
        exps = [math.exp((s - scores[0]) / self.temperature) for s in scores]
        share = exps[0] / sum(exps)
        evidence = 1.0 - math.exp(-max(best.score, 0.0) / 2.0)
        return max(0.0, min(1.0, share * evidence))
