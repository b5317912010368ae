"""state counts from appended deltas: no writer waits on a counter row

The trigger of 0004 kept `state_counts` by an upsert of a counter row per change, sharded by the
writing backend. Under load the shards' rows sit on one or two heap pages that every writer
updates: writers of one shard waited for each other's commit (the row lock is held until then),
page pruning rarely got its cleanup lock, the table bloated (a megabyte for a few dozen rows was
seen after a minute) and each upsert walked longer chains. Now the trigger appends a delta row to
`state_count_deltas` (no index, no row another writer holds), and a job folds the deltas into
`state_counts` every second or so (services.scheduled); a count is the sum over both tables.

SQLite (one writer, in-process) keeps its triggers of 0004; its deltas table stays empty.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 10:05:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PG_DELTAS = """CREATE OR REPLACE FUNCTION hotline_count_states() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            INSERT INTO state_count_deltas (state, n) VALUES (NEW.state, 1);
        ELSIF TG_OP = 'DELETE' THEN
            INSERT INTO state_count_deltas (state, n) VALUES (OLD.state, -1);
        ELSE
            INSERT INTO state_count_deltas (state, n) VALUES (OLD.state, -1), (NEW.state, 1);
        END IF;
        RETURN NULL;
    END $$"""

# 0004's function, restored on downgrade (after the deltas are folded in).
_PG_SHARDED = """CREATE OR REPLACE FUNCTION hotline_count_states() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        my_shard smallint := pg_backend_pid() % 32;
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            INSERT INTO state_counts (state, shard, n) VALUES (OLD.state, my_shard, -1)
            ON CONFLICT (state, shard) DO UPDATE SET n = state_counts.n - 1;
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            INSERT INTO state_counts (state, shard, n) VALUES (NEW.state, my_shard, 1)
            ON CONFLICT (state, shard) DO UPDATE SET n = state_counts.n + 1;
        END IF;
        RETURN NULL;
    END $$"""

FOLD = """WITH moved AS (DELETE FROM state_count_deltas RETURNING state, n)
INSERT INTO state_counts (state, shard, n)
SELECT state, 0, sum(n) FROM moved GROUP BY state ORDER BY state
ON CONFLICT (state, shard) DO UPDATE SET n = state_counts.n + excluded.n"""


def upgrade() -> None:
    op.create_table(
        "state_count_deltas",
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_DELTAS)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_SHARDED)
        op.execute(FOLD)
    op.drop_table("state_count_deltas")
