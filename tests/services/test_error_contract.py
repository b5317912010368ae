"""One error contract for every service: `{"error": <stable snake_case code>, "message": …}` for
framework errors (400/404/405/413/415/422), domain errors, a database outage (503) and a bug (500);
every error status a route can answer is declared in its OpenAPI document; docs need no CDN."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import APIRouter
from sqlalchemy.exc import DBAPIError

from escalation.exceptions import EscalationError, ExtensionTooLate
from services.apps.common import create_app, error_code, status_of
from services.apps.escalation import create_escalation_app
from services.apps.feedback import create_feedback_app
from services.apps.intake import create_intake_app
from services.apps.router import create_router_app
from services.bootstrap import Runtime
from services.errors import OrderNotFound
from services.settings import CoreSettings
from tests.support.factories import appeal, running_system


@pytest.fixture(scope="module")
async def system(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[tuple[Runtime, httpx.AsyncClient]]:
    settings = CoreSettings(data_dir=Path(tmp_path_factory.mktemp("errors")), database_url=None,
                            kafka_bootstrap_servers=None, max_body_bytes=4096)
    async with running_system(settings) as pair:
        yield pair


def _contract(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["error"] == code and isinstance(body["message"], str) and body["message"]
    assert "detail" not in body
    return body


async def test_unknown_path_and_wrong_method_answer_the_contract(system: tuple[Runtime, httpx.AsyncClient]) -> None:
    _, client = system
    assert "/v1/nothing-here" in _contract(await client.get("/v1/nothing-here"), 404, "not_found")["message"]
    wrong = await client.delete("/v1/appeals")
    assert "allowed: POST" in _contract(wrong, 405, "method_not_allowed")["message"]
    assert wrong.headers["allow"] == "POST"


async def test_malformed_json_is_a_400_that_says_so_without_a_numeric_field(
    system: tuple[Runtime, httpx.AsyncClient],
) -> None:
    _, client = system
    body = _contract(await client.post("/v1/appeals", content=b'{"channel": "web", "text": }',
                                       headers={"content-type": "application/json"}), 400, "malformed_json")
    assert body["message"].startswith("body: not valid JSON") and "fields" not in body


@pytest.mark.parametrize("body", [b'{"channel": "web", "text": "\xff\xfe"}', b"[" * 2000 + b"]" * 2000],
                         ids=["not-utf8", "nested"])
async def test_a_body_that_is_not_utf8_or_nested_too_deeply_is_malformed_json(
    system: tuple[Runtime, httpx.AsyncClient], body: bytes,
) -> None:
    _, client = system
    response = await client.post("/v1/appeals", content=body, headers={"Content-Type": "application/json"})
    assert _contract(response, 400, "malformed_json")["message"].startswith("body: not valid JSON")


async def test_a_body_that_is_not_json_is_415(system: tuple[Runtime, httpx.AsyncClient]) -> None:
    _, client = system
    response = await client.post("/v1/appeals", content=b"channel=web&text=hello", headers={
        "content-type": "application/x-www-form-urlencoded"})
    assert "application/json" in _contract(response, 415, "unsupported_media_type")["message"]


async def test_too_large_and_invalid_bodies_name_the_problem(system: tuple[Runtime, httpx.AsyncClient]) -> None:
    _, client = system
    _contract(await client.post("/v1/appeals", json=appeal(text="路" * 3000)), 413, "body_too_large")
    body = _contract(await client.post("/v1/appeals", json={"channel": "web"}), 422, "validation_error")
    assert body["fields"] == [{"field": "text", "problem": "Field required"}]


async def test_domain_errors_have_snake_case_codes(system: tuple[Runtime, httpx.AsyncClient]) -> None:
    _, client = system
    _contract(await client.get("/v1/work-orders/wo_nope"), 404, "order_not_found")
    assert error_code(OrderNotFound) == "order_not_found"
    # A subclass not in the table takes its base's status and still names itself.
    assert (status_of(ExtensionTooLate), error_code(ExtensionTooLate)) == (status_of(EscalationError),
                                                                           "extension_too_late")
    assert (status_of(DBAPIError), error_code(DBAPIError)) == (503, "database_unavailable")


async def test_database_outage_and_bugs_answer_the_contract(tmp_path: Path) -> None:
    probe = APIRouter()

    @probe.get("/v1/probe/outage")
    async def outage() -> None:
        raise ConnectionRefusedError("connection refused")

    @probe.get("/v1/probe/bug")
    async def bug() -> None:
        raise RuntimeError("a bug with 13912345678 in it")

    @probe.get("/v1/probe/refused")
    async def refused() -> None:
        # What PostgreSQL answers a value it refuses (22021: NUL in text): a bug of ours, not an
        # outage; a retry would never help.
        raise DBAPIError("SELECT 1", None, _DriverError("22021"))

    @probe.get("/v1/probe/shutdown")
    async def shutdown() -> None:
        raise DBAPIError("SELECT 1", None, _DriverError("57P01"))  # admin shutdown: the database went away

    settings = CoreSettings(data_dir=tmp_path, database_url=None, kafka_bootstrap_servers=None)
    app = create_app("probe", ("intake",), [probe], settings=settings, runtime=object())  # type: ignore[arg-type]
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://probe") as client:
        outage_response = await client.get("/v1/probe/outage")
        _contract(outage_response, 503, "database_unavailable")
        assert outage_response.headers["retry-after"] == "5"
        bug_response = await client.get("/v1/probe/bug")
        body = _contract(bug_response, 500, "internal_error")
        assert bug_response.headers["x-request-id"] in body["message"]
        assert "13912345678" not in body["message"]
        _contract(await client.get("/v1/probe/refused"), 500, "internal_error")
        _contract(await client.get("/v1/probe/shutdown"), 503, "database_unavailable")


class _DriverError(Exception):
    """A driver's error as SQLAlchemy's asyncpg adapter raises it: the SQLSTATE in `pgcode`."""

    def __init__(self, pgcode: str) -> None:
        super().__init__(f"SQLSTATE {pgcode}")
        self.pgcode = pgcode


@pytest.mark.parametrize("factory", [create_intake_app, create_router_app, create_escalation_app,
                                     create_feedback_app])
def test_every_error_status_is_declared_with_the_error_body(factory: Any) -> None:
    document = factory(CoreSettings(database_url=None, kafka_bootstrap_servers=None)).openapi()
    assert "HTTPValidationError" not in document["components"]["schemas"]
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            declared = {int(s) for s in operation["responses"]}
            errors = {s for s in declared if s >= 400}
            if path.startswith("/v1/"):
                assert {404, 409, 422, 503} <= errors, (method, path)
            if "requestBody" in operation:
                assert {400, 413, 415, 422} <= errors, (method, path)
            for status in errors if path.startswith("/v1/") else ():  # the API; pages answer HTML
                schema = operation["responses"][str(status)]["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/ErrorBody"}, (method, path, status)


async def test_docs_are_served_without_a_cdn(system: tuple[Runtime, httpx.AsyncClient]) -> None:
    _, client = system
    for page, asset in (("/docs", "/docs-assets/swagger-ui-bundle.js"), ("/redoc", "/docs-assets/redoc.standalone.js")):
        html = (await client.get(page)).text
        assert asset in html and "cdn" not in html.lower() and "https://" not in html.split("<body>")[0]
        served = await client.get(asset)
        assert served.status_code == 200 and len(served.content) > 100_000
