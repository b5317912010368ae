"""A new order and the rows that come with it (its first history record, its outbox event, its
sealed personal data) written together, or none of them when the order's channel + external id
or idempotency key is taken already (an exact repeat: the caller answers it).

On PostgreSQL this is one statement, one round trip: the order's INSERT … ON CONFLICT DO NOTHING
RETURNING as a CTE, and each other row inserted from it (no order inserted, no rows). On SQLite
(the embedded default, in-process, no round trips to save) the same as separate statements.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from sqlalchemy import Executable, Table, bindparam, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.db.tables import Base, WorkOrder


def _table(cls: type[Base]) -> Table:
    table = cls.__table__
    assert isinstance(table, Table)
    return table


_ORDERS = _table(WorkOrder)


def with_defaults(table: Table, values: dict[str, Any]) -> dict[str, Any]:
    """`values` with the table's own scalar column defaults for the columns it leaves out (as the
    ORM would write them)."""
    out = dict(values)
    for column in table.columns:
        if column.key not in out and column.default is not None and column.default.is_scalar:
            out[column.key] = column.default.arg  # type: ignore[attr-defined]
    return out


async def insert_new_order(
    session: AsyncSession, order: dict[str, Any], with_it: Sequence[tuple[type[Base], dict[str, Any]]]
) -> bool:
    """Insert the work order `order` (column -> value) and then the rows `with_it` (each a mapped
    class and one row of values); nothing at all when the order conflicts with an existing one.
    True when inserted."""
    order = with_defaults(_ORDERS, order)
    rows = [(_table(cls), with_defaults(_table(cls), values)) for cls, values in with_it]
    if session.get_bind().dialect.name == "postgresql":
        shape = (tuple(order), tuple((table.name, tuple(values)) for table, values in rows))
        params = {f"o_{k}": v for k, v in order.items()}
        for n, (_, values) in enumerate(rows):
            params.update({f"r{n}_{k}": v for k, v in values.items()})
        inserted = (await session.execute(_pg_statement(shape), params)).first()
        return inserted is not None
    stmt = sqlite_insert(_ORDERS).on_conflict_do_nothing().returning(_ORDERS.c.id)
    if (await session.execute(stmt, order)).first() is None:
        return False
    for table, values in rows:
        await session.execute(insert(table), values)
    return True


_TABLES: dict[str, Table] = {t.name: t for t in WorkOrder.metadata.tables.values()}


@cache
def _pg_statement(shape: tuple[tuple[str, ...], tuple[tuple[str, tuple[str, ...]], ...]]) -> Executable:
    """The one statement for orders of this shape (built once; bound values typed by their columns,
    so the driver casts them)."""
    order_columns, row_shapes = shape
    new = (
        pg_insert(_ORDERS)
        .values({k: bindparam(f"o_{k}", type_=_ORDERS.c[k].type) for k in order_columns})
        .on_conflict_do_nothing()
        .returning(_ORDERS.c.id)
        .cte("new_order")
    )
    ctes = []
    for n, (name, columns) in enumerate(row_shapes):
        table = _TABLES[name]
        values = select(*[bindparam(f"r{n}_{k}", type_=table.c[k].type) for k in columns]).select_from(new)
        ctes.append(insert(table).from_select(list(columns), values).cte(f"row_{n}"))
    return select(new.c.id).add_cte(*ctes)
