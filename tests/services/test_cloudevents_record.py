"""The record the relay publishes for an event is the one the cloudevents library makes of it
(binary content mode), byte for byte: `to_kafka` writes it directly, the library's way is kept as
`_library_record`; an event the library refuses is refused as before."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from cloudevents.core.exceptions import CloudEventValidationError
from hypothesis import given
from hypothesis import strategies as st

from schemas.events import EventEnvelope
from services.bus.cloudevents import _library_record, from_kafka, to_kafka

TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"

offsets = st.sampled_from([UTC, timezone(timedelta(hours=8)), timezone(timedelta(hours=-5, minutes=-30))])
times = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=offsets)
words = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40)
bodies = st.dictionaries(words, st.one_of(st.none(), st.integers(), st.booleans(), words,
                                           st.lists(words, max_size=3)), max_size=6)


@given(time=times, subject=words, event_type=words, source=words, data=bodies,
       traceparent=st.sampled_from([None, "", TRACEPARENT]), tracestate=st.sampled_from([None, "", "vendor=1"]))
def test_the_record_is_the_librarys_byte_for_byte(
    time: datetime, subject: str, event_type: str, source: str, data: dict[str, object],
    traceparent: str | None, tracestate: str | None,
) -> None:
    event = EventEnvelope(type=event_type, source=source, subject=subject, time=time, topic="hotline.lifecycle",
                          data=data, traceparent=traceparent, tracestate=tracestate)
    assert to_kafka(event) == _library_record(event)


def test_a_dispatch_event_reads_back_as_it_was_written() -> None:
    event = EventEnvelope(type="org.hotline.workorder.dispatched", subject="WO-20261202-0001",
                          time=datetime(2026, 12, 2, 4, 30, tzinfo=UTC), topic="hotline.dispatch.u1",
                          data={"text": "路灯不亮 ☎ 138****0000", "n": 1}, traceparent=TRACEPARENT)
    key, value, headers = to_kafka(event)
    assert dict(headers)["ce_time"] == b"2026-12-02T04:30:00Z"
    assert value == '{"text":"路灯不亮 ☎ 138****0000","n":1}'.encode()
    back = from_kafka(event.topic, key, value, headers)
    assert back.model_dump() == event.model_dump()


@pytest.mark.parametrize("change", [{"id": ""}, {"source": ""}, {"type": ""}, {"subject": ""},
                                    {"time": datetime(2026, 12, 2, 4, 30)}])
def test_an_event_the_library_refuses_is_refused_as_before(change: dict[str, object]) -> None:
    fields: dict[str, object] = {"type": "org.hotline.workorder.received", "subject": "WO-1",
                                 "time": datetime(2026, 12, 2, 4, 30, tzinfo=UTC), "topic": "hotline.lifecycle",
                                 "data": {}}
    event = EventEnvelope.model_validate({**fields, **change})
    with pytest.raises(CloudEventValidationError):
        _library_record(event)
    with pytest.raises(CloudEventValidationError):
        to_kafka(event)
