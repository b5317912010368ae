"""intake channels, exact repeats, near-duplicates and personal data kept apart

Work orders get the digest of the submission (an exact repeat must say the same), when the citizen
reported it, the upper body's deadline for transferred cases, the channel's own details, the
location, the order a duplicate was merged into, and whether the caller wants a call back.
`personal_data` holds the raw personal values, encrypted (the order keeps masked ones).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 10:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

def _columns() -> list[sa.Column[object]]:
    return [
        sa.Column("request_digest", sa.String(length=64), nullable=True),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("transfer_deadline", sa.DateTime(timezone=True), nullable=True),
        sa.Column("details", sa.JSON(), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("merged_into", sa.String(length=40), nullable=True),
        sa.Column("callback_wanted", sa.Boolean(), nullable=True),
    ]


def upgrade() -> None:
    with op.batch_alter_table("work_orders") as batch:
        for column in _columns():
            batch.add_column(column)
        batch.create_index("ix_work_orders_reported_at", ["reported_at"])
        batch.create_index("ix_work_orders_merged_into", ["merged_into"])
    op.create_table(
        "personal_data",
        sa.Column("work_order_id", sa.String(length=40), nullable=False),
        sa.Column("sealed", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["work_order_id"], ["work_orders.id"], ondelete="RESTRICT",
                                name=op.f("fk_personal_data_work_order_id_work_orders")),
        sa.PrimaryKeyConstraint("work_order_id", name=op.f("pk_personal_data")),
    )


def downgrade() -> None:
    op.drop_table("personal_data")
    with op.batch_alter_table("work_orders") as batch:
        batch.drop_index("ix_work_orders_merged_into")
        batch.drop_index("ix_work_orders_reported_at")
        for column in reversed(_columns()):
            batch.drop_column(column.name)
