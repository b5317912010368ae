"""report_tallies and report_places read from their primary keys, which carry the count

0012 gave each aggregate a second index on exactly its primary key's columns, with the count
included, so that a period's rows are read from an index alone. Every upsert of a cell then wrote
two index entries (the count changes, so no update is HOT): about 16 cells per stored order under
load, the most index entries of any table. Now the primary key includes the count (PostgreSQL's
`PRIMARY KEY … INCLUDE (n)`) and the second index is gone: the same index-only reads, one entry a
cell. SQLite has no INCLUDE: its primary keys stay as they were, and the redundant indexes go.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 04:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_KEYS = {
    "report_tallies": ("grain", "start", "metric", "township", "unit", "level"),
    "report_places": ("grain", "start", "township", "village", "matter"),
}


def _primary_key(table: str, columns: tuple[str, ...], include: str) -> None:
    op.execute(f"ALTER TABLE {table} DROP CONSTRAINT pk_{table}, "
               f"ADD CONSTRAINT pk_{table} PRIMARY KEY ({', '.join(columns)}){include}")


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table, columns in _KEYS.items():
        op.drop_index(f"ix_{table}_read", table_name=table)
        if postgresql:
            _primary_key(table, columns, " INCLUDE (n)")


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table, columns in _KEYS.items():
        if postgresql:
            _primary_key(table, columns, "")
        op.create_index(f"ix_{table}_read", table, list(columns), postgresql_include=["n"])
