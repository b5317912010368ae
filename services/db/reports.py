"""Queries of the report aggregates: the reports consumer's writes and the reports' reads.
Like every repository, never commits."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import Any, Literal

from sqlalchemy import String, and_, delete, func, literal, or_, select, text, tuple_, union_all
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from feedback.periods import Period, bucket_starts
from feedback.tallies import SUPERVISION_RANK, TRACK_FIELDS, Deltas, Flag, OrderTrack
from services.db.repositories import among, insert_for, unnested
from services.db.tables import OutboxEvent, ProcessedEvent, ReportFlag, ReportOrder, ReportPlace, ReportTally

REPORT_TABLES = (ReportTally, ReportPlace, ReportOrder, ReportFlag)
WORST_FIRST = {"notify": 0, "supervise": 1, "remind": 2}  # report_flags.rank
# Roll-up rows of report_tallies: township "*" sums every township of a unit (per unit and level),
# township and unit "*" every unit of a level; so a county-wide or per-unit figure reads a few
# rows per bucket, not one per township and unit.
ALL = "*"
_CHUNK = 500  # rows per multi-row upsert or delete
_ARRAY_CHUNK = 10_000  # cells per upsert of arrays (a rebuild adds up years of them)


# ---- the consumer's side ----------------------------------------------------------------------
async def load_tracks(session: AsyncSession, order_ids: Iterable[str]) -> dict[str, OrderTrack]:
    """The orders' tracks (locked for this transaction on PostgreSQL, in id order), a fresh one
    for an order not seen before. Read as plain rows on the session's connection, not as ORM
    objects: nothing changes them through the session (save_tracks upserts), and loading ~30
    columns into an ORM object and its identity map cost more than the row (batches of 150:
    34-55 -> 20 µs a track)."""
    ids = sorted(set(order_ids))
    connection = await session.connection()
    orders, flags = ReportOrder.__table__.c, ReportFlag.__table__.c
    stmt = (select(*[orders[name] for name in TRACK_FIELDS]).where(among(session, orders.work_order_id, ids))
            .order_by(orders.work_order_id).with_for_update())
    found = {row[0]: OrderTrack(**dict(zip(TRACK_FIELDS, row, strict=True)))
             for row in await connection.execute(stmt)}
    if found:
        stmt = (select(flags.work_order_id, flags.unit, flags.role, flags.clock, flags.level, flags.since)
                .where(among(session, flags.work_order_id, found)))
        for order_id, unit, role, clock, level, since in await connection.execute(stmt):
            found[order_id].flags[unit] = Flag(role, clock, level, since)
    return {i: found.get(i) or OrderTrack(work_order_id=i) for i in ids}


async def save_tracks(session: AsyncSession, tracks: Iterable[OrderTrack], *, fresh: bool = False) -> None:
    """Write the tracks and their supervision flags (`fresh`: the flags table holds none of them yet)."""
    tracks = list(tracks)
    rows = [t.as_row() for t in tracks]
    insert = insert_for(session)
    if not fresh:
        ids = [t.work_order_id for t in tracks]
        for i in range(0, len(ids), _CHUNK):
            await session.execute(delete(ReportFlag).where(among(session, ReportFlag.work_order_id, ids[i:i + _CHUNK])))
    flags = [{"work_order_id": t.work_order_id, "unit": unit, "role": f.role, "clock": f.clock, "level": f.level,
              "rank": WORST_FIRST[f.level], "since": f.since}
             for t in tracks for unit, f in sorted(t.flags.items()) if f.level in SUPERVISION_RANK]
    await _write(session, lambda values: _values(insert(ReportFlag.__table__), values), flags, name="flags")

    def upsert(values: list[dict[str, Any]] | None) -> Any:
        stmt = _values(insert(ReportOrder.__table__), values)
        return stmt.on_conflict_do_update(
            index_elements=["work_order_id"],
            set_={name: stmt.excluded[name] for name in TRACK_FIELDS if name != "work_order_id"},
        )

    await _write(session, upsert, rows, name="tracks")


async def _write(session: AsyncSession, statement: Callable[[list[dict[str, Any]] | None], Any],
                 rows: list[dict[str, Any]], *, name: str) -> None:
    """Write `rows` with `statement(values)`: each full chunk of _CHUNK rows as its VALUES list (one
    shape, compiled once: a rebuild writes millions), the rest as `statement(None)` with a list of
    parameter sets (executemany: compiled and prepared once). A VALUES list of each batch's own
    size compiled anew for every batch: half the reports consumer's CPU. `statement(None)` is built
    once per dialect and `name` (the report_orders upsert took ~3 ms to build: its SET clause names
    every column of `excluded`), not for every batch."""
    whole = len(rows) - len(rows) % _CHUNK
    for i in range(0, whole, _CHUNK):
        await session.execute(statement(rows[i:i + _CHUNK]))
    if whole < len(rows):
        key = (session.get_bind().dialect.name, name)
        built = _EXECUTEMANY.get(key)
        if built is None:
            built = _EXECUTEMANY[key] = statement(None)
        await session.execute(built, rows[whole:])


_EXECUTEMANY: dict[tuple[str, str], Any] = {}  # (dialect, statement's name) -> _write's executemany statement


def _values(stmt: Any, values: list[dict[str, Any]] | None) -> Any:
    return stmt if values is None else stmt.values(values)


async def _add(session: AsyncSession, table: Any, keys: Sequence[str], rows: dict[tuple[Any, ...], int]) -> None:
    """rows: key tuple -> n to add. Sorted, so that concurrent writers lock rows in one order."""
    if session.get_bind().dialect.name == "postgresql":
        cells = [(*key, n) for key, n in sorted(rows.items()) if n]
        for i in range(0, len(cells), _ARRAY_CHUNK):
            columns = zip(*cells[i:i + _ARRAY_CHUNK], strict=True)
            await session.execute(_add_arrays(table, tuple(keys)),
                                  {name: list(column) for name, column in zip((*keys, "n"), columns, strict=True)})
        return
    insert = insert_for(session)
    values = [{**dict(zip(keys, key, strict=True)), "n": n} for key, n in sorted(rows.items()) if n]

    def upsert(chunk: list[dict[str, Any]] | None) -> Any:
        stmt = _values(insert(table.__table__), chunk)
        return stmt.on_conflict_do_update(index_elements=list(keys), set_={"n": table.n + stmt.excluded.n})

    await _write(session, upsert, values, name=f"add {table.__tablename__} {keys}")


_ADD_ARRAYS: dict[tuple[str, tuple[str, ...]], Any] = {}


def _add_arrays(table: Any, keys: tuple[str, ...]) -> Any:
    """On PostgreSQL, `_add`'s upsert of any number of cells as one execution: one array parameter
    per column, unnested in the arrays' (sorted) order. As a list of parameter sets (executemany)
    each cell was an execution of its own, and SQLAlchemy processed every set: a batch writes
    about eight tally cells per order (four grains, three roll-ups). Built once per table."""
    built = _ADD_ARRAYS.get((table.__tablename__, keys))
    if built is None:
        columns = [table.__table__.c[name] for name in (*keys, "n")]
        cells = unnested(columns, [c.name for c in columns])
        stmt = pg_insert(table.__table__).from_select([c.name for c in columns], select(cells))
        built = _ADD_ARRAYS[(table.__tablename__, keys)] = stmt.on_conflict_do_update(
            index_elements=list(keys), set_={"n": table.n + stmt.excluded.n})
    return built


async def add_deltas(session: AsyncSession, deltas: Deltas) -> None:
    """Add the deltas to every bucket (day, week, month, year) their day falls in."""
    tallies: Counter[tuple[Any, ...]] = Counter()
    for k, n in deltas.tallies.items():
        for grain, start in bucket_starts(k.day):
            tallies[(grain, start, k.metric, k.township, k.unit, k.level)] += n
            tallies[(grain, start, k.metric, ALL, k.unit, k.level)] += n
            tallies[(grain, start, k.metric, ALL, ALL, k.level)] += n
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
    insert = insert_for(session)
    rows = [{"consumer": consumer, "event_id": e, "processed_at": at, "outcome": "ok"} for e in event_ids]
    await _write(session, lambda values: _values(insert(ProcessedEvent.__table__), values).on_conflict_do_nothing(
        index_elements=["consumer", "event_id"]), rows, name="processed")


# ---- the reports' side ------------------------------------------------------------------------
def _in_period(table: Any, period: Period) -> Any:
    buckets = period.buckets()
    return or_(*[and_(table.grain == grain, table.start.in_(starts)) for grain, starts in buckets.items() if starts])


def _period_rows(table: Any, period: Period, *where: Any) -> Any:
    """The rows of an aggregate in the period's buckets, one branch per grain (UNION ALL), so each
    branch is one range of the aggregate's covering index (`ix_…_read`, read without the table);
    an OR of the grains would make PostgreSQL fetch every row from the table, a page apiece."""
    branches = [select(*table.__table__.columns).where(table.grain == grain, table.start.in_(starts), *where)
                for grain, starts in period.buckets().items() if starts]
    return union_all(*branches).subquery("period_rows")


TallyPart = Literal["township", "unit", "level"]
ALL_PARTS: tuple[TallyPart, ...] = ("township", "unit", "level")


async def period_tallies(
    session: AsyncSession, period: Period, metrics: Iterable[str], *, township: str | None = None,
    by: Sequence[TallyPart] = ALL_PARTS,
) -> list[tuple[str, str, str, str, int]]:
    """(metric, township, unit, level, n) summed over the period; the parts not in `by` are summed
    over too (and given as "")."""
    rows = _period_rows(ReportTally, period, ReportTally.metric.in_(list(metrics)), *_rows_for(by, township))
    parts = [rows.c[p] for p in by]
    stmt = select(rows.c.metric, *parts, func.sum(rows.c.n)).group_by(rows.c.metric, *parts)
    out = []
    for row in (await session.execute(stmt)).all():
        named = dict(zip(by, row[1:-1], strict=True))
        if row[-1]:
            out.append((row[0], named.get("township", ""), named.get("unit", ""), named.get("level", ""),
                        int(row[-1])))
    return out


def _rows_for(by: Sequence[TallyPart], township: str | None) -> list[Any]:
    """Which rows of report_tallies a sum needs: one township's own, every township's (never the
    roll-ups), or the roll-up that has already summed what is not asked for."""
    if township is not None:
        return [ReportTally.township == township]
    if "township" in by:
        return [ReportTally.township != ALL]
    if "unit" in by:
        return [ReportTally.township == ALL, ReportTally.unit != ALL]
    return [ReportTally.township == ALL, ReportTally.unit == ALL]


async def units_with(session: AsyncSession, period: Period, metric: str) -> int:
    """How many units have `metric` in the period."""
    rows = _period_rows(ReportTally, period, ReportTally.metric == metric, ReportTally.township == ALL,
                        ReportTally.unit.not_in(["", ALL]))
    stmt = select(func.count(func.distinct(rows.c.unit)))
    return int((await session.execute(stmt)).scalar_one())


async def trend_tallies(session: AsyncSession, grain: str, first: date, last: date, metric: str,
                        ) -> list[tuple[date, str, int]]:
    """(bucket start, level, n) of `metric` per bucket of `grain` from `first` to `last`."""
    stmt = (select(ReportTally.start, ReportTally.level, func.sum(ReportTally.n))
            .where(ReportTally.grain == grain, ReportTally.start.between(first, last), ReportTally.metric == metric,
                   ReportTally.township == ALL, ReportTally.unit == ALL)
            .group_by(ReportTally.start, ReportTally.level).order_by(ReportTally.start))
    return [(s, lv, int(n)) for s, lv, n in (await session.execute(stmt)).all()]


Cell = tuple[str, str, str]  # (township, village, matter)


def _places(period: Period, township: str | None) -> Any:
    return _period_rows(ReportPlace, period, *([ReportPlace.township == township] if township is not None else []))


async def hot_cells(session: AsyncSession, period: Period, *, township: str | None, limit: int, minimum: int
                    ) -> tuple[list[tuple[Cell, int]], list[tuple[Cell, int]], list[tuple[tuple[str, str], int]]]:
    """The period's matter × place cells summed once (the buckets of report_places), ranked by the
    database: the `limit` busiest cells, the `limit` busiest with at least `minimum` orders, and the
    `limit` busiest places (all matters together); most first, then by code."""
    rows = _places(period, township)
    cells = (select(rows.c.township, rows.c.village, rows.c.matter, func.sum(rows.c.n).label("n"))
             .group_by(rows.c.township, rows.c.village, rows.c.matter).cte("cells"))
    c = cells.c
    by_count = (c.n.desc(), c.township, c.village, c.matter)
    top = select(c.township, c.village, c.matter, c.n).order_by(*by_count).limit(limit).subquery()
    repeats = (select(c.township, c.village, c.matter, c.n).where(c.n >= minimum).order_by(*by_count).limit(limit)
               .subquery())
    total = func.sum(c.n)
    places = (select(c.township, c.village, literal("").label("matter"), total.label("n"))
              .group_by(c.township, c.village).order_by(total.desc(), c.township, c.village).limit(limit).subquery())
    stmt = union_all(*(select(literal(kind).label("kind"), q.c.township, q.c.village, q.c.matter, q.c.n)
                       for kind, q in (("top", top), ("repeat", repeats), ("place", places))))
    out: dict[str, list[tuple[Any, int]]] = {"top": [], "repeat": [], "place": []}
    for kind, t, v, m, n in (await session.execute(stmt)).all():
        out[kind].append(((t, v, m) if kind != "place" else (t, v), int(n)))
    for rows in out.values():
        rows.sort(key=lambda r: (-r[1], r[0]))
    return out["top"], out["repeat"], out["place"]


def _given(names: Sequence[str], rows: Sequence[Sequence[str]]) -> Any:
    """Rows of values as a table to join or correlate with (portable: a UNION ALL of one-row SELECTs)."""
    return union_all(*(select(*(literal(value, String).label(name) for name, value in zip(names, row, strict=True)))
                       for row in rows)).subquery("given")


async def count_cells(session: AsyncSession, period: Period, *, minimum: int) -> int:
    """How many matter × place cells have at least `minimum` orders in the period."""
    rows = _places(period, None)
    cells = (select(rows.c.township).group_by(rows.c.township, rows.c.village, rows.c.matter)
             .having(func.sum(rows.c.n) >= minimum).subquery())
    return int((await session.execute(select(func.count()).select_from(cells))).scalar_one())


async def cell_counts(session: AsyncSession, period: Period, cells: Sequence[Cell]) -> dict[Cell, int]:
    """Orders of the given cells in the period (e.g. the previous period, for the trend): each cell
    looked up by its key in every bucket of the period, never the period's other cells."""
    if not cells:
        return {}
    given = _given(("t", "v", "m"), cells)
    n = (select(func.coalesce(func.sum(ReportPlace.n), 0)).where(
        _in_period(ReportPlace, period), ReportPlace.township == given.c.t, ReportPlace.village == given.c.v,
        ReportPlace.matter == given.c.m).scalar_subquery())
    rows = (await session.execute(select(given.c.t, given.c.v, given.c.m, n))).all()
    return {(t, v, m): int(k) for t, v, m, k in rows}


async def place_counts(session: AsyncSession, period: Period, places: Sequence[tuple[str, str]]
                       ) -> dict[tuple[str, str], int]:
    """Orders at the given places (all matters) in the period, each place looked up by its key."""
    if not places:
        return {}
    given = _given(("t", "v"), places)
    n = (select(func.coalesce(func.sum(ReportPlace.n), 0)).where(
        _in_period(ReportPlace, period), ReportPlace.township == given.c.t, ReportPlace.village == given.c.v)
         .scalar_subquery())
    rows = (await session.execute(select(given.c.t, given.c.v, n))).all()
    return {(t, v): int(k) for t, v, k in rows}


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


async def hot_spot_orders_each(session: AsyncSession, period: Period, cells: Sequence[tuple[str, str, str]],
                               each: int) -> dict[tuple[str, str, str], list[str]]:
    """The first `each` orders behind each hot-spot cell (township, village, matter), in one query:
    per cell, the first rows of its range of the hot-spot index (never all its orders)."""
    if not cells:
        return {}
    firsts = [select(ReportOrder.hot_township, ReportOrder.hot_village, ReportOrder.hot_matter,
                     ReportOrder.work_order_id)
              .where(ReportOrder.hot_matter == m, ReportOrder.hot_village == v, ReportOrder.hot_township == t,
                     ReportOrder.first_day.between(period.start, period.end))
              .order_by(ReportOrder.first_day, ReportOrder.work_order_id).limit(each).subquery()
              for t, v, m in cells]
    stmt = union_all(*(select(*q.c) for q in firsts))
    out: dict[tuple[str, str, str], list[str]] = {cell: [] for cell in cells}
    for t, v, m, order_id in (await session.execute(stmt)).all():
        out[(t, v, m)].append(order_id)
    return out


async def supervised_orders(session: AsyncSession, *, unit: str | None, level: str | None, limit: int
                            ) -> Sequence[tuple[ReportFlag, ReportOrder]]:
    """The supervision list: flags of open orders (the lead's clocks and summoned departments' 报到),
    worst first, then longest-standing: one index walked in order (per unit, or all), each with
    its order's track."""
    stmt = (select(ReportFlag, ReportOrder).join(ReportOrder, ReportOrder.work_order_id == ReportFlag.work_order_id)
            .order_by(ReportFlag.rank, ReportFlag.since, ReportFlag.work_order_id).limit(limit))
    if unit is not None:
        stmt = stmt.where(ReportFlag.unit == unit)
    if level is not None:
        stmt = stmt.where(ReportFlag.rank == WORST_FIRST.get(level, -1))
    return [(f, o) for f, o in (await session.execute(stmt)).all()]


async def supervised_counts(session: AsyncSession) -> dict[tuple[str, str], int]:
    """Flags now standing, by responsible unit and level."""
    stmt = select(ReportFlag.unit, ReportFlag.level, func.count()).group_by(ReportFlag.unit, ReportFlag.level)
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
    flags = (await session.execute(select(*ReportFlag.__table__.columns))).all()
    out[ReportFlag.__tablename__] = sorted(tuple(r) for r in flags)
    return out
