"""outbox wake-up from the database; maintained counts of orders per state

The relay's wake-up (NOTIFY hotline_outbox) comes from a statement trigger on the outbox, so a
writer no longer spends a round trip on pg_notify before every commit; the notification is still
delivered only when the transaction commits. `state_counts` is kept by a trigger on work_orders,
so the states report reads a few dozen rows however long the history. On PostgreSQL the counts
are spread over shards chosen by the writing backend, so concurrent writers do not queue on one
counter row; the report sums the shards.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATE_COUNT_SHARDS = 32

_PG_UP = [
    """CREATE FUNCTION hotline_outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM pg_notify('hotline_outbox', '');
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER outbox_notify AFTER INSERT ON outbox
    FOR EACH STATEMENT EXECUTE FUNCTION hotline_outbox_notify()""",
    f"""CREATE FUNCTION hotline_count_states() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        my_shard smallint := pg_backend_pid() % {STATE_COUNT_SHARDS};
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
    END $$""",
    """CREATE TRIGGER work_orders_count_insert_delete AFTER INSERT OR DELETE ON work_orders
    FOR EACH ROW EXECUTE FUNCTION hotline_count_states()""",
    """CREATE TRIGGER work_orders_count_update AFTER UPDATE OF state ON work_orders
    FOR EACH ROW WHEN (OLD.state IS DISTINCT FROM NEW.state) EXECUTE FUNCTION hotline_count_states()""",
]
_PG_DOWN = [
    "DROP TRIGGER IF EXISTS work_orders_count_update ON work_orders",
    "DROP TRIGGER IF EXISTS work_orders_count_insert_delete ON work_orders",
    "DROP FUNCTION IF EXISTS hotline_count_states()",
    "DROP TRIGGER IF EXISTS outbox_notify ON outbox",
    "DROP FUNCTION IF EXISTS hotline_outbox_notify()",
]


def _sqlite_bump(state: str, delta: str) -> str:
    return (f"INSERT OR IGNORE INTO state_counts (state, shard, n) VALUES ({state}, 0, 0); "
            f"UPDATE state_counts SET n = n {delta} WHERE state = {state} AND shard = 0;")


# SQLite has one writer at a time: one shard.
_SQLITE_UP = [
    f"CREATE TRIGGER work_orders_count_insert AFTER INSERT ON work_orders BEGIN {_sqlite_bump('NEW.state', '+ 1')} END",
    f"CREATE TRIGGER work_orders_count_delete AFTER DELETE ON work_orders BEGIN {_sqlite_bump('OLD.state', '- 1')} END",
    "CREATE TRIGGER work_orders_count_update AFTER UPDATE OF state ON work_orders "
    f"WHEN OLD.state IS NOT NEW.state BEGIN {_sqlite_bump('OLD.state', '- 1')} {_sqlite_bump('NEW.state', '+ 1')} END",
]
_SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS work_orders_count_update",
    "DROP TRIGGER IF EXISTS work_orders_count_delete",
    "DROP TRIGGER IF EXISTS work_orders_count_insert",
]


def upgrade() -> None:
    op.create_table(
        "state_counts",
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("shard", sa.SmallInteger(), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("state", "shard", name=op.f("pk_state_counts")),
    )
    # Existing orders are counted once, into shard 0, before the triggers start counting.
    op.execute("INSERT INTO state_counts (state, shard, n) SELECT state, 0, count(*) FROM work_orders GROUP BY state")
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in _PG_UP if postgres else _SQLITE_UP:
        op.execute(statement)


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in _PG_DOWN if postgres else _SQLITE_DOWN:
        op.execute(statement)
    op.drop_table("state_counts")
