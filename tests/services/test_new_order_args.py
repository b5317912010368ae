"""new_orders: the new appeal's statement gets the same positional parameters from the row dicts
(`_args`, what intake sends on PostgreSQL) as from the parameter dict by bind name (`_pg_params`, what
DriverConnection.fetch and a transaction's connection take), for each form of the statement."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect

from services.db import new_orders
from services.db.tables import OutboxEvent, PersonalData, WorkOrderHistory

NOW = datetime(2026, 12, 2, 13, 30, tzinfo=UTC)


def _order() -> dict[str, Any]:
    return dict(id="wo_0123456789abcdef0123", channel="web", external_id="w-1", idempotency_key=None,
                fingerprint="f", text="路口红绿灯坏了", text_masked="路口红绿灯坏了", address="城关镇",
                caller_name=None, caller_phone=None, confidential=False, citizen_token_hash="h", state="received",
                created_at=NOW, updated_at=NOW, request_digest="d", reported_at=NOW, transfer_deadline=None,
                details={"photos": ["https://img.example/1.jpg"]}, latitude=30.1, longitude=114.2, callback_wanted=True)


def _rows(order_id: str) -> list[tuple[Any, dict[str, Any]]]:
    return [
        (WorkOrderHistory, dict(work_order_id=order_id, at=NOW, actor="citizen:web", action="receive", from_state=None,
                                to_state="received", reason=None, data=None)),
        (OutboxEvent, dict(event_id="ev_1", topic="hotline.lifecycle", key=order_id, type="hotline.order.received",
                           source="hotline/intake", time=NOW, data={"text": "路口红绿灯坏了", "n": 1.5}, created_at=NOW,
                           traceparent=None, tracestate=None)),
        (PersonalData, dict(work_order_id=order_id, sealed="gAAAA-sealed", created_at=NOW)),
    ]


@pytest.mark.parametrize("band", [None, (30.0, 30.2, 114.1, 114.3), (30.0, 30.2, None, None)])
@pytest.mark.parametrize("alone, force", [(True, False), (True, True), (False, None)])
def test_the_arguments_from_the_rows_are_those_from_the_parameters_by_name(
    band: tuple[Any, ...] | None, alone: bool, force: bool | None
) -> None:
    dialect = asyncpg_dialect()
    order, rows = new_orders._prepared(_order(), _rows("wo_0123456789abcdef0123"))
    read = new_orders._read_values(order, (NOW - timedelta(days=7), NOW + timedelta(hours=1)), band)
    if force is not None:
        read["force"] = force
    stmt = new_orders._pg_statement(new_orders._pg_shape(order, rows), alone=alone)
    by_name = new_orders._bound(stmt, dialect, new_orders._pg_params(order, rows, read))
    assert new_orders._args(stmt, dialect, order, rows, read) == by_name
    assert len(by_name) > len(order) + 20  # every column of every row, and the read's values
