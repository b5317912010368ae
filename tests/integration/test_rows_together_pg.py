"""repositories.written_together on PostgreSQL: every table's rows go in one statement of arrays (one round
trip for the router's batch, not one per table); what it stores is what one INSERT per table with the rows as
parameter sets stored — the same values, the JSON as the same text, the columns' defaults, the identifiers
drawn in the rows' order — and a value too long for its column is refused, not cut, with nothing written."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Table, event, insert, select, text
from sqlalchemy.exc import DBAPIError

from services.db import order_units
from services.db import repositories as repo
from services.db.engine import make_engine, make_session_factory
from services.db.tables import Dispatch, OrderUnit, OutboxEvent, WorkOrder, WorkOrderHistory
from tests.support.postgres import create_database, drop_database

pytestmark = pytest.mark.integration

AT = datetime(2026, 12, 3, 8, 0, 0, 123456, tzinfo=UTC)


def _rows(order_id: str) -> dict[Table, list[dict[str, Any]]]:
    history = [{"work_order_id": order_id, "at": AT + timedelta(seconds=i), "actor": "router", "action": "dispatch",
                "from_state": "received", "to_state": "dispatched", "reason": f"市政 {i} « quoted »",
                "data": {"unit": "T01", "n": i, "x": [1.5, None, "三"]} if i else None} for i in range(3)]
    outbox = [{"event_id": f"{order_id}-e{i}", "topic": "hotline.lifecycle", "key": order_id,
               "type": "org.hotline.work_order.dispatched", "source": "/router", "time": AT, "created_at": AT,
               "data": {"unit": "T01", "text": "路灯不亮\n\"引号\"", "i": i}, "traceparent": None,
               "tracestate": None} for i in range(4)]
    dispatch = [{"work_order_id": order_id, "unit": "T01", "level": "township", "whistle_class": "ordinary",
                 "dispatched_at": AT, "claim_due": AT + timedelta(hours=2),
                 "first_contact_due": AT + timedelta(days=1), "resolve_due": AT + timedelta(days=5)}]
    units = [{"work_order_id": order_id, "unit": u, "role": r, "since": AT, "active": True}
             for u, r in (("T01", "lead"), ("D02", "assisting"))]
    return {WorkOrderHistory.__table__: history, OutboxEvent.__table__: outbox, Dispatch.__table__: dispatch,
            OrderUnit.__table__: units}


async def _stored(session: Any, table: Table, order_id: str) -> list[tuple[Any, ...]]:
    """Every column but the identifier and the order's, JSON as its stored text, in identifier order."""
    key = table.c.key if table is OutboxEvent.__table__ else table.c.work_order_id
    columns = [text(f"{c.name}::text") if c.name == "data" else c
               for c in table.columns if c.name not in ("id", "work_order_id", "event_id", "key")]
    order = table.c.id if "id" in table.c else table.c.unit
    rows = await session.execute(select(*columns).where(key == order_id).order_by(order))
    return [tuple(r) for r in rows]


async def test_rows_written_together_are_stored_as_row_by_row_inserts_store_them() -> None:
    name, url = await create_database()
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    try:
        async with sessions() as session, session.begin():
            for order_id in ("wo-together", "wo-alone", "wo-refused"):
                session.add(WorkOrder(id=order_id, channel="web", fingerprint="f", text="t", text_masked="t",
                                      state="received", created_at=AT, updated_at=AT, reported_at=AT))
        statements: list[str] = []

        def note(_conn: object, _cursor: object, statement: str, *_: object) -> None:
            statements.append(statement)

        models = {WorkOrderHistory.__table__: WorkOrderHistory, OutboxEvent.__table__: OutboxEvent,
                  Dispatch.__table__: Dispatch}
        async with sessions() as session, session.begin():
            event.listen(engine.sync_engine, "before_cursor_execute", note)
            try:
                async with repo.written_together(session):
                    for table, rows in _rows("wo-together").items():
                        for row in rows:
                            if table is OrderUnit.__table__:
                                order_units.add_first_order_units(session, row["work_order_id"],
                                                                  {row["unit"]: row["role"]}, row["since"])
                            else:
                                repo.add_row(session, models[table], row)
            finally:
                event.remove(engine.sync_engine, "before_cursor_execute", note)
        assert len(statements) == 1  # every table in one statement
        async with sessions() as session, session.begin():
            for table, rows in _rows("wo-alone").items():
                await session.execute(insert(table), rows)
        async with sessions() as session:
            for table in _rows("x"):
                together = await _stored(session, table, "wo-together")
                alone = await _stored(session, table, "wo-alone")
                assert together == alone and together, table.name
            # the identifiers follow the rows' order (the outbox's is the order events are published in)
            ids = (await session.execute(select(OutboxEvent.event_id).where(OutboxEvent.key == "wo-together")
                                         .order_by(OutboxEvent.id))).scalars().all()
            assert ids == [f"wo-together-e{i}" for i in range(4)]
            extended = (await session.execute(select(Dispatch.extended).where(
                Dispatch.work_order_id == "wo-together"))).scalar_one()
            assert extended is False  # the column's default, as the ORM's INSERT adds it
        # a value too long for its column is refused, not cut; nothing of the statement is written
        with pytest.raises(DBAPIError):
            async with sessions() as session, session.begin(), repo.written_together(session):
                rows = _rows("wo-refused")
                for row in rows[WorkOrderHistory.__table__]:
                    repo.add_history(session, row)
                repo.add_dispatch(session, {**rows[Dispatch.__table__][0], "level": "x" * 11})
        async with sessions() as session:
            assert await _stored(session, WorkOrderHistory.__table__, "wo-refused") == []
    finally:
        await engine.dispose()
        await drop_database(name)
