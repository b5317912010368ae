"""Report arithmetic: the 631 resolution-level shares (SPEC §7)."""

from __future__ import annotations

from collections.abc import Mapping

from schemas.appeals import LevelShare
from schemas.taxonomy import LEVEL_ORDER, TARGET_631, Level


def shares_631(counts: Mapping[Level, int]) -> tuple[int, list[LevelShare]]:
    """Total resolved and, per level (village, township, county), the count, share and target."""
    total = sum(counts.get(level, 0) for level in LEVEL_ORDER)
    shares = [
        LevelShare(
            level=level,
            count=counts.get(level, 0),
            share=round(counts.get(level, 0) / total, 4) if total else 0.0,
            target=TARGET_631[level],
        )
        for level in LEVEL_ORDER
    ]
    return total, shares
