"""CloudEvents 1.0 Kafka binary content mode: ce_* headers, JSON body, key = work-order id."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from cloudevents.core.bindings.kafka import KafkaMessage, from_binary_event, to_binary_event
from cloudevents.core.v1.event import CloudEvent

from schemas.events import EventEnvelope


def to_kafka(event: EventEnvelope) -> tuple[bytes, bytes, list[tuple[str, bytes]]]:
    """(key, value, headers) for aiokafka."""
    ce = CloudEvent(
        attributes={
            "specversion": "1.0",
            "id": event.id,
            "source": event.source,
            "type": event.type,
            "subject": event.subject,
            "time": event.time,
            "datacontenttype": "application/json",
        },
        data=event.data,
    )
    message = to_binary_event(ce)
    return event.key.encode(), message.value, list(message.headers.items())


def from_kafka(
    topic: str, key: bytes | None, value: bytes | None, headers: Sequence[tuple[str, bytes]]
) -> EventEnvelope:
    """Parse a record written by `to_kafka` (or by any CloudEvents binary-mode producer)."""
    message = KafkaMessage(headers=dict(headers), key=key, value=value or b"")
    ce = from_binary_event(message)
    attrs = ce.get_attributes()
    data = ce.get_data()
    if not isinstance(data, dict):
        raise ValueError(f"event {attrs.get('id')} on {topic} has no JSON object body")
    time = attrs.get("time")
    subject = attrs.get("subject") or (key.decode() if key else "")
    return EventEnvelope(
        id=attrs["id"],
        type=attrs["type"],
        source=attrs["source"],
        subject=subject,
        time=time if isinstance(time, datetime) else datetime.fromisoformat(str(time)),
        topic=topic,
        data=data,
    )
