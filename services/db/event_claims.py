"""Which consumer has handled which event: the claims that make every consumer idempotent."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Text, bindparam, func, literal, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.db.repositories import insert_for
from services.db.tables import ProcessedEvent


async def claim_event(
    session: AsyncSession, consumer: str, event_id: str, at: datetime, *, outcome: str = "ok"
) -> bool:
    """Record that `consumer` handles `event_id`; False if it already has."""
    insert = insert_for(session)
    stmt = (
        insert(ProcessedEvent)
        .values(consumer=consumer, event_id=event_id, processed_at=at, outcome=outcome[:200])
        .on_conflict_do_nothing(index_elements=["consumer", "event_id"])
    )
    result = await session.execute(stmt)
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def claim_events(session: AsyncSession, consumer: str, event_ids: Sequence[str], at: datetime) -> set[str]:
    """claim_event for many events in one statement: the ids this consumer had not handled yet.
    On PostgreSQL one array parameter of the ids, unnested (one statement whatever the batch's
    size, prepared once); elsewhere one parameter list, which SQLAlchemy sends as one multi-row
    INSERT … RETURNING, its VALUES list written out again for every execution (a batch of 30:
    38–45 µs of the consumer's CPU an event, against 24–30 µs as an array)."""
    if not event_ids:
        return set()
    ids = list(dict.fromkeys(event_ids))
    if session.get_bind().dialect.name == "postgresql":
        result = await (await session.connection()).execute(
            _claim_array(), {"consumer": consumer, "event_ids": ids, "at": at})
        return set(result.scalars())
    table = ProcessedEvent.__table__
    stmt = (
        insert_for(session)(table)
        .on_conflict_do_nothing(index_elements=["consumer", "event_id"])
        .returning(table.c.event_id)
    )
    params = [{"consumer": consumer, "event_id": e, "processed_at": at, "outcome": "ok"} for e in ids]
    return set((await session.execute(stmt, params)).scalars())


@cache
def _claim_array() -> Any:
    """claim_events' statement on PostgreSQL: the ids as one array (text[], so that an id too long
    for its column is refused, not cut, as a row of its own was), in their order."""
    table: Any = ProcessedEvent.__table__
    ids = func.unnest(bindparam("event_ids", type_=ARRAY(Text))).table_valued("event_id").render_derived()
    rows = select(bindparam("consumer", type_=table.c.consumer.type), ids.c.event_id,
                  bindparam("at", type_=table.c.processed_at.type), literal("ok"))
    return (pg_insert(table).from_select(["consumer", "event_id", "processed_at", "outcome"], rows)
            .on_conflict_do_nothing(index_elements=["consumer", "event_id"]).returning(table.c.event_id))


async def record_failed_event(
    session: AsyncSession, consumer: str, event_id: str, at: datetime, outcome: str
) -> None:
    """Record that `consumer` gave up on `event_id` (its outcome says why), unless it had handled it."""
    await claim_event(session, consumer, event_id, at, outcome=outcome)
