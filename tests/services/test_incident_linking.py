"""并单 of one incident split before the report joining it came, on the embedded default: a new appeal
that repeats two open orders merges into the one first reported, and the other, still before dispatch,
is merged into it too, its history naming the report that linked them (in a unit's hands:
tests/integration/test_incident_linking_db.py)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from services.bootstrap import build_runtime
from services.cli import app
from services.db.tables import WorkOrder, WorkOrderHistory
from services.settings import CoreSettings

# One missing manhole cover told from the compound, then from the road, then from both: the first two
# name no place of each other's, so they are two open orders until the third.
ROWS = [
    {"text": "翠湖苑门口的井盖丢了，晚上黑漆漆的很危险", "address": "东湖街道翠湖苑", "external_id": "L-1",
     "reported_at": "2026-11-20T08:00:00+08:00"},
    {"text": "滨湖路有个下水道井盖没了，一个大洞，电动车差点掉进去", "address": "滨湖路", "external_id": "L-2",
     "reported_at": "2026-11-20T10:00:00+08:00"},
    {"text": "滨湖路翠湖苑门口那个井盖丢了好几天了，还没人来装", "address": "滨湖路翠湖苑门口", "external_id": "L-3",
     "reported_at": "2026-11-20T13:00:00+08:00"},
]


def _stored(data_dir: Path) -> tuple[dict[str, WorkOrder], list[WorkOrderHistory]]:
    async def read() -> tuple[dict[str, WorkOrder], list[WorkOrderHistory]]:
        runtime = await build_runtime(CoreSettings(data_dir=data_dir / "var", database_url=None,
                                                   kafka_bootstrap_servers=None))
        try:
            async with runtime.sessions() as session:
                orders = {o.external_id: o for o in (await session.execute(select(WorkOrder))).scalars()}
                history = list((await session.execute(select(WorkOrderHistory))).scalars())
                return orders, history
        finally:
            await runtime.engine.dispose()
    return asyncio.run(read())


def test_a_report_repeating_two_open_orders_links_them_into_the_first(data_dir: Path) -> None:
    file = data_dir / "covers.jsonl"
    file.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in ROWS) + "\n", encoding="utf-8")
    done = CliRunner().invoke(app, ["import", str(file), "--channel", "offline_visit"])
    assert done.exit_code == 0, done.output
    orders, history = _stored(data_dir)
    first, second, third = orders["L-1"], orders["L-2"], orders["L-3"]
    assert first.state == "received" and first.merged_into is None
    assert (third.state, third.merged_into) == ("merged", first.id)
    assert (second.state, second.merged_into) == ("merged", first.id)
    linked = [h for h in history if h.work_order_id == second.id and h.action == "merge"]
    assert len(linked) == 1 and third.id in (linked[0].reason or "")

