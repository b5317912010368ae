"""The dispatchers' review queue: shaky routing and returned orders wait there; overrides and
re-dispatches after a return become corrections the router learns from; emergencies are
redirected at once."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from router.service import Router
from services.bootstrap import Runtime
from services.bus.memory import InProcessBus
from services.db.tables import RoutingCorrection, WorkOrder
from services.review import load_training_history
from services.settings import CoreSettings
from tests.support.factories import appeal, key_headers, order_in_state, running_system, unit_acts
from tests.support.waiting import eventually

VAGUE = "你好，我想问一下，那个，就是上次说的那个事情，到底怎么样了？"
FIRE = "楼下仓库着火了，火很大，浓烟往楼上冒，有人被困在三楼出不来！"


@pytest.fixture(scope="module")
async def system(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[tuple[Runtime, httpx.AsyncClient]]:
    settings = CoreSettings(
        data_dir=Path(tmp_path_factory.mktemp("review")),
        database_url=None,
        kafka_bootstrap_servers=None,
        relay_poll_seconds=0.05,
    )
    async with running_system(settings) as pair:
        yield pair


async def test_vague_appeal_waits_for_a_dispatcher_whose_override_is_recorded(
    system: tuple[Runtime, httpx.AsyncClient],
) -> None:
    runtime, client = system
    order_id, item, done = await override_vague_appeal_to_water(client)
    assert item["why"].startswith("router confidence") and item["suggestion"]["explanation"]
    # No history yet: the threshold is the configured default, not one learned for its matter.
    assert item["why"].endswith("below the review threshold 0.80"), item["why"]
    assert done.status_code == 200, done.text
    assert done.json() == {
        "work_order_id": order_id,
        "state": "dispatched",
        "unit": "water_utility",
        "matter": "water_utility.outage",
    }
    async with runtime.sessions() as session:
        corrections = (
            (await session.execute(select(RoutingCorrection).where(RoutingCorrection.work_order_id == order_id)))
            .scalars()
            .all()
        )
    assert [(c.source, c.corrected_unit, c.corrected_dept) for c in corrections] == [
        ("review_override", "water_utility", "water_utility")
    ]
    assert order_id not in [
        i["work_order_id"] for i in await queued(client)
    ]


async def test_returned_order_comes_back_to_review_and_its_redispatch_is_a_correction(
    system: tuple[Runtime, httpx.AsyncClient],
) -> None:
    runtime, client = system
    order_id = (await client.post("/v1/appeals", json=appeal())).json()["work_order_id"]
    order = await eventually(lambda: order_in_state(client, order_id, "dispatched"), what="dispatch")
    returned = await unit_acts(client, order_id, order["unit"], "return",
                               {"reason": "not_our_remit", "text": "该小区为自建供水，不属我司"})
    assert returned.status_code == 200 and returned.json()["state"] == "pending_review"
    item = next(
        i
        for i in await queued(client)
        if i["work_order_id"] == order_id
    )
    assert item["returned_by"] == order["unit"]

    refused = await client.post(
        f"/v1/work-orders/{order_id}/review", json={"action": "confirm"}, headers=await dispatcher(client)
    )
    assert refused.status_code == 409  # the suggestion is the unit that just returned it

    to = "vl_chengguan_jiefang" if order["unit"] != "vl_chengguan_jiefang" else "tw_chengguan"
    done = await client.post(
        f"/v1/work-orders/{order_id}/review", json={"action": "override", "unit": to}, headers=await dispatcher(client)
    )
    assert done.status_code == 200 and done.json()["unit"] == to
    async with runtime.sessions() as session:
        sources = (
            (await session.execute(select(RoutingCorrection.source).where(RoutingCorrection.work_order_id == order_id)))
            .scalars()
            .all()
        )
    assert sources == ["unit_return"]


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"action": "override"}, "unit"),
        ({"action": "invalidate"}, "reason"),
        ({"action": "override", "unit": "no_such_unit"}, "no_such_unit"),
        ({"action": "override", "unit": "tax", "matter": "no.such"}, "no.such"),
        # a county department given another's matter: the order read tax / urban_mgmt.street_lights /
        # dept urban_mgmt, and the router learned that correction
        ({"action": "override", "unit": "tax", "matter": "urban_mgmt.street_lights"}, "urban_mgmt.street_lights"),
        ({"action": "merge", "merge_into": "SELF"}, "merged into itself"),  # SELF: the order's own id
    ],
)
async def test_incomplete_review_is_refused_naming_what_is_missing(
    system: tuple[Runtime, httpx.AsyncClient], body: dict[str, str], named: str
) -> None:
    _, client = system
    order_id = (await client.post("/v1/appeals", json=appeal(VAGUE))).json()["work_order_id"]
    await eventually(lambda: order_in_state(client, order_id, "pending_review"), what="review queue")
    body = {k: order_id if v == "SELF" else v for k, v in body.items()}
    response = await client.post(f"/v1/work-orders/{order_id}/review", json=body, headers=await dispatcher(client))
    assert response.status_code == 422 and named in response.json()["message"], response.text
    assert "Value error" not in response.text
    assert (await client.get(f"/v1/work-orders/{order_id}")).json()["state"] == "pending_review"


async def _waiting(client: httpx.AsyncClient, text: str) -> str:
    order_id = (await client.post("/v1/appeals", json=appeal(text))).json()["work_order_id"]
    await eventually(lambda: order_in_state(client, order_id, "pending_review"), what="review queue")
    return order_id


async def test_a_dispatcher_cannot_merge_two_orders_into_each_other(system: tuple[Runtime, httpx.AsyncClient]) -> None:
    """B merged into A, then A into B made a loop: both `merged`, each following the other, gone
    from the queue, and nobody ever working the incident."""
    _, client = system
    first, second = await _waiting(client, VAGUE), await _waiting(client, VAGUE.replace("那个事情", "那件事"))
    headers = await dispatcher(client)
    merged = await client.post(f"/v1/work-orders/{second}/review", json={"action": "merge", "merge_into": first},
                               headers=headers)
    assert merged.status_code == 200, merged.text
    loop = await client.post(f"/v1/work-orders/{first}/review", json={"action": "merge", "merge_into": second},
                             headers=headers)
    assert loop.status_code == 422 and "merge_into" in loop.json()["message"], loop.text
    assert (await client.get(f"/v1/work-orders/{first}")).json()["state"] == "pending_review"


async def test_a_merge_follows_the_named_order_to_its_root_which_must_still_be_open(
    system: tuple[Runtime, httpx.AsyncClient],
) -> None:
    """Named an order that itself follows another, the new one follows the incident's root, as intake's
    own 并单 does; a root no longer worked on (invalid, withdrawn, redirected, closed) takes nobody:
    the appeal would never be handled."""
    runtime, client = system
    headers = await dispatcher(client)
    root, follower, new = [await _waiting(client, VAGUE.replace("那个", f"第{n}个")) for n in "一二三"]
    assert (await client.post(f"/v1/work-orders/{follower}/review", json={"action": "merge", "merge_into": root},
                              headers=headers)).status_code == 200
    chained = await client.post(f"/v1/work-orders/{new}/review", json={"action": "merge", "merge_into": follower},
                                headers=headers)
    assert chained.status_code == 200, chained.text
    async with runtime.sessions() as session:
        assert (await session.get(WorkOrder, new)).merged_into == root  # type: ignore[union-attr]

    finished, late = await _waiting(client, VAGUE + "!"), await _waiting(client, VAGUE + "!!")
    assert (await client.post(f"/v1/work-orders/{finished}/review", json={"action": "invalidate", "reason": "无效来电"},
                              headers=headers)).status_code == 200
    refused = await client.post(f"/v1/work-orders/{late}/review", json={"action": "merge", "merge_into": finished},
                                headers=headers)
    assert refused.status_code == 409 and finished in refused.json()["message"], refused.text
    assert (await client.get(f"/v1/work-orders/{late}")).json()["state"] == "pending_review"


async def test_an_invalidated_root_hands_its_incident_on_to_the_earliest_report_merged_into_it(
    system: tuple[Runtime, httpx.AsyncClient],
) -> None:
    """A report waiting for review may have others merged into it; the dispatcher finding that one no
    appeal (a prank, a test call) left the genuine reports following an invalid order, never handled.
    As when a root's caller withdraws, the earliest follower is routed as its own order."""
    runtime, client = system
    headers = await dispatcher(client)
    root, follower = [await _waiting(client, VAGUE.replace("那个", f"第{n}个") + "?") for n in "四五"]
    assert (await client.post(f"/v1/work-orders/{follower}/review", json={"action": "merge", "merge_into": root},
                              headers=headers)).status_code == 200
    invalid = await client.post(f"/v1/work-orders/{root}/review", json={"action": "invalidate", "reason": "测试电话"},
                                headers=headers)
    assert invalid.status_code == 200 and invalid.json()["state"] == "invalid", invalid.text
    await eventually(lambda: order_in_state(client, follower, "pending_review", "dispatched"),
                     what="the follower routed as its own order")
    async with runtime.sessions() as session:
        assert (await session.get(WorkOrder, follower)).merged_into is None  # type: ignore[union-attr]


async def test_confirming_an_order_no_longer_waiting_says_its_state_not_that_the_router_had_no_unit(
    system: tuple[Runtime, httpx.AsyncClient],
) -> None:
    """A merged order was answered 'nothing_to_confirm: the router made no usable suggestion; override
    with a unit', and the override that advice invites is refused as well."""
    _, client = system
    headers = await dispatcher(client)
    lamp = appeal("文昌社区广场的路灯坏了一排，晚上一片漆黑", address="城关镇文昌社区")
    first = await client.post("/v1/appeals", json=lamp)
    again = await client.post("/v1/appeals", json={**lamp, "text": lamp["text"] + "，请尽快修"})
    assert again.json()["merged_into"] == first.json()["work_order_id"], again.text  # 并单 at intake: not routed
    follower = again.json()["work_order_id"]
    confirmed = await client.post(f"/v1/work-orders/{follower}/review", json={"action": "confirm"}, headers=headers)
    assert confirmed.status_code == 409 and confirmed.json()["error"] == "transition_not_allowed", confirmed.text
    assert "merged" in confirmed.json()["message"], confirmed.text


async def test_emergency_is_flagged_to_the_operator_and_redirected_not_dispatched(
    system: tuple[Runtime, httpx.AsyncClient],
) -> None:
    runtime, client = system
    accepted = await client.post("/v1/appeals", json=appeal(FIRE, caller_phone="13700001111"))
    assert accepted.status_code == 201 and accepted.json()["emergency_line"] == "119"
    order_id = accepted.json()["work_order_id"]
    order = await eventually(lambda: order_in_state(client, order_id, "redirected"), what="redirect")
    assert order["redirect"] == "119" and order["unit"] is None
    bus = runtime.bus
    assert isinstance(bus, InProcessBus)

    async def handed_over() -> list[object]:
        return [e for e in bus.topic_log("hotline.emergency") if e.subject == order_id]

    [event] = await eventually(handed_over, what="emergency event")
    assert event.data["line"] == "119" and event.data["caller_phone"] == "13700001111"


async def test_router_trains_on_the_centres_corrections(
    system: tuple[Runtime, httpx.AsyncClient], tmp_path: Path
) -> None:
    runtime, client = system
    await override_vague_appeal_to_water(client)  # a correction of its own: the test runs alone too
    history = await load_training_history(runtime.settings.effective_database_url)
    assert any(r.weight > 1 and r.dept == "water_utility" for r in history)
    router = Router.default()
    model = router.train(history)
    assert model.trained_on["history"] >= 1
    model.save(tmp_path / "m.npz")
    trained = Router.default(model_path=tmp_path / "m.npz")
    assert trained.route("停水了").dept == "water_utility"


async def test_running_router_picks_up_a_retrained_model(tmp_path: Path) -> None:
    model_path = tmp_path / "router-model.npz"
    Router.default().train([]).save(model_path)
    settings = CoreSettings(
        data_dir=tmp_path,
        database_url=None,
        kafka_bootstrap_servers=None,
        router_model_path=model_path,
        router_model_check_seconds=0.05,
    )
    async with running_system(settings) as (runtime, _):
        before = runtime.ctx.router
        os.utime(model_path, (1, 1))  # a retrain rewrites the file: its modification time changes

        async def swapped() -> bool:
            return runtime.ctx.router is not before

        await eventually(swapped, timeout=20, what="the new model in the running router")


async def dispatcher(client: httpx.AsyncClient) -> dict[str, str]:
    return await key_headers(client.runtime, "dispatcher")  # type: ignore[attr-defined]


async def queued(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    """The first page of the review queue."""
    items: list[dict[str, Any]] = (await client.get("/v1/review-queue", headers=await dispatcher(client))).json()[
        "items"]
    return items


async def test_the_queue_comes_a_page_at_a_time_oldest_first(system: tuple[Runtime, httpx.AsyncClient]) -> None:
    _, client = system
    for n, text in enumerate(("你好，我想问一下上次那个事，怎么样了？", "喂，那个，我就是想问问那件事有没有人管。",
                              "请问之前说的那个情况现在到底什么进展了呢？")):
        submitted = await client.post("/v1/appeals", json=appeal(text, external_id=f"page-{n}"))
        order_id = submitted.json()["work_order_id"]
        await eventually(lambda o=order_id: order_in_state(client, o, "pending_review"), what="review queue")
    headers = await dispatcher(client)
    whole = (await client.get("/v1/review-queue", params={"limit": 500}, headers=headers)).json()
    assert len(whole["items"]) >= 3 and whole["next_cursor"] is None
    pages, cursor = [], None
    while True:
        page = (await client.get("/v1/review-queue", params={"limit": 2, **({"cursor": cursor} if cursor else {})},
                                 headers=headers)).json()
        pages.append([i["work_order_id"] for i in page["items"]])
        if not (cursor := page["next_cursor"]):
            break
    assert all(len(p) == 2 for p in pages[:-1]) and 1 <= len(pages[-1]) <= 2
    assert [i for p in pages for i in p] == [i["work_order_id"] for i in whole["items"]]
    created = [i["created_at"] for i in whole["items"]]
    assert created == sorted(created)
    for params in ({"cursor": "not-a-cursor"}, {"limit": 0}, {"limit": 501}):
        refused = await client.get("/v1/review-queue", params=params, headers=headers)
        assert refused.status_code == 422 and next(iter(params)) in refused.json()["message"], params


async def override_vague_appeal_to_water(client: httpx.AsyncClient) -> tuple[str, dict[str, Any], httpx.Response]:
    """A vague appeal waits for review and a dispatcher overrides it to the water company: the
    correction the router learns from. Returns the order, its queue item and the override's answer."""
    order_id = (await client.post("/v1/appeals", json=appeal(VAGUE))).json()["work_order_id"]
    await eventually(lambda: order_in_state(client, order_id, "pending_review"), what="review queue")
    queue = await queued(client)
    item = next(i for i in queue if i["work_order_id"] == order_id)
    done = await client.post(
        f"/v1/work-orders/{order_id}/review",
        json={
            "action": "override",
            "unit": "water_utility",
            "matter": "water_utility.outage",
            "reason": "回拨确认是停水",
        },
        headers=await dispatcher(client),
    )
    return order_id, item, done


async def test_an_override_naming_no_matter_does_not_keep_one_the_department_does_not_handle(
    system: tuple[Runtime, httpx.AsyncClient],
) -> None:
    """The router's guess (here a township's catch-all) stayed on an order overridden to a county department
    that neither owns nor assists with it, counted under that department in the hot spots; naming such a
    matter is refused (422), and 改派 already cleared it."""
    runtime, client = system
    order_id = (await client.post("/v1/appeals", json=appeal(VAGUE))).json()["work_order_id"]
    waiting = await eventually(lambda: order_in_state(client, order_id, "pending_review"), what="review queue")
    guessed = waiting["matter"]
    catalogue = runtime.ctx.router.parts.catalogue
    assert guessed and not catalogue.get(guessed).handled_by_department("tax"), guessed
    done = await client.post(f"/v1/work-orders/{order_id}/review", json={"action": "override", "unit": "tax"},
                             headers=await dispatcher(client))
    assert done.status_code == 200 and done.json()["matter"] is None, done.text
    body = (await client.get(f"/v1/work-orders/{order_id}")).json()
    assert (body["unit"], body["dept"], body["matter"]) == ("tax", "tax", None)
