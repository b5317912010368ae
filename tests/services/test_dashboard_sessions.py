"""The dashboard's sign-in is a session: the browser keeps a random id in an HttpOnly, SameSite=Strict
cookie (Secure over HTTPS), never the key; it ends after 8 hours, when unused for half an hour, on
signing out, or when its key is revoked, and a key put in the cookie signs nobody in."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from services.bootstrap import Runtime
from services.db import api_keys
from services.db.tables import DashboardSession
from services.keys import key_hash, revoke_key
from services.settings import CoreSettings
from tests.support.factories import ManualClock, key_headers, running_system

CLOCK = ManualClock(datetime(2026, 11, 17, 1, 0, tzinfo=UTC))
NO_KEY = {"Authorization": ""}


@pytest.fixture
async def system(tmp_path: Path) -> AsyncIterator[tuple[Runtime, httpx.AsyncClient]]:
    settings = CoreSettings(data_dir=tmp_path, database_url=None, kafka_bootstrap_servers=None)
    async with running_system(settings, CLOCK) as pair:
        yield pair


async def supervisor_key(runtime: Runtime) -> str:
    return (await key_headers(runtime, "supervisor"))["Authorization"].split()[1]


async def sign_in(client: httpx.AsyncClient, key: str, base: str = "http://hotline.test") -> httpx.Response:
    response = await client.post(f"{base}/dashboard/login", content=f"key={key}", headers={
        **NO_KEY, "Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 303, response.text
    return response


def session_id(response: httpx.Response) -> str:
    return response.headers["set-cookie"].split(";")[0].split("=", 1)[1]


async def shows(client: httpx.AsyncClient, sid: str) -> int:
    """The status of the dashboard's data with only the cookie."""
    return (await client.get("/dashboard/data", headers={**NO_KEY, "Cookie": f"hotline_dashboard={sid}"})).status_code


async def test_the_browser_keeps_a_random_session_id_never_the_key(system: tuple[Runtime, httpx.AsyncClient]) -> None:
    runtime, client = system
    key = await supervisor_key(runtime)
    signed = await sign_in(client, key)
    sid, cookie = session_id(signed), signed.headers["set-cookie"]
    assert key not in cookie and sid != key and len(sid) >= 40
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Max-Age=28800" in cookie
    assert "Path=/dashboard" in cookie and "Secure" not in cookie  # plain HTTP: a Secure one would be dropped
    assert await shows(client, sid) == 200
    # The database keeps only the id's hash: what it holds signs nobody in.
    async with runtime.sessions() as session:
        stored = (await session.execute(select(DashboardSession))).scalars().all()
    assert [s.id_hash for s in stored] == [key_hash(sid)] and await shows(client, stored[0].id_hash) == 401
    # The key itself in the cookie (what the cookie used to hold) is no sign-in.
    page = await client.get("/dashboard", headers={**NO_KEY, "Cookie": f"hotline_dashboard={key}"})
    assert page.status_code == 401 and "请重新登录" in page.text
    assert await shows(client, key) == 401


async def test_over_https_the_cookie_is_secure(system: tuple[Runtime, httpx.AsyncClient]) -> None:
    runtime, client = system
    signed = await sign_in(client, await supervisor_key(runtime), base="https://hotline.test")
    assert "Secure" in signed.headers["set-cookie"]
    forwarded = await client.post("https://hotline.test/dashboard/logout", headers={
        **NO_KEY, "Cookie": f"hotline_dashboard={session_id(signed)}"})
    assert forwarded.status_code == 303 and "Secure" in forwarded.headers["set-cookie"]


async def test_signing_out_ends_the_session_on_the_server(system: tuple[Runtime, httpx.AsyncClient]) -> None:
    runtime, client = system
    sid = session_id(await sign_in(client, await supervisor_key(runtime)))
    # The address typed or followed as a link shows the button and ends nothing (a GET may be
    # prefetched, or followed from another site).
    page = await client.get("/dashboard/logout", headers={**NO_KEY, "Cookie": f"hotline_dashboard={sid}"})
    assert page.status_code == 200 and 'action="/dashboard/logout"' in page.text and "set-cookie" not in page.headers
    assert await shows(client, sid) == 200
    out = await client.post("/dashboard/logout", headers={**NO_KEY, "Cookie": f"hotline_dashboard={sid}"})
    assert out.status_code == 303 and out.headers["location"] == "/dashboard/login"
    assert 'hotline_dashboard=""' in out.headers["set-cookie"]
    assert await shows(client, sid) == 401  # a copy of the cookie kept elsewhere is no use either


async def test_a_session_ends_after_eight_hours_or_when_its_key_is_revoked(
    system: tuple[Runtime, httpx.AsyncClient],
) -> None:
    runtime, client = system
    key = await supervisor_key(runtime)
    first = session_id(await sign_in(client, key))
    for _ in range(23):  # the page open all day, refreshing itself
        CLOCK.advance(timedelta(minutes=20))
        assert await shows(client, first) == 200
    CLOCK.advance(timedelta(minutes=19))  # 7 h 59 min after the sign-in
    assert await shows(client, first) == 200
    second = session_id(await sign_in(client, key))
    CLOCK.advance(timedelta(minutes=2))
    assert await shows(client, first) == 401 and await shows(client, second) == 200
    page = await client.get("/dashboard", headers={**NO_KEY, "Cookie": f"hotline_dashboard={first}"})
    assert page.status_code == 401 and 'hotline_dashboard=""' in page.headers["set-cookie"]
    CLOCK.advance(timedelta(hours=8))
    third = session_id(await sign_in(client, key))  # signing in deletes the sessions that have ended
    async with runtime.sessions() as session:
        assert (await session.execute(select(DashboardSession.id_hash))).scalars().all() == [key_hash(third)]
    async with runtime.sessions() as session, session.begin():
        row = await api_keys.key_by_hash(session, key_hash(key))
        assert row is not None and await revoke_key(session, row.id, runtime.ctx.now())
    assert await shows(client, third) == 401


async def test_a_session_not_used_for_half_an_hour_ends(system: tuple[Runtime, httpx.AsyncClient]) -> None:
    runtime, client = system
    sid = session_id(await sign_in(client, await supervisor_key(runtime)))

    async def ends() -> datetime:
        async with runtime.sessions() as session:
            return (await session.execute(select(DashboardSession.expires_at))).scalar_one()

    signed_in_until = await ends()
    CLOCK.advance(timedelta(seconds=30))
    assert await shows(client, sid) == 200 and await ends() == signed_in_until  # not a write per refresh
    CLOCK.advance(timedelta(minutes=29))
    assert await shows(client, sid) == 200 and await ends() == runtime.ctx.now() + timedelta(minutes=30)
    CLOCK.advance(timedelta(minutes=30, seconds=1))  # the browser closed
    assert await shows(client, sid) == 401
    page = await client.get("/dashboard", headers={**NO_KEY, "Cookie": f"hotline_dashboard={sid}"})
    assert page.status_code == 401 and "长时间未使用" in page.text


async def test_a_key_that_may_not_read_reports_opens_no_session(system: tuple[Runtime, httpx.AsyncClient]) -> None:
    runtime, client = system
    operator = (await key_headers(runtime, "operator"))["Authorization"].split()[1]
    refused = await client.post("/dashboard/login", content=f"key={operator}", headers={
        **NO_KEY, "Content-Type": "application/x-www-form-urlencoded"})
    assert refused.status_code == 403 and "set-cookie" not in refused.headers
    async with runtime.sessions() as session:
        assert (await session.execute(select(DashboardSession))).scalars().all() == []


async def test_the_sign_in_page_says_the_key_is_not_kept_and_asks_for_one_left_empty(
    system: tuple[Runtime, httpx.AsyncClient],
) -> None:
    _, client = system
    page = (await client.get("/dashboard/login", headers=NO_KEY)).text
    assert "密钥不会保存在浏览器中" in page and "Cookie" not in page
    assert "8 小时内有效，30 分钟不用后失效" in page and "{{" not in page  # the configured idle time
    empty = await client.post("/dashboard/login", content="key=", headers={
        **NO_KEY, "Content-Type": "application/x-www-form-urlencoded"})
    assert empty.status_code == 401 and "请输入密钥" in empty.text and "set-cookie" not in empty.headers
