"""Which matter is this appeal? Catalogue keyword rules blended with the learned model.

The rule layer adds up the weights of each matter's terms found in the text; the learned model
gives a probability per matter. The blend is `rule score + model_weight × probability`, so a
clear keyword decides, the model settles close calls and covers appeals with no known keyword.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from router.catalogue import Catalogue
from router.learning import LearnedModel
from router.models import Matter, ScoredMatter
from router.segment import PhraseIndex


@dataclass(frozen=True)
class Ranking:
    """Candidates best first, with a confidence for the first."""

    candidates: tuple[ScoredMatter, ...]
    confidence: float

    @property
    def best(self) -> ScoredMatter:
        """The chosen matter."""
        return self.candidates[0]

    @property
    def runner_up(self) -> ScoredMatter | None:
        """The best candidate with a different owner, if any."""
        best = self.candidates[0]
        for cand in self.candidates[1:]:
            if cand.matter.dept != best.matter.dept or cand.matter.level != best.matter.level:
                return cand
        return None

    def departments(self, limit: int = 5) -> list[str]:
        """County departments ranked by their best candidate (owners first, then assistants)."""
        ranked: list[str] = []
        for cand in self.candidates:
            for dept in (cand.matter.dept, *cand.matter.assisting):
                if dept and dept not in ranked:
                    ranked.append(dept)
            if len(ranked) >= limit:
                break
        return ranked[:limit]


class MatterClassifier:
    """Scores every catalogue matter for a normalised appeal text."""

    def __init__(
        self,
        catalogue: Catalogue,
        model: LearnedModel | None = None,
        *,
        model_weight: float = 3.0,
        temperature: float = 1.0,
    ) -> None:
        self.catalogue = catalogue
        self.model = model
        self.model_weight = model_weight
        self.temperature = temperature
        self._matters: list[Matter] = list(catalogue)
        position = {m.code: i for i, m in enumerate(self._matters)}
        # phrase → [(matter index, term index)]
        self._refs: dict[str, list[tuple[int, int]]] = {}
        for mi, matter in enumerate(self._matters):
            for ti, term in enumerate(matter.terms):
                for part in {p for p in term.parts if len(p) >= 2}:
                    self._refs.setdefault(part, []).append((mi, ti))
        self._index = PhraseIndex(self._refs)
        self._model_columns: np.ndarray | None = None
        if model is not None:
            self._model_columns = np.array([position.get(code, -1) for code in model.classes])

    def vocabulary(self) -> list[str]:
        """Every phrase the rules look for (for the segmentation dictionary)."""
        return list(self._refs)

    def rule_scores(self, text: str) -> dict[int, tuple[float, list[str]]]:
        """Matter index → (summed term weight, matched term labels)."""
        found = self._index.found(text)
        if not found:
            return {}
        satisfied: dict[tuple[int, int], int] = {}
        for phrase in found:
            for ref in self._refs[phrase]:
                satisfied[ref] = satisfied.get(ref, 0) + 1
        out: dict[int, tuple[float, list[str]]] = {}
        chars: set[str] | None = None
        for (mi, ti), n in satisfied.items():
            term = self._matters[mi].terms[ti]
            if len(term.parts) > 1:
                if n < len({p for p in term.parts if len(p) >= 2}):
                    continue
                short = [p for p in term.parts if len(p) == 1]
                if short:
                    chars = chars if chars is not None else set(text)
                    if not all(p in chars for p in short):
                        continue
            score, labels = out.get(mi, (0.0, []))
            labels.append(term.label)
            out[mi] = (score + term.weight, labels)
        return out

    def model_scores(self, text: str) -> np.ndarray:
        """Model probability per catalogue matter (zeros without a model)."""
        probs = np.zeros(len(self._matters), dtype=np.float32)
        if self.model is None or self._model_columns is None:
            return probs
        p = self.model.probabilities(text)
        mask = self._model_columns >= 0
        probs[self._model_columns[mask]] = p[mask]
        return probs

    def rank(self, text: str, limit: int = 8) -> Ranking:
        """Candidates for normalised `text`, best first (always at least one)."""
        rules = self.rule_scores(text)
        model = self.model_scores(text)
        total = model * self.model_weight
        rule_array = np.zeros(len(self._matters), dtype=np.float32)
        for mi, (score, _) in rules.items():
            rule_array[mi] = score
        total = total + rule_array
        top = np.argsort(-total)[:limit]
        candidates = tuple(
            ScoredMatter(
                matter=self._matters[i],
                score=float(total[i]),
                rule_score=float(rule_array[i]),
                model_score=float(model[i]),
                terms=tuple(rules[i][1]) if i in rules else (),
            )
            for i in top
        )
        return Ranking(candidates, self._confidence(candidates))

    def _confidence(self, candidates: tuple[ScoredMatter, ...]) -> float:
        """Softmax share of the best candidate over owners, damped when evidence is thin."""
        best = candidates[0]
        by_owner: dict[tuple[str | None, str], float] = {}
        for cand in candidates:
            key = (cand.matter.dept, cand.matter.level.value)
            by_owner[key] = max(by_owner.get(key, -1e9), cand.score)
        scores = sorted(by_owner.values(), reverse=True)
        exps = [math.exp((s - scores[0]) / self.temperature) for s in scores]
        share = exps[0] / sum(exps)
        evidence = 1.0 - math.exp(-max(best.score, 0.0) / 2.0)
        return max(0.0, min(1.0, share * evidence))
