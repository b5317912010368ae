"""Per-matter auto-dispatch thresholds learned from the centre's own history.

A fixed review threshold treats every matter alike; a centre knows better after a few weeks:
appeals about unpaid wages are routed right almost every time, while "the road outside is
broken" is often returned (village road? county road? urban street?). `learn_thresholds` reads
what happened to past dispatches — the router's matter and confidence, and whether the order
was returned by the unit or overridden by a dispatcher (both count against the matter) — and
picks, per matter, the lowest confidence from which the orders dispatched were right at least
`target` of the time, judged by a lower confidence bound so that a handful of lucky orders
does not open the gate. A matter is held back above the default only when its history proves
the default unsafe; one that is often wrong whatever the confidence gets a threshold above 1
(always reviewed). Matters with too little history keep the default threshold.

Pure: history in, thresholds out. The router applies them when given (`Router.route(...,
thresholds=...)`), and the auto-dispatched share grows as the centre works.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

ALWAYS_REVIEW = 1.01  # above any confidence: every order of the matter waits for a dispatcher


@dataclass(frozen=True)
class DispatchOutcome:
    """One past dispatch: the matter the router chose, its confidence, and whether it held.

    `correct` is False when the order was returned by the unit (退单) and re-dispatched elsewhere,
    or a dispatcher overrode the router's choice; True when it closed where it was sent.
    """

    matter: str
    confidence: float
    correct: bool


@dataclass(frozen=True)
class MatterThresholds:
    """The confidence from which each matter is dispatched without a dispatcher."""

    default: float
    by_matter: dict[str, float] = field(default_factory=dict)
    # how many past dispatches each learned threshold rests on (for explanations and reports)
    support: dict[str, int] = field(default_factory=dict)

    def for_matter(self, matter: str | None) -> float:
        """The threshold for `matter` (the default for matters without enough history)."""
        if matter is None:
            return self.default
        return self.by_matter.get(matter, self.default)


def wilson_lower_bound(right: float, total: float, z: float = 1.645) -> float:
    """Lower end of the Wilson score interval for a proportion (one-sided 95% by default)."""
    return _wilson(right, total, z, -1.0)


def wilson_upper_bound(right: float, total: float, z: float = 1.645) -> float:
    """Upper end of the Wilson score interval for a proportion (one-sided 95% by default)."""
    return _wilson(right, total, z, 1.0) if total > 0 else 1.0


def _wilson(right: float, total: float, z: float, side: float) -> float:
    if total <= 0:
        return 0.0
    p = right / total
    denom = 1.0 + z * z / total
    centre = p + z * z / (2.0 * total)
    margin = z * math.sqrt(p * (1.0 - p) / total + z * z / (4.0 * total * total))
    return min(1.0, max(0.0, (centre + side * margin) / denom))


def learn_thresholds(
    outcomes: Iterable[DispatchOutcome],
    *,
    default: float = 0.5,
    target: float = 0.95,
    min_orders: int = 20,
    floor: float = 0.2,
    z: float = 1.645,
) -> MatterThresholds:
    """Per-matter thresholds from past dispatch outcomes.

    For each matter with at least `min_orders` outcomes, candidate thresholds are the confidences
    seen (high to low); the lowest whose orders at or above it were right with a Wilson lower bound
    (one-sided, `z`) of at least `target` is proven safe, never below `floor`. The matter gets it
    when it is at or below `default` (a clean history opens the gate wider). Above `default`, or
    with no safe threshold at all, the matter is held back only when its history proves the default
    unsafe (the Wilson upper bound of the orders at or above `default` is below `target`): then it
    gets the safe threshold, or `ALWAYS_REVIEW` when none exists. A matter whose history shows
    neither keeps `default`, as do matters with less history. Confidences are the router's, in [0, 1].
    """
    by_matter: dict[str, list[DispatchOutcome]] = {}
    for outcome in outcomes:
        by_matter.setdefault(outcome.matter, []).append(outcome)
    learned: dict[str, float] = {}
    support: dict[str, int] = {}
    for matter, rows in by_matter.items():
        if len(rows) < min_orders:
            continue
        rows.sort(key=lambda o: -o.confidence)
        safe = ALWAYS_REVIEW
        right = total = 0
        right_default = total_default = 0
        i = 0
        while i < len(rows):
            # take every outcome at this confidence together: a threshold admits them all
            confidence = rows[i].confidence
            while i < len(rows) and rows[i].confidence == confidence:
                right += rows[i].correct
                total += 1
                i += 1
            if confidence >= default:
                right_default, total_default = right, total
            if confidence >= floor and wilson_lower_bound(right, total, z) >= target:
                safe = confidence
        if safe <= default:
            learned[matter] = safe
        elif total_default and wilson_upper_bound(right_default, total_default, z) < target:
            learned[matter] = safe
        else:
            continue
        support[matter] = len(rows)
    return MatterThresholds(default=default, by_matter=learned, support=support)
