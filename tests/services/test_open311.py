"""Open311 GeoReport v2, tried with a client written from the standard alone: raw form posts,
JSON and XML read as the standard describes them (no Hotline models)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import update

from services.apps import open311 as open311_app
from services.bootstrap import Runtime
from services.db.tables import WorkOrder
from services.settings import CoreSettings
from tests.support.factories import running_system
from tests.support.keys import issued_key

FORM = {"content-type": "application/x-www-form-urlencoded"}


@pytest.fixture(scope="module")
async def system(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[tuple[Runtime, httpx.AsyncClient]]:
    settings = CoreSettings(data_dir=Path(tmp_path_factory.mktemp("open311")), database_url=None,
                            kafka_bootstrap_servers=None)
    async with running_system(settings) as (runtime, client):
        client.headers.pop("Authorization")  # a 311 client sends no bearer header
        yield runtime, client


async def test_a_311_client_lists_services_posts_a_request_and_follows_it(
    system: tuple[Runtime, httpx.AsyncClient],
) -> None:
    runtime, client = system
    discovery = (await client.get("/open311/v2/discovery.json")).json()
    assert discovery["endpoints"][0]["specification"].endswith("GeoReport_v2")
    services = (await client.get("/open311/v2/services.json")).json()
    assert services and {"service_code", "service_name", "metadata", "type"} <= set(services[0])
    xml_services = ET.fromstring((await client.get("/open311/v2/services.xml")).content)
    assert xml_services.tag == "services" and len(xml_services.findall("service")) == len(services)
    code = next(s["service_code"] for s in services if "路灯" in s["service_name"] or "灯" in s["service_name"])
    definition = (await client.get(f"/open311/v2/services/{code}.json")).json()
    assert definition["service_code"] == code

    api_key = await issued_key(runtime, "open311-client")
    form = {"api_key": api_key, "service_code": code, "description": "人民路88号门口路灯坏了三天，电话13812345678",
            "address_string": "城关镇人民路88号", "phone": "13812345678", "first_name": "明", "last_name": "李"}
    posted = await client.post("/open311/v2/requests.json", content=httpx.QueryParams(form).__str__(), headers=FORM)
    assert posted.status_code == 201, posted.text
    request_id = posted.json()[0]["service_request_id"]

    one = (await client.get(f"/open311/v2/requests/{request_id}.json")).json()[0]
    assert one["status"] == "open" and one["service_request_id"] == request_id
    assert "13812345678" not in str(one) and "5678" in one["description"]
    xml_one = ET.fromstring((await client.get(f"/open311/v2/requests/{request_id}.xml")).content)
    assert xml_one.tag == "service_requests" and xml_one.find("request/status").text == "open"  # type: ignore[union-attr]
    listed = (await client.get("/open311/v2/requests.json", params={"status": "open"})).json()
    assert request_id in [r["service_request_id"] for r in listed]
    closed = (await client.get("/open311/v2/requests.json", params={"status": "closed"})).json()
    assert request_id not in [r["service_request_id"] for r in closed]
    token = (await client.get(f"/open311/v2/tokens/{request_id}.json")).json()
    assert token[0]["service_request_id"] == request_id


async def test_open311_errors_are_the_standards_list_of_code_and_description(
    system: tuple[Runtime, httpx.AsyncClient],
) -> None:
    runtime, client = system
    no_key = await client.post("/open311/v2/requests.json", content="service_code=x&description=hi", headers=FORM)
    assert no_key.status_code == 403 and no_key.json()[0]["code"] == 403 and no_key.json()[0]["description"]
    operator = await issued_key(runtime, "dispatcher")
    wrong_role = await client.post("/open311/v2/requests.xml", content=f"api_key={operator}&service_code=x",
                                   headers=FORM)
    errors = ET.fromstring(wrong_role.content)
    assert wrong_role.status_code == 403 and errors.tag == "errors" and errors.find("error/code").text == "403"  # type: ignore[union-attr]
    api_key = await issued_key(runtime, "open311-client")
    bad = await client.post("/open311/v2/requests.json", content=f"api_key={api_key}&service_code=nope", headers=FORM)
    assert bad.status_code == 400 and "service_code" in bad.json()[0]["description"]
    missing = await client.get("/open311/v2/requests/wo_nothing_here.json")
    assert missing.status_code == 404 and missing.json()[0]["code"] == 404
    assert (await client.get("/open311/v2/requests.json", params={"status": "pending"})).status_code == 400
    for name in ("start_date", "end_date"):  # a time past what a UTC time can hold (was a 500)
        late = await client.get("/open311/v2/requests.json", params={name: "9999-12-31T23:59:59-14:00"})
        assert late.status_code == 400 and name in late.json()[0]["description"]


async def test_a_bad_open311_post_names_the_parameter_in_plain_words(system: tuple[Runtime, httpx.AsyncClient]) -> None:
    runtime, client = system
    api_key = await issued_key(runtime, "open311-client")
    code = (await client.get("/open311/v2/services.json")).json()[0]["service_code"]
    place = {"api_key": api_key, "address_string": "城关镇文昌路"}
    for form, words in (
        ({**place}, "service_code: required (see services.json)"),
        ({**place, "service_code": code, "description": "文昌路\u0000路灯坏了"},
         "description: must not contain NUL or other control characters"),
        ({**place, "service_code": code, "description": "文昌路路灯坏了", "lat": "abc", "long": "1"},
         "lat/long: Input should be a valid number"),
    ):
        posted = await client.post("/open311/v2/requests.json", content=str(httpx.QueryParams(form)), headers=FORM)
        assert posted.status_code == 400, posted.text
        assert posted.json()[0]["description"].startswith(words), posted.json()
    # Percent-escapes that are not UTF-8 were read as U+FFFD and stored ("��" is two characters of text).
    not_utf8 = await client.post("/open311/v2/requests.json", headers=FORM,
                                 content=f"api_key={api_key}&service_code={code}&description=%FF%FE%FF&address_string=x")
    assert not_utf8.status_code == 400 and "UTF-8" in not_utf8.json()[0]["description"], not_utf8.text


async def test_an_open311_post_sent_as_json_is_told_to_send_a_form(system: tuple[Runtime, httpx.AsyncClient]) -> None:
    runtime, client = system
    api_key = await issued_key(runtime, "open311-client")
    posted = await client.post("/open311/v2/requests.json", json={"api_key": api_key, "service_code": "x"})
    assert posted.status_code == 400, posted.text
    assert "application/x-www-form-urlencoded" in posted.json()[0]["description"]


async def test_a_status_filter_fills_its_answer_past_merged_requests_of_the_other_status(
    system: tuple[Runtime, httpx.AsyncClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    runtime, client = system
    api_key = await issued_key(runtime, "open311-client")
    code = (await client.get("/open311/v2/services.json")).json()[0]["service_code"]
    ids = []
    for place, matter in (("城关镇人民路1号", "门口的井盖丢了"), ("白沙镇中心小学", "门口的垃圾三天没人清运"),
                          ("城关镇建设路3号", "楼下烧烤店油烟太大")):
        form = {"api_key": api_key, "service_code": code, "description": place + matter, "address_string": place}
        posted = await client.post("/open311/v2/requests.json", content=str(httpx.QueryParams(form)), headers=FORM)
        ids.append(posted.json()[0]["service_request_id"])
    closed_root, still_open, merged = ids  # newest last
    async with runtime.sessions() as session, session.begin():
        await session.execute(update(WorkOrder).where(WorkOrder.id == closed_root).values(state="closed"))
        await session.execute(update(WorkOrder).where(WorkOrder.id == merged).values(state="merged",
                                                                                     merged_into=closed_root))
    # One request an answer: the newest open-looking one is merged into a closed request, so closed.
    monkeypatch.setattr(open311_app, "_LIMIT", 1)
    listed = (await client.get("/open311/v2/requests.json", params={"status": "open"})).json()
    assert [r["service_request_id"] for r in listed] == [still_open]
    closed = (await client.get("/open311/v2/requests.json", params={"status": "closed"})).json()
    assert [r["service_request_id"] for r in closed] == [merged]


async def test_a_confidential_appeal_shows_on_open311_without_its_words_place_or_photos(
    system: tuple[Runtime, httpx.AsyncClient],
) -> None:
    """Open311's GETs need no key: a citizen who asked for 保密 must not find their own words (a
    name, a flat number) or where they live there; the request still shows its service and status."""
    _, client = system
    secret = await client.post("/v1/appeals", json={
        "channel": "web", "text": "我是王小明，住在解放社区5栋2单元501室，楼上漏水严重", "confidential": True,
        "address": "城关镇解放社区5栋2单元501室", "location": {"lat": 30.1, "long": 114.2},
        "photos": ["https://img.example.cn/a.jpg"]})
    assert secret.status_code == 201, secret.text
    request_id = secret.json()["work_order_id"]
    one = (await client.get(f"/open311/v2/requests/{request_id}.json")).json()[0]
    listed = [r for r in (await client.get("/open311/v2/requests.json")).json()
              if r["service_request_id"] == request_id]
    xml_one = (await client.get(f"/open311/v2/requests/{request_id}.xml")).text
    for shown in (one, *listed):
        assert shown["status"] == "open"
        assert (shown["description"], shown["address"], shown["lat"], shown["long"], shown["media_url"]) == (
            None, None, None, None, None)
    # Words of the flat, not bare digits: "501" also turns up in a timestamp's microseconds now and then.
    assert listed and "王小明" not in xml_one and "501室" not in xml_one and "5栋" not in xml_one


async def test_an_open311_body_too_large_is_refused_in_the_standards_words(
    system: tuple[Runtime, httpx.AsyncClient],
) -> None:
    """413 too, as [{code, description}] (or its XML): it was the API's own error object."""
    _, client = system
    huge = "description=" + "路灯" * 20000
    for fmt in ("json", "xml"):
        refused = await client.post(f"/open311/v2/requests.{fmt}", content=huge, headers=FORM)
        assert refused.status_code == 413, refused.text
        if fmt == "json":
            [error] = refused.json()
            assert error["code"] == 413 and "larger than" in error["description"], error
        else:
            assert ET.fromstring(refused.content).find("error/code").text == "413"  # type: ignore[union-attr]


async def test_a_character_xml_cannot_hold_in_a_citizens_text_leaves_the_xml_readable(
    system: tuple[Runtime, httpx.AsyncClient],
) -> None:
    # U+FFFE / U+FFFF are valid JSON and Python text but not XML 1.0: written as they are, one such
    # request made every XML list holding it unreadable to a 311 client.
    _, client = system
    sent = await client.post("/v1/appeals", json={"channel": "web", "text": "北山乡杨柳村3组路灯坏了\uffff\ufffe😀",
                                                  "address": "北山乡杨柳村3组"})
    assert sent.status_code == 201, sent.text
    request_id = sent.json()["work_order_id"]
    for url in (f"/open311/v2/requests/{request_id}.xml", "/open311/v2/requests.xml"):
        answer = await client.get(url)
        assert answer.status_code == 200
        shown = [r for r in ET.fromstring(answer.content) if r.findtext("service_request_id") == request_id]
        assert shown and shown[0].findtext("description") == "北山乡杨柳村3组路灯坏了\ufffd\ufffd😀"
