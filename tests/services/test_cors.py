"""Citizens' web front ends call the API from their own origin: the configured origins get CORS
answers (preflight included, error bodies too), any other origin none."""

from __future__ import annotations

from pathlib import Path

from services.settings import CoreSettings
from tests.support.factories import running_system

FRONT = "https://wx.hotline.example.cn"


async def test_a_configured_front_end_may_call_the_api_from_a_browser_and_no_other_origin(tmp_path: Path) -> None:
    settings = CoreSettings(data_dir=tmp_path, database_url=None, kafka_bootstrap_servers=None,
                            cors_origins=f"{FRONT}, https://web.hotline.example.cn")
    async with running_system(settings) as (_, client):
        preflight = await client.options("/v1/appeals", headers={
            "Origin": FRONT, "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type,idempotency-key"})
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == FRONT
        assert "idempotency-key" in preflight.headers["access-control-allow-headers"].lower()

        # The citizen follows, withdraws and rates their order with the token in X-Citizen-Token.
        follow = await client.options("/v1/appeals/wo_x", headers={
            "Origin": FRONT, "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "x-citizen-token"})
        assert follow.status_code == 200, follow.text
        assert "x-citizen-token" in follow.headers["access-control-allow-headers"].lower()

        bad = await client.post("/v1/appeals", json={"channel": "web"}, headers={"Origin": FRONT})
        assert bad.status_code == 422 and bad.headers["access-control-allow-origin"] == FRONT

        stranger = await client.options("/v1/appeals", headers={
            "Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
        assert stranger.status_code == 400 and "access-control-allow-origin" not in stranger.headers


async def test_without_configured_origins_no_cors_headers_are_sent(tmp_path: Path) -> None:
    settings = CoreSettings(data_dir=tmp_path, database_url=None, kafka_bootstrap_servers=None)
    async with running_system(settings) as (_, client):
        answer = await client.get("/healthz", headers={"Origin": FRONT})
        assert "access-control-allow-origin" not in answer.headers
