"""Metrics an operator can alert on, and log lines that carry a request id and work-order id but
never a personal number or an SQL parameter."""

from __future__ import annotations

import io
import json
import logging
import pickle
import re
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import yaml
from prometheus_client import REGISTRY
from sqlalchemy import select

from services.bootstrap import Runtime
from services.db.tables import OutboxEvent
from services.logs import JsonFormatter, logging_config
from services.settings import CoreSettings
from tests.support.factories import appeal, key_headers, order_in_state, running_system
from tests.support.waiting import eventually

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
async def system(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[tuple[Runtime, httpx.AsyncClient]]:
    settings = CoreSettings(data_dir=Path(tmp_path_factory.mktemp("observe")), database_url=None,
                            kafka_bootstrap_servers=None)
    async with running_system(settings) as pair:
        yield pair


def _sample(text: str, name: str, **labels: str) -> float | None:
    for line in text.splitlines():
        if line.startswith(name + "{") or line.startswith(name + " "):
            if all(f'{k}="{v}"' in line for k, v in labels.items()):
                return float(line.rsplit(" ", 1)[1])
    return None


async def test_metrics_count_requests_by_route_template_and_read_the_database(
    system: tuple[Runtime, httpx.AsyncClient],
) -> None:
    runtime, client = system
    accepted = await client.post("/v1/appeals", json=appeal(caller_phone="13912345678"))
    assert accepted.status_code == 201
    order_id = accepted.json()["work_order_id"]
    await client.get(f"/v1/work-orders/{order_id}")
    await client.get("/v1/work-orders/wo_unknown")
    await runtime.relay.drain()
    text = (await client.get("/metrics")).text
    route = "/v1/work-orders/{order_id}"
    assert (_sample(text, "hotline_http_requests_total", route=route, status="200") or 0) >= 1
    assert (_sample(text, "hotline_http_requests_total", route=route, status="404") or 0) >= 1
    assert order_id not in text  # a route template, never the raw path
    assert _sample(text, "hotline_http_request_duration_seconds_count", route="/v1/appeals") is not None
    assert _sample(text, "hotline_outbox_backlog_events") == 0
    assert _sample(text, "hotline_outbox_oldest_unpublished_age_seconds") == 0
    assert (_sample(text, "hotline_work_orders", state="dispatched") or 0) + \
        (_sample(text, "hotline_work_orders", state="pending_review") or 0) >= 1
    assert _sample(text, "hotline_work_orders_overdue", clock="claim") == 0
    assert (_sample(text, "hotline_events_published_total", topic="hotline.lifecycle") or 0) >= 1
    assert (_sample(text, "hotline_events_consumed_total", consumer="hotline-router", outcome="ok") or 0) >= 1
    assert _sample(text, "hotline_database_up") == 1 and _sample(text, "hotline_broker_up") == 1
    assert _sample(text, "hotline_relay_leader") == 1


async def test_reports_and_lists_are_counted_and_logged_by_their_whole_path(
    system: tuple[Runtime, httpx.AsyncClient],
) -> None:
    """The reports and the order lists sit on routers the feedback app nested in its /v1 one: their log
    lines read 'GET /reports/rates 200' and their metrics route="/reports/rates", which no search for
    the path the API documents (/v1/reports/rates) finds."""
    runtime, client = system
    supervisor = await key_headers(runtime, "supervisor")
    with captured_log() as stream:
        for path in ("/v1/reports/rates", "/v1/work-orders", "/v1/units/housing/work-orders", "/v1/audit?order=wo_x"):
            assert (await client.get(path, headers=supervisor)).status_code == 200, path
    logged = [json.loads(line)["message"] for line in stream.getvalue().splitlines() if "hotline.http" in line]
    assert logged == ["GET /v1/reports/rates 200", "GET /v1/work-orders 200", "GET /v1/units/{unit}/work-orders 200",
                      "GET /v1/audit 200"], logged
    text = (await client.get("/metrics")).text
    assert (_sample(text, "hotline_http_requests_total", route="/v1/reports/rates", status="200") or 0) >= 1
    assert 'route="/reports/' not in text and 'route="/work-orders"' not in text


async def test_head_answers_as_get_without_a_body_and_is_counted_by_its_route(
    system: tuple[Runtime, httpx.AsyncClient],
) -> None:
    """HEAD on every GET route answered 405 (FastAPI's routes take only the methods they name)."""
    runtime, client = system
    supervisor = await key_headers(runtime, "supervisor")
    order_id = (await client.post("/v1/appeals", json=appeal())).json()["work_order_id"]
    # Routed first, so that the order does not change between the GET and the HEAD compared.
    await eventually(lambda: order_in_state(client, order_id, "dispatched", "pending_review"), what="routing")
    for path in (f"/v1/work-orders/{order_id}", "/v1/reports/rates", "/healthz", "/openapi.json"):
        got = await client.get(path, headers=supervisor)
        head = await client.head(path, headers=supervisor)
        assert head.status_code == got.status_code == 200, (path, head.status_code, head.text)
        assert head.content == b"" and got.content, path
        assert head.headers["content-type"] == got.headers["content-type"], path
        assert head.headers["content-length"] == got.headers["content-length"], path
    assert (await client.head("/v1/work-orders/wo_unknown", headers=supervisor)).status_code == 404
    assert (await client.head("/v1/appeals")).status_code == 405  # a POST route stays POST only
    text = (await client.get("/metrics")).text
    assert (_sample(text, "hotline_http_requests_total", method="HEAD", route="/v1/work-orders/{order_id}",
                    status="200") or 0) >= 1
    paths = (await client.get("/openapi.json")).json()["paths"]
    assert not any("head" in operations for operations in paths.values())


def test_dashboard_and_alerts_use_only_metrics_that_exist() -> None:
    known: set[str] = set()
    for family in REGISTRY.collect():  # every metric registered, with or without samples yet
        known |= {family.name + suffix for suffix in ("", "_total", "_bucket", "_count", "_sum")}
    dashboard = json.loads((ROOT / "deploy/grafana/hotline.json").read_text(encoding="utf-8"))
    exprs = [t["expr"] for p in dashboard["panels"] for t in p["targets"]]
    rules = yaml.safe_load((ROOT / "deploy/prometheus/alerts.yaml").read_text(encoding="utf-8"))
    exprs += [r["expr"] for g in rules["groups"] for r in g["rules"]]
    used = {name for e in exprs for name in re.findall(r"hotline_[a-z_]+", e)}
    assert len(used) > 10 and sorted(used - known) == []


@contextmanager
def captured_log(level: int = logging.INFO) -> Iterator[io.StringIO]:
    """What the root logger writes meanwhile, as the services' JSON lines."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(level)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(previous)


def test_every_metric_is_listed_in_the_deploy_readme() -> None:
    """The operator's list of metrics (deploy/README.md, Observability) names each one registered."""
    listed = set(re.findall(r"hotline_[a-z_]+", (ROOT / "deploy/README.md").read_text(encoding="utf-8")))
    registered = {f.name for f in REGISTRY.collect() if f.name.startswith("hotline_")}
    missing = sorted(n for n in registered if n not in listed and f"{n}_total" not in listed)
    assert missing == []


async def test_log_lines_are_json_with_request_and_order_ids_and_no_personal_numbers(
    system: tuple[Runtime, httpx.AsyncClient],
) -> None:
    _, client = system
    with captured_log() as stream:
        await client.get("/v1/work-orders/wo_some_order", headers={"X-Request-ID": "req-42"})
        logging.getLogger("hotline.test").warning("caller 13912345678 id 42010119800101123X card 6222021234567890123")
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    access = next(line for line in lines if line["logger"] == "hotline.http")
    assert access["request_id"] == "req-42" and access["work_order_id"] == "wo_some_order"
    assert access["status"] == 404 and access["message"] == "GET /v1/work-orders/{order_id} 404"
    text = stream.getvalue()
    assert "13912345678" not in text and "19800101" not in text and "2123456789" not in text
    assert "139****5678" in text


async def test_at_debug_level_no_sql_statement_nor_its_parameters_is_logged(
    system: tuple[Runtime, httpx.AsyncClient],
) -> None:
    """HOTLINE_LOG_LEVEL=DEBUG logged every statement aiosqlite ran, with its parameters: the appeal's
    text, address and sealed personal data, a line per row."""
    _, client = system
    levels = {name: logging.getLogger(name).level for name in logging_config("debug")["loggers"]}
    for name, config in logging_config("debug")["loggers"].items():
        if "level" in config:
            logging.getLogger(name).setLevel(config["level"])
    try:
        with captured_log(logging.DEBUG) as stream:
            answer = await client.post("/v1/appeals", json=appeal(text="东湖大道路灯不亮了，住在旁边的李四说很危险",
                                                                  external_id="debug-log"))
            assert answer.status_code == 201, answer.text
    finally:
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)
    text = stream.getvalue()
    assert "hotline.http" in text  # the request was logged
    assert "INSERT INTO" not in text and "李四" not in text, text[:500]


async def test_a_number_in_a_request_id_or_an_order_id_the_caller_chose_is_masked_in_the_log(
    system: tuple[Runtime, httpx.AsyncClient],
) -> None:
    """The text rule leaves digits a letter touches alone (ids, digests), so req-13987654321 and
    wo_13611112222 reached the log whole; our own ids are kept whole."""
    _, client = system
    with captured_log() as stream:
        await client.get("/v1/work-orders/wo_13611112222", headers={"X-Request-ID": "req-13987654321"})
        await client.get("/v1/work-orders/wo_5d2e4458195446fd865b", headers={"X-Request-ID": "f" * 32})
    text = "\n".join(line for line in stream.getvalue().splitlines() if '"hotline.http"' in line)  # not httpx's
    assert "13611112222" not in text and "13987654321" not in text, text
    assert "req-139****4321" in text and "wo_136****2222" in text
    assert "wo_5d2e4458195446fd865b" in text and "f" * 32 in text


def test_logging_config_pickles_for_worker_processes() -> None:
    # `hotline serve --workers N` hands the config to uvicorn, which pickles it for each spawned
    # worker: a stream object in it made every multi-worker start fail.
    assert pickle.loads(pickle.dumps(logging_config("info")))["handlers"]["stderr"]["stream"] == "ext://sys.stderr"


def test_sql_parameters_never_reach_an_error_text(tmp_path: Path) -> None:
    from services.db.engine import make_engine

    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path}/x.db")
    assert engine.sync_engine.hide_parameters


async def test_event_times_take_one_rfc3339_form(system: tuple[Runtime, httpx.AsyncClient]) -> None:
    runtime, client = system
    assert (await client.post("/v1/appeals", json=appeal())).status_code == 201
    await runtime.relay.drain()
    async with runtime.sessions() as session:
        rows = (await session.execute(select(OutboxEvent))).scalars().all()
    times = [v for r in rows for v in _strings(r.data) if re.match(r"^\d{4}-\d{2}-\d{2}T", v)]
    assert any(r.topic.startswith("hotline.dispatch.") for r in rows) and times
    assert all(t.endswith("Z") for t in times), [t for t in times if not t.endswith("Z")]


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def test_a_service_starting_logs_no_line_for_each_alembic_plugin() -> None:
    """Importing Alembic (the embedded default migrates itself) logged seven `setup plugin …` lines
    at INFO before the server's first."""
    done = subprocess.run([sys.executable, "-c", "from services.logs import configure_logging; configure_logging(); "
                           "import services.db.migrate"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "setup plugin" not in done.stderr, done.stderr
