"""The two inserts both floors make: one appeal row and its outbox row, as Hotline's own tables
define them (bench_throughput.py and floor_app.py share this)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

APPEAL_INSERT = (
    "INSERT INTO work_orders (id, channel, external_id, fingerprint, text, text_masked, address, confidential,"
    " state, return_count, reopen_count, supervision_level, created_at, updated_at)"
    " VALUES ($1, $2, $3, $4, $5, $5, $6, false, 'received', 0, 0, 'none', $7, $7)"
)
OUTBOX_INSERT = (
    "INSERT INTO outbox (event_id, topic, key, type, source, time, data, created_at)"
    " VALUES ($1, 'hotline.lifecycle', $2, 'org.hotline.workorder.received', 'urn:hotline', $3, $4, $3)"
)


async def insert_appeal(conn: Any, channel: str, external_id: str, text: str, address: str | None) -> str:
    """Floor A's and floor B's unit of work: the appeal row + the outbox row, one commit."""
    order_id = f"wo_{uuid.uuid4().hex[:20]}"
    now = datetime.now(UTC)
    data = json.dumps({"work_order_id": order_id, "text": text, "address": address, "at": now.isoformat()},
                      ensure_ascii=False)
    async with conn.transaction():
        await conn.execute(APPEAL_INSERT, order_id, channel, external_id, uuid.uuid4().hex, text, address, now)
        await conn.execute(OUTBOX_INSERT, uuid.uuid4().hex, order_id, now, data)
    return order_id
