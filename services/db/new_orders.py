"""A new order and the rows that come with it (its first history record, its outbox event, its
sealed personal data) written together, or none of them when the order's channel + external id
or idempotency key is taken already (an exact repeat: the caller answers it); with the open
orders of its time window that it may repeat (the near-duplicate check's candidates).

On PostgreSQL this is one statement, one round trip: the order's INSERT … ON CONFLICT DO NOTHING
RETURNING as a CTE, each other row inserted from it (no order inserted, no rows), and the
candidates read laterally from it (the statement's snapshot does not see the new order itself).
On SQLite (the embedded default, in-process, no round trips to save) separate statements.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any, Literal

from sqlalchemy import (
    Boolean,
    Dialect,
    Executable,
    Float,
    Row,
    Table,
    bindparam,
    event,
    exists,
    insert,
    literal,
    or_,
    select,
    true,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession
from sqlalchemy.orm import configure_mappers
from sqlalchemy.pool import PoolProxiedConnection
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ClauseElement
from sqlalchemy.util import greenlet_spawn

from services.db import repositories as repo
from services.db.tables import Base, WorkOrder
from services.db.types import UTCDateTime


def _table(cls: type[Base]) -> Table:
    table = cls.__table__
    assert isinstance(table, Table)
    return table


_ORDERS = _table(WorkOrder)


@cache
def _defaults(table: Table) -> tuple[tuple[str, Any], ...]:
    return tuple((c.key, c.default.arg) for c in table.columns  # type: ignore[attr-defined]
                 if c.default is not None and c.default.is_scalar)


def order_to_read(values: dict[str, Any]) -> WorkOrder:
    """A WorkOrder holding `values` (column -> value) for reading only (the caller's answer, the
    events), never to add to a session: the values go straight into the instance, without the ORM's
    change tracking that `WorkOrder(**values)` runs per attribute (50 µs against 2 µs a new
    appeal); the order itself is written by this module's statements, not by a flush."""
    order: WorkOrder = WorkOrder.__mapper__.class_manager.new_instance()
    # Every column first as None, as the ORM reads a column never set (through its attribute events
    # each time: ~1 µs a read, and the events read a dozen), then the values.
    order.__dict__.update(_unset_columns())
    order.__dict__.update(values)
    return order


@cache
def _unset_columns() -> dict[str, None]:
    configure_mappers()  # what the ORM's own constructor would have made sure of
    return dict.fromkeys(c.key for c in WorkOrder.__mapper__.column_attrs)


def with_defaults(table: Table, values: dict[str, Any]) -> dict[str, Any]:
    """`values` with the table's own scalar column defaults for the columns it leaves out (as the
    ORM would write them)."""
    out = dict(values)
    for key, default in _defaults(table):
        out.setdefault(key, default)
    return out


def _prepared(order: dict[str, Any], with_it: Sequence[tuple[type[Base], dict[str, Any]]]
              ) -> tuple[dict[str, Any], list[tuple[Table, dict[str, Any]]]]:
    """The order's values and each row's table and values, with the tables' own defaults."""
    return with_defaults(_ORDERS, order), [(_table(cls), with_defaults(_table(cls), values)) for cls, values in with_it]


async def insert_new_order(
    session: AsyncSession, order: dict[str, Any], with_it: Sequence[tuple[type[Base], dict[str, Any]]],
    *, window: tuple[datetime, datetime], band: repo.CandidateBand | None = None,
) -> tuple[bool, Sequence[Row[Any]]]:
    """Insert the work order `order` (column -> value) and then the rows `with_it` (each a mapped
    class and one row of values); nothing at all when the order conflicts with an existing one.
    Returns whether it was inserted and, if it was, the open orders reported within `window`
    (since, until) other than itself, those with coordinates only inside the box of `band`
    when given (repositories.duplicate_candidates_query)."""
    order, rows = _prepared(order, with_it)
    since, until = window
    if session.get_bind().dialect.name == "postgresql":
        params = _pg_params(order, rows, _read_values(order, window, band))
        # Through the session's connection (its transaction), not the ORM's execute: nothing here is mapped.
        result = (await (await session.connection()).execute(_pg_statement(_pg_shape(order, rows), alone=False),
                                                             params)).all()
        # No row: a conflict. One row of nulls: inserted, no candidates (the lateral join is outer).
        return bool(result), [r for r in result if r.id is not None]
    stmt = sqlite_insert(_ORDERS).on_conflict_do_nothing().returning(_ORDERS.c.id)
    if (await session.execute(stmt, order)).first() is None:
        return False, []
    for table, values in rows:
        await session.execute(insert(table), values)
    return True, await repo.duplicate_candidates(session, since=since, until=until, exclude=order["id"], band=band)


Outcome = Literal["inserted", "repeat", "candidates"]


@dataclass(frozen=True)
class _Driven:
    """A statement compiled once for the driver: its SQL, each positional parameter's name (or its
    fixed value) and bind processor, and the result columns' names and types."""

    sql: str
    binds: tuple[tuple[str, Any, Callable[[Any], Any] | None], ...]  # name, its fixed value or _FIXED, processor
    row: Callable[..., Any]
    types: tuple[Any, ...]  # each result column's SQLAlchemy type


_FIXED = object()  # a parameter the caller gives (else the statement's own value: a literal)


@cache
def _driven(stmt: Executable, dialect: Dialect) -> _Driven:
    assert isinstance(stmt, ClauseElement)
    compiled = stmt.compile(dialect=dialect)
    assert isinstance(compiled, SQLCompiler) and compiled.positiontup is not None
    processors = compiled._bind_processors
    binds = tuple((name, _FIXED if compiled.binds[name].required else compiled.binds[name].effective_value,
                   processors.get(name)) for name in compiled.positiontup)
    columns = compiled._result_columns or []
    return _Driven(compiled.string, binds,  # type: ignore[arg-type]  # one processor per parameter here
                   namedtuple("Row", [c.keyname for c in columns]), tuple(c.type for c in columns))  # type: ignore[misc]


def _bound(stmt: Executable, dialect: Dialect, params: dict[str, Any]) -> list[Any]:
    """`stmt`'s positional parameters from `params` (by bind name), through their bind processors."""
    form = _driven(stmt, dialect)
    values = [params[name] if fixed is _FIXED else fixed for name, fixed, _ in form.binds]
    return [v if process is None else process(v) for v, (_, _, process) in zip(values, form.binds, strict=True)]


# Each driven statement's result processors, by its SQL: they depend on the columns' types as the
# database reports them (a numeric's OID), so they are made at the statement's first execution.
_RESULT_PROCESSORS: dict[str, tuple[Callable[[Any], Any] | None, ...]] = {}


class DriverConnection:
    """A pooled connection whose one statement at a time goes to the driver (asyncpg) as it stands:
    outside a transaction, so each commits on its own (no BEGIN or COMMIT round trip), and without
    SQLAlchemy's execution context, whose per-execution work for this wide statement (the cache key's
    hashing, ~50 parameters through bind processing, the result's wrapping) was about a seventh of
    intake's CPU. Errors are raised as SQLAlchemy raises them (IntegrityError, DBAPIError, with the
    connection invalidated when it is gone), so callers handle them alike."""

    def __init__(self, fairy: PoolProxiedConnection, engine: AsyncEngine) -> None:
        self.fairy = fairy
        self.engine = engine
        self.dialect = engine.dialect
        self.driver: Any = fairy.driver_connection
        self.invalidated = False

    @classmethod
    @asynccontextmanager
    async def checkout(cls, engine: AsyncEngine) -> AsyncIterator[DriverConnection]:
        """One of the engine's pooled connections, straight from the pool and back to it: no
        SQLAlchemy `Connection` around it, which nothing here uses (its making, its raw connection's
        look-up and its closing each cross into SQLAlchemy's greenlet: ~55 against ~28 µs an appeal)."""
        fairy = await engine.raw_connection()
        connection = cls(fairy, engine)
        try:
            yield connection
        finally:
            if not connection.invalidated:  # an invalidated one is back in the pool already
                await greenlet_spawn(fairy.close)  # its reset on return may await the driver

    async def fetch(self, stmt: Executable, params: dict[str, Any]) -> list[Any]:
        """The rows of `stmt` run with `params` (by bind name), as named tuples."""
        return await self.fetch_args(stmt, _bound(stmt, self.dialect, params))

    async def fetch_args(self, stmt: Executable, args: list[Any]) -> list[Any]:
        """The rows of `stmt` run with its positional parameters `args` (bound already), as named tuples."""
        form = _driven(stmt, self.dialect)
        try:
            records = await self.driver.fetch(form.sql, *args)
        except Exception as exc:
            raise await self._translated(exc, form.sql) from exc
        results = _RESULT_PROCESSORS.get(form.sql)
        if results is None:
            attributes = (await self.driver.prepare(form.sql)).get_attributes()
            results = tuple(t._cached_result_processor(self.dialect, a.type.oid)
                            for t, a in zip(form.types, attributes, strict=True))
            _RESULT_PROCESSORS[form.sql] = results
        return [form.row(*[v if p is None else p(v) for p, v in zip(results, r, strict=True)]) for r in records]

    async def _translated(self, exc: Exception, sql: str) -> Exception:
        """`exc` as SQLAlchemy would have raised it; the connection invalidated if it is closed."""
        dialect = self.dialect
        adapted = self.fairy.dbapi_connection
        error: Exception = exc
        try:
            adapted._handle_exception(exc)  # type: ignore[union-attr]  # raises the DB-API's error for it
        except dialect.loaded_dbapi.Error as translated:
            error = translated
        except Exception:  # not the database's: as it is
            pass
        disconnect = bool(self.driver.is_closed())
        if disconnect:  # as SQLAlchemy does: the pool's other connections are likely gone too, and this one
            await greenlet_spawn(self.engine.sync_engine.pool._invalidate, self.fairy, error)  # goes back invalid
            self.invalidated = True
        if error is exc:
            return exc
        return DBAPIError.instance(sql, None, error, dialect.loaded_dbapi.Error, hide_parameters=True,
                                   connection_invalidated=disconnect, dialect=dialect)


class DriverLane:
    """DriverConnection.checkout, keeping up to `keep` of the engine's pooled connections out of the
    pool between one autocommitted statement and the next (intake's, one an appeal): taking one back
    from the pool and returning it each cross into SQLAlchemy's greenlet and its pool's queue and
    reset (~85,000 instructions an appeal, callgrind), for a connection that holds no transaction
    or state between statements. A connection is kept only after its statement went through; one
    whose statement failed, was cancelled or found the connection gone goes back to (or is dropped
    by) the pool as before. When the pool invalidates a connection (a disconnect: the others are
    likely gone too), the kept ones, and those in use then, go back to the pool, which replaces them
    at their next checkout, as it does its own. `close` hands every kept one back (before the engine is disposed)."""

    def __init__(self, engine: AsyncEngine, keep: int) -> None:
        self.engine = engine
        self.keep = keep
        self._idle: list[tuple[PoolProxiedConnection, int]] = []  # (connection, generation), newest last
        self._generation = 0  # bumped by every invalidation in the engine's pool
        self._closed = False
        event.listen(engine.sync_engine, "invalidate", self._invalidated)

    def _invalidated(self, *_: object) -> None:
        self._generation += 1

    @asynccontextmanager
    async def checkout(self) -> AsyncIterator[DriverConnection]:
        generation = self._generation  # one taken before an invalidation goes back to the pool, as the pool's do
        fairy = await self._take()
        connection = DriverConnection(fairy, self.engine)
        kept = False
        try:
            yield connection
            if (not (connection.invalidated or self._closed) and generation == self._generation
                    and len(self._idle) < self.keep):
                self._idle.append((fairy, generation))
                kept = True
        finally:
            if not (kept or connection.invalidated):  # an invalidated one is back in the pool already
                await greenlet_spawn(fairy.close)  # its reset on return may await the driver

    async def _take(self) -> PoolProxiedConnection:
        while self._idle:
            fairy, generation = self._idle.pop()
            if generation == self._generation:
                return fairy
            await greenlet_spawn(fairy.close)  # kept from before an invalidation: the pool's to replace
        return await self.engine.raw_connection()

    async def close(self) -> None:
        """Every kept connection back to the pool; later ones go straight back to it."""
        if self._closed:
            return
        self._closed = True
        event.remove(self.engine.sync_engine, "invalidate", self._invalidated)
        while self._idle:
            fairy, _ = self._idle.pop()
            await greenlet_spawn(fairy.close)


async def insert_if_alone(
    connection: AsyncConnection | DriverConnection, order: dict[str, Any],
    with_it: Sequence[tuple[type[Base], dict[str, Any]]],
    *, window: tuple[datetime, datetime], band: repo.CandidateBand | None = None, force: bool = False,
) -> tuple[Outcome, Sequence[Row[Any]]]:
    """PostgreSQL only: insert_new_order on a connection whose statements each commit on their own
    (one round trip, no BEGIN or COMMIT) or on a transaction's, deciding first. Unless `force`, the
    order and its rows are inserted only when no open order of its window could be at its place
    (the candidates of repositories.duplicate_candidates_query); then ("inserted", []), or
    ("repeat", []) when the order conflicts with an existing one (insert_new_order's exact
    repeat). Otherwise nothing is written and the candidates come back: ("candidates", rows), for
    the caller to judge and then insert with `force` (alone, or in a transaction with the merge)."""
    values, rows = _prepared(order, with_it)
    read = _read_values(values, window, band)
    read["force"] = force
    stmt = _pg_statement(_pg_shape(values, rows), alone=True)
    if isinstance(connection, DriverConnection):
        result: Sequence[Any] = await connection.fetch_args(stmt, _args(stmt, connection.dialect, values, rows, read))
    else:  # a transaction's connection (its statements must run inside it)
        result = (await connection.execute(stmt, _pg_params(values, rows, read))).all()
    # Always one row at least (every join is outer): the id inserted, if any, beside each candidate.
    if result[0].inserted_id is not None:
        return "inserted", []
    candidates = [r for r in result if r.id is not None]
    return ("candidates", candidates) if candidates else ("repeat", [])


Shape = tuple[tuple[str, ...], tuple[tuple[str, tuple[str, ...]], ...]]


def _pg_shape(order: dict[str, Any], rows: list[tuple[Table, dict[str, Any]]]) -> Shape:
    return tuple(order), tuple((table.name, tuple(values)) for table, values in rows)


def _read_values(order: dict[str, Any], window: tuple[datetime, datetime], band: repo.CandidateBand | None
                 ) -> dict[str, Any]:
    """The candidates read's values (the statement's c_… parameters, by the name after the prefix)."""
    since, until = window
    south, north, west, east = band if band else (None, None, None, None)
    return dict(since=since, until=until, exclude=order["id"], south=south, north=north, west=west, east=east)


def _pg_params(order: dict[str, Any], rows: list[tuple[Table, dict[str, Any]]], read: dict[str, Any]
               ) -> dict[str, Any]:
    """The statement's parameters by bind name: o_<column> of the order, r<n>_<column> of its n-th row,
    c_<name> of the candidates read."""
    params = {f"o_{k}": v for k, v in order.items()}
    for n, (_, values) in enumerate(rows):
        params.update({f"r{n}_{k}": v for k, v in values.items()})
    params.update({f"c_{k}": v for k, v in read.items()})
    return params


@cache
def _sources(stmt: Executable, dialect: Dialect) -> tuple[tuple[int, Any, Callable[[Any], Any] | None], ...]:
    """Where each positional parameter of `stmt` (a _pg_statement) comes from, as _pg_params names them:
    (source, key, bind processor) — source 0 the order, n + 1 its n-th row, -1 the candidates read, -2 a
    fixed value (then the key is the value)."""
    sources = []
    for name, fixed, process in _driven(stmt, dialect).binds:
        if fixed is not _FIXED:
            sources.append((-2, fixed, process))
            continue
        head, _, key = name.partition("_")
        sources.append((0 if head == "o" else -1 if head == "c" else int(head[1:]) + 1, key, process))
    return tuple(sources)


def _args(stmt: Executable, dialect: Dialect, order: dict[str, Any], rows: list[tuple[Table, dict[str, Any]]],
          read: dict[str, Any]) -> list[Any]:
    """`stmt`'s positional parameters, bound, straight from the row dicts: the same values as `_bound`
    makes of _pg_params (~20 against ~35 µs an appeal without the dict between)."""
    given = (order, *[values for _, values in rows], read)  # read last: source -1
    args = []
    for source, key, process in _sources(stmt, dialect):
        value = key if source == -2 else given[source][key]
        args.append(value if process is None else process(value))
    return args


_TABLES: dict[str, Table] = {t.name: t for t in WorkOrder.metadata.tables.values()}


@cache
def _pg_statement(shape: Shape, *, alone: bool) -> Executable:
    """The one statement for orders of this shape (built once; bound values typed by their columns,
    so the driver casts them). `alone`: insert_if_alone's (the candidates read first, the order
    inserted only when there are none, or when forced), else insert_new_order's (the order
    inserted, then the candidates read laterally from it)."""
    order_columns, row_shapes = shape
    candidates = repo.duplicate_candidates_query(
        bindparam("c_since", type_=UTCDateTime()), bindparam("c_until", type_=UTCDateTime()),
        bindparam("c_exclude", type_=_ORDERS.c.id.type),
        (bindparam("c_south", type_=Float()), bindparam("c_north", type_=Float()), bindparam("c_west", type_=Float()),
         bindparam("c_east", type_=Float())))
    order_values = {k: bindparam(f"o_{k}", type_=_ORDERS.c[k].type) for k in order_columns}
    if alone:
        force = bindparam("c_force", type_=Boolean())
        found = candidates.where(~force).cte("candidates")  # not read at all when forced
        new_rows = select(*order_values.values()).where(or_(force, ~exists(select(found.c.id))))
        new = (pg_insert(_ORDERS).from_select(list(order_values), new_rows).on_conflict_do_nothing()
               .returning(_ORDERS.c.id).cte("new_order"))
    else:
        new = pg_insert(_ORDERS).values(order_values).on_conflict_do_nothing().returning(_ORDERS.c.id).cte("new_order")
    ctes = []
    for n, (name, columns) in enumerate(row_shapes):
        table = _TABLES[name]
        values = select(*[bindparam(f"r{n}_{k}", type_=table.c[k].type) for k in columns]).select_from(new)
        ctes.append(insert(table).from_select(list(columns), values).cte(f"row_{n}"))
    if alone:
        one = select(literal(1).label("one")).subquery("one")
        joined = one.outerjoin(new, true()).outerjoin(found, true())
        return (select(new.c.id.label("inserted_id"), *found.c).select_from(joined)
                .order_by(found.c.reported_at.desc()).add_cte(*ctes))
    lateral = candidates.lateral("candidates")
    return (select(*lateral.c).select_from(new.outerjoin(lateral, true()))
            .order_by(lateral.c.reported_at.desc()).add_cte(*ctes))
