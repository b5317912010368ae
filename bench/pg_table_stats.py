"""What PostgreSQL wrote and read for a run, per stored order: rows inserted, updated (and how
many of those were HOT: no index entries), deleted, per table; scans per index. Read from the
cumulative statistics views of the run's database just before it is dropped."""

from __future__ import annotations

import asyncpg

_TABLES = """
SELECT relname, n_tup_ins, n_tup_upd, n_tup_hot_upd, n_tup_del, seq_scan, coalesce(idx_scan, 0) AS idx_scan,
       (SELECT count(*) FROM pg_index i WHERE i.indrelid = relid) AS indexes
FROM pg_stat_user_tables WHERE n_tup_ins + n_tup_upd + n_tup_del > 0 ORDER BY relname"""
_INDEXES = """
SELECT relname, indexrelname, idx_scan, idx_tup_read FROM pg_stat_user_indexes
WHERE relname = ANY($1::text[]) ORDER BY relname, indexrelname"""


async def table_stats(dsn: str) -> list[str]:
    """Lines describing the database's writes and index use, per stored order."""
    conn = await asyncpg.connect(dsn)
    try:
        orders = int(await conn.fetchval("SELECT count(*) FROM work_orders"))
        tables = await conn.fetch(_TABLES)
        indexes = await conn.fetch(_INDEXES, [t["relname"] for t in tables])
    finally:
        await conn.close()
    n = max(1, orders)
    lines = [f"PostgreSQL rows per stored order ({orders} orders): table (indexes) ins / upd (HOT) / del; scans"]
    for t in tables:
        lines.append(f"  {t['relname']} ({t['indexes']}): {t['n_tup_ins'] / n:.2f} / {t['n_tup_upd'] / n:.2f} "
                     f"({t['n_tup_hot_upd'] / n:.2f}) / {t['n_tup_del'] / n:.2f}; seq {t['seq_scan'] / n:.3f}, "
                     f"index {t['idx_scan'] / n:.2f}")
    lines.append("index scans per stored order (rows read per scan):")
    for i in indexes:
        per_scan = i["idx_tup_read"] / i["idx_scan"] if i["idx_scan"] else 0.0
        lines.append(f"  {i['indexrelname']}: {i['idx_scan'] / n:.3f} ({per_scan:.1f})")
    return lines
