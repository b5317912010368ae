"""A seeded run for the report tests and the dashboard: every demo appeal, worked by its units."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import yaml

from services.bootstrap import Runtime
from tests.support.factories import ManualClock, key_headers

DEMO_APPEALS = Path(__file__).parents[2] / "services" / "data" / "demo_appeals.yaml"


async def seed(runtime: Runtime, client: httpx.AsyncClient, clock: ManualClock) -> dict[str, dict[str, Any]]:
    """Every demo appeal; units claim and resolve what they get; every fourth citizen is unsatisfied
    once (reopened, resolved again, then satisfied). Returns the orders as the API shows them."""
    ids = []
    for n, appeal in enumerate(yaml.safe_load(DEMO_APPEALS.read_text(encoding="utf-8"))):
        body = (await client.post("/v1/appeals", json=appeal)).json()
        ids.append((body["work_order_id"], body["citizen_token"], n))
    await runtime.relay.drain()
    for order_id, token, n in ids:
        for round_ in range(2 if n % 4 == 0 else 1):
            order = (await client.get(f"/v1/work-orders/{order_id}")).json()
            if order["state"] != "dispatched":
                break
            unit = await key_headers(runtime, "unit", order["unit"])
            clock.advance(timedelta(minutes=20))
            assert (await client.post(f"/v1/work-orders/{order_id}/claim", json={}, headers=unit)).status_code == 200
            assert (await client.post(f"/v1/work-orders/{order_id}/resolve", json={"reply": "已处理"},
                                      headers=unit)).status_code == 200
            rating = "unsatisfied" if n % 4 == 0 and round_ == 0 else "satisfied"
            assert (await client.post(f"/v1/work-orders/{order_id}/rate", json={
                "rating": rating, "solved": rating == "satisfied", "citizen_token": token})).status_code == 200
    await runtime.relay.drain()
    return {order_id: (await client.get(f"/v1/work-orders/{order_id}")).json() for order_id, _, _ in ids}
