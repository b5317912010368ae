"""fewer index entries per work order and per outbox row written

`ix_work_orders_fingerprint` was never read by any query (the content fingerprint is kept on the
order, not looked up): every insert and every non-HOT update of an order paid an entry for it.
`ix_work_orders_next_check` and `ix_work_orders_merged_into` become partial: the sweep reads only
orders whose clock has come (`next_check_at <= now`), 并单 only orders merged into one
(`merged_into = id`); a new order has neither, and a closed one no clock, so neither index holds
them (the sweep's index stays the size of the open orders, not of the history).
`ix_outbox_unpublished` was (published_at, id) over every row ever written; it becomes (id) over the
unpublished rows only: the relay reads the backlog in id order from an index the size of the
backlog, and marking rows published adds no entries to it.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 10:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PARTIAL = (("ix_work_orders_next_check", "next_check_at"), ("ix_work_orders_merged_into", "merged_into"))


def upgrade() -> None:
    op.drop_index("ix_work_orders_fingerprint", table_name="work_orders")
    op.drop_index("ix_outbox_unpublished", table_name="outbox")
    unpublished = sa.text("published_at IS NULL")
    op.create_index("ix_outbox_unpublished", "outbox", ["id"], postgresql_where=unpublished, sqlite_where=unpublished)
    for name, column in _PARTIAL:
        where = sa.text(f"{column} IS NOT NULL")
        op.drop_index(name, table_name="work_orders")
        op.create_index(name, "work_orders", [column], postgresql_where=where, sqlite_where=where)


def downgrade() -> None:
    for name, column in _PARTIAL:
        op.drop_index(name, table_name="work_orders")
        op.create_index(name, "work_orders", [column])
    op.create_index("ix_work_orders_fingerprint", "work_orders", ["fingerprint"])
    op.drop_index("ix_outbox_unpublished", table_name="outbox")
    op.create_index("ix_outbox_unpublished", "outbox", ["published_at", "id"])
