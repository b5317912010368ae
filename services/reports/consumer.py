"""The reports consumer ("hotline-reports"): folds every lifecycle event into the
report aggregates, once per event (services.consumers.idempotent), in the event's own transaction;
and `rebuild`, which recomputes them all from the events the system has written (the outbox)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from feedback.tallies import Deltas, OrderTrack, Tallier
from schemas.events import LIFECYCLE_TOPIC, EventEnvelope
from services.consumers import BatchEffect, Effect
from services.context import DomainContext
from services.db import reports as store
from services.db.engine import make_engine, make_session_factory
from services.db.migrate import upgrade
from services.settings import CoreSettings

REPORTS_CONSUMER = "hotline-reports"
# The lifecycle topic carries every fact the reports count (supervision records too, as
# org.hotline.workorder.supervision_raised), in each order's own order.
REPORT_TOPICS: tuple[str, ...] = (LIFECYCLE_TOPIC,)


def fold(tallier: Tallier, tracks: dict[str, OrderTrack], events: Iterable[EventEnvelope]) -> Deltas:
    """Fold events (each order's in the order they happened) into the tracks; the summed deltas."""
    total, seen = Deltas(), set()
    for event in events:
        if event.id in seen:
            continue
        seen.add(event.id)
        track = tracks.get(event.subject) or tracks.setdefault(event.subject, OrderTrack(work_order_id=event.subject))
        total.merge(tallier.apply(track, event.type, event.data))
    return total.nonzero()


def reports_batch_effect(ctx: DomainContext) -> BatchEffect:
    """Fold the events that arrived together: their orders' tracks read in one query, the
    aggregates written in one upsert per table."""
    tallier = Tallier(ctx.local_day)

    async def effect(session: AsyncSession, events: Sequence[EventEnvelope]) -> None:
        tracks = await store.load_tracks(session, (e.subject for e in events))
        # No supervision flag stored for any of them (load_tracks read them all): none to delete
        # before the flags are written, a statement saved for most batches.
        stored_flags = any(track.flags for track in tracks.values())
        await store.add_deltas(session, fold(tallier, tracks, events))
        await store.save_tracks(session, tracks.values(), fresh=not stored_flags)

    return effect


def reports_effect(ctx: DomainContext) -> Effect:
    """Fold one event into its order's track and the aggregates."""
    batch = reports_batch_effect(ctx)

    async def effect(session: AsyncSession, event: EventEnvelope) -> None:
        await batch(session, [event])

    return effect


async def rebuild(sessions: async_sessionmaker[AsyncSession], local_day: Callable[[datetime], date],
                  now: Callable[[], datetime] = lambda: datetime.now(UTC), *, batch: int = 5000) -> int:
    """Recompute every report aggregate from history in one transaction: empty them, fold every
    lifecycle and supervision event in the outbox (the system's record of what happened, in commit
    order), and mark those events seen by the consumer so that none counts twice. Returns the
    number of events folded."""
    tallier = Tallier(local_day)
    tracks: dict[str, OrderTrack] = {}
    total = Deltas()
    folded, after = 0, 0
    async with sessions() as session, session.begin():
        await store.clear_aggregates(session, REPORTS_CONSUMER)
        while rows := await store.history_events(session, REPORT_TOPICS, after, batch):
            total.merge(fold(tallier, tracks, (EventEnvelope(id=r.event_id, type=r.type, subject=r.key,
                                                             topic=r.topic, time=r.time, data=r.data) for r in rows)))
            await store.mark_processed(session, REPORTS_CONSUMER, [r.event_id for r in rows], now())
            folded += len(rows)
            after = rows[-1].id
        await store.add_deltas(session, total.nonzero())
        await store.save_tracks(session, tracks.values(), fresh=True)
    return folded


async def rebuild_at(settings: CoreSettings) -> tuple[int, float]:
    """`rebuild` on the database the settings name (`hotline reports rebuild`): events folded, seconds."""
    url = settings.effective_database_url
    if settings.is_sqlite:
        await asyncio.to_thread(upgrade, url)
    engine = make_engine(url)
    started = time.perf_counter()
    try:
        zone = ZoneInfo(settings.timezone)
        folded = await rebuild(make_session_factory(engine), lambda at: at.astimezone(zone).date())
    finally:
        await engine.dispose()
    return folded, time.perf_counter() - started
