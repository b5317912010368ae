"""The unit commands over REST on the embedded default: first contact, progress notes, 协办,
returns with a reason code; every action recorded under the key's actor."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from schemas.events import DISPATCHED_TYPE, RECALLED_TYPE, dispatch_topic
from services.bootstrap import Runtime
from services.bus.memory import InProcessBus
from services.orders.unit_commands import REGISTRY
from services.settings import CoreSettings
from tests.support.factories import ManualClock, appeal, as_unit, order_in_state, running_system, unit_acts
from tests.support.waiting import eventually

# Tuesday 2026-11-17, 10:00 in the county: a working morning.
CLOCK = ManualClock(datetime(2026, 11, 17, 2, 0, tzinfo=UTC))


@pytest.fixture(scope="module")
async def system(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[tuple[Runtime, httpx.AsyncClient]]:
    settings = CoreSettings(data_dir=Path(tmp_path_factory.mktemp("commands")), database_url=None,
                            kafka_bootstrap_servers=None, relay_poll_seconds=0.05)
    async with running_system(settings, CLOCK) as pair:
        yield pair


async def dispatched(client: httpx.AsyncClient, text: str | None = None, **fields: Any) -> dict[str, Any]:
    body = appeal(text, **fields) if text else appeal(**fields)
    order_id = (await client.post("/v1/appeals", json=body)).json()["work_order_id"]
    return await eventually(lambda: order_in_state(client, order_id, "dispatched"), what="dispatch")


def test_every_command_has_a_body_model_and_a_rest_path() -> None:
    assert {"claim", "first_contact", "progress", "resolve", "return", "request_assistance"} <= set(REGISTRY)
    assert REGISTRY["first_contact"].path == "first-contact"
    assert REGISTRY.by_type("org.hotline.unit.return").name == "return"


def test_every_commands_rest_path_is_a_route_of_its_service(tmp_path: Path) -> None:
    """The path the registry (and so the AsyncAPI document) names is where REST serves the command."""
    from services.apps.escalation import create_escalation_app
    from services.apps.feedback import create_feedback_app

    settings = CoreSettings(data_dir=tmp_path, database_url=None, kafka_bootstrap_servers=None)
    paths = {"feedback": create_feedback_app(settings).openapi()["paths"],
             "escalation": create_escalation_app(settings).openapi()["paths"]}
    for command in REGISTRY.values():
        route = paths[command.service].get(f"/v1/work-orders/{{order_id}}/{command.path}", {})
        assert "post" in route, (command.name, command.path)


async def test_claim_with_the_first_contact_stops_both_clocks_and_a_second_contact_is_refused(
    system: tuple[Runtime, httpx.AsyncClient],
) -> None:
    _, client = system
    order = await dispatched(client)
    CLOCK.advance(timedelta(minutes=40))
    called = (CLOCK() - timedelta(minutes=10)).isoformat()
    claimed = await unit_acts(client, order["id"], order["unit"], "claim",
                              {"note": "已联系", "first_contact_at": called})
    assert claimed.status_code == 200, claimed.text
    body = claimed.json()
    assert body["state"] == "claimed"
    assert [h["action"] for h in body["history"]][-2:] == ["claim", "first_contact"]
    assert all(h["actor"].startswith(f"unit:{order['unit']}/key_") for h in body["history"][-2:])
    again = await unit_acts(client, order["id"], order["unit"], "first-contact", {})
    assert again.status_code == 409 and "already recorded" in again.json()["message"]


async def test_a_command_whose_fields_are_all_optional_takes_a_request_without_a_body(
    system: tuple[Runtime, httpx.AsyncClient],
) -> None:
    runtime, client = system
    order = await dispatched(client)
    headers = await as_unit(runtime, order["unit"])
    claimed = await client.post(f"/v1/work-orders/{order['id']}/claim", headers=headers)
    assert claimed.status_code == 200, claimed.text
    contacted = await client.post(f"/v1/work-orders/{order['id']}/first-contact", headers=headers)
    assert contacted.status_code == 200, contacted.text
    assert [h["action"] for h in contacted.json()["history"]][-2:] == ["claim", "first_contact"]
    # A command with a required field still names it.
    resolved = await client.post(f"/v1/work-orders/{order['id']}/resolve", headers=headers)
    assert resolved.status_code == 422 and resolved.json()["fields"][0]["field"] == "body"


async def test_first_contact_in_the_future_is_refused_and_nothing_is_recorded(
    system: tuple[Runtime, httpx.AsyncClient],
) -> None:
    _, client = system
    order = await dispatched(client)
    later = (CLOCK() + timedelta(hours=3)).isoformat()
    refused = await unit_acts(client, order["id"], order["unit"], "first-contact", {"at": later})
    assert refused.status_code == 409 and "in the future" in refused.json()["message"]
    naive = await unit_acts(client, order["id"], order["unit"], "first-contact", {"at": "2026-11-17T10:00:00"})
    assert naive.status_code == 422 and "at" in naive.json()["message"]
    body = (await client.get(f"/v1/work-orders/{order['id']}")).json()
    assert [h["action"] for h in body["history"]] == ["receive", "dispatch"]


async def test_progress_note_is_recorded_without_changing_the_state(
    system: tuple[Runtime, httpx.AsyncClient],
) -> None:
    runtime, client = system
    order = await dispatched(client)
    noted = await unit_acts(client, order["id"], order["unit"], "progress", {"note": "已派人到现场查看"})
    assert noted.status_code == 200, noted.text
    assert noted.json()["state"] == "dispatched"
    last = noted.json()["history"][-1]
    assert last["action"] == "progress" and last["reason"] == "已派人到现场查看"
    await runtime.relay.drain()
    bus = runtime.bus
    assert isinstance(bus, InProcessBus)
    types = [e.type for e in bus.topic_log("hotline.lifecycle") if e.subject == order["id"]]
    assert "org.hotline.workorder.progress_noted" in types
    empty = await unit_acts(client, order["id"], order["unit"], "progress", {})
    assert empty.status_code == 422 and "note" in empty.json()["message"]


async def test_assistance_request_hands_copies_to_the_named_units_who_may_note_progress_but_not_resolve(
    system: tuple[Runtime, httpx.AsyncClient],
) -> None:
    runtime, client = system
    order = await dispatched(client)
    helper = "market" if order["unit"] != "market" else "housing"
    outsider = await unit_acts(client, order["id"], helper, "progress", {"note": "看看"})
    assert outsider.status_code == 404
    asked = await unit_acts(client, order["id"], order["unit"], "request-assistance",
                            {"units": [helper], "reason": "需要协助核查"})
    assert asked.status_code == 200, asked.text
    await runtime.relay.drain()
    bus = runtime.bus
    assert isinstance(bus, InProcessBus)
    # Delivery is at least once (ids de-duplicate): one distinct event.
    copies = list({e.id: e for e in bus.topic_log(dispatch_topic(helper)) if e.subject == order["id"]}.values())
    assert [e.type for e in copies] == [DISPATCHED_TYPE]
    assert copies[0].data["role"] == "assisting" and copies[0].data["contact"] is None
    assert (await unit_acts(client, order["id"], helper, "progress", {"note": "已到场配合"})).status_code == 200
    assert (await unit_acts(client, order["id"], helper, "claim")).status_code == 403
    again = await unit_acts(client, order["id"], order["unit"], "request-assistance",
                            {"units": [helper], "reason": "再请一次"})
    assert again.status_code == 409
    unknown = await unit_acts(client, order["id"], order["unit"], "request-assistance",
                              {"units": ["no_such_unit"], "reason": "帮忙"})
    assert unknown.status_code == 422 and "no_such_unit" in unknown.json()["message"]


async def test_return_needs_a_known_reason_code_and_text(system: tuple[Runtime, httpx.AsyncClient]) -> None:
    _, client = system
    order = await dispatched(client)
    for body, named in (({"text": "不归我们管"}, "reason"), ({"reason": "bored", "text": "不想办"}, "reason"),
                        ({"reason": "not_our_remit"}, "text")):
        refused = await unit_acts(client, order["id"], order["unit"], "return", body)
        assert refused.status_code == 422 and named in refused.json()["message"], refused.text
    done = await unit_acts(client, order["id"], order["unit"], "return",
                           {"reason": "wrong_place", "text": "该地址属邻镇"})
    assert done.status_code == 200 and done.json()["state"] == "pending_review"
    gone = await unit_acts(client, order["id"], order["unit"], "progress", {"note": "还在办"})
    assert gone.status_code == 404  # out of its hands: to the unit it no longer exists


async def test_a_withdrawal_recalls_the_order_from_every_unit_that_holds_it(
    system: tuple[Runtime, httpx.AsyncClient],
) -> None:
    """A unit's system reads only its own topic: when the citizen withdraws, the lead and assisting
    units hear it there, as they do when a dispatcher takes the order from them."""
    runtime, client = system
    accepted = (await client.post("/v1/appeals", json=appeal(
        "宏达制衣厂拖欠我们十几个工人三个月工资，老板一直说没钱，请帮忙讨薪，电话13566667777",
        address="城关镇工业园"))).json()
    order = await eventually(lambda: order_in_state(client, accepted["work_order_id"], "dispatched"),
                             what="dispatch")
    helper = "market" if order["unit"] != "market" else "housing"
    asked = await unit_acts(client, order["id"], order["unit"], "request-assistance",
                            {"units": [helper], "reason": "需要协助核查"})
    assert asked.status_code == 200, asked.text
    gone = await client.post(f"/v1/appeals/{order['id']}/withdraw", json={"reason": "老板已经付了，电话13566667777"},
                             headers={"X-Citizen-Token": accepted["citizen_token"]})
    assert gone.status_code == 200, gone.text
    await runtime.relay.drain()
    bus = runtime.bus
    assert isinstance(bus, InProcessBus)
    for unit in (order["unit"], helper):
        # once per event id (the relay delivers at least once)
        [recalled] = list({e.id: e for e in bus.topic_log(dispatch_topic(unit)) if e.type == RECALLED_TYPE
                           and e.subject == order["id"]}.values())
        assert recalled.data["unit"] == unit and recalled.data["reason"] == "撤回: 老板已经付了，电话135****7777"
    late = await unit_acts(client, order["id"], order["unit"], "progress", {"note": "已联系老板"})
    assert late.status_code == 404


async def test_an_assisting_unit_hears_when_the_lead_returns_the_order(
    system: tuple[Runtime, httpx.AsyncClient],
) -> None:
    """The order leaves the assisting unit's hands with the lead's 退单: told on its own topic."""
    runtime, client = system
    accepted = (await client.post("/v1/appeals", json=appeal(
        "新华书店门口的盲道被共享单车堵死了，盲人没法走，请城管清理", address="城关镇解放路"))).json()
    order = await eventually(lambda: order_in_state(client, accepted["work_order_id"], "dispatched"),
                             what="dispatch")
    helper = "market" if order["unit"] != "market" else "housing"
    assert (await unit_acts(client, order["id"], order["unit"], "request-assistance",
                            {"units": [helper], "reason": "需要协助"})).status_code == 200
    back = await unit_acts(client, order["id"], order["unit"], "return",
                           {"reason": "not_our_remit", "text": "不归我们管"})
    assert back.status_code == 200, back.text
    await runtime.relay.drain()
    bus = runtime.bus
    assert isinstance(bus, InProcessBus)
    told = {e.id: e for e in bus.topic_log(dispatch_topic(helper)) if e.type == RECALLED_TYPE
            and e.subject == order["id"]}
    assert [e.data["reason"] for e in told.values()] == ["退单: 不归我们管"]
    assert not [e for e in bus.topic_log(dispatch_topic(order["unit"])) if e.type == RECALLED_TYPE
                and e.subject == order["id"]]  # the lead returned it itself
