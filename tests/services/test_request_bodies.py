"""Request bodies name the field at fault. A NUL or another control character in any free text a
request carries — a unit's note or reply, a dispatcher's reason, a citizen's comment — is a 422
naming the field, as it is in an appeal's own fields (PostgreSQL refuses NUL in text, which
answered 503 "database unavailable": a retry could never help). A field one action needs (an
override's unit, a callback's rating) is named as that field, not as the body."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.bootstrap import Runtime
from services.settings import CoreSettings
from tests.support.factories import appeal, as_unit, key_headers, order_in_state, running_system
from tests.support.waiting import eventually

NUL = "进展\u0000说明"


@pytest.fixture(scope="module")
async def system(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[tuple[Runtime, httpx.AsyncClient]]:
    settings = CoreSettings(data_dir=Path(tmp_path_factory.mktemp("control")), database_url=None,
                            kafka_bootstrap_servers=None, relay_poll_seconds=0.05)
    async with running_system(settings) as pair:
        yield pair


@pytest.fixture(scope="module")
async def order(system: tuple[Runtime, httpx.AsyncClient]) -> dict[str, Any]:
    _, client = system
    accepted = (await client.post("/v1/appeals", json=appeal())).json()
    found = await eventually(lambda: order_in_state(client, accepted["work_order_id"], "dispatched"),
                             what="dispatch")
    return {**found, "citizen_token": accepted["citizen_token"]}


# (who, path under the order, body, the field named)
CASES: list[tuple[str, str, dict[str, Any], str]] = [
    ("unit", "claim", {"note": NUL}, "note"),
    ("unit", "progress", {"note": NUL}, "note"),
    ("unit", "resolve", {"reply": NUL}, "reply"),
    ("unit", "resolve", {"reply": "已处理", "note": NUL}, "note"),
    ("unit", "return", {"reason": "other", "text": NUL}, "text"),
    ("unit", "request-assistance", {"units": ["housing"], "reason": NUL}, "reason"),
    ("unit", "extension", {"days": 2, "reason": NUL}, "reason"),
    ("citizen", "rate", {"rating": "satisfied", "solved": True, "comment": NUL}, "comment"),
    ("operator", "callback", {"contacted": True, "solved": True, "rating": "satisfied", "comment": NUL}, "comment"),
    ("dispatcher", "review", {"action": "invalidate", "reason": NUL}, "reason"),
    ("dispatcher", "reassign", {"unit": "housing", "reason": NUL}, "reason"),
    ("dispatcher", "unlink", {"reason": NUL}, "reason"),
]


@pytest.mark.parametrize(("who", "path", "body", "field"), CASES, ids=[f"{c[1]}-{c[3]}" for c in CASES])
async def test_a_control_character_in_free_text_is_a_422_naming_the_field(
    system: tuple[Runtime, httpx.AsyncClient], order: dict[str, Any], who: str, path: str, body: dict[str, Any],
    field: str,
) -> None:
    runtime, client = system
    headers = (await as_unit(runtime, order["unit"]) if who == "unit"
               else {"X-Citizen-Token": order["citizen_token"]} if who == "citizen"
               else await key_headers(runtime, who))
    response = await client.post(f"/v1/work-orders/{order['id']}/{path}", json=body, headers=headers)
    assert response.status_code == 422, response.text
    assert response.json()["fields"] == [{"field": field,
                                          "problem": "must not contain NUL or other control characters"}]


async def test_a_control_character_in_a_text_to_classify_or_a_withdrawal_is_a_422(
    system: tuple[Runtime, httpx.AsyncClient], order: dict[str, Any],
) -> None:
    runtime, client = system
    classified = await client.post("/v1/classify", json={"text": NUL}, headers=await key_headers(runtime, "operator"))
    assert classified.status_code == 422 and classified.json()["fields"][0]["field"] == "text", classified.text
    withdrawn = await client.post(f"/v1/appeals/{order['id']}/withdraw", json={"reason": NUL},
                                  headers={"X-Citizen-Token": order["citizen_token"]})
    assert withdrawn.status_code == 422 and withdrawn.json()["fields"][0]["field"] == "reason", withdrawn.text


@pytest.mark.parametrize(("who", "path", "body", "field", "problem"), [
    ("dispatcher", "review", {"action": "override"}, "unit", "required to override"),
    ("dispatcher", "review", {"action": "redirect"}, "line", "required to redirect"),
    ("dispatcher", "review", {"action": "invalidate"}, "reason", "required to invalidate"),
    ("operator", "callback", {"contacted": True, "solved": True}, "rating", "required when the citizen was contacted"),
    ("operator", "callback", {"contacted": False, "rating": "satisfied"}, "rating", "not reached cannot have rated"),
])
async def test_a_field_one_action_needs_is_named_as_that_field(
    system: tuple[Runtime, httpx.AsyncClient], order: dict[str, Any], who: str, path: str, body: dict[str, Any],
    field: str, problem: str,
) -> None:
    runtime, client = system
    response = await client.post(f"/v1/work-orders/{order['id']}/{path}", json=body,
                                 headers=await key_headers(runtime, who))
    assert response.status_code == 422, response.text
    [named] = response.json()["fields"]
    assert named["field"] == field and problem in named["problem"], named


async def test_a_department_rated_twice_in_one_request_is_a_422_naming_the_ratings(
    system: tuple[Runtime, httpx.AsyncClient], order: dict[str, Any],
) -> None:
    """以下评上 rates each department once: two ratings of one department in a body were a 409 saying it
    'has been rated for this whistle call already', though nothing had been rated."""
    runtime, client = system
    twice = {"ratings": [{"department": "housing", "rating": 4}, {"department": "housing", "rating": 2}]}
    response = await client.post(f"/v1/work-orders/{order['id']}/whistle-ratings", json=twice,
                                 headers=await as_unit(runtime, order["unit"]))
    assert response.status_code == 422, response.text
    [named] = response.json()["fields"]
    assert named["field"] == "ratings" and "housing is rated twice" in named["problem"], named


@pytest.mark.parametrize(("path", "body", "field"), [
    ("extension", {"days": True, "reason": "需要采购"}, "days"),  # was taken as 1 working day
    ("extension", {"days": "3", "reason": "需要采购"}, "days"),
    ("whistle-ratings", {"ratings": [{"department": "housing", "rating": True}]}, "ratings.0.rating"),  # was 1 (poor)
    ("whistle-ratings", {"whistle_call_id": True, "ratings": [{"department": "housing", "rating": 4}]},
     "whistle_call_id"),
])
async def test_a_number_sent_as_a_boolean_or_a_string_is_a_422_naming_it(
    system: tuple[Runtime, httpx.AsyncClient], order: dict[str, Any], path: str, body: dict[str, Any], field: str,
) -> None:
    runtime, client = system
    response = await client.post(f"/v1/work-orders/{order['id']}/{path}", json=body,
                                 headers=await as_unit(runtime, order["unit"]))
    assert response.status_code == 422, response.text
    assert [f["field"] for f in response.json()["fields"]] == [field], response.text


async def test_an_id_too_large_for_the_database_is_a_422_whose_bound_reads_whole(
    system: tuple[Runtime, httpx.AsyncClient], order: dict[str, Any],
) -> None:
    """The bound was 2**62, nineteen digits, which the error body masks as it masks a bank card: 'Input
    should be less than or equal to 4611***********7904' told the caller nothing."""
    runtime, client = system
    huge = 10**20
    answers = [
        await client.post(f"/v1/extensions/{huge}/decision", json={"decision": "approve", "reason": "同意"},
                          headers=await key_headers(runtime, "dispatcher")),
        await client.post(f"/v1/work-orders/{order['id']}/whistle-ratings",
                          headers=await as_unit(runtime, order["unit"]),
                          json={"whistle_call_id": huge, "ratings": [{"department": "housing", "rating": 4}]}),
    ]
    for answer in answers:
        assert answer.status_code == 422, answer.text
        assert "*" not in answer.json()["message"] and "less than or equal to 999999999999999" in answer.text
