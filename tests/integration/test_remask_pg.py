"""`remask` on the real PostgreSQL: it pages through a table with a composite key (processed_events)
past a batch boundary and masks what an older release left, touching only values that change."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import insert, select, update

from intake.bulk import Row
from services.bootstrap import build_runtime
from services.bulk_import import import_rows
from services.db.remask import remask
from services.db.tables import ProcessedEvent, WorkOrder, WorkOrderHistory
from services.settings import CoreSettings

pytestmark = pytest.mark.integration


async def test_remask_pages_through_composite_keys_and_masks_old_values(pg_url: str) -> None:
    tag = uuid.uuid4().hex[:8]
    runtime = await build_runtime(CoreSettings(database_url=pg_url, kafka_bootstrap_servers=None))
    try:
        await import_rows(runtime, [Row(1, {"text": f"北山村三组路灯坏了（{tag}）", "external_id": f"rm-{tag}"})],
                          channel="offline_visit")
        now = datetime.now(UTC)
        async with runtime.sessions() as session, session.begin():
            order_id = (await session.execute(select(WorkOrder.id).where(
                WorkOrder.external_id == f"rm-{tag}"))).scalar_one()
            await session.execute(update(WorkOrder).where(WorkOrder.id == order_id).values(
                text_masked="微信 zhang13812345678 找我"))
            await session.execute(update(WorkOrderHistory).where(WorkOrderHistory.work_order_id == order_id).values(
                reason="回电 138 - 1234 - 5678"))
            # more rows than one batch, the old one last in key order
            await session.execute(insert(ProcessedEvent), [
                {"consumer": f"rm-{tag}", "event_id": f"ev-{n:04d}", "processed_at": now,
                 "outcome": "refused: 138 - 1234 - 5678" if n == 1199 else "ok"} for n in range(1200)])

        counts = await remask(runtime.engine)
        assert counts["processed_events.outcome"] >= 1 and counts["work_orders.text_masked"] >= 1

        async with runtime.sessions() as session:
            text = (await session.execute(select(WorkOrder.text_masked).where(WorkOrder.id == order_id))).scalar_one()
            reasons = (await session.execute(select(WorkOrderHistory.reason).where(
                WorkOrderHistory.work_order_id == order_id))).scalars().all()
            outcomes = (await session.execute(select(ProcessedEvent.outcome).where(
                ProcessedEvent.consumer == f"rm-{tag}").order_by(ProcessedEvent.event_id))).scalars().all()
        assert text == "微信 zhang138****5678 找我"
        assert reasons and all(r == "回电 138****5678" for r in reasons)
        assert outcomes[-1] == "refused: 138****5678" and outcomes[:-1] == ["ok"] * 1199
        assert all(v == 0 for v in (await remask(runtime.engine, dry_run=True)).values())
    finally:
        await runtime.engine.dispose()
