"""The reports consumer ("hotline-reports"): folds every lifecycle and supervision event into the
report aggregates, once per event (services.consumers.idempotent), in the event's own transaction;
and `rebuild`, which recomputes them all from the events the system has written (the outbox)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from feedback.tallies import Deltas, OrderTrack, Tallier
from schemas.events import LIFECYCLE_TOPIC, SUPERVISION_TOPIC, EventEnvelope
from services.consumers import Effect
from services.context import DomainContext
from services.db import reports as store
from services.db.engine import make_engine, make_session_factory
from services.db.migrate import upgrade
from services.settings import CoreSettings

REPORTS_CONSUMER = "hotline-reports"
REPORT_TOPICS: tuple[str, ...] = (LIFECYCLE_TOPIC, SUPERVISION_TOPIC)


def reports_effect(ctx: DomainContext) -> Effect:
    """Fold one event into its order's track and the aggregates."""
    tallier = Tallier(ctx.local_day)

    async def effect(session: AsyncSession, event: EventEnvelope) -> None:
        track = await store.load_track(session, event.subject)
        deltas = tallier.apply(track, event.type, event.data)
        await store.add_deltas(session, deltas)
        await store.save_tracks(session, [track])

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
            for row in rows:
                track = tracks.get(row.key) or tracks.setdefault(row.key, OrderTrack(work_order_id=row.key))
                total.merge(tallier.apply(track, row.type, row.data))
            await store.mark_processed(session, REPORTS_CONSUMER, [r.event_id for r in rows], now())
            folded += len(rows)
            after = rows[-1].id
        await store.add_deltas(session, total.nonzero())
        await store.save_tracks(session, tracks.values())
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
