"""Unit replies on the reply topic (embedded default): the same commands as REST, refused with the
same errors, each refusal answered on the unit's own topic; replays acted on once."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from schemas.events import (
    REPLY_REFUSED_TYPE,
    UNIT_REPLIES_DLQ_TOPIC,
    UNIT_REPLIES_TOPIC,
    EventEnvelope,
    dispatch_topic,
    unit_source,
)
from schemas.payloads import RefusalReason
from services.bootstrap import Runtime
from services.bus.base import RawRecord
from services.bus.cloudevents import UnreadableRecord
from services.bus.memory import InProcessBus
from services.db.tables import ProcessedEvent
from services.settings import CoreSettings
from services.unit_replies import dead_letter_handler
from tests.support.factories import appeal, order_in_state, running_system, unit_acts
from tests.support.waiting import eventually


@pytest.fixture(scope="module")
async def system(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[tuple[Runtime, httpx.AsyncClient]]:
    settings = CoreSettings(data_dir=Path(tmp_path_factory.mktemp("replies")), database_url=None,
                            kafka_bootstrap_servers=None, relay_poll_seconds=0.05)
    async with running_system(settings) as pair:
        yield pair


async def dispatched(client: httpx.AsyncClient) -> dict[str, Any]:
    order_id = (await client.post("/v1/appeals", json=appeal())).json()["work_order_id"]
    return await eventually(lambda: order_in_state(client, order_id, "dispatched"), what="dispatch")


def reply(order_id: str, command: str, unit: str, *, source_unit: str | None = None, **fields: Any) -> EventEnvelope:
    return EventEnvelope(type=f"org.hotline.unit.{command}", subject=order_id, topic=UNIT_REPLIES_TOPIC,
                         source=unit_source(source_unit or unit), data={"unit": unit, **fields})


async def send(runtime: Runtime, *events: EventEnvelope) -> None:
    await runtime.bus.publish(list(events))
    await runtime.relay.drain()


def refusals(runtime: Runtime, unit: str, order_id: str) -> list[dict[str, Any]]:
    bus = runtime.bus
    assert isinstance(bus, InProcessBus)
    seen = {e.id: e for e in bus.topic_log(dispatch_topic(unit)) if e.type == REPLY_REFUSED_TYPE
            and e.subject == order_id}
    return [e.data for e in seen.values()]


async def state(client: httpx.AsyncClient, order_id: str) -> str:
    body: dict[str, Any] = (await client.get(f"/v1/work-orders/{order_id}")).json()
    return str(body["state"])


# A return without its reason; a note holding a control character.
@pytest.mark.parametrize("action, fields", [("return", {"text": "不归我们"}), ("progress", {"note": "已到\u0007现场"})])
async def test_a_reply_rest_refuses_is_refused_over_the_bus_with_the_words_rest_uses(
    system: tuple[Runtime, httpx.AsyncClient], action: str, fields: dict[str, str]
) -> None:
    runtime, client = system
    order = await dispatched(client)
    over_rest = await unit_acts(client, order["id"], order["unit"], action, fields)
    assert over_rest.status_code == 422
    bad = reply(order["id"], action, order["unit"], **fields)
    await send(runtime, bad)
    [refusal] = refusals(runtime, order["unit"], order["id"])
    assert refusal["refused_event_id"] == bad.id and refusal["refused_type"] == f"org.hotline.unit.{action}"
    assert (refusal["reason"], refusal["error"], refusal["status"], refusal["message"]) == (
        "refused", "validation_error", 422, over_rest.json()["message"])
    assert await state(client, order["id"]) == "dispatched"


async def test_resolve_before_claim_is_refused_as_over_rest_and_then_the_real_loop_works(
    system: tuple[Runtime, httpx.AsyncClient],
) -> None:
    runtime, client = system
    order = await dispatched(client)
    early = await unit_acts(client, order["id"], order["unit"], "resolve", {"reply": "已处理"})
    await send(runtime, reply(order["id"], "resolve", order["unit"], reply="已处理"))
    [refusal] = refusals(runtime, order["unit"], order["id"])
    assert refusal["status"] == early.status_code == 409
    assert refusal["error"] == early.json()["error"] and refusal["message"] == early.json()["message"]

    claim = reply(order["id"], "claim", order["unit"], actor="张三", note="已安排人员")
    progress = reply(order["id"], "progress", order["unit"], note="正在抢修管道")
    await send(runtime, claim, claim, progress)  # the claim delivered twice: acted on once
    body = (await client.get(f"/v1/work-orders/{order['id']}")).json()
    assert body["state"] == "claimed"
    steps = [(h["action"], h["reason"]) for h in body["history"]]
    assert steps[-2:] == [("claim", "已安排人员"), ("progress", "正在抢修管道")]
    assert body["history"][-2]["actor"] == f"unit:{order['unit']}/kafka (张三)"
    assert len(refusals(runtime, order["unit"], order["id"])) == 1  # nothing more refused


async def test_a_unit_naming_another_unit_in_the_body_is_refused_on_its_own_topic(
    system: tuple[Runtime, httpx.AsyncClient],
) -> None:
    runtime, client = system
    order = await dispatched(client)
    impostor = "tax" if order["unit"] != "tax" else "education"
    await send(runtime, reply(order["id"], "claim", order["unit"], source_unit=impostor))
    [refusal] = refusals(runtime, impostor, order["id"])
    assert (refusal["reason"], refusal["status"]) == ("wrong_unit", 403)
    assert not refusals(runtime, order["unit"], order["id"])
    # Saying it is the lead in both places does not help: the order is not in the impostor's hands.
    await send(runtime, reply(order["id"], "claim", impostor))
    second = refusals(runtime, impostor, order["id"])[-1]
    assert (second["error"], second["status"]) == ("order_not_found", 404)
    assert order["unit"] not in second["message"]
    assert await state(client, order["id"]) == "dispatched"


async def test_unknown_command_and_unknown_source(system: tuple[Runtime, httpx.AsyncClient]) -> None:
    runtime, client = system
    order = await dispatched(client)
    await send(runtime, reply(order["id"], "teleport", order["unit"]))
    [refusal] = refusals(runtime, order["unit"], order["id"])
    assert refusal["reason"] == "unknown_type" and "claim" in refusal["message"]  # lists the known ones
    stranger = EventEnvelope(type="org.hotline.unit.claim", subject=order["id"], topic=UNIT_REPLIES_TOPIC,
                             source="urn:unit-system", data={"unit": order["unit"]})
    await send(runtime, stranger)  # no unit to answer: recorded only
    assert len(refusals(runtime, order["unit"], order["id"])) == 1
    assert await state(client, order["id"]) == "dispatched"


async def test_numbers_a_refused_or_unreadable_reply_carries_are_masked_on_every_topic_and_in_the_database(
    system: tuple[Runtime, httpx.AsyncClient],
) -> None:
    """A unit's system may put the caller's number anywhere; the dead-letter topic (read by the
    centre's operators), the refusal and the consumer's own record show it masked."""
    runtime, client = system
    order = await dispatched(client)
    await send(runtime, reply(order["id"], "13911115555", order["unit"]))  # an unknown command
    [refusal] = refusals(runtime, order["unit"], order["id"])
    assert refusal["refused_type"] == "org.hotline.unit.139****5555"
    raw = RawRecord(topic=UNIT_REPLIES_TOPIC, partition=0, offset=987_654, key=b"13911116666",
                    value="进度：已联系居民13911113333，不是JSON".encode(),
                    headers=(("ce_source", unit_source(order["unit"]).encode()), ("ce_subject", b"13911117777")))
    await dead_letter_handler("hotline-feedback", runtime.sessions, runtime.ctx)(
        raw, UnreadableRecord(RefusalReason.unreadable, "the record key '13911116666' is not the ce_subject",
                              source=unit_source(order["unit"]), subject="13911117777"))
    await runtime.relay.drain()
    bus = runtime.bus
    assert isinstance(bus, InProcessBus)
    # Delivery is at least once: a record may be on the topic twice (the relay's loop and drain() both
    # publishing a row before it is marked), under one event id, which consumers act on once.
    [letter] = {e.id: e for e in bus.topic_log(UNIT_REPLIES_DLQ_TOPIC) if e.data["offset"] == 987_654}.values()
    assert (letter.data["key"], letter.data["value"]) == ("139****6666", "进度：已联系居民139****3333，不是JSON")
    assert letter.data["headers"]["ce_subject"] == "139****7777" and "13911116666" not in letter.data["reason"]
    events = [e for e in bus.topic_log(dispatch_topic(order["unit"])) if e.type == REPLY_REFUSED_TYPE]
    assert not [e for e in [*events, letter] if "1391111" in json.dumps(e.data, ensure_ascii=False)
                or "1391111" in e.subject]
    async with runtime.sessions() as session:
        outcomes = (await session.execute(select(ProcessedEvent.outcome))).scalars().all()
    assert not [o for o in outcomes if "1391111" in o]
