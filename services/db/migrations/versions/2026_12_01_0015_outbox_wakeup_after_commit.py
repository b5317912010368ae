"""the outbox relay's wake-up is sent after the writer's commit, not from inside it

The statement trigger of 0004 made every transaction that wrote outbox rows NOTIFY. PostgreSQL
serialises the commits of notifying transactions (a lock taken before the commit and held until
its WAL is flushed, so that notifications queue in commit order): every appeal's commit, and every
router batch's, waited for the one before it to reach the disk, and none shared a flush. Measured
on this project's machine: 16 connections committing an INSERT each, 4,400-6,400/s without a
NOTIFY, 975-1,069/s with one. The writer's process now tells the leading relay after its commit
(services.relay.OutboxRelay.wake: one NOTIFY outside any writing transaction, coalesced), and the
relay's polling stays the fallback.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 16:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite never had the trigger
    op.execute("DROP TRIGGER IF EXISTS outbox_notify ON outbox")
    op.execute("DROP FUNCTION IF EXISTS hotline_outbox_notify()")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("""CREATE FUNCTION hotline_outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM pg_notify('hotline_outbox', '');
        RETURN NULL;
    END $$""")
    op.execute("""CREATE TRIGGER outbox_notify AFTER INSERT ON outbox
    FOR EACH STATEMENT EXECUTE FUNCTION hotline_outbox_notify()""")
