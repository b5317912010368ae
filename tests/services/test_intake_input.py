"""Bad input gets a 4xx naming the problem and writes nothing; repeats return the same order."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from services.apps import intake as intake_app
from services.bootstrap import Runtime
from services.db.tables import OutboxEvent, WorkOrder, WorkOrderHistory
from services.settings import CoreSettings
from tests.support.factories import appeal, running_system
from tests.support.waiting import eventually


@pytest.fixture(scope="module")
async def system(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[tuple[Runtime, httpx.AsyncClient]]:
    settings = CoreSettings(data_dir=Path(tmp_path_factory.mktemp("intake")), database_url=None,
                            kafka_bootstrap_servers=None, max_body_bytes=16_384)
    async with running_system(settings) as pair:
        yield pair


async def _row_counts(runtime: Runtime) -> tuple[int, int, int]:
    """Orders, history records and events, once the router has taken every appeal submitted before
    (its routing writes history and events: counted mid-way, a refused request seemed to leave rows)."""

    async def routed() -> bool:
        async with runtime.sessions() as session:
            waiting = select(func.count()).select_from(WorkOrder).where(WorkOrder.state == "received")
            return (await session.execute(waiting)).scalar_one() == 0

    await eventually(routed, what="the router to take every appeal submitted")
    async with runtime.sessions() as session:
        counts = []
        for table in (WorkOrder, WorkOrderHistory, OutboxEvent):
            counts.append((await session.execute(select(func.count()).select_from(table))).scalar_one())
    return counts[0], counts[1], counts[2]


@pytest.mark.parametrize(
    ("body", "status", "named"),
    [
        ({"channel": "12345_phone"}, 422, "text"),
        ({"channel": "fax_machine", "text": "路灯坏了好几天了"}, 422, "channel"),
        ({"channel": "web", "text": "   "}, 422, "text"),
        ({"channel": "web", "text": "路灯坏了", "caller_phone": "call me maybe"}, 422, "caller_phone"),
        ({"channel": "web", "text": "路灯坏了", "colour": "red"}, 422, "colour"),
        ({"channel": "web", "text": "路" * 5001}, 422, "text"),
        ({"channel": "web", "text": "路" * 9000}, 413, "body"),
    ],
)
async def test_bad_appeal_is_refused_naming_the_field_and_writes_nothing(
    system: tuple[Runtime, httpx.AsyncClient], body: dict[str, Any], status: int, named: str
) -> None:
    runtime, client = system
    before = await _row_counts(runtime)
    response = await client.post("/v1/appeals", json=body)
    assert response.status_code == status, response.text
    assert named in response.json()["message"]
    assert await _row_counts(runtime) == before


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({"text": "路灯坏了好几天了"}, "Field required"),
        ({"channel": None, "text": "路灯坏了好几天了"}, "Input should be one of"),
        ({"channel": "fax_machine", "text": "路灯坏了好几天了"}, "(got 'fax_machine')"),
        ({"channel": 5, "text": "路灯坏了好几天了"}, "Input should be one of"),
    ],
)
async def test_a_missing_or_unknown_channel_is_named_as_the_channel_field(
    system: tuple[Runtime, httpx.AsyncClient], body: dict[str, Any], problem: str
) -> None:
    _, client = system
    response = await client.post("/v1/appeals", json=body)
    assert response.status_code == 422, response.text
    assert response.json()["fields"] == [{"field": "channel", "problem": response.json()["fields"][0]["problem"]}]
    assert problem in response.json()["fields"][0]["problem"]
    assert response.json()["message"].startswith("channel: ")


async def test_two_external_ids_that_mask_alike_are_two_appeals(system: tuple[Runtime, httpx.AsyncClient]) -> None:
    """A channel whose own ids are phone numbers (an SMS gateway): 13700001111 and 13755551111 both
    mask to 137****1111, yet they are two citizens' appeals; the stored id holds neither number."""
    runtime, client = system
    first = await client.post("/v1/appeals", json=appeal("解放路的路灯坏了好几天了", external_id="13700001111"))
    second = await client.post("/v1/appeals", json=appeal("白沙镇中心小学门口垃圾成堆", external_id="13755551111"))
    assert (first.status_code, second.status_code) == (201, 201), second.text
    assert first.json()["work_order_id"] != second.json()["work_order_id"]
    again = await client.post("/v1/appeals", json=appeal("解放路的路灯坏了好几天了", external_id="13700001111"))
    assert again.status_code == 200 and again.json()["work_order_id"] == first.json()["work_order_id"]
    other = await client.post("/v1/appeals", json=appeal("另一件事，另一件事", external_id="13700001111"))
    assert other.status_code == 422 and "external_id: '137****1111' was" in other.json()["message"], other.text
    async with runtime.sessions() as session:
        stored = (await session.execute(select(WorkOrder.external_id).where(
            WorkOrder.id.in_([first.json()["work_order_id"], second.json()["work_order_id"]])))).scalars().all()
    assert len(set(stored)) == 2 and not [s for s in stored if "0001111" in s or "5551111" in s], stored


async def test_malformed_json_is_refused(system: tuple[Runtime, httpx.AsyncClient]) -> None:
    runtime, client = system
    before = await _row_counts(runtime)
    response = await client.post("/v1/appeals", content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert response.json()["error"] == "malformed_json"
    assert response.json()["message"].startswith("body: not valid JSON")
    assert await _row_counts(runtime) == before


async def test_same_channel_and_external_id_returns_the_existing_order(
    system: tuple[Runtime, httpx.AsyncClient],
) -> None:
    runtime, client = system
    first = await client.post("/v1/appeals", json=appeal(external_id="ext-42"))
    before = await _row_counts(runtime)
    again = await client.post("/v1/appeals", json=appeal(external_id="ext-42"))
    assert first.status_code == 201 and again.status_code == 200, (first.text, again.text)
    assert again.json()["work_order_id"] == first.json()["work_order_id"]
    # The first response again, token included (a citizen whose first answer was lost can follow).
    assert again.json()["created"] is False and again.json()["citizen_token"] == first.json()["citizen_token"]
    assert (await _row_counts(runtime))[0] == before[0]
    other_channel = await client.post("/v1/appeals", json=appeal(external_id="ext-42", channel="web"))
    assert other_channel.status_code == 201


async def test_same_idempotency_key_returns_the_existing_order(system: tuple[Runtime, httpx.AsyncClient]) -> None:
    _, client = system
    first = await client.post("/v1/appeals", json=appeal(), headers={"Idempotency-Key": "k-1"})
    again = await client.post("/v1/appeals", json=appeal(), headers={"Idempotency-Key": "k-1"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["work_order_id"] == first.json()["work_order_id"]


async def test_phone_numbers_never_reach_the_lifecycle_topic(system: tuple[Runtime, httpx.AsyncClient]) -> None:
    runtime, client = system
    body = appeal(text="停水三天了，请回电13812345678", caller_phone="13812345678")
    response = await client.post("/v1/appeals", json=body)
    assert response.status_code == 201
    await runtime.relay.drain()
    async with runtime.sessions() as session:
        rows = (await session.execute(select(OutboxEvent).where(OutboxEvent.topic == "hotline.lifecycle"))).scalars()
        assert all("13812345678" not in str(r.data) for r in rows)


async def test_same_id_with_different_content_is_422_naming_the_conflict_and_writes_nothing(
    system: tuple[Runtime, httpx.AsyncClient],
) -> None:
    runtime, client = system
    assert (await client.post("/v1/appeals", json=appeal(external_id="ext-77"))).status_code == 201
    before = await _row_counts(runtime)
    other = await client.post("/v1/appeals", json=appeal("路灯坏了好几天，晚上很黑", external_id="ext-77"))
    assert other.status_code == 422 and "external_id" in other.json()["message"]
    keyed = await client.post("/v1/appeals", json=appeal(), headers={"Idempotency-Key": "k-77"})
    assert keyed.status_code == 201
    clash = await client.post("/v1/appeals", json=appeal("楼道堆满杂物"), headers={"Idempotency-Key": "k-77"})
    assert clash.status_code == 422 and "Idempotency-Key" in clash.json()["message"]
    assert (await _row_counts(runtime))[0] == before[0] + 1
    # An upper body's reference number is that channel's id: the conflict names the field the client sent.
    transfer = {"channel": "upper_transfer", "text": "转办：北山乡杨柳村村道塌方", "upper_body": "市12345中心",
                "reference_no": "SZ-77", "deadline": "2026-12-10T17:00:00+08:00"}
    assert (await client.post("/v1/appeals", json=transfer)).status_code == 201
    reused = await client.post("/v1/appeals", json={**transfer, "text": "转办：白沙镇大坪村停水三天"})
    assert reused.status_code == 422 and reused.json()["message"].startswith("reference_no: 'SZ-77'"), reused.text


@pytest.mark.parametrize(
    ("body", "headers", "named"),
    [
        (appeal(external_id=""), {}, "external_id"),
        (appeal(external_id="   "), {}, "external_id"),
        (appeal(), {"Idempotency-Key": ""}, "idempotency-key"),
        (appeal("停水\u0000三天"), {}, "text"),
        (appeal(address="城关\u0000镇"), {}, "address"),
        ({"channel": "12315", "text": "买到过期牛奶"}, {}, "business"),
        ({"channel": "grid_worker", "text": "井盖丢了", "grid_code": "G1"}, {}, "worker_id"),
        ({"channel": "upper_transfer", "text": "转办件：道路破损", "upper_body": "市12345", "reference_no": "S-1"}, {},
         "deadline"),
        ({"channel": "online_opinion", "text": "网传某小区停水", "platform": "微博", "url": "not a url"}, {}, "url"),
        ({"channel": "web", "text": "路灯坏了", "location": {"lat": 95, "long": 0}}, {}, "location.lat"),
        ({"channel": "open311", "text": "路灯坏了"}, {}, "channel"),
        (appeal(reported_at="0001-01-01T00:00:00Z"), {}, "reported_at"),
        ({"channel": "upper_transfer", "text": "转办件：道路破损", "upper_body": "市12345", "reference_no": "S-2",
          "deadline": "9999-12-31T23:59:59Z"}, {}, "deadline"),
    ],
)
async def test_each_channel_names_each_bad_field(
    system: tuple[Runtime, httpx.AsyncClient], body: dict[str, Any], headers: dict[str, str], named: str
) -> None:
    runtime, client = system
    before = await _row_counts(runtime)
    response = await client.post("/v1/appeals", json=body, headers=headers)
    assert response.status_code == 422, response.text
    assert named in response.json()["message"].lower()
    # No order written (history and events of earlier orders still being routed may grow meanwhile).
    assert (await _row_counts(runtime))[0] == before[0]


async def test_a_nul_in_a_path_id_is_a_404_not_a_5xx(system: tuple[Runtime, httpx.AsyncClient]) -> None:
    _, client = system
    response = await client.get("/v1/appeals/wo_%00abc", headers={"X-Citizen-Token": "x"})
    assert response.status_code == 404 and response.json()["error"]


async def test_every_channel_is_accepted_with_its_own_fields(system: tuple[Runtime, httpx.AsyncClient]) -> None:
    _, client = system
    bodies = [
        {"channel": "12345_phone", "text": "西门菜场旁的下水道堵了，污水漫到路上", "caller_phone": "13812345678",
         "reported_at": "2026-11-30T09:00:00+08:00", "callback_wanted": False},
        {"channel": "12315", "text": "买的电饭煲用了一周就坏了，商家不给换", "business": {"name": "惠民电器"},
         "goods_or_service": "电饭煲", "amount_in_dispute": "399.00", "demand": "退换"},
        {"channel": "mini_program", "text": "公园里的健身器材坏了，有尖角", "photos": ["https://img.example/1.jpg"],
         "location": {"lat": 30.1, "long": 114.2}},
        {"channel": "grid_worker", "text": "巡查发现河边护栏缺了一段", "grid_code": "G-07", "worker_id": "W-31"},
        {"channel": "online_opinion", "text": "网友发帖称学校门口早高峰拥堵", "platform": "微博",
         "url": "https://weibo.example/p/1", "author_handle": "路过的人"},
        {"channel": "upper_transfer", "text": "转办：群众反映农村道路损毁", "upper_body": "市12345中心",
         "reference_no": "SZ-2026-0001", "deadline": "2026-12-10T17:00:00+08:00"},
        {"channel": "offline_visit", "text": "村民来访反映宅基地纠纷", "visit_kind": "来访", "place": "城关镇政府"},
        {"channel": "sms", "text": "小区垃圾三天没人清", "sender": "13900001111"},
    ]
    for body in bodies:
        response = await client.post("/v1/appeals", json=body)
        assert response.status_code == 201, (body["channel"], response.text)


async def test_the_lean_and_the_full_submission_route_answer_alike(
    system: tuple[Runtime, httpx.AsyncClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A valid JSON body is answered without FastAPI's dependency resolution and re-validation
    # (apps/intake._lean_submit); anything else, here another JSON media type, goes the full way.
    _, client = system
    lean_answers: list[bool] = []
    lean = intake_app._lean_submit

    async def spy(request: Any) -> Any:
        answer = await lean(request)
        lean_answers.append(answer is not None)
        return answer

    monkeypatch.setattr(intake_app, "_lean_submit", spy)
    other_json = {"Content-Type": "application/hotline+json"}
    first = await client.post("/v1/appeals", json=appeal(external_id="lean-1"), headers={"Idempotency-Key": "lean-k"})
    again = await client.post("/v1/appeals", content=json.dumps(appeal(external_id="lean-1")),
                              headers={**other_json, "Idempotency-Key": "lean-k"})
    other = await client.post("/v1/appeals", content=json.dumps(appeal(external_id="lean-2")), headers=other_json)
    bad_key = await client.post("/v1/appeals", json=appeal(), headers={"Idempotency-Key": "a key"})
    assert lean_answers == [True, False, False, False]
    assert (first.status_code, again.status_code, other.status_code, bad_key.status_code) == (201, 200, 201, 422)
    assert again.json()["work_order_id"] == first.json()["work_order_id"]
    assert again.json()["citizen_token"] == first.json()["citizen_token"]
    for response in (first, again, other):
        assert response.headers["content-type"] == "application/json"
        assert list(response.json()) == list(other.json())  # the same fields in the same order
        assert response.content == json.dumps(response.json(), ensure_ascii=False, separators=(",", ":")).encode()
    assert "idempotency-key" in bad_key.json()["message"].lower()


async def test_a_repeat_is_a_repeat_whichever_route_each_submission_took(
    system: tuple[Runtime, httpx.AsyncClient],
) -> None:
    # The same JSON read the same way on both routes: a number such as 3.00 must give the same
    # request digest (validate_json would read Decimal('3') where json.loads + validation gives
    # Decimal('3.0'), and the repeat would be refused as different content).
    _, client = system
    raw = ('{"channel": "12315", "text": "买的电饭煲用了一周就坏了，商家不给换", "business": {"name": "惠民电器"}, '
           '"goods_or_service": "电饭煲", "amount_in_dispute": 3.00, "demand": "退换", "external_id": "%s"}')
    for n, (first_type, again_type) in enumerate([("application/json", "application/hotline+json"),
                                                  ("application/hotline+json", "application/json")]):
        body = (raw % f"route-{n}").encode()
        first = await client.post("/v1/appeals", content=body, headers={"Content-Type": first_type})
        again = await client.post("/v1/appeals", content=body, headers={"Content-Type": again_type})
        assert (first.status_code, again.status_code) == (201, 200), (first.text, again.text)
        assert again.json()["work_order_id"] == first.json()["work_order_id"]


async def test_a_field_refused_by_its_pattern_says_what_it_should_be_not_the_regex(
    system: tuple[Runtime, httpx.AsyncClient],
) -> None:
    _, client = system
    phone = await client.post("/v1/appeals", json={**appeal("路灯坏了"), "caller_phone": "幺三八"})
    assert phone.status_code == 422 and "pattern" not in phone.text, phone.text
    assert phone.json()["message"] == ("caller_phone: should be a phone number: 5 to 30 digits, "
                                       "with + - ( ) . or spaces between them")
    grid = await client.post("/v1/appeals", json={"channel": "grid_worker", "text": "河边护栏缺了一段",
                                                  "grid_code": "G 07", "worker_id": "W-31"})
    assert grid.status_code == 422 and grid.json()["message"] == "grid_code: should be one word, with no spaces"
