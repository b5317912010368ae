"""Bulk import on the real PostgreSQL: the same file imported twice at once stores each row once (the
losing insert answers as a repeat), and a NUL in a row is that row's refusal, not a database error."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from sqlalchemy import func, select

from intake.bulk import Outcome, Row
from services.bootstrap import build_runtime
from services.bulk_import import import_rows
from services.db.tables import WorkOrder
from services.settings import CoreSettings

pytestmark = pytest.mark.integration

PLACES = ["西岭镇石门村", "北山乡松林村", "白沙镇柳林村", "南桥镇河口村", "东湖街道小湖村"]
MATTERS = ["宅基地界址纠纷，邻居多占了两米", "村里的垃圾池满了半个月没人清", "自来水管冻裂了，整个组停水",
           "村道被运矿车压坏，摩托车都骑不了"]


async def test_the_same_rows_imported_twice_at_once_are_stored_once(pg_url: str) -> None:
    tag = uuid.uuid4().hex[:8]
    rows = [Row(n, {"text": f"走访记录：{MATTERS[n % 4]}（{PLACES[n % 5]}第{n}户）", "address": PLACES[n % 5],
                    "external_id": f"pg-{tag}-{n}", "visit_kind": "走访"}) for n in range(1, 21)]
    rows.append(Row(21, {"text": "路灯\u0000坏了", "external_id": f"pg-{tag}-nul"}))
    runtime = await build_runtime(CoreSettings(database_url=pg_url, kafka_bootstrap_servers=None))
    try:
        first, second = await asyncio.gather(import_rows(runtime, rows, channel="offline_visit"),
                                             import_rows(runtime, rows, channel="offline_visit"))
        created = sum(t.counts[Outcome.accepted] + t.counts[Outcome.merged] for t in (first, second))
        assert created == 20
        assert first.counts[Outcome.repeat] + second.counts[Outcome.repeat] == 20
        assert [line for line, _ in first.refusals] == [21] and first.refusals[0][1].startswith("text:")
        async with runtime.sessions() as session:
            stored = (await session.execute(select(func.count()).select_from(WorkOrder).where(
                WorkOrder.external_id.like(f"pg-{tag}-%")))).scalar_one()
        assert stored == 20

        again = await import_rows(runtime, rows, channel="offline_visit")
        assert again.counts[Outcome.repeat] == 20 and again.counts[Outcome.accepted] == 0
    finally:
        await runtime.engine.dispose()
