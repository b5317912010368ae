"""Folding the appended state-count deltas (migration 0013) into `state_counts`."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

STATE_COUNT_FOLD_SECONDS = 1.0  # how often the feedback service folds (the states report reads the rest)

# One statement, its own transaction: the deltas it deletes are the ones it adds, so a delta is
# counted exactly once even when two folds run at once (the second skips rows the first deleted).
_FOLD = text("""WITH moved AS (DELETE FROM state_count_deltas RETURNING state, n)
INSERT INTO state_counts (state, shard, n)
SELECT state, 0, sum(n) FROM moved GROUP BY state ORDER BY state
ON CONFLICT (state, shard) DO UPDATE SET n = state_counts.n + excluded.n""")


async def fold_state_counts(engine: AsyncEngine) -> None:
    """Move the state-count deltas written since the last fold into state_counts (PostgreSQL
    only: on SQLite the triggers write state_counts directly)."""
    if engine.dialect.name != "postgresql":
        return
    async with engine.begin() as conn:
        await conn.execute(_FOLD)
