"""drop resolution_counts: the 631 report reads report_tallies (metric `closed`)

The first 631 aggregate (orders resolved per day, township and level) has been unused since the
reports consumer's tallies replaced it; the one 631 aggregate is `report_tallies`.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 02:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_table("resolution_counts")


def downgrade() -> None:
    op.create_table(
        "resolution_counts",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("township", sa.String(length=64), nullable=False),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "township", "level", name=op.f("pk_resolution_counts")),
    )
