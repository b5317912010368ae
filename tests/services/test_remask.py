"""`hotline db remask`: values stored before the masking learned a form of number (written by an
older release) are masked as today's write path would mask them; ids, codes and the sealed raw data
are left as they are; a dry run writes nothing and a second run finds nothing to do."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, update
from typer.testing import CliRunner

from intake.vault import SEALED_FIELDS
from services.bootstrap import build_runtime
from services.cli import app
from services.db.tables import OutboxEvent, PersonalData, ProcessedEvent, WorkOrder, WorkOrderHistory
from services.settings import CoreSettings

# How an older release stored a number it did not recognise (a WeChat name's ending, spaced dashes).
OLD_TEXT = "小区门口路灯坏了，联系我微信 wang_13987654321 或 139 - 8765 - 4321"
OLD_ADDRESS = "城关镇桂花园小区5栋 电话139 - 8765 - 4321"


async def _with_session(data_dir: Path, work: Any) -> Any:
    runtime = await build_runtime(CoreSettings(data_dir=data_dir / "var", database_url=None,
                                               kafka_bootstrap_servers=None))
    try:
        async with runtime.sessions() as session, session.begin():
            return await work(session)
    finally:
        await runtime.engine.dispose()


def test_remask_masks_what_an_older_release_stored_and_nothing_else(data_dir: Path) -> None:
    rows = data_dir / "rows.jsonl"
    rows.write_text(json.dumps({"channel": "offline_visit", "text": "桂花园小区5栋的路灯坏了一个月了",
                                "address": "城关镇桂花园小区5栋", "external_id": "V-1",
                                "reported_at": "2026-11-20T08:00:00+08:00"}, ensure_ascii=False) + "\n")
    assert CliRunner().invoke(app, ["import", str(rows)]).exit_code == 0

    async def plant(session: Any) -> tuple[str, str]:
        order = (await session.execute(select(WorkOrder))).scalar_one()
        await session.execute(update(WorkOrder).values(text=OLD_TEXT, text_masked=OLD_TEXT, address=OLD_ADDRESS,
                                                       details={"grid": "wang_13987654321"}))
        await session.execute(update(WorkOrderHistory).values(reason="回电 139 - 8765 - 4321",
                                                              data={"note": "wang_13987654321"}))
        sealed = (await session.execute(select(PersonalData.sealed))).scalar_one()
        await session.execute(update(OutboxEvent).values(data={
            "work_order_id": order.id, "text": OLD_TEXT, "summons": {"reason": "电话139 - 8765 - 4321"},
            "contact": None, SEALED_FIELDS: "opaque-sealed-139 - 8765 - 4321"}))
        await session.execute(insert(ProcessedEvent).values(
            consumer="router", event_id="ev-1", processed_at=order.created_at, outcome="refused: 139 - 8765 - 4321"))
        return order.id, sealed

    order_id, sealed = asyncio.run(_with_session(data_dir, plant))

    dry = CliRunner().invoke(app, ["db", "remask", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "work_orders.text_masked\t1" in dry.stdout and "would change 8 stored values in 8 columns" in dry.stdout

    async def read(session: Any) -> dict[str, Any]:
        order = (await session.execute(select(WorkOrder))).scalar_one()
        return {"id": order.id, "text": order.text_masked, "address": order.address, "details": order.details,
                "history": (await session.execute(select(WorkOrderHistory.reason, WorkOrderHistory.data))).first(),
                "event": (await session.execute(select(OutboxEvent.data))).scalars().first(),
                "outcome": (await session.execute(select(ProcessedEvent.outcome))).scalar_one(),
                "sealed": (await session.execute(select(PersonalData.sealed))).scalar_one()}

    assert asyncio.run(_with_session(data_dir, read))["text"] == OLD_TEXT  # a dry run writes nothing

    done = CliRunner().invoke(app, ["db", "remask"])
    assert done.exit_code == 0, done.output
    assert "changed 8 stored values in 8 columns" in done.stdout
    after = asyncio.run(_with_session(data_dir, read))
    stored = json.dumps(after, ensure_ascii=False, default=str)
    assert "13987654321" not in stored.replace(SEALED_FIELDS, "")  # no clear number is left …
    assert "8765 - 4321" not in json.dumps({k: v for k, v in after.items() if k != "event"}, ensure_ascii=False,
                                            default=str)
    assert "139****4321" in after["text"] and "139****4321" in after["address"]
    assert after["history"][0] == "回电 139****4321" and "139****4321" in after["history"][1]["note"]
    assert after["event"]["summons"]["reason"] == "电话139****4321"
    assert "139****4321" in after["outcome"]
    # … while ids, the sealed raw data and an event's sealed part stay as they were
    assert after["id"] == order_id and after["event"]["work_order_id"] == order_id
    assert after["sealed"] == sealed and after["event"][SEALED_FIELDS] == "opaque-sealed-139 - 8765 - 4321"

    again = CliRunner().invoke(app, ["db", "remask"])
    assert "changed 0 stored values in 0 columns" in again.stdout
