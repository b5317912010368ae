"""End to end with personal numbers in every field: no event, log line, API response or database
text column carries one unmasked, except where they must go (the lead unit's contact, the
emergency line). The raw values are in the vault, encrypted."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import String, Text, select
from sqlalchemy.types import JSON

from intake.masking import find_numbers
from intake.vault import SEALED_FIELDS
from services.bus.memory import InProcessBus
from services.db.tables import Base, OutboxEvent
from services.settings import CoreSettings
from tests.support.factories import as_unit, key_headers, running_system
from tests.support.waiting import eventually

MOBILE, MOBILE2 = "13812345678", "13987654321"
ID_CARD, BANK_CARD, LANDLINE = "42010119800101123X", "6222021234567890123", "07158765432"
PLANTED = (MOBILE, MOBILE2, ID_CARD, BANK_CARD, LANDLINE)

# Each written differently, in every field a channel takes.
TEXT = ("楼下烧烤店天天吵到半夜，我电话138.1234.5678，身份证420101 19800101 123X，"
        "退款打到卡6222 0212 3456 7890 123，座机(0715)8765432，也可以打 139 - 8765 - 4321，"
        "微信zhang13812345678，邮箱li13987654321@163.com，138\u200b1234\u200b5678")
ADDRESS = "城关镇解放社区3栋，联系人一三九八七六五四三二一"


def _planted_in(value: str) -> list[str]:
    digits = re.sub(r"[^0-9X]", "", value.translate(str.maketrans("０１２３４５６７８９", "0123456789")))
    return [p for p in PLANTED if p in digits]


class Scan:
    def __init__(self) -> None:
        self.fields = 0
        self.leaks: list[str] = []

    def value(self, where: str, value: Any) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                self.value(f"{where}.{k}", v)
        elif isinstance(value, list):
            for i, v in enumerate(value):
                self.value(f"{where}[{i}]", v)
        elif isinstance(value, str):
            self.fields += 1
            found = [n.digits for n in find_numbers(value)] + _planted_in(value)
            if found:
                at = max(0, min((value.find(p) for p in found if p in value), default=0) - 80)
                self.leaks.append(f"{where}: {found} in {value[at:at + 200]!r}")


@pytest.fixture
async def system(tmp_path: Path):  # type: ignore[no-untyped-def]
    settings = CoreSettings(data_dir=tmp_path, database_url=None, kafka_bootstrap_servers=None)
    async with running_system(settings) as pair:
        yield pair


async def test_no_unmasked_number_anywhere_after_a_whole_flow(
    system: Any, caplog: pytest.LogCaptureFixture
) -> None:
    runtime, client = system
    caplog.set_level(logging.DEBUG)
    responses: list[tuple[str, Any]] = []

    async def call(method: str, url: str, **kw: Any) -> httpx.Response:
        response = await client.request(method, url, **kw)
        responses.append((f"{method} {url}", response.json() if response.content else None))
        return response

    common = {"text": TEXT, "address": ADDRESS, "caller_name": f"张三{MOBILE2}", "caller_phone": MOBILE,
              "reported_at": "2026-11-30T09:00:00+08:00"}
    bodies = [
        {**common, "channel": "12345_phone", "external_id": f"call-{MOBILE}"},
        {**common, "channel": "12315", "business": {"name": f"店主{MOBILE2}", "address": ADDRESS,
                                                    "licence_no": BANK_CARD},
         "goods_or_service": f"卡号{BANK_CARD}", "amount_in_dispute": "10", "demand": "退款"},
        {**common, "channel": "grid_worker", "grid_code": f"G{MOBILE}", "worker_id": ID_CARD},
        {**common, "channel": "online_opinion", "platform": "论坛", "url": f"https://bbs.example/{MOBILE}",
         "author_handle": f"手机{MOBILE2}"},
        {**common, "channel": "upper_transfer", "upper_body": f"市中心{LANDLINE}", "reference_no": f"R{MOBILE}",
         "deadline": "2026-12-20T17:00:00+08:00"},
        {**common, "channel": "offline_visit", "place": f"接待室{MOBILE2}"},
        {**common, "channel": "sms", "sender": MOBILE2},
    ]
    orders = []
    for i, body in enumerate(bodies):
        # Apart in time and place, so none merges into another: each walks the whole loop.
        body = {**body, "reported_at": f"2026-{10 + i // 3}-{5 + (i % 3) * 9:02d}T09:00:00+08:00"}
        response = await call("POST", "/v1/appeals", json=body)
        assert response.status_code == 201, response.text
        orders.append(response.json())
    web = await call("POST", "/v1/appeals", json={**common, "channel": "web"},
                     headers={"Authorization": "", "Idempotency-Key": MOBILE})
    assert web.status_code == 201
    order_id, token = orders[0]["work_order_id"], orders[0]["citizen_token"]
    routed = await eventually(lambda: _state(client, order_id, "dispatched", "pending_review"), what="routing")
    if routed["state"] == "pending_review":
        dispatcher = await key_headers(runtime, "dispatcher")
        review = await call("POST", f"/v1/work-orders/{order_id}/review", headers=dispatcher,
                            json={"action": "override", "unit": "urban_mgmt", "reason": f"改派，回电{MOBILE}"})
        assert review.status_code == 200, review.text
        await call("GET", "/v1/review-queue", headers=await key_headers(runtime, "dispatcher"))
    order = await _state(client, order_id, "dispatched")
    assert order is not None
    unit = await as_unit(runtime, order["unit"])
    claimed = await client.post(f"/v1/work-orders/{order_id}/claim", headers=unit,
                                json={"note": f"已联系{MOBILE}，微信wang_{MOBILE2}"})
    assert claimed.status_code == 200 and claimed.json()["contact"]["phone"] == MOBILE
    responses.append(("lead unit claim", {**claimed.json(), "contact": None}))
    resolved = await call("POST", f"/v1/work-orders/{order_id}/resolve", headers=unit,
                          json={"reply": f"已处理，有问题打{LANDLINE}或{MOBILE2}", "note": f"内部{ID_CARD}"})
    assert resolved.status_code == 200
    lead_view = resolved.json()
    assert lead_view["contact"]["phone"] == MOBILE  # the lead unit must be able to call back
    lead_view["contact"] = None
    responses[-1] = ("lead unit resolve", lead_view)
    await call("GET", f"/v1/appeals/{order_id}", headers={"X-Citizen-Token": token})
    # The 回访 worklist: the operator who calls back sees the caller's contact, as the lead unit does;
    # everything else in it is masked.
    worklist = await client.get("/v1/callbacks", headers=await key_headers(runtime, "operator"))
    assert worklist.status_code == 200, worklist.text
    listed = [i for i in worklist.json()["items"] if i["work_order_id"] == order_id]
    assert listed and listed[0]["callers"][0]["contact"]["phone"] == MOBILE
    for item in listed:
        for caller in item["callers"]:
            caller["contact"] = None
    responses.append(("operator callback worklist", listed))
    rated = await call("POST", f"/v1/work-orders/{order_id}/rate",
                       json={"rating": "satisfied", "solved": True, "citizen_token": token,
                             "comment": f"满意，我的卡{BANK_CARD}，电话 138 - 1234 - 5678"})
    assert rated.status_code == 200
    await call("POST", f"/v1/appeals/{orders[1]['work_order_id']}/withdraw",
               headers={"X-Citizen-Token": orders[1]["citizen_token"]}, json={"reason": f"已解决{MOBILE}"})
    await call("GET", f"/v1/work-orders/{order_id}")
    await call("GET", "/v1/reports/states", headers=await key_headers(runtime, "supervisor"))
    await call("POST", "/v1/appeals", json={**bodies[0], "text": "另一件事"})  # a conflict: error body
    # Error bodies (and the request's log line) quote what the caller sent: an id, a unit, a township.
    supervisor = await key_headers(runtime, "supervisor")
    await call("GET", f"/v1/work-orders/{MOBILE}", headers=supervisor)
    await call("GET", "/v1/reports/631", params={"township": ID_CARD}, headers=supervisor)
    await call("GET", f"/v1/units/{BANK_CARD}/work-orders", headers=supervisor)
    await call("POST", f"/v1/work-orders/{order_id}/reassign", json={"unit": MOBILE2, "reason": "改派试试"},
               headers=await key_headers(runtime, "dispatcher"))
    open311 = await client.get(f"/open311/v2/requests/{LANDLINE}.json")
    responses.append(("open311 unknown request", open311.json()))
    await runtime.relay.drain()

    scan = Scan()
    for where, body in responses:
        scan.value(f"response {where}", body)
    bus = runtime.bus
    assert isinstance(bus, InProcessBus)
    events = lead_contacts = 0
    async with runtime.sessions() as session:
        for event in (await session.execute(select(OutboxEvent))).scalars():
            if event.topic == "hotline.emergency":
                continue  # the emergency line gets the caller's number, by design
            published = runtime.ctx.vault.open_fields(event.data)  # as the relay publishes it
            lead_contacts += bool(published.get("role") == "lead" and (published.get("contact") or {}).get("phone"))
            scan.value(f"event {event.type}", _without_lead_contact(published))
            events += 1
        assert lead_contacts >= 1  # the lead unit does get the number to call
        sealed_rows = sealed_outbox = 0
        for table in Base.metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, String | Text | JSON)]
            for row in (await session.execute(select(*columns))).all() if columns else []:
                for column, value in zip(columns, row, strict=True):
                    if table.name == "personal_data" and column.name == "sealed":
                        sealed_rows += 1
                        assert not _planted_in(value) and "张三" not in value  # ciphertext
                        assert MOBILE in json.dumps(runtime.ctx.vault.open(value))
                        continue
                    if table.name == "outbox" and column.name == "data" and SEALED_FIELDS in value:
                        # Even the lead unit's contact and the emergency line's text rest sealed.
                        sealed_outbox += 1
                        assert not _planted_in(value[SEALED_FIELDS]) and "张三" not in value[SEALED_FIELDS]
                        value = {k: v for k, v in value.items() if k != SEALED_FIELDS}
                    scan.value(f"db {table.name}.{column.name}", value)
    lines = 0
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    try:
        from services.logs import JsonFormatter
        formatter = JsonFormatter()
    except ImportError:
        pass
    for record in caplog.records:
        scan.value("log", formatter.format(record))
        lines += 1
    print(f"PII scan: {scan.fields} fields checked ({events} events, {lines} log lines, "
          f"{len(responses)} API responses, every database text column), {sealed_rows} sealed records")
    assert events >= 20 and sealed_rows == len(bodies) + 1 and sealed_outbox >= lead_contacts
    assert not scan.leaks, "\n".join(scan.leaks)


def _without_lead_contact(data: dict[str, Any]) -> dict[str, Any]:
    """A dispatch event for the lead unit carries the caller's contact: the one place it must go."""
    if data.get("role") == "lead":
        return {k: v for k, v in data.items() if k != "contact"}
    return data


async def _state(client: httpx.AsyncClient, order_id: str, *states: str) -> dict[str, Any] | None:
    body: dict[str, Any] = (await client.get(f"/v1/work-orders/{order_id}")).json()
    return body if body.get("state") in states else None


def test_a_log_line_masks_an_order_id_taken_from_the_path() -> None:
    from services.logs import JsonFormatter

    record = logging.LogRecord("hotline.http", logging.INFO, __file__, 1, "GET /v1/work-orders/{order_id} 404", None,
                               None)
    record.work_order_id = MOBILE  # what the middleware takes from the path, whatever the caller sent
    line = json.loads(JsonFormatter().format(record))
    assert line["work_order_id"] == "138****5678"
