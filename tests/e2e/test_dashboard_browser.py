"""The ops dashboard in a real headless Chromium: a seeded run served over HTTP, the browser is
sent to the sign-in page, signs in with a supervisor key (the browser keeps a session id in an
HttpOnly cookie, never the key), the page shows that run's numbers, and signing out ends the
session; it loads nothing from anywhere but the app. The screenshot is kept as a test artifact
(HOTLINE_TEST_ARTIFACTS, default var/test-artifacts)."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from services.apps.combined import create_combined_app
from services.bootstrap import Runtime
from services.settings import CoreSettings
from tests.support.broker import free_port
from tests.support.browser import Chromium, chromium_path
from tests.support.factories import ManualClock, key_headers, running_system
from tests.support.seeding import seed

START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
ARTIFACTS = Path(os.environ.get("HOTLINE_TEST_ARTIFACTS", Path(__file__).parents[2] / "var" / "test-artifacts"))

if chromium_path() is None and not os.environ.get("CI"):
    pytest.skip("chromium is not installed here (CI installs it: apt-get install chromium)", allow_module_level=True)


# For each button and input of the page: does it use the body's font?
FORM_FONTS = """[...document.querySelectorAll('button, input')].map((e) =>
    getComputedStyle(e).fontFamily === getComputedStyle(document.body).fontFamily ? 'same'
    : getComputedStyle(e).fontFamily)"""


@contextlib.asynccontextmanager
async def served(runtime: Runtime, settings: CoreSettings) -> AsyncIterator[str]:
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_combined_app(settings, runtime=runtime), host="127.0.0.1",
                                           port=port, log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve())
    try:
        for _ in range(200):
            if server.started:
                break
            await asyncio.sleep(0.05)
        assert server.started, "uvicorn did not start"
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 10)


async def test_a_supervisor_signs_in_and_sees_the_seeded_numbers(tmp_path: Path) -> None:
    settings = CoreSettings(data_dir=tmp_path / "db", database_url=None, kafka_bootstrap_servers=None)
    clock = ManualClock(START)
    async with running_system(settings, clock) as (runtime, client):
        orders = await seed(runtime, client, clock)
        supervisor = await key_headers(runtime, "supervisor")
        expected: dict[str, Any] = (await client.get("/dashboard/data", headers=supervisor)).json()
        states = Counter(o["state"] for o in orders.values())
        assert expected["states"] == dict(states)
        async with served(runtime, settings) as base:
            browser = Chromium(tmp_path / "profile")
            try:
                await browser.start()
                await browser.open(f"{base}/dashboard")
                # readyState complete: its style sheet applied (read before it, the form's fonts were the
                # browser's own — a failure seen under load)
                await browser.until("location.pathname === '/dashboard/login' && !!document.getElementById('key')"
                                    " && document.readyState === 'complete'", what="the sign-in page")
                login_fonts = await browser.evaluate(FORM_FONTS)
                key = supervisor["Authorization"].split()[1]
                await browser.evaluate(f"document.getElementById('key').value = {key!r}; "
                                       "document.querySelector('form').submit(); true")
                await browser.until("location.pathname === '/dashboard' && !!document.body.dataset.ready",
                                    timeout=60, what="the dashboard with its data")
                await browser.until("document.fonts.ready.then(() => document.fonts.check('16px \"Hotline Sans\"'))",
                                    what="the dashboard's own font")
                shown = await browser.evaluate("""(() => {
                    const v = (id) => document.querySelector('#' + id + ' .value').textContent;
                    return {closed: v('state-closed'), total: v('state-total'),
                            r631: document.getElementById('r631-total').textContent,
                            village: document.getElementById('r631-village').textContent,
                            satisfaction: v('rate-satisfaction'),
                            ranking: document.querySelectorAll('#ranking tbody tr').length,
                            hotspots: document.querySelectorAll('#hotspots tbody tr').length,
                            day_bars: document.querySelectorAll('#svg-days rect').length,
                            week_bars: document.querySelectorAll('#svg-weeks rect').length,
                            title: document.querySelector('h1').textContent};
                })()""")
                page_fonts = await browser.evaluate(FORM_FONTS)
                cookies = await browser.cookies()
                visible_to_scripts = await browser.evaluate("document.cookie")
                shot = await browser.screenshot(ARTIFACTS / "dashboard.png")
                # Signing out (退出) ends the session: the cookie the browser had no longer shows anything.
                session_id = next(c["value"] for c in cookies if c["name"] == "hotline_dashboard")
                await browser.evaluate(
                    "document.querySelector('form[action=\"/dashboard/logout\"] button').click(); true")
                await browser.until("location.pathname === '/dashboard/login' && !!document.getElementById('key')",
                                    what="the sign-in page after signing out")
                after_sign_out = await browser.cookies()
                signed_out_session = (await client.get("/dashboard/data", headers={
                    "Authorization": "", "Cookie": f"hotline_dashboard={session_id}"})).status_code
            finally:
                await browser.stop()

    print(f"\ndashboard screenshot: {shot}")
    assert shot.stat().st_size > 10_000
    assert shown["title"] == "12345热线运行监测"
    # Buttons and inputs use the page's own font (a browser gives them the system's by default, which
    # has no Chinese on a machine without CJK fonts: the sign-out button was two boxes).
    assert login_fonts == ["same"] * 2 and page_fonts == ["same"], (login_fonts, page_fonts)
    assert shown["closed"] == str(states["closed"]) and shown["total"] == str(len(orders))
    assert shown["r631"] == f"本月关闭 {expected['report_631']['total']} 件"
    village = next(level for level in expected["report_631"]["levels"] if level["level"] == "village")
    assert shown["village"].startswith(f"村/社区{village['count']} 件 {village['share'] * 100:.1f}%")
    assert shown["satisfaction"] == f"{expected['rates']['overall']['satisfaction']['value'] * 100:.1f}%"
    assert shown["ranking"] == len(expected["ranking"]) > 0
    assert shown["hotspots"] == len(expected["hotspots"]) > 0
    assert shown["day_bars"] == 30 and shown["week_bars"] == 3 * 12
    session = next(c for c in cookies if c["name"] == "hotline_dashboard")
    # A random session id, not the key; not Secure over plain HTTP (a browser drops a Secure cookie
    # sent by any host but localhost without TLS: the dashboard served on a LAN address never signed in).
    assert session["httpOnly"] and not session["secure"] and session["sameSite"] == "Strict"
    assert session["value"] != key and key not in session["value"] and session["path"] == "/dashboard"
    assert "hotline_dashboard" not in visible_to_scripts
    assert "hotline_dashboard" not in {c["name"] for c in after_sign_out}
    assert signed_out_session == 401
    assert browser.requested and all(url.startswith(base) for url in browser.requested), browser.requested


async def test_the_dashboard_asks_for_a_key_and_refuses_other_roles(tmp_path: Path) -> None:
    settings = CoreSettings(data_dir=tmp_path, database_url=None, kafka_bootstrap_servers=None)
    async with running_system(settings) as (runtime, client):
        anonymous = {"Authorization": ""}
        page = await client.get("/dashboard", headers=anonymous)
        assert page.status_code == 303 and page.headers["location"] == "/dashboard/login"
        assert (await client.get("/dashboard/data", headers=anonymous)).status_code == 401
        unit = (await key_headers(runtime, "unit", "education"))["Authorization"].split()[1]
        refused = await client.post("/dashboard/login", content=f"key={unit}", headers={
            **anonymous, "Content-Type": "application/x-www-form-urlencoded"})
        assert refused.status_code == 403 and "set-cookie" not in refused.headers
        wrong = await client.post("/dashboard/login", content="key=hk_nope", headers={
            **anonymous, "Content-Type": "application/x-www-form-urlencoded"})
        assert wrong.status_code == 401 and "密钥无效" in wrong.text
        admin = (await key_headers(runtime, "admin"))["Authorization"].split()[1]
        signed = await client.post("/dashboard/login", content=f"key={admin}", headers={
            **anonymous, "Content-Type": "application/x-www-form-urlencoded"})
        assert signed.status_code == 303
        cookie = signed.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie and admin not in cookie
        assert "Secure" not in cookie  # plain HTTP (tests/services/test_dashboard_sessions.py: Secure over HTTPS)
        for name in ("dashboard.js", "dashboard.css", "noto-sans-sc-subset.woff"):
            assert (await client.get(f"/dashboard/assets/{name}", headers=anonymous)).status_code == 200
        assert (await client.get("/dashboard/assets/..%2Fconsumer.py", headers=anonymous)).status_code == 404
        served_page = (await client.get("/dashboard", headers={"Authorization": f"Bearer {admin}"}))
        assert "default-src 'self'" in served_page.headers["content-security-policy"]
        assert "http://" not in served_page.text and "https://" not in served_page.text
