"""Queries of the report aggregates: the reports consumer's writes and the reports' reads.
Like every repository, never commits."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import and_, case, delete, func, or_, select, text, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from feedback.periods import Period, bucket_starts
from feedback.tallies import TRACK_FIELDS, Deltas, OrderTrack
from services.db.repositories import _insert_for
from services.db.tables import OutboxEvent, ProcessedEvent, ReportOrder, ReportPlace, ReportTally

REPORT_TABLES = (ReportTally, ReportPlace, ReportOrder)
_CHUNK = 500  # rows per multi-row upsert


# ---- the consumer's side ----------------------------------------------------------------------
async def load_tracks(session: AsyncSession, order_ids: Iterable[str]) -> dict[str, OrderTrack]:
    """The orders' tracks (locked for this transaction on PostgreSQL, in id order), a fresh one
    for an order not seen before."""
    ids = sorted(set(order_ids))
    stmt = (select(ReportOrder).where(ReportOrder.work_order_id.in_(ids)).order_by(ReportOrder.work_order_id)
            .with_for_update())
    found = {row.work_order_id: OrderTrack(**{name: getattr(row, name) for name in TRACK_FIELDS})
             for row in (await session.execute(stmt)).scalars()}
    return {i: found.get(i) or OrderTrack(work_order_id=i) for i in ids}


async def save_tracks(session: AsyncSession, tracks: Iterable[OrderTrack]) -> None:
    rows = [t.as_row() for t in tracks]
    insert = _insert_for(session)
    for chunk in _chunks(rows):
        stmt = insert(ReportOrder).values(chunk)
        stmt = stmt.on_conflict_do_update(
            index_elements=["work_order_id"],
            set_={name: stmt.excluded[name] for name in TRACK_FIELDS if name != "work_order_id"},
        )
        await session.execute(stmt)


def _chunks(rows: list[dict[str, Any]]) -> Iterable[list[dict[str, Any]]]:
    for i in range(0, len(rows), _CHUNK):
        yield rows[i:i + _CHUNK]


async def _add(session: AsyncSession, table: Any, keys: Sequence[str], rows: dict[tuple[Any, ...], int]) -> None:
    """rows: key tuple -> n to add. Sorted, so that concurrent writers lock rows in one order."""
    insert = _insert_for(session)
    values = [{**dict(zip(keys, key, strict=True)), "n": n} for key, n in sorted(rows.items()) if n]
    for chunk in _chunks(values):
        stmt = insert(table).values(chunk)
        stmt = stmt.on_conflict_do_update(index_elements=list(keys), set_={"n": table.n + stmt.excluded.n})
        await session.execute(stmt)


async def add_deltas(session: AsyncSession, deltas: Deltas) -> None:
    """Add the deltas to every bucket (day, week, month, year) their day falls in."""
    tallies: Counter[tuple[Any, ...]] = Counter()
    for k, n in deltas.tallies.items():
        for grain, start in bucket_starts(k.day):
            tallies[(grain, start, k.metric, k.township, k.unit, k.level)] += n
    places: Counter[tuple[Any, ...]] = Counter()
    for p, n in deltas.places.items():
        for grain, start in bucket_starts(p.day):
            places[(grain, start, p.township, p.village, p.matter)] += n
    await _add(session, ReportTally, ("grain", "start", "metric", "township", "unit", "level"), tallies)
    await _add(session, ReportPlace, ("grain", "start", "township", "village", "matter"), places)


async def clear_aggregates(session: AsyncSession, consumer: str) -> None:
    """Empty every report aggregate and forget which events the consumer has seen (rebuild)."""
    if session.get_bind().dialect.name == "postgresql":
        names = ", ".join(t.__tablename__ for t in REPORT_TABLES)
        await session.execute(text(f"LOCK TABLE {names} IN EXCLUSIVE MODE"))
    for table in REPORT_TABLES:
        await session.execute(delete(table))
    await session.execute(delete(ProcessedEvent).where(ProcessedEvent.consumer == consumer))


async def history_events(session: AsyncSession, topics: Sequence[str], after_id: int, limit: int
                         ) -> Sequence[OutboxEvent]:
    """Events the system has written on `topics` (the outbox keeps every one), in commit order."""
    stmt = (select(OutboxEvent).where(OutboxEvent.topic.in_(topics), OutboxEvent.id > after_id)
            .order_by(OutboxEvent.id).limit(limit))
    return (await session.execute(stmt)).scalars().all()


async def mark_processed(session: AsyncSession, consumer: str, event_ids: Sequence[str], at: Any) -> None:
    insert = _insert_for(session)
    rows = [{"consumer": consumer, "event_id": e, "processed_at": at, "outcome": "ok"} for e in event_ids]
    for chunk in _chunks(rows):
        await session.execute(insert(ProcessedEvent).values(chunk).on_conflict_do_nothing(
            index_elements=["consumer", "event_id"]))


# ---- the reports' side ------------------------------------------------------------------------
def _in_period(table: Any, period: Period) -> Any:
    buckets = period.buckets()
    return or_(*[and_(table.grain == grain, table.start.in_(starts)) for grain, starts in buckets.items() if starts])


async def period_tallies(
    session: AsyncSession, period: Period, metrics: Iterable[str], *, township: str | None = None
) -> list[tuple[str, str, str, str, int]]:
    """(metric, township, unit, level, n) summed over the period."""
    stmt = (select(ReportTally.metric, ReportTally.township, ReportTally.unit, ReportTally.level,
                   func.sum(ReportTally.n))
            .where(_in_period(ReportTally, period), ReportTally.metric.in_(list(metrics)))
            .group_by(ReportTally.metric, ReportTally.township, ReportTally.unit, ReportTally.level))
    if township is not None:
        stmt = stmt.where(ReportTally.township == township)
    return [(m, t, u, lv, int(n)) for m, t, u, lv, n in (await session.execute(stmt)).all() if n]


async def trend_tallies(session: AsyncSession, grain: str, first: date, last: date, metric: str,
                        ) -> list[tuple[date, str, int]]:
    """(bucket start, level, n) of `metric` per bucket of `grain` from `first` to `last`."""
    stmt = (select(ReportTally.start, ReportTally.level, func.sum(ReportTally.n))
            .where(ReportTally.grain == grain, ReportTally.start.between(first, last), ReportTally.metric == metric)
            .group_by(ReportTally.start, ReportTally.level).order_by(ReportTally.start))
    return [(s, lv, int(n)) for s, lv, n in (await session.execute(stmt)).all()]


async def period_places(session: AsyncSession, period: Period, *, township: str | None = None
                        ) -> dict[tuple[str, str, str], int]:
    """(township, village, matter) -> orders first handed over in the period."""
    stmt = (select(ReportPlace.township, ReportPlace.village, ReportPlace.matter, func.sum(ReportPlace.n))
            .where(_in_period(ReportPlace, period))
            .group_by(ReportPlace.township, ReportPlace.village, ReportPlace.matter))
    if township is not None:
        stmt = stmt.where(ReportPlace.township == township)
    return {(t, v, m): int(n) for t, v, m, n in (await session.execute(stmt)).all() if n}


async def closed_orders(session: AsyncSession, period: Period, *, township: str | None, level: str | None,
                        after: tuple[date, str] | None, limit: int) -> Sequence[ReportOrder]:
    """The orders behind the 631 counts: closed in the period, oldest close first."""
    stmt = (select(ReportOrder).where(ReportOrder.closed_day.between(period.start, period.end))
            .order_by(ReportOrder.closed_day, ReportOrder.work_order_id).limit(limit))
    if township is not None:
        stmt = stmt.where(ReportOrder.closed_township == township)
    if level is not None:
        stmt = stmt.where(ReportOrder.resolved_level == level)
    if after is not None:
        stmt = stmt.where(tuple_(ReportOrder.closed_day, ReportOrder.work_order_id) > tuple_(*after))
    return (await session.execute(stmt)).scalars().all()


async def hot_spot_orders(session: AsyncSession, period: Period, *, matter: str, village: str, township: str | None,
                          after: tuple[date, str] | None, limit: int) -> Sequence[ReportOrder]:
    """The orders behind one hot-spot cell."""
    stmt = (select(ReportOrder)
            .where(ReportOrder.hot_matter == matter, ReportOrder.hot_village == village,
                   ReportOrder.first_day.between(period.start, period.end))
            .order_by(ReportOrder.first_day, ReportOrder.work_order_id).limit(limit))
    if township is not None:
        stmt = stmt.where(ReportOrder.hot_township == township)
    if after is not None:
        stmt = stmt.where(tuple_(ReportOrder.first_day, ReportOrder.work_order_id) > tuple_(*after))
    return (await session.execute(stmt)).scalars().all()


async def supervised_orders(session: AsyncSession, *, unit: str | None, level: str | None, limit: int
                            ) -> Sequence[ReportOrder]:
    """Orders in a unit's hands whose current hand-over has a supervision flag, worst first."""
    worst = case({"notify": 0, "supervise": 1}, value=ReportOrder.supervision, else_=2)
    stmt = (select(ReportOrder).where(ReportOrder.supervision != "none")
            .order_by(worst, ReportOrder.supervision_at, ReportOrder.work_order_id).limit(limit))
    if unit is not None:
        stmt = stmt.where(ReportOrder.unit == unit)
    if level is not None:
        stmt = stmt.where(ReportOrder.supervision == level)
    return (await session.execute(stmt)).scalars().all()


async def supervised_counts(session: AsyncSession) -> dict[tuple[str, str], int]:
    stmt = (select(ReportOrder.unit, ReportOrder.supervision, func.count())
            .where(ReportOrder.supervision != "none").group_by(ReportOrder.unit, ReportOrder.supervision))
    return {(u, lv): int(n) for u, lv, n in (await session.execute(stmt)).all()}


async def all_rows(session: AsyncSession) -> dict[str, list[tuple[Any, ...]]]:
    """Every nonzero aggregate row and every track, as plain tuples (for recounts and checks)."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    for table in (ReportTally, ReportPlace):
        cols = [c for c in table.__table__.columns]
        rows = (await session.execute(select(*cols).where(table.n != 0))).all()
        out[table.__tablename__] = sorted(tuple(r) for r in rows)
    tracks = (await session.execute(select(ReportOrder))).scalars().all()
    out[ReportOrder.__tablename__] = sorted(tuple(getattr(t, f) for f in TRACK_FIELDS) for t in tracks)
    return out
