"""OpenTelemetry tracing, on when an OTLP endpoint is configured (OTEL_EXPORTER_OTLP_ENDPOINT).

Spans: each HTTP request (FastAPI), each SQL statement (SQLAlchemy), each event the outbox relay
publishes (`publish <topic>`, a producer span) and each event a consumer handles (`process <topic>`, a
consumer span). The W3C trace context crosses Kafka inside the event, as the CloudEvents
distributed-tracing extension says (`traceparent`/`tracestate` attributes, `ce_traceparent` headers):
captured when the outbox row is written (the request's or consumer's span), continued by the relay's
publish span, and picked up by the consumer, so one appeal is one trace from intake through the router
to the unit's topic, and back when the unit replies over Kafka with the context it received.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from fastapi import FastAPI
from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import Span, SpanKind, Status, StatusCode
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from sqlalchemy.ext.asyncio import AsyncEngine

from schemas.events import EventEnvelope
from services.settings import CoreSettings

log = logging.getLogger(__name__)

_PROPAGATOR = TraceContextTextMapPropagator()
_provider: TracerProvider | None = None


def setup_tracing(settings: CoreSettings, service: str, provider: TracerProvider | None = None) -> bool:
    """Install the tracer provider: `provider` as given (tests: an in-memory exporter), else an OTLP
    exporter when the settings name an endpoint. Returns whether tracing is on."""
    global _provider
    if provider is None and _provider is None and settings.otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider = TracerProvider(resource=Resource.create({"service.name": f"hotline-{service}"}))
        endpoint = settings.otlp_endpoint.rstrip("/")
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=f"{endpoint}/v1/traces")))
        log.info("tracing to %s", endpoint)
    if provider is not None:
        _provider = provider
    return _provider is not None


def reset_tracing() -> None:
    """Forget the installed provider (tests)."""
    global _provider
    _provider = None


def enabled() -> bool:
    return _provider is not None


def tracer() -> trace.Tracer:
    return (_provider or trace.NoOpTracerProvider()).get_tracer("hotline")


def instrument_app(app: FastAPI) -> None:
    if _provider is not None:
        from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

        FastAPIInstrumentor.instrument_app(app, tracer_provider=_provider,
                                           excluded_urls="/healthz,/readyz,/metrics")


def instrument_engine(engine: AsyncEngine) -> None:
    if _provider is not None:
        from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor

        # Its declared range stops below SQLAlchemy 2.1, whose engine events it uses unchanged.
        SQLAlchemyInstrumentor().instrument(engine=engine.sync_engine, tracer_provider=_provider,
                                            skip_dep_check=True)


def current_context_headers() -> dict[str, str]:
    """The current span's W3C context: {'traceparent': …, 'tracestate': …} (empty without a span)."""
    carrier: dict[str, str] = {}
    if _provider is not None:
        _PROPAGATOR.inject(carrier)
    return carrier


def context_from(traceparent: str | None, tracestate: str | None) -> Context | None:
    if not traceparent:
        return None
    carrier = {"traceparent": traceparent, **({"tracestate": tracestate} if tracestate else {})}
    return _PROPAGATOR.extract(carrier)


def start_publish_span(topic: str, event_id: str, subject: str, traceparent: str | None,
                       tracestate: str | None) -> tuple[Span, dict[str, str]]:
    """A producer span for one event, child of the context the event was written in; returns the
    span and the context to send with the event (the span's own)."""
    span = tracer().start_span(f"publish {topic}", context=context_from(traceparent, tracestate),
                               kind=SpanKind.PRODUCER, attributes=_attributes(topic, event_id, subject))
    carrier: dict[str, str] = {}
    if _provider is not None:
        _PROPAGATOR.inject(carrier, context=trace.set_span_in_context(span))
    return span, carrier


@contextmanager
def consume_span(consumer: str, event: EventEnvelope) -> Iterator[None]:
    """A consumer span around handling one event, child of the context the event carries."""
    if _provider is None:
        yield
        return
    attributes = {**_attributes(event.topic, event.id, event.subject), "messaging.consumer.group.name": consumer}
    with tracer().start_as_current_span(f"process {event.topic}",
                                        context=context_from(event.traceparent, event.tracestate),
                                        kind=SpanKind.CONSUMER, attributes=attributes):
        yield


def _attributes(topic: str, event_id: str, subject: str) -> dict[str, Any]:
    return {"messaging.system": "kafka", "messaging.destination.name": topic, "messaging.message.id": event_id,
            "hotline.work_order_id": subject}


# Work-order id -> the trace context its outbox rows are to carry, while a batch of events is handled
# in one transaction (each order continues its own trace, not the batch's).
_ORDER_CONTEXT: ContextVar[dict[str, dict[str, str]] | None] = ContextVar("hotline_order_trace", default=None)


def outbox_trace_context(subject: str) -> dict[str, str]:
    """The trace context an outbox row for work order `subject` is written with."""
    if _provider is None:
        return {}
    by_order = _ORDER_CONTEXT.get()
    if by_order is not None and subject in by_order:
        return by_order[subject]
    return current_context_headers()


@contextmanager
def publish_spans(events: Sequence[EventEnvelope]) -> Iterator[list[EventEnvelope]]:
    """Producer spans for a batch the relay publishes; yields the events carrying their span's
    context. A failed publish is recorded on every span."""
    if _provider is None:
        yield list(events)
        return
    spans, traced = [], []
    for event in events:
        span, carrier = start_publish_span(event.topic, event.id, event.subject, event.traceparent, event.tracestate)
        spans.append(span)
        traced.append(event.model_copy(update={"traceparent": carrier.get("traceparent"),
                                               "tracestate": carrier.get("tracestate")}))
    try:
        yield traced
    except BaseException as exc:
        for span in spans:
            span.record_exception(exc)
            span.set_status(Status(StatusCode.ERROR, str(exc)))
        raise
    finally:
        for span in spans:
            span.end()


@contextmanager
def consume_spans(consumer: str, events: Sequence[EventEnvelope]) -> Iterator[None]:
    """Consumer spans for events handled together, one per event as the child of its own context;
    outbox rows written meanwhile for an event's order continue that event's trace."""
    if _provider is None:
        yield
        return
    spans, by_order = [], {}
    for event in events:
        span = tracer().start_span(
            f"process {event.topic}", context=context_from(event.traceparent, event.tracestate),
            kind=SpanKind.CONSUMER,
            attributes={**_attributes(event.topic, event.id, event.subject), "messaging.consumer.group.name": consumer})
        spans.append(span)
        carrier: dict[str, str] = {}
        _PROPAGATOR.inject(carrier, context=trace.set_span_in_context(span))
        by_order[event.subject] = carrier
    token = _ORDER_CONTEXT.set(by_order)
    try:
        yield
    finally:
        _ORDER_CONTEXT.reset(token)
        for span in spans:
            span.end()
