"""newest-first lists: every order by (created_at, id); resolved orders by their rating due time

`GET /v1/work-orders` without a state or unit walks (created_at, id) backwards from the cursor, so
the newest page is read at once however many orders there are. The job that closes orders nobody
rated in time reads the resolved orders whose rating window has run out from a partial index
(only resolved orders are in it). A unit's assisting and summoned orders are found without
walking the (many more) orders it leads.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 14:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RESOLVED = sa.text("state = 'resolved'")
HELPING = sa.text("role <> 'lead' AND active")


def upgrade() -> None:
    with op.batch_alter_table("work_orders", schema=None) as batch_op:
        batch_op.create_index("ix_work_orders_created", ["created_at", "id"], unique=False)
        batch_op.create_index("ix_work_orders_rating_due", ["rating_due"], unique=False,
                              postgresql_where=RESOLVED, sqlite_where=RESOLVED)
    with op.batch_alter_table("order_units", schema=None) as batch_op:
        batch_op.create_index("ix_order_units_helping", ["unit", "work_order_id"], unique=False,
                              postgresql_where=HELPING, sqlite_where=HELPING)


def downgrade() -> None:
    with op.batch_alter_table("order_units", schema=None) as batch_op:
        batch_op.drop_index("ix_order_units_helping")
    with op.batch_alter_table("work_orders", schema=None) as batch_op:
        batch_op.drop_index("ix_work_orders_rating_due")
        batch_op.drop_index("ix_work_orders_created")
