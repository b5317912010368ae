"""Property test through the intake API on the embedded default: any text (control characters and
NUL included) in any field of any channel is a 201 or a clear 422 naming the field — never a 5xx —
and a refused appeal leaves no row behind."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from services.bootstrap import Runtime
from services.db.tables import OutboxEvent, PersonalData, WorkOrder, WorkOrderHistory
from services.settings import CoreSettings
from tests.support.factories import running_system
from tests.unit.intake.test_channel_properties import ANY_TEXT, VALID, _put


class _System:
    """The all-in-one app on its own event loop, so hypothesis can drive it from a plain test."""

    def __init__(self, data_dir: Path) -> None:
        self.loop = asyncio.new_event_loop()
        settings_ = CoreSettings(data_dir=data_dir, database_url=None, kafka_bootstrap_servers=None)
        self._cm = running_system(settings_)
        self.runtime, self.client = self.run(self._cm.__aenter__())

    def run(self, coro: Any) -> Any:
        return self.loop.run_until_complete(coro)

    def close(self) -> None:
        self.run(self._cm.__aexit__(None, None, None))
        self.loop.close()


@pytest.fixture(scope="module")
def system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[_System]:
    s = _System(Path(tmp_path_factory.mktemp("intake_props")))
    try:
        yield s
    finally:
        s.close()


async def _rows(runtime: Runtime) -> tuple[int, int]:
    async with runtime.sessions() as session:
        orders = (await session.execute(select(func.count()).select_from(WorkOrder))).scalar_one()
        sealed = (await session.execute(select(func.count()).select_from(PersonalData))).scalar_one()
    return orders, sealed


async def _rows_of(runtime: Runtime, order_id: str) -> tuple[int, int]:
    async with runtime.sessions() as session:
        history = (await session.execute(select(func.count()).select_from(WorkOrderHistory)
                                         .where(WorkOrderHistory.work_order_id == order_id))).scalar_one()
        events = (await session.execute(select(func.count()).select_from(OutboxEvent)
                                        .where(OutboxEvent.key == order_id))).scalar_one()
    return history, events


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(channel=st.sampled_from(sorted(VALID)), data=st.data(), value=ANY_TEXT)
def test_any_text_in_any_field_is_201_or_422_naming_it_and_never_half_written(
    system: _System, channel: str, data: st.DataObject, value: str
) -> None:
    body, fields = VALID[channel]
    path = data.draw(st.sampled_from(fields))
    sent = _put(body, path, value)
    before = system.run(_rows(system.runtime))
    response: httpx.Response = system.run(system.client.post(
        "/v1/appeals", content=json.dumps(sent, ensure_ascii=False).encode(),
        headers={"content-type": "application/json"}))
    assert response.status_code < 500, response.text
    after = system.run(_rows(system.runtime))
    if response.status_code == 422:
        # A field at fault, or an id (an upper body's reference number) reused for a different appeal.
        error = response.json()["error"]
        assert error in ("validation_error", "repeat_conflict"), response.text
        if error == "validation_error":
            assert path.split(".")[-1] in response.json()["message"], response.text
        assert after == before
    else:
        assert response.status_code in (200, 201), response.text
        order_id = response.json()["work_order_id"]
        if response.status_code == 201:
            assert after[0] == before[0] + 1 and after[1] == before[1] + 1
            history, events = system.run(_rows_of(system.runtime, order_id))
            assert history >= 1 and events >= 1


def test_invalid_utf8_is_a_4xx_and_writes_nothing(system: _System) -> None:
    before = system.run(_rows(system.runtime))
    response = system.run(system.client.post("/v1/appeals", content=b'{"channel": "web", "text": "\xff\xfe\xfd"}',
                                             headers={"content-type": "application/json"}))
    assert 400 <= response.status_code < 500, response.text
    assert response.json()["error"]
    assert system.run(_rows(system.runtime)) == before
