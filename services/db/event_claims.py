"""Which consumer has handled which event: the claims that make every consumer idempotent."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

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
    One parameter list for one compiled statement (a VALUES list would compile anew for every
    batch size); SQLAlchemy sends it as one multi-row INSERT … RETURNING."""
    if not event_ids:
        return set()
    table = ProcessedEvent.__table__
    stmt = (
        insert_for(session)(table)
        .on_conflict_do_nothing(index_elements=["consumer", "event_id"])
        .returning(table.c.event_id)
    )
    params = [{"consumer": consumer, "event_id": e, "processed_at": at, "outcome": "ok"}
              for e in dict.fromkeys(event_ids)]
    return set((await session.execute(stmt, params)).scalars())


async def record_failed_event(
    session: AsyncSession, consumer: str, event_id: str, at: datetime, outcome: str
) -> None:
    """Record that `consumer` gave up on `event_id` (its outcome says why), unless it had handled it."""
    await claim_event(session, consumer, event_id, at, outcome=outcome)
