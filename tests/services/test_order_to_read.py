"""new_orders.order_to_read: the new appeal's order object the answer and the events read holds what
`WorkOrder(**values)` would, without the ORM's per-attribute change tracking."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import inspect

from services.db.new_orders import order_to_read
from services.db.tables import WorkOrder


def _values() -> dict[str, object]:
    now = datetime(2026, 12, 1, 8, 30, tzinfo=UTC)
    return dict(id="wo_0123456789abcdef0123", channel="web", external_id="w-1", idempotency_key=None,
                fingerprint="f", text="路口红绿灯坏了", text_masked="路口红绿灯坏了", address="城关镇",
                caller_name=None, caller_phone=None, confidential=False, citizen_token_hash="h", state="received",
                return_count=0,
                reopen_count=0, created_at=now, updated_at=now, request_digest="d", reported_at=now,
                transfer_deadline=None, details={"photos": ["https://img.example/1.jpg"]}, latitude=30.1,
                longitude=114.2, callback_wanted=True)


def test_the_order_to_read_reads_as_the_orm_constructed_one() -> None:
    light, built = order_to_read(_values()), WorkOrder(**_values())
    columns = [c.key for c in WorkOrder.__mapper__.column_attrs]
    assert [getattr(light, k) for k in columns] == [getattr(built, k) for k in columns]
    assert light.merged_into is None and light.unit is None  # columns left out read as None, as they do there


def test_the_order_to_read_belongs_to_no_session() -> None:
    state = inspect(order_to_read(_values()))
    assert state.transient and state.session is None
