"""The work orders' own queries (and the outbox's); the others live beside this module, one per
capability (event_claims, api_keys, order_units, new_orders, order_lists, escalation, …).
Repositories never commit: the caller owns the transaction."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Float,
    Row,
    Select,
    String,
    Text,
    and_,
    any_,
    bindparam,
    case,
    cast,
    func,
    literal,
    or_,
    select,
    tuple_,
    type_coerce,
    union_all,
    update,
)
from sqlalchemy import insert as core_insert
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from intake.merging import MAX_CHAIN, OPEN_FOR_MERGE, follows_root
from schemas.events import EventEnvelope
from schemas.lifecycle import State
from services.db.tables import (
    STATE_COUNT_DELTAS,
    Base,
    Dispatch,
    OutboxEvent,
    PersonalData,
    StateCount,
    WorkOrder,
    WorkOrderHistory,
)
from services.tracing import outbox_trace_context


def insert_for(session: AsyncSession) -> Any:
    """The dialect's INSERT (both have ON CONFLICT), for upserts."""
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def _dialect(session: AsyncSession | AsyncConnection) -> str:
    return (session.dialect if isinstance(session, AsyncConnection) else session.get_bind().dialect).name


def among(session: AsyncSession | AsyncConnection, column: Any, values: Iterable[Any]) -> Any:
    """`column` is one of `values`: one array parameter on PostgreSQL (`= ANY($1)`: one statement
    whatever the number, compiled and prepared once, not one per batch size), IN (...) elsewhere."""
    if _dialect(session) == "postgresql":
        return column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))
    return column.in_(list(values))


# ---- rows written together -------------------------------------------------------------------
_ROWS = "hotline.rows"  # session.info: table -> the rows added while written_together is open


def add_row(session: AsyncSession, model: type[Base], row: dict[str, Any]) -> None:
    """Add a new row of `model`: an ORM object written at flush, or, inside `written_together`,
    a plain row written with the others of its table in one executemany."""
    rows: dict[Any, list[dict[str, Any]]] | None = session.info.get(_ROWS)
    if rows is None:
        session.add(model(**row))
    else:
        rows.setdefault(model.__table__, []).append(row)


@asynccontextmanager
async def written_together(session: AsyncSession) -> AsyncIterator[None]:
    """The history, outbox, dispatch and order-unit rows added inside are written at the end as
    one Core INSERT per table with all their parameter sets (no ORM objects, no unit of work for
    them), after the ORM's own changes are flushed (the rows refer to the orders). Only for code
    that does not read those tables back before the end; on an error nothing is written."""
    if _ROWS in session.info:  # already collecting: the outer block writes
        yield
        return
    rows: dict[Any, list[dict[str, Any]]] = {}
    session.info[_ROWS] = rows
    try:
        yield
    finally:
        del session.info[_ROWS]
    await session.flush()
    if _dialect(session) == "postgresql":
        await _insert_together(session, rows)
        return
    for table, params in rows.items():
        await session.execute(core_insert(table), params)


def unnested(columns: Sequence[Any], names: Sequence[str], *, ordinality: str | None = None) -> Any:
    """PostgreSQL: rows from one array parameter per column (`names`), unnested side by side — many rows
    in one execution. Strings (and JSON, sent as its text) go as text[], not varchar(n)[]: an explicit
    cast to varchar(n) would cut a value too long where the column refuses it, as a row-by-row insert
    does. `ordinality` names a column of each row's position (to keep the arrays' order)."""
    arrays = func.unnest(*[bindparam(name, type_=ARRAY(Text if isinstance(c.type, String | JSON) else c.type))
                           for c, name in zip(columns, names, strict=True)])
    keys = [c.key for c in columns]
    cells = arrays.table_valued(*keys, with_ordinality=ordinality) if ordinality else arrays.table_valued(*keys)
    return cells.render_derived(with_types=False)


# (table, its columns) of each table written, in order -> the statement writing them all
_TOGETHER: dict[tuple[tuple[Any, tuple[str, ...]], ...], Any] = {}


def _defaults(table: Any, keys: Iterable[str]) -> dict[str, Any] | None:
    """The scalar client-side defaults SQLAlchemy's INSERT adds for `table`'s columns not in `keys`;
    None if one of them is not a scalar (computed per row: left to SQLAlchemy)."""
    out: dict[str, Any] = {}
    for column in table.columns:
        if column.key in keys or column.default is None:
            continue
        if not column.default.is_scalar:
            return None
        out[column.key] = column.default.arg
    return out


def _together_statement(shape: tuple[tuple[Any, tuple[str, ...]], ...]) -> Any:
    """One INSERT per table of `shape` as one statement (data-modifying CTEs, the last table's the
    main one), each from one array parameter per column unnested in the rows' order (WITH
    ORDINALITY, so the identifiers are drawn in that order, as with the row-by-row INSERT); JSON
    values go as their serialised text and are cast (the same text stored). Built once per shape."""
    built = _TOGETHER.get(shape)
    if built is not None:
        return built
    inserts = []
    for table, keys in shape:
        columns = [table.c[key] for key in keys]
        cells = unnested(columns, [f"{table.name}__{c.key}" for c in columns], ordinality="n_")
        values = [cast(cells.c[c.key], JSON) if isinstance(c.type, JSON) else cells.c[c.key] for c in columns]
        inserts.append(core_insert(table).from_select(list(keys), select(*values).order_by(cells.c.n_)))
    main = inserts[-1]
    if len(inserts) > 1:
        main = main.add_cte(*[stmt.cte(f"written_{i}") for i, stmt in enumerate(inserts[:-1])])
    built = _TOGETHER[shape] = main
    return built


async def _insert_together(session: AsyncSession, rows: dict[Any, list[dict[str, Any]]]) -> None:
    """PostgreSQL: the rows of every table in one statement (one round trip, not one per table);
    the same values as `core_insert(table)` with the rows as parameter sets would write: the first
    row's columns (later rows' other keys ignored, as executemany does), the columns' scalar
    defaults, JSON serialised by the column's own bind processor."""
    dialect = session.get_bind().dialect
    written = [(table, table_rows, tuple(table_rows[0])) for table, table_rows in rows.items() if table_rows]
    defaults = [_defaults(table, keys) for table, _, keys in written]
    if any(d is None for d in defaults):  # a default computed per row: SQLAlchemy's executemany computes it
        for table, table_rows, _ in written:
            await session.execute(core_insert(table), table_rows)
        return
    shape: list[tuple[Any, tuple[str, ...]]] = []
    params: dict[str, list[Any]] = {}
    for (table, table_rows, keys), table_defaults in zip(written, defaults, strict=True):
        assert table_defaults is not None
        shape.append((table, (*keys, *table_defaults)))
        for key in keys:
            column = table.c[key]
            process = column.type.dialect_impl(dialect).bind_processor(dialect) if isinstance(column.type, JSON) \
                else None
            values = [row[key] for row in table_rows]
            params[f"{table.name}__{column.key}"] = [process(v) for v in values] if process else values
        for key, value in table_defaults.items():
            params[f"{table.name}__{table.c[key].key}"] = [value] * len(table_rows)
    if shape:
        await session.execute(_together_statement(tuple(shape)), params)


# ---- work orders -----------------------------------------------------------------------------
async def get_order(session: AsyncSession, order_id: str, *, for_update: bool = False) -> WorkOrder | None:
    stmt = select(WorkOrder).where(WorkOrder.id == order_id)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def orders_for_update(session: AsyncSession, order_ids: Sequence[str]) -> dict[str, WorkOrder]:
    """The orders named, locked for change, in one query (locked in id order, so two routers
    taking overlapping sets never deadlock)."""
    if not order_ids:
        return {}
    stmt = (select(WorkOrder).where(among(session, WorkOrder.id, sorted(set(order_ids)))).order_by(WorkOrder.id)
            .with_for_update())
    return {order.id: order for order in (await session.execute(stmt)).scalars()}


async def find_repeat(
    session: AsyncSession, *, channel: str, external_id: str | None, idempotency_key: str | None
) -> WorkOrder | None:
    """The order an earlier identical submission created, if any."""
    if idempotency_key:
        stmt = select(WorkOrder).where(WorkOrder.idempotency_key == idempotency_key)
        found = (await session.execute(stmt)).scalar_one_or_none()
        if found is not None:
            return found
    if external_id:
        stmt = select(WorkOrder).where(WorkOrder.channel == channel, WorkOrder.external_id == external_id)
        return (await session.execute(stmt)).scalar_one_or_none()
    return None




DUPLICATE_CANDIDATES = 300  # the newest open orders of the window a new appeal is compared with

# Where a new appeal's near-duplicates may be: south, north, west, east (intake.duplicates.Band).
CandidateBand = tuple[float, float, float | None, float | None]


def duplicate_candidates_query(since: Any, until: Any, exclude: Any, band: tuple[Any, Any, Any, Any] | None = None,
                               limit: int = DUPLICATE_CANDIDATES) -> Select[Any]:
    """Open orders reported between `since` and `until` (values or bound parameters), other than
    `exclude`, and the orders merged into one (an incident's other reports), newest first (on the
    reported_at index), as plain rows of what the near-duplicate check reads: id, text_masked,
    address, channel, reported_at, latitude, longitude, dept, matter, village, merged_into, whistle_class.
    Of the newest `limit` of those, an incident (an order and those merged into it) whose reports
    all have coordinates outside the box of `band` (south, north, west, east: intake.duplicates.
    coordinate_band; null latitudes: none left out, null longitudes: none left out by its longitude)
    is left out: none of its reports can be at the new appeal's place, so the detector's verdict is
    the same as with all `limit`."""
    w = WorkOrder.__table__.c
    wide = (w.id, w.text_masked, w.address, w.channel, w.reported_at, w.latitude, w.longitude, w.dept, w.matter,
            w.village, w.merged_into, w.whistle_class)
    # Bound one by one, not as an expanding IN: the statement is compiled once, not per execution.
    window = (w.reported_at >= since, w.reported_at <= until, w.id != exclude,
              w.state.in_([literal(s) for s in (*OPEN_FOR_MERGE, State.merged.value)]))
    if band is None:
        return select(*wide).where(*window).order_by(w.reported_at.desc()).limit(limit)
    # The newest `limit` as narrow rows (what placing them needs), grouped by incident with the
    # bytes' order (any order groups alike; the database's own collation costs more per comparison),
    # and the wide columns read by primary key for the rows of the incidents kept only. Sorting the
    # `limit` wide rows under the collation cost about a third of the statement's CPU. A window,
    # not a join against the incidents found: with no statistics yet (a table still new) the
    # planner chose a nested loop for that, `limit` squared comparisons.
    south, north, west, east = (type_coerce(b, Float) for b in band)
    rows = (select(w.id, w.reported_at, w.latitude, w.longitude, w.merged_into).where(*window)
            .order_by(w.reported_at.desc()).limit(limit).subquery("newest"))
    here = case((or_(south.is_(None), rows.c.latitude.is_(None), rows.c.longitude.is_(None),
                     and_(rows.c.latitude.between(south, north),
                          or_(west.is_(None), rows.c.longitude.between(west, east)))), 1), else_=0)
    incident = _bytewise(func.coalesce(rows.c.merged_into, rows.c.id))
    placed = select(rows.c.id, rows.c.reported_at,
                    func.max(here).over(partition_by=incident).label("incident_here")).subquery("placed")
    orders = WorkOrder.__table__.alias("candidate")
    return (select(*[orders.c[c.name] for c in wide])
            .join_from(placed, orders, orders.c.id == placed.c.id)
            .where(placed.c.incident_here == 1)
            .order_by(placed.c.reported_at.desc()))


class _bytewise(FunctionElement[str]):
    """A text expression compared by its bytes: `… COLLATE "C"` on PostgreSQL; SQLite's own default
    (BINARY) already is."""

    name = "bytewise"
    inherit_cache = True


@compiles(_bytewise)
def _bytewise_default(element: _bytewise, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(element.clauses, **kw))


@compiles(_bytewise, "postgresql")
def _bytewise_postgresql(element: _bytewise, compiler: Any, **kw: Any) -> str:
    return f'{compiler.process(element.clauses, **kw)} COLLATE "C"'


async def duplicate_candidates(
    session: AsyncSession, *, since: datetime, until: datetime, exclude: str,
    band: CandidateBand | None = None, limit: int = DUPLICATE_CANDIDATES,
) -> Sequence[Row[Any]]:
    """The rows of duplicate_candidates_query, read through the session's connection, not the ORM:
    intake reads a few hundred of these for every appeal."""
    stmt = duplicate_candidates_query(since, until, exclude, band, limit)
    rows: Sequence[Row[Any]] = (await (await session.connection()).execute(stmt)).all()  # type: ignore[assignment]
    return rows


async def merged_into(session: AsyncSession, order_id: str) -> Sequence[WorkOrder]:
    """The orders merged into `order_id` (并单), oldest first."""
    stmt = select(WorkOrder).where(WorkOrder.merged_into == order_id).order_by(WorkOrder.created_at)
    return (await session.execute(stmt)).scalars().all()


async def roots_of(session: AsyncSession, orders: Sequence[WorkOrder]) -> dict[str, WorkOrder]:
    """For each merged order among `orders`, the order it follows (并单): the end of its merged_into
    chain (at most MAX_CHAIN links), one query per link."""
    roots: dict[str, WorkOrder] = {}
    current = {o.id: o for o in orders if follows_root(o.state, o.merged_into)}
    for _ in range(MAX_CHAIN):
        wanted = {o.merged_into for o in current.values() if o.merged_into}
        if not wanted:
            break
        stmt = select(WorkOrder).where(among(session, WorkOrder.id, wanted))
        found = {o.id: o for o in (await session.execute(stmt)).scalars()}
        nxt: dict[str, WorkOrder] = {}
        for oid, o in current.items():
            parent = found.get(o.merged_into or "")
            if parent is None:
                continue
            roots[oid] = parent
            if follows_root(parent.state, parent.merged_into):
                nxt[oid] = parent
        current = nxt
    return roots


async def personal_data(session: AsyncSession, order_id: str) -> str | None:
    """The sealed personal data of an order (open it with the vault); no query when the session
    holds it already (preload_personal_data)."""
    row = await session.get(PersonalData, order_id)
    return row.sealed if row is not None else None


async def preload_personal_data(session: AsyncSession, order_ids: Sequence[str]) -> Sequence[PersonalData]:
    """The sealed personal data of many orders in one query, kept in the session so that
    personal_data() finds each without a query of its own. The session's identity map holds
    objects weakly: keep the returned rows while they are wanted."""
    if not order_ids:
        return []
    stmt = select(PersonalData).where(among(session, PersonalData.work_order_id, order_ids))
    return (await session.execute(stmt)).scalars().all()


async def history_of(session: AsyncSession, order_id: str) -> Sequence[WorkOrderHistory]:
    stmt = (
        select(WorkOrderHistory)
        .where(WorkOrderHistory.work_order_id == order_id)
        .order_by(WorkOrderHistory.id)
    )
    return (await session.execute(stmt)).scalars().all()


async def histories_of(session: AsyncSession, order_ids: Sequence[str]) -> dict[str, list[WorkOrderHistory]]:
    """The history of each of `order_ids`, oldest first, in one query."""
    found: dict[str, list[WorkOrderHistory]] = {i: [] for i in order_ids}
    if not order_ids:
        return found
    stmt = (select(WorkOrderHistory).where(among(session, WorkOrderHistory.work_order_id, order_ids))
            .order_by(WorkOrderHistory.id))
    for h in (await session.execute(stmt)).scalars():
        found[h.work_order_id].append(h)
    return found


async def latest_history(
    session: AsyncSession, order_ids: Sequence[str], *, action: str
) -> dict[str, WorkOrderHistory]:
    """Each order's latest history record of `action`, in one query."""
    if not order_ids:
        return {}
    newest = (
        select(func.max(WorkOrderHistory.id).label("id"))
        .where(among(session, WorkOrderHistory.work_order_id, order_ids), WorkOrderHistory.action == action)
        .group_by(WorkOrderHistory.work_order_id)
        .subquery()
    )
    rows = (await session.execute(select(WorkOrderHistory).join(newest, WorkOrderHistory.id == newest.c.id))).scalars()
    return {h.work_order_id: h for h in rows}


async def audit_records(
    session: AsyncSession, *, actor: str | None, order_id: str | None, after: tuple[datetime, int] | None, limit: int
) -> Sequence[WorkOrderHistory]:
    """History records of `actor` and/or `order_id`, newest first, after a (at, id) cursor (on the
    actor's (actor, at) index, or the order's own)."""
    stmt = select(WorkOrderHistory)
    if actor:
        stmt = stmt.where(WorkOrderHistory.actor == actor)
    if order_id:
        stmt = stmt.where(WorkOrderHistory.work_order_id == order_id)
    if after is not None:
        stmt = stmt.where(tuple_(WorkOrderHistory.at, WorkOrderHistory.id) < tuple_(*after))
    stmt = stmt.order_by(WorkOrderHistory.at.desc(), WorkOrderHistory.id.desc()).limit(limit)
    return (await session.execute(stmt)).scalars().all()


async def count_by_state(session: AsyncSession) -> dict[str, int]:
    """Orders per state, from the counts the database maintains (a few dozen rows and the deltas
    not yet folded in, about a second's worth: not a scan of the orders)."""
    both = union_all(select(StateCount.state, StateCount.n),
                     select(STATE_COUNT_DELTAS.c.state, STATE_COUNT_DELTAS.c.n)).subquery()
    rows = await session.execute(select(both.c.state, func.sum(both.c.n)).group_by(both.c.state))
    return {state: int(n) for state, n in rows.all() if n}


async def list_orders(
    session: AsyncSession, *, state: str | None = None, unit: str | None = None,
    after: tuple[datetime, str] | None = None, limit: int = 100,
) -> Sequence[WorkOrder]:
    """Orders oldest first (a queue), at most `limit` after the (created_at, id) cursor `after`."""
    stmt = select(WorkOrder).order_by(WorkOrder.created_at, WorkOrder.id).limit(limit)
    if state:
        stmt = stmt.where(WorkOrder.state == state)
    if unit:
        stmt = stmt.where(WorkOrder.unit == unit)
    if after is not None:
        stmt = stmt.where(tuple_(WorkOrder.created_at, WorkOrder.id) > tuple_(*after))
    return (await session.execute(stmt)).scalars().all()


async def count_recent_similar(session: AsyncSession, *, matter: str, village: str, since: datetime) -> int:
    """Orders of `matter` at `village` that arrived since `since` (merged duplicates left out)."""
    stmt = select(func.count()).select_from(WorkOrder).where(
        WorkOrder.matter == matter, WorkOrder.village == village, WorkOrder.created_at >= since,
        WorkOrder.state.not_in(("merged", "invalid")),
    )
    return int((await session.execute(stmt)).scalar_one())


async def count_recent_similar_many(
    session: AsyncSession, places: set[tuple[str, str]], *, since: datetime
) -> dict[tuple[str, str], int]:
    """count_recent_similar for several (matter, village) pairs in one query."""
    if not places:
        return {}
    matters = {m for m, _ in places}
    villages = {v for _, v in places}
    stmt = (
        select(WorkOrder.matter, WorkOrder.village, func.count())
        .where(among(session, WorkOrder.matter, matters), among(session, WorkOrder.village, villages),
               WorkOrder.created_at >= since,
               WorkOrder.state.not_in(("merged", "invalid")))
        .group_by(WorkOrder.matter, WorkOrder.village)
    )
    counts = {(str(m), str(v)): int(n) for m, v, n in (await session.execute(stmt)).all()}
    return {place: n for place, n in counts.items() if place in places}


# ---- dispatches ------------------------------------------------------------------------------
async def open_dispatch(session: AsyncSession, order_id: str) -> Dispatch | None:
    """The order's current hand-over (the latest one that has not ended)."""
    stmt = (
        select(Dispatch)
        .where(Dispatch.work_order_id == order_id, Dispatch.ended_at.is_(None))
        .order_by(Dispatch.id.desc())
        .limit(1)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def latest_dispatches(session: AsyncSession, order_ids: Sequence[str]) -> dict[str, Dispatch]:
    """The most recent hand-over of each order, in one query."""
    if not order_ids:
        return {}
    newest = (
        select(Dispatch.work_order_id, func.max(Dispatch.id).label("id"))
        .where(among(session, Dispatch.work_order_id, order_ids))
        .group_by(Dispatch.work_order_id)
        .subquery()
    )
    rows = (await session.execute(select(Dispatch).join(newest, Dispatch.id == newest.c.id))).scalars()
    return {d.work_order_id: d for d in rows}


# ---- outbox ----------------------------------------------------------------------------------
def outbox_row(event: EventEnvelope, now: datetime) -> dict[str, Any]:
    """The outbox row (column -> value) of `event`, with the trace context it is written in."""
    trace = outbox_trace_context(event.subject) if event.traceparent is None else {
        "traceparent": event.traceparent, "tracestate": event.tracestate}
    return {"event_id": event.id, "topic": event.topic, "key": event.key, "type": event.type,
            "source": event.source, "time": event.time, "data": event.data, "created_at": now,
            "traceparent": trace.get("traceparent"), "tracestate": trace.get("tracestate")}


def add_outbox(session: AsyncSession, event: EventEnvelope, now: datetime) -> None:
    add_row(session, OutboxEvent, outbox_row(event, now))


def add_history(session: AsyncSession, row: dict[str, Any]) -> None:
    """A work-order history record (column -> value)."""
    add_row(session, WorkOrderHistory, row)


def add_dispatch(session: AsyncSession, row: dict[str, Any]) -> None:
    """A hand-over of an order to a unit (column -> value)."""
    add_row(session, Dispatch, row)


async def unpublished(
    session: AsyncSession | AsyncConnection, limit: int, *, marking: Sequence[int] = (), at: datetime | None = None
) -> Sequence[Row[Any]]:
    """The oldest unpublished outbox rows, as plain rows (no ORM objects: the relay reads many
    and changes none): id, event_id, topic, key, type, source, time, data, trace context.

    `marking`: ids of rows already published, marked published `at` by the same call. On
    PostgreSQL that is one statement (the UPDATE a CTE of the read: one round trip, not two); the
    read's snapshot does not see the CTE's update, so those rows are left out of it by id."""
    o = OutboxEvent
    stmt = (
        select(o.id, o.event_id, o.topic, o.key, o.type, o.source, o.time, o.data, o.traceparent, o.tracestate)
        .where(o.published_at.is_(None))
        .order_by(o.id)
        .limit(limit)
    )
    if marking:
        assert at is not None, "rows are marked with the time they were published"
        if _dialect(session) == "postgresql":
            marked = update(o).where(among(session, o.id, marking)).values(published_at=at).returning(o.id)
            stmt = stmt.add_cte(marked.cte("marked")).where(~among(session, o.id, marking))
        else:
            await mark_published(session, marking, at)
    return (await session.execute(stmt)).all()


async def mark_published(session: AsyncSession | AsyncConnection, ids: Sequence[int], at: datetime) -> None:
    await session.execute(update(OutboxEvent).where(among(session, OutboxEvent.id, ids)).values(published_at=at))


# ---- report aggregates -----------------------------------------------------------------------
async def resolved_awaiting_rating(session: AsyncSession, after: tuple[datetime, str] | None,
                                   limit: int) -> Sequence[WorkOrder]:
    """Resolved orders (waiting for their rating), the soonest to close unrated first: at most
    `limit` after the (rating_due, id) cursor. Walks the partial index on rating_due."""
    stmt = select(WorkOrder).where(WorkOrder.state == "resolved")
    if after is not None:
        stmt = stmt.where(tuple_(WorkOrder.rating_due, WorkOrder.id) > tuple_(*after))
    stmt = stmt.order_by(WorkOrder.rating_due, WorkOrder.id).limit(limit)
    return (await session.execute(stmt)).scalars().all()


async def followers_of(session: AsyncSession, root_ids: Sequence[str]) -> dict[str, list[WorkOrder]]:
    """For each of `root_ids`, the orders that follow it (merged into it, or into one that does,
    at most MAX_CHAIN links), oldest first; one query per link."""
    found: dict[str, list[WorkOrder]] = {r: [] for r in root_ids}
    root_of = {r: r for r in root_ids}
    for _ in range(MAX_CHAIN):
        if not root_of:
            break
        stmt = (select(WorkOrder).where(among(session, WorkOrder.merged_into, root_of))
                .order_by(WorkOrder.created_at, WorkOrder.id))
        nxt: dict[str, str] = {}
        for order in (await session.execute(stmt)).scalars():
            if follows_root(order.state, order.merged_into):
                root = root_of[order.merged_into or ""]
                found[root].append(order)
                nxt[order.id] = root
        root_of = nxt
    return found


async def orders_past_rating_window(session: AsyncSession, now: datetime, limit: int) -> Sequence[WorkOrder]:
    """Resolved orders whose rating window has run out, oldest due first, locked; rows another
    transaction holds are skipped (PostgreSQL), so replicas closing them at once share the work."""
    stmt = (
        select(WorkOrder)
        .where(WorkOrder.state == "resolved", WorkOrder.rating_due <= now)
        .order_by(WorkOrder.rating_due)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return (await session.execute(stmt)).scalars().all()
