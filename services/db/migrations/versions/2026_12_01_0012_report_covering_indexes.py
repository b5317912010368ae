"""report_tallies and report_places read from an index alone

A period's rows of an aggregate lie all over its table (each bucket's rows were written as events
came), so a report that fetched each from the heap paid a page read per row: an index of the key
that carries the count (INCLUDE n) lets PostgreSQL answer from the index.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 02:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_report_tallies_read", "report_tallies",
                    ["grain", "start", "metric", "township", "unit", "level"], postgresql_include=["n"])
    op.create_index("ix_report_places_read", "report_places", ["grain", "start", "township", "village", "matter"],
                    postgresql_include=["n"])


def downgrade() -> None:
    op.drop_index("ix_report_places_read", table_name="report_places")
    op.drop_index("ix_report_tallies_read", table_name="report_tallies")
