"""Many work orders at once, straight into PostgreSQL (for list scale tests and the list bench)."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

_ORDERS = """
INSERT INTO work_orders (id, channel, fingerprint, text, text_masked, confidential, state, whistle_class, level,
                         unit, return_count, reopen_count, supervision_level, created_at, updated_at,
                         claim_due, first_contact_due, resolve_due)
SELECT format('wo_bulk_%s_%s', CAST(:tag AS text), n), '12345_phone', md5(n::text), '路灯不亮', '路灯不亮',
       false, (ARRAY['dispatched','claimed','resolved','closed'])[1 + n % 4], 'ordinary', 'county',
       CAST(:unit AS text), 0, 0, 'none',
       timestamptz '2025-01-01' + n * interval '1 minute', timestamptz '2025-01-01' + n * interval '1 minute',
       timestamptz '2025-01-01' + n * interval '1 minute' + interval '2 hours',
       timestamptz '2025-01-01' + n * interval '1 minute' + interval '1 day',
       timestamptz '2025-01-01' + n * interval '1 minute' + interval '5 days'
FROM generate_series(CAST(:first AS integer), CAST(:last AS integer)) AS n
"""
_HANDS = """
INSERT INTO order_units (work_order_id, unit, role, since, active)
SELECT format('wo_bulk_%s_%s', CAST(:tag AS text), n), CAST(:unit AS text), 'lead',
       timestamptz '2025-01-01' + n * interval '1 minute', true
FROM generate_series(CAST(:first AS integer), CAST(:last AS integer)) AS n
"""


async def load_orders(engine: AsyncEngine, *, unit: str, n: int, tag: str, chunk: int = 50_000) -> None:
    """`n` orders led by `unit`, one a minute from 2025-01-01 (ids wo_bulk_<tag>_<1..n>), in its
    hands, into a test's own database. Triggers are off while loading (superuser only): the per-row
    trigger that keeps the per-state counts makes a bulk load slower with every row it adds (each
    row updates the same count row again), and these tests do not read those counts."""
    for first in range(1, n + 1, chunk):
        params = {"unit": unit, "tag": tag, "first": first, "last": min(n, first + chunk - 1)}
        async with engine.begin() as conn:
            await conn.execute(text("SET LOCAL session_replication_role = replica"))
            await conn.execute(text(_ORDERS), params)
            await conn.execute(text(_HANDS), params)
    async with engine.begin() as conn:
        await conn.execute(text("ANALYZE work_orders"))
        await conn.execute(text("ANALYZE order_units"))
