"""One appeal is one trace: the intake request, its SQL, the relay's publish of the received event,
the router consuming it, and the publish on the unit's dispatch topic, linked through the W3C trace
context that each CloudEvent carries (`traceparent`, the CloudEvents distributed-tracing extension)."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from schemas.events import EventEnvelope
from services import tracing
from services.bootstrap import Runtime
from services.bus.cloudevents import from_kafka, to_kafka
from services.settings import CoreSettings
from tests.support.factories import appeal, running_system

TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


@pytest.fixture(scope="module")
def exporter() -> Iterator[InMemorySpanExporter]:
    spans = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(spans))
    tracing.setup_tracing(CoreSettings(), "all", provider=provider)
    try:
        yield spans
    finally:
        tracing.reset_tracing()


@pytest.fixture(scope="module")
async def system(
    exporter: InMemorySpanExporter, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[tuple[Runtime, httpx.AsyncClient]]:
    settings = CoreSettings(data_dir=Path(tmp_path_factory.mktemp("tracing")), database_url=None,
                            kafka_bootstrap_servers=None)
    async with running_system(settings) as pair:
        yield pair


def _in_trace(spans: tuple[ReadableSpan, ...], trace_id: int) -> list[ReadableSpan]:
    return sorted((s for s in spans if s.context is not None and s.context.trace_id == trace_id),
                  key=lambda s: s.start_time or 0)


async def test_one_appeal_is_one_trace_from_intake_to_the_units_topic(
    system: tuple[Runtime, httpx.AsyncClient], exporter: InMemorySpanExporter
) -> None:
    runtime, client = system
    exporter.clear()
    accepted = await client.post("/v1/appeals", json=appeal(), headers={"traceparent": TRACEPARENT})
    assert accepted.status_code == 201, accepted.text
    await runtime.relay.drain()
    await runtime.relay.drain()
    spans = _in_trace(exporter.get_finished_spans(), int(TRACEPARENT.split("-")[1], 16))
    names = [s.name for s in spans]
    print("\ntrace of one appeal: " + " > ".join(n for n in names if "http " not in n), file=sys.__stderr__)
    assert names[0] == "POST /v1/appeals"
    assert any(n.startswith(("INSERT", "SELECT")) for n in names), names  # SQLAlchemy statements
    order = ["POST /v1/appeals", "publish hotline.lifecycle", "process hotline.lifecycle"]
    assert [n for n in names if n in order][:3] == order
    dispatch = [n for n in names if n.startswith("publish hotline.dispatch.")]
    assert len(set(dispatch)) == 1, names  # one unit's topic (the relay may publish a row twice, never lose it)
    by_id = {s.context.span_id: s for s in spans if s.context is not None}
    process = next(s for s in spans if s.name == "process hotline.lifecycle")
    assert process.parent is not None and by_id[process.parent.span_id].name == "publish hotline.lifecycle"
    unit_publish = next(s for s in spans if s.name == dispatch[0])
    assert unit_publish.attributes is not None
    assert unit_publish.attributes["hotline.work_order_id"] == accepted.json()["work_order_id"]


def test_trace_context_travels_in_the_cloudevent_headers() -> None:
    event = EventEnvelope(type="org.hotline.workorder.received", subject="wo_1", topic="hotline.lifecycle",
                          data={"text": "路灯坏了"}, traceparent=TRACEPARENT, tracestate="hotline=1")
    key, value, headers = to_kafka(event)
    assert ("ce_traceparent", TRACEPARENT.encode()) in headers
    assert "路灯坏了".encode() in value and b"\\u" not in value  # UTF-8, not \\u escapes
    back = from_kafka("hotline.lifecycle", key, value, headers)
    assert (back.traceparent, back.tracestate) == (TRACEPARENT, "hotline=1")
