"""The four services as separate processes (`hotline serve …`) on PostgreSQL + Kafka: intake over
HTTP, routing by the router process's consumer, a unit claiming over REST and resolving over the
Kafka reply topic, the citizen rating, and the 631 report from the feedback process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from tests.support.broker import TansuBroker, free_port
from tests.support.postgres import create_database, drop_database
from tests.support.shared_secrets import SHARED_SECRETS
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

SERVICES = ("intake", "router", "escalation", "feedback")


@pytest.fixture(scope="module")
async def pg_url() -> AsyncIterator[str]:
    """This deployment's own database. The session's shared one holds records sealed by in-process tests
    with keys of their own, which these services' keys cannot open: they would refuse to start, as a
    deployment must (`hotline serve` checks its keys open the newest sealed record)."""
    name, url = await create_database()
    try:
        yield url
    finally:
        await drop_database(name)


@pytest.fixture(scope="module")
def services(pg_url: str, broker: TansuBroker, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    logs = Path(tmp_path_factory.mktemp("services"))
    env = {
        **os.environ,
        "DATABASE_URL": pg_url,
        "KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap,
        "HOTLINE_RELAY_POLL_SECONDS": "0.05",
        "HOTLINE_KAFKA_CLIENT_ID": "hotline-e2e",
        **SHARED_SECRETS,  # shared by every service, as deploy/ does
    }
    processes: list[subprocess.Popen[bytes]] = []
    urls: dict[str, str] = {}
    try:
        for name in SERVICES:
            port = free_port()
            processes.append(
                subprocess.Popen(
                    [sys.executable, "-m", "services.cli", "serve", name, "--port", str(port)],
                    env=env,
                    stdout=(logs / f"{name}.log").open("wb"),
                    stderr=subprocess.STDOUT,
                )
            )
            urls[name] = f"http://127.0.0.1:{port}"
        yield urls
    finally:
        for p in processes:
            p.terminate()
        for p in processes:
            try:
                p.wait(15)
            except subprocess.TimeoutExpired:
                p.kill()


def cli_key(pg_url: str, role: str, unit: str | None = None) -> dict[str, str]:
    """A key issued the way an administrator does it: `hotline keys create`."""
    args = [sys.executable, "-m", "services.cli", "keys", "create", "--role", role, "--name", f"e2e {role}"]
    out = subprocess.run(
        [*args, *(["--unit", unit] if unit else [])],
        env={**os.environ, "DATABASE_URL": pg_url},
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    secret = next(line.split()[1] for line in out.splitlines() if line.startswith("key:"))
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture(scope="module")
async def clients(services: dict[str, str]) -> AsyncIterator[dict[str, httpx.AsyncClient]]:
    made = {name: httpx.AsyncClient(base_url=url, timeout=20) for name, url in services.items()}
    try:
        for name, client in made.items():

            async def ready(c: httpx.AsyncClient = client) -> bool:
                try:
                    return (await c.get("/readyz")).status_code == 200
                except httpx.HTTPError:
                    return False

            await eventually(ready, timeout=90, interval=0.3, what=f"{name} ready")
        yield made
    finally:
        for client in made.values():
            await client.aclose()


async def test_closed_loop_across_separate_service_processes(
    clients: dict[str, httpx.AsyncClient], broker: TansuBroker, pg_url: str
) -> None:
    supervisor = cli_key(pg_url, "supervisor")
    intake, feedback = clients["intake"], clients["feedback"]
    for name, client in clients.items():
        assert (await client.get("/healthz")).json() == {"status": "ok"}
        assert "hotline_" in (await client.get("/metrics")).text, name
        assert (await client.get("/openapi.json")).json()["info"]["title"].lower().endswith(name)

    before = {
        r["level"]: r["count"] for r in (await feedback.get("/v1/reports/631", headers=supervisor)).json()["levels"]
    }
    text = "小区里的路灯坏了一个多星期，晚上出门黑漆漆的，老人摔了好几次。"
    accepted = await intake.post(
        "/v1/appeals",
        json={"channel": "mini_program", "text": text, "address": "城关镇解放社区", "external_id": "e2e-1"},
    )
    assert accepted.status_code == 201, accepted.text
    order_id, token = accepted.json()["work_order_id"], accepted.json()["citizen_token"]

    async def dispatched() -> dict[str, Any] | None:
        body: dict[str, Any] = (await feedback.get(f"/v1/work-orders/{order_id}", headers=supervisor)).json()
        return body if body["state"] == "dispatched" else None

    order = await eventually(dispatched, timeout=180, what="dispatch by the router process")
    unit = cli_key(pg_url, "unit", order["unit"])
    clocks = (await clients["escalation"].get(f"/v1/work-orders/{order_id}/clocks", headers=unit)).json()
    assert clocks["resolve_due"] == order["resolve_due"]

    claimed = await feedback.post(f"/v1/work-orders/{order_id}/claim", json={}, headers=unit)
    assert claimed.status_code == 200, claimed.text

    # The unit's system answers over Kafka instead of REST.
    producer = AIOKafkaProducer(bootstrap_servers=broker.bootstrap, acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(
            "hotline.unit-replies",
            key=order_id.encode(),
            value=json.dumps({"unit": order["unit"], "reply": "路灯已修好"}).encode(),
            headers=[
                ("ce_specversion", b"1.0"),
                ("ce_id", uuid.uuid4().hex.encode()),
                ("ce_source", f"urn:hotline:unit:{order['unit']}".encode()),
                ("ce_type", b"org.hotline.unit.resolve"),
                ("ce_subject", order_id.encode()),
                ("content-type", b"application/json"),
            ],
        )
    finally:
        await producer.stop()

    async def resolved() -> dict[str, Any] | None:
        body: dict[str, Any] = (await feedback.get(f"/v1/work-orders/{order_id}", headers=supervisor)).json()
        return body if body["state"] == "resolved" else None

    await eventually(resolved, timeout=180, what="resolution over the reply topic")
    rated = await feedback.post(
        f"/v1/work-orders/{order_id}/rate", json={"rating": "satisfied", "solved": True, "citizen_token": token}
    )
    assert rated.status_code == 200 and rated.json()["state"] == "closed"
    level = (await feedback.get(f"/v1/work-orders/{order_id}", headers=supervisor)).json()["resolved_level"]

    async def counted() -> bool:  # the reports consumer reads the lifecycle topic in its own time
        report = (await feedback.get("/v1/reports/631", headers=supervisor)).json()
        return {r["level"]: r["count"] for r in report["levels"]}[level] == before[level] + 1

    await eventually(counted, what="the close in the 631 report")
