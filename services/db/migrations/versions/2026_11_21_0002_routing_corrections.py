"""routing corrections

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "routing_corrections",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("work_order_id", sa.String(length=40), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=24), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("original_unit", sa.String(length=64), nullable=True),
        sa.Column("original_matter", sa.String(length=64), nullable=True),
        sa.Column("original_level", sa.String(length=10), nullable=True),
        sa.Column("corrected_unit", sa.String(length=64), nullable=False),
        sa.Column("corrected_matter", sa.String(length=64), nullable=True),
        sa.Column("corrected_dept", sa.String(length=64), nullable=True),
        sa.Column("corrected_level", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["work_order_id"],
            ["work_orders.id"],
            name=op.f("fk_routing_corrections_work_order_id_work_orders"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_routing_corrections")),
    )
    with op.batch_alter_table("routing_corrections", schema=None) as batch_op:
        batch_op.create_index("ix_routing_corrections_at", ["at"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("routing_corrections", schema=None) as batch_op:
        batch_op.drop_index("ix_routing_corrections_at")

    op.drop_table("routing_corrections")
