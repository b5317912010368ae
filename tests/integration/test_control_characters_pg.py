"""On PostgreSQL, which refuses NUL in text: a NUL in a query parameter is the caller's mistake,
a 422 naming the parameter (Open311: its 400), never 503 "database unavailable, please retry"."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator

import httpx
import pytest

from services.bootstrap import Runtime
from services.settings import CoreSettings
from tests.support.factories import key_headers, running_system

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
async def pg_system(pg_url: str) -> AsyncIterator[tuple[Runtime, httpx.AsyncClient]]:
    settings = CoreSettings(database_url=pg_url, kafka_bootstrap_servers=None, relay_poll_seconds=0.05)
    async with running_system(settings) as pair:
        yield pair


@pytest.mark.parametrize(("path", "field"), [
    ("/v1/audit?actor=unit%00", "query.actor"),
    ("/v1/audit?order=wo_%00", "query.order"),
    ("/v1/supervision?unit=water%00", "query.unit"),
    ("/v1/reports/hotspots/orders?matter=water%00", "query.matter"),
])
async def test_a_nul_in_a_query_parameter_is_a_422_naming_it(
    pg_system: tuple[Runtime, httpx.AsyncClient], path: str, field: str,
) -> None:
    runtime, client = pg_system
    response = await client.get(path, headers=await key_headers(runtime, "supervisor"))
    assert response.status_code == 422, response.text
    problem = "must not contain NUL or other control characters"
    assert response.json()["fields"] == [{"field": field, "problem": problem}]


async def test_a_nul_in_an_open311_filter_is_its_400(pg_system: tuple[Runtime, httpx.AsyncClient]) -> None:
    _, client = pg_system
    for query in ("service_request_id=%00,wo_a", "service_code=%00"):
        response = await client.get(f"/open311/v2/requests.json?{query}")
        assert response.status_code == 400, response.text
        assert response.json()[0]["code"] == 400 and "control characters" in response.json()[0]["description"]


@pytest.mark.parametrize("key", [True, "wo_\u0000", 2**63])
async def test_a_forged_list_cursor_is_a_422_whatever_its_key(pg_system: tuple[Runtime, httpx.AsyncClient],
                                                              key: object) -> None:
    runtime, client = pg_system
    raw = json.dumps(["2026-12-01T10:10:25+00:00", key]).encode()
    cursor = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    for path in (f"/v1/audit?actor=router&cursor={cursor}", f"/v1/work-orders?cursor={cursor}"):
        response = await client.get(path, headers=await key_headers(runtime, "supervisor"))
        assert response.status_code == 422 and response.json()["fields"][0]["field"] == "query.cursor", response.text
