"""Small builders for test data and the runtime under test."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Any

import httpx

from schemas.access import Role
from services.apps.combined import create_combined_app
from services.bootstrap import Runtime, build_context, build_runtime
from services.keys import create_key
from services.settings import CoreSettings

WATER_OUTAGE = "我们小区从昨天早上开始停水，到现在还没来水，也没有任何通知，老人小孩都没水用。"
NEIGHBOUR_NOISE = "楼上邻居每天半夜在家里敲敲打打，吵得人睡不着，上门沟通也没用，请社区帮忙调解。"


def appeal(text: str = WATER_OUTAGE, **fields: Any) -> dict[str, Any]:
    return {"channel": "12345_phone", "text": text, "address": "城关镇", **fields}


class ManualClock:
    """Injected time: tests move it on instead of sleeping until a deadline."""

    def __init__(self, start: datetime) -> None:
        self.current = start

    def __call__(self) -> datetime:
        return self.current

    def advance(self, delta: timedelta) -> None:
        self.current += delta


async def key_headers(runtime: Runtime, role: str, unit: str | None = None) -> dict[str, str]:
    """Authorization headers of a key for `role` (and `unit`), issued once per runtime."""
    cache: dict[tuple[str, str | None], dict[str, str]] = runtime.__dict__.setdefault("_test_keys", {})
    if (role, unit) not in cache:
        async with runtime.sessions() as session, session.begin():
            issued = await create_key(session, role=Role(role), unit=unit, name=f"test {role} {unit or ''}".strip(),
                                      now=runtime.ctx.now(), known_units=lambda c: c in runtime.ctx.router.units())
        cache[(role, unit)] = {"Authorization": f"Bearer {issued.secret}"}
    return cache[(role, unit)]


async def as_unit(runtime: Runtime, unit: str) -> dict[str, str]:
    return await key_headers(runtime, "unit", unit)


@asynccontextmanager
async def running_system(
    settings: CoreSettings, clock: ManualClock | None = None
) -> AsyncIterator[tuple[Runtime, httpx.AsyncClient]]:
    """The all-in-one app over a started runtime, with an HTTP client talking to it in-process.
    The client sends an operator's key unless a request gives its own Authorization header."""
    if clock is not None and "sweep_seconds" not in settings.model_fields_set:
        # With injected time the test says when to sweep (runtime.sweeper.run_once), unless it names
        # an interval: a sweep on the wall clock's timer would land between its steps at random.
        settings = settings.model_copy(update={"sweep_seconds": 24 * 3600.0})
    if clock is not None and "unrated_check_seconds" not in settings.model_fields_set:
        # Likewise the job that closes unrated orders: the test runs it (services.scheduled).
        settings = settings.model_copy(update={"unrated_check_seconds": 24 * 3600.0})
    ctx = build_context(settings, now=clock) if clock else None
    runtime = await build_runtime(settings, ctx=ctx)
    await runtime.start()
    app = create_combined_app(settings, runtime=runtime)
    try:
        operator = await key_headers(runtime, "operator")
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hotline.test",
                                     headers=operator) as c:
            c.runtime = runtime  # type: ignore[attr-defined]
            yield runtime, c
    finally:
        await runtime.stop()


async def order_in_state(client: httpx.AsyncClient, order_id: str, *states: str) -> dict[str, Any] | None:
    body: dict[str, Any] = (await client.get(f"/v1/work-orders/{order_id}")).json()
    return body if body.get("state") in states else None


async def unit_acts(client: httpx.AsyncClient, order_id: str, unit: str, step: str,
                    body: dict[str, Any] | None = None) -> httpx.Response:
    """`unit` does `step` (claim, resolve, return, …) to the order with its own key."""
    headers = await as_unit(client.runtime, unit)  # type: ignore[attr-defined]
    return await client.post(f"/v1/work-orders/{order_id}/{step}", json=body or {}, headers=headers)


async def close_the_loop(client: httpx.AsyncClient, order_id: str, unit: str, token: str | None) -> dict[str, Any]:
    """The unit claims and resolves, the citizen is satisfied; returns the closed order."""
    for step, body in (("claim", {}), ("resolve", {"reply": "已处理，已回复群众"})):
        response = await unit_acts(client, order_id, unit, step, body)
        assert response.status_code == 200, response.text
    response = await client.post(f"/v1/work-orders/{order_id}/rate",
                                 json={"rating": "satisfied", "solved": True, "citizen_token": token})
    assert response.status_code == 200, response.text
    closed: dict[str, Any] = (await client.get(f"/v1/work-orders/{order_id}")).json()
    return closed
