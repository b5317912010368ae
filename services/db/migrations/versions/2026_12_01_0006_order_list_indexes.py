"""order list indexes: a unit's orders in one state, oldest first, straight from one index

`list_orders(unit=…, state=…)` (a unit's queue) read (unit, state) and sorted, or walked every
order of the unit; (unit, state, created_at, id) answers it as a range in order at any history
length. The single-column state index is dropped: (state, created_at, id) covers every query it
served, and each index is paid for on every insert and state change.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 12:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("work_orders", schema=None) as batch_op:
        batch_op.drop_index("ix_work_orders_unit_state")
        batch_op.drop_index("ix_work_orders_state")
        batch_op.create_index("ix_work_orders_unit_state_created", ["unit", "state", "created_at", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("work_orders", schema=None) as batch_op:
        batch_op.drop_index("ix_work_orders_unit_state_created")
        batch_op.create_index("ix_work_orders_state", ["state"], unique=False)
        batch_op.create_index("ix_work_orders_unit_state", ["unit", "state"], unique=False)
