"""Auto-dispatch follows the centre's own history: the router service learns per-matter review
thresholds from past dispatches (returns and dispatcher corrections count against a matter), so a
matter units keep sending back waits for a dispatcher however sure the router is, and a matter
that always held is dispatched from a lower confidence than the default."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from schemas.lifecycle import State
from services.bootstrap import Runtime
from services.db.tables import RoutingCorrection, WorkOrder
from services.settings import CoreSettings
from tests.support.factories import appeal, order_in_state, running_system
from tests.support.waiting import eventually

WAGES = ("我在工地干了三个月活，老板一直拖欠工资不给，怎么办？",
         "包工头欠我们八个人两个月工钱，年底了还不结，请帮忙讨薪。")
LOOSE_COVER = ("新华小区外面路边的雨水篦子松动了，踩上去晃",  # two compounds: two incidents, no 并单
               "翠湖苑外面路边的雨水篦子松动了，踩上去晃")


@pytest.fixture
async def system(tmp_path: Path) -> AsyncIterator[tuple[Runtime, httpx.AsyncClient]]:
    settings = CoreSettings(data_dir=tmp_path, database_url=None, kafka_bootstrap_servers=None,
                            relay_poll_seconds=0.05)
    async with running_system(settings) as pair:
        yield pair


async def _past_orders(runtime: Runtime, matter: str, confidences: list[float], *, returned: int = 0,
                       overridden: int = 0) -> None:
    """Orders the router once sent for `matter`: the first `returned` came back from the unit, the
    next `overridden` a dispatcher sent elsewhere, the rest closed where they were sent."""
    at = runtime.ctx.now() - timedelta(days=10)
    async with runtime.sessions() as session, session.begin():
        for i, confidence in enumerate(confidences):
            wid = f"wo_hist_{uuid.uuid4().hex[:16]}"
            bad_return, bad_override = i < returned, returned <= i < returned + overridden
            session.add(WorkOrder(
                id=wid, channel="12345_phone", fingerprint=wid[-16:], text="（历史工单）", text_masked="（历史工单）",
                confidential=False, state=State.dispatched.value if bad_return or bad_override else State.closed.value,
                return_count=1 if bad_return else 0, reopen_count=0, supervision_level="none", matter=matter,
                confidence=confidence, routing={"redirect": None, "matter": matter, "confidence": confidence},
                created_at=at, updated_at=at))
            if bad_override:
                await session.flush()
                session.add(RoutingCorrection(work_order_id=wid, at=at, source="review_override", actor="dispatcher",
                                              text="（历史工单）", original_unit="x", original_matter=matter,
                                              corrected_unit="township", corrected_level="township"))


async def _routed(client: httpx.AsyncClient, text: str) -> dict[str, object]:
    order_id = (await client.post("/v1/appeals", json=appeal(text))).json()["work_order_id"]
    order = await eventually(lambda: order_in_state(client, order_id, "dispatched", "pending_review"),
                             what="routed")
    assert order is not None
    return order


async def test_history_moves_a_matter_in_or_out_of_auto_dispatch(system: tuple[Runtime, httpx.AsyncClient]) -> None:
    runtime, client = system
    router, default = runtime.ctx.router, runtime.ctx.review_threshold
    sure = [router.route(t, address="城关镇") for t in WAGES]
    unsure = [router.route(t, address="城关镇") for t in LOOSE_COVER]
    # the premise: the router is sure of the wages, unsure of the loose covers
    assert all(d.confidence >= default for d in sure) and all(d.confidence < default for d in unsure)
    assert len({d.matter for d in sure}) == 1 and len({d.matter for d in unsure}) == 1

    # no history: the configured default decides
    assert (await _routed(client, WAGES[0]))["state"] == "dispatched"
    assert (await _routed(client, LOOSE_COVER[0]))["state"] == "pending_review"

    # units keep returning (and dispatchers correcting) the wage orders the router was sure of;
    # every loose-cover order, sure or not, closed where it was sent
    await _past_orders(runtime, str(sure[0].matter), [0.99] * 40, returned=10, overridden=5)
    low = min(d.confidence for d in unsure)
    await _past_orders(runtime, str(unsure[0].matter),
                       [round(low - 0.05 + 0.005 * (i % 80), 3) for i in range(120)])
    learned = await runtime.refresh_review_thresholds()
    assert learned.for_matter(sure[0].matter) > 1.0
    assert learned.for_matter(unsure[0].matter) <= low

    wages = await _routed(client, WAGES[1])
    assert wages["state"] == "pending_review"
    cover = await _routed(client, LOOSE_COVER[1])
    assert cover["state"] == "dispatched"
