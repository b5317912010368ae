"""Every endpoint × every role (and no credentials) → the expected answer, from one table.

A route missing from ACCESS fails the test, so a new endpoint cannot ship without saying who may
call it. "Allowed" means the request gets past authentication and authorisation (any status but
401/403: a 404 for a made-up order or a 422 for an empty body is fine); refused means 401 without
a key and 403 with a key of the wrong role.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from schemas.access import Role
from services.apps.combined import create_combined_app
from services.bootstrap import Runtime
from services.settings import CoreSettings
from tests.support.factories import key_headers, running_system

OPEN = "open"  # no key needed (citizen channels, citizen token routes, operations)
ANY_STAFF = frozenset({Role.operator, Role.dispatcher, Role.unit, Role.supervisor, Role.admin})
READERS = frozenset({Role.operator, Role.dispatcher, Role.supervisor, Role.admin})
STAFF_OR_UNIT = READERS | {Role.unit}
REPORTS = frozenset({Role.supervisor, Role.admin})
DISPATCH = frozenset({Role.dispatcher, Role.admin})
UNIT = frozenset({Role.unit})

# Browser pages send a caller without a key to the sign-in page (303) instead of answering 401.
SIGN_IN_PAGES = {("GET", "/dashboard"): "/dashboard/login"}

# (method, path template) -> roles allowed, or OPEN.
ACCESS: dict[tuple[str, str], frozenset[Role] | str] = {
    ("GET", "/healthz"): OPEN,
    ("GET", "/readyz"): OPEN,
    ("GET", "/metrics"): OPEN,
    ("POST", "/v1/appeals"): OPEN,  # per channel: see test_operator_channels_need_an_operator_key
    ("GET", "/v1/appeals/{order_id}"): OPEN,  # the citizen token decides
    ("POST", "/v1/appeals/{order_id}/withdraw"): OPEN,  # the citizen token decides
    ("POST", "/v1/work-orders/{order_id}/rate"): OPEN,  # the citizen token decides
    ("POST", "/v1/work-orders/{order_id}/callback"): frozenset({Role.operator, Role.admin}),
    ("GET", "/v1/callbacks"): frozenset({Role.operator, Role.admin}),
    # Open311: public reads (no personal numbers); a POST needs an open311-client api_key in the form
    # (the standard's way, not a bearer header: see test_open311).
    ("GET", "/open311/v2/discovery.{fmt}"): OPEN,
    ("GET", "/open311/v2/services.{fmt}"): OPEN,
    ("GET", "/open311/v2/services/{service_code}.{fmt}"): OPEN,
    ("POST", "/open311/v2/requests.{fmt}"): OPEN,
    ("GET", "/open311/v2/requests.{fmt}"): OPEN,
    ("GET", "/open311/v2/requests/{request_id}.{fmt}"): OPEN,
    ("GET", "/open311/v2/tokens/{token}.{fmt}"): OPEN,
    ("POST", "/v1/classify"): frozenset({Role.operator, Role.dispatcher, Role.supervisor, Role.admin}),
    ("GET", "/v1/units"): ANY_STAFF,
    ("GET", "/v1/review-queue"): DISPATCH,
    ("POST", "/v1/work-orders/{order_id}/review"): DISPATCH,
    ("POST", "/v1/work-orders/{order_id}/reassign"): DISPATCH,
    ("POST", "/v1/work-orders/{order_id}/unlink"): DISPATCH,
    ("GET", "/v1/work-orders/{order_id}/clocks"): STAFF_OR_UNIT,
    ("GET", "/v1/work-orders/{order_id}"): STAFF_OR_UNIT,
    ("POST", "/v1/work-orders/{order_id}/claim"): UNIT,
    ("POST", "/v1/work-orders/{order_id}/first-contact"): UNIT,
    ("POST", "/v1/work-orders/{order_id}/progress"): UNIT,
    ("POST", "/v1/work-orders/{order_id}/request-assistance"): UNIT,
    ("POST", "/v1/work-orders/{order_id}/resolve"): UNIT,
    ("POST", "/v1/work-orders/{order_id}/return"): UNIT,
    ("GET", "/v1/units/{unit}/work-orders"): STAFF_OR_UNIT,
    ("GET", "/v1/work-orders"): READERS,
    ("GET", "/v1/audit"): REPORTS,
    ("GET", "/v1/reports/631"): REPORTS,
    ("GET", "/v1/reports/631/orders"): REPORTS,
    ("GET", "/v1/reports/rates"): REPORTS,
    ("GET", "/v1/reports/assessment"): REPORTS,
    ("GET", "/v1/reports/hotspots"): REPORTS,
    ("GET", "/v1/reports/hotspots/orders"): REPORTS,
    ("GET", "/v1/reports/supervision"): REPORTS,
    ("GET", "/v1/reports/stages"): REPORTS,
    ("GET", "/v1/reports/trend"): REPORTS,
    ("GET", "/v1/reports/states"): REPORTS,
    ("POST", "/v1/work-orders/{order_id}/report-up"): UNIT,
    ("POST", "/v1/work-orders/{order_id}/whistle"): UNIT,
    ("POST", "/v1/work-orders/{order_id}/report-duty"): UNIT,
    ("POST", "/v1/work-orders/{order_id}/whistle-ratings"): UNIT,
    ("POST", "/v1/work-orders/{order_id}/extension"): UNIT,
    ("GET", "/v1/extensions"): DISPATCH,
    ("POST", "/v1/extensions/{extension_id}/decision"): DISPATCH,
    ("GET", "/v1/supervision"): REPORTS,
    ("GET", "/dashboard"): REPORTS,  # a browser page: see SIGN_IN_PAGES
    ("GET", "/dashboard/data"): REPORTS,  # a key, or the dashboard's sign-in cookie
    ("GET", "/dashboard/login"): OPEN,
    ("POST", "/dashboard/login"): OPEN,  # the key in the form decides
    ("GET", "/dashboard/logout"): OPEN,  # the page with the sign-out button; the GET ends nothing
    ("POST", "/dashboard/logout"): OPEN,
    ("GET", "/dashboard/assets/{name}"): OPEN,  # script, style sheet, font: nothing secret
}

ROLES: tuple[Role, ...] = (Role.operator, Role.dispatcher, Role.unit, Role.supervisor, Role.admin,
                           Role.open311_client)


@pytest.fixture(scope="module")
async def system(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[tuple[Runtime, httpx.AsyncClient]]:
    settings = CoreSettings(data_dir=Path(tmp_path_factory.mktemp("access")), database_url=None,
                            kafka_bootstrap_servers=None)
    async with running_system(settings) as pair:
        yield pair


def _routes() -> list[tuple[str, str]]:
    app = create_combined_app(CoreSettings(database_url=None, kafka_bootstrap_servers=None))
    # The OpenAPI document lists every route the app serves (FastAPI nests included routers).
    return [(method.upper(), path) for path, item in app.openapi()["paths"].items() for method in item]


def test_every_route_has_an_entry_in_the_access_table() -> None:
    missing = [r for r in _routes() if r not in ACCESS]
    assert not missing, f"add these routes to ACCESS: {missing}"


def _url(path: str, unit: str) -> str:
    return path.replace("{order_id}", "wo_matrix_nope").replace("{unit}", unit).replace("{extension_id}", "999999")


async def test_each_role_is_let_in_or_refused_as_the_table_says(system: tuple[Runtime, httpx.AsyncClient]) -> None:
    runtime, client = system
    unit = "education"
    checked = 0
    for method, path in _routes():
        expected = ACCESS[(method, path)]
        if expected == OPEN:
            continue
        assert isinstance(expected, frozenset)
        url = _url(path, unit)
        anonymous = await client.request(method, url, headers={"Authorization": ""}, json={})
        if (method, path) in SIGN_IN_PAGES:
            assert anonymous.status_code == 303 and anonymous.headers["location"] == SIGN_IN_PAGES[(method, path)]
        else:
            assert anonymous.status_code == 401, (method, path, anonymous.text)
            assert anonymous.json()["error"] and anonymous.headers["www-authenticate"] == "Bearer"
        for role in ROLES:
            headers = await key_headers(runtime, role.value, unit if role is Role.unit else None)
            response = await client.request(method, url, headers=headers, json={})
            if role in expected:
                assert response.status_code not in (401, 403), (method, path, role, response.text)
            else:
                assert response.status_code == 403, (method, path, role, response.status_code, response.text)
            checked += 1
    assert checked == len(ROLES) * sum(1 for r in _routes() if ACCESS[r] != OPEN)


async def test_a_wrong_key_is_401_and_a_revoked_key_stops_working(system: tuple[Runtime, httpx.AsyncClient]) -> None:
    runtime, client = system
    bad = await client.get("/v1/units", headers={"Authorization": "Bearer hk_not_a_key"})
    assert bad.status_code == 401 and "not valid" in bad.json()["message"]
    headers = await key_headers(runtime, "supervisor")
    assert (await client.get("/v1/units", headers=headers)).status_code == 200
    from services.db import api_keys
    from services.keys import key_hash, revoke_key

    async with runtime.sessions() as session, session.begin():
        row = await api_keys.key_by_hash(session, key_hash(headers["Authorization"].split()[1]))
        assert row is not None
        assert await revoke_key(session, row.id, runtime.ctx.now())
    runtime.keys.forget()
    assert (await client.get("/v1/units", headers=headers)).status_code == 401


async def test_operator_channels_need_an_operator_key_and_citizen_channels_none(
    system: tuple[Runtime, httpx.AsyncClient],
) -> None:
    runtime, client = system
    body = {"channel": "12345_phone", "text": "小区门口的路灯坏了好几天了，晚上很黑。", "address": "城关镇"}
    assert (await client.post("/v1/appeals", json=body, headers={"Authorization": ""})).status_code == 401
    unit = await key_headers(runtime, "unit", "education")
    assert (await client.post("/v1/appeals", json=body, headers=unit)).status_code == 403
    assert (await client.post("/v1/appeals", json=body)).status_code == 201  # the client's operator key
    web = {**body, "channel": "web"}
    response = await client.post("/v1/appeals", json=web, headers={"Authorization": ""})
    assert response.status_code == 201 and response.json()["citizen_token"]


async def test_a_dashboard_sign_in_that_no_longer_holds_shows_the_sign_in_page(
    system: tuple[Runtime, httpx.AsyncClient],
) -> None:
    runtime, client = system
    from services.db import api_keys
    from services.keys import key_hash, revoke_key

    key = (await key_headers(runtime, "admin"))["Authorization"].split()[1]
    operator = (await key_headers(runtime, "operator"))["Authorization"].split()[1]
    no_key = {"Authorization": ""}
    form = {**no_key, "Content-Type": "application/x-www-form-urlencoded"}
    wrong_role = await client.post("/dashboard/login", content=f"key={operator}", headers=form)
    assert wrong_role.status_code == 403 and wrong_role.headers["content-type"].startswith("text/html")
    assert 'name="key"' in wrong_role.text
    signed = await client.post("/dashboard/login", content=f"key={key}", headers=form)
    cookie = {"Cookie": signed.headers["set-cookie"].split(";")[0]}
    assert (await client.get("/dashboard", headers={**no_key, **cookie})).status_code == 200
    async with runtime.sessions() as session, session.begin():
        row = await api_keys.key_by_hash(session, key_hash(key))
        assert row is not None and await revoke_key(session, row.id, runtime.ctx.now())
    runtime.keys.forget()
    page = await client.get("/dashboard", headers={**no_key, **cookie})
    assert page.status_code == 401 and page.headers["content-type"].startswith("text/html")
    assert "请重新登录" in page.text and 'hotline_dashboard=""' in page.headers["set-cookie"]
    data = await client.get("/dashboard/data", headers={**no_key, **cookie})
    assert data.status_code == 401 and data.json()["error"] == "unauthenticated"  # the script's JSON stays JSON
