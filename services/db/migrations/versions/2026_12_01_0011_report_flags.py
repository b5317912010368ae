"""report_flags: the supervision list, lead and summoned clocks alike

Each flag of an open order's current hand-over, one row per responsible unit: the lead unit's
claim / first-contact / resolve clocks and each summoned department's 报到 (吹哨报到) that has not
reported. Kept by the reports consumer; `hotline reports rebuild` fills it from history.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 02:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "report_flags",
        sa.Column("work_order_id", sa.String(length=40), nullable=False),
        sa.Column("unit", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=12), nullable=False),
        sa.Column("clock", sa.String(length=16), nullable=False),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("rank", sa.SmallInteger(), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("work_order_id", "unit", name=op.f("pk_report_flags")),
    )
    op.create_index("ix_report_flags_worst", "report_flags", ["rank", "since", "work_order_id"])
    op.create_index("ix_report_flags_unit_worst", "report_flags", ["unit", "rank", "since", "work_order_id"])


def downgrade() -> None:
    op.drop_index("ix_report_flags_unit_worst", table_name="report_flags")
    op.drop_index("ix_report_flags_worst", table_name="report_flags")
    op.drop_table("report_flags")
