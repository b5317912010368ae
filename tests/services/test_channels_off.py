"""A channel switched off in configuration answers 404 `channel_closed` and writes nothing; the others
keep working."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from services.bootstrap import Runtime
from services.db.tables import WorkOrder
from services.settings import CoreSettings
from tests.support.factories import running_system
from tests.support.keys import issued_key

FORM = {"content-type": "application/x-www-form-urlencoded"}


@pytest.fixture(scope="module")
async def system(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[tuple[Runtime, httpx.AsyncClient]]:
    settings = CoreSettings(data_dir=Path(tmp_path_factory.mktemp("channels_off")), database_url=None,
                            kafka_bootstrap_servers=None, channels_off="wechat, sms,open311")
    async with running_system(settings) as pair:
        yield pair


async def _orders(runtime: Runtime) -> int:
    async with runtime.sessions() as session:
        return (await session.execute(select(func.count()).select_from(WorkOrder))).scalar_one()


async def test_a_switched_off_channel_is_404_channel_closed_and_writes_nothing(
    system: tuple[Runtime, httpx.AsyncClient],
) -> None:
    runtime, client = system
    before = await _orders(runtime)
    for body in ({"channel": "wechat", "text": "小区门口路灯坏了好几天"},
                 {"channel": "sms", "text": "小区垃圾三天没人清", "sender": "13900001111"}):
        response = await client.post("/v1/appeals", json=body, headers={"Idempotency-Key": f"k-{body['channel']}"})
        assert response.status_code == 404, response.text
        assert response.json()["error"] == "channel_closed"
        assert body["channel"] in response.json()["message"]
    assert await _orders(runtime) == before


async def test_the_other_channels_stay_open(system: tuple[Runtime, httpx.AsyncClient]) -> None:
    _, client = system
    response = await client.post("/v1/appeals", json={"channel": "web", "text": "小区门口路灯坏了好几天"})
    assert response.status_code == 201, response.text


async def test_open311_switched_off_answers_the_standards_404(system: tuple[Runtime, httpx.AsyncClient]) -> None:
    runtime, client = system
    client_key = await issued_key(runtime, "open311-client")
    services = (await client.get("/open311/v2/services.json")).json()
    form = {"api_key": client_key, "service_code": services[0]["service_code"], "description": "路灯坏了三天",
            "address_string": "城关镇人民路88号"}
    before = await _orders(runtime)
    posted = await client.post("/open311/v2/requests.json", content=str(httpx.QueryParams(form)),
                               headers={**FORM, "Authorization": ""})
    assert posted.status_code == 404, posted.text
    assert posted.json()[0]["code"] == 404 and "open311" in posted.json()[0]["description"]
    assert await _orders(runtime) == before


async def test_a_switched_off_channel_is_404_before_its_fields_are_checked(
    system: tuple[Runtime, httpx.AsyncClient],
) -> None:
    # A client told which fields are wrong would fix them only to be told the channel is closed.
    runtime, client = system
    for body in ({"channel": "wechat"}, {"channel": "sms", "text": "x", "photos": "not a list"}):
        response = await client.post("/v1/appeals", json=body)
        assert response.status_code == 404 and response.json()["error"] == "channel_closed", response.text
    client_key = await issued_key(runtime, "open311-client")
    for form in ({"api_key": client_key}, {"api_key": client_key, "service_code": "nope", "description": "x"}, {}):
        posted = await client.post("/open311/v2/requests.xml", content=str(httpx.QueryParams(form)), headers=FORM)
        assert posted.status_code == 404 and "<code>404</code>" in posted.text, posted.text
    open_channel = await client.post("/v1/appeals", json={"channel": "web"})
    assert open_channel.status_code == 422 and open_channel.json()["fields"][0]["field"] == "text"
