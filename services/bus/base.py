"""The bus interface every adapter implements."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from schemas.events import EventEnvelope

Handler = Callable[[EventEnvelope], Awaitable[None]]
# Several events at once (in order within each key), acted on in one go; raising means none of
# them was done, and all are delivered again.
BatchHandler = Callable[[Sequence[EventEnvelope]], Awaitable[None]]


@dataclass(frozen=True)
class RawRecord:
    """A record as it came off the broker, for one that could not be read as an event."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: tuple[tuple[str, bytes], ...]


# Told of a record that is not a readable event, with why (services.bus.cloudevents.UnreadableRecord);
# raising means it was not dealt with, and it is delivered again.
UnreadableHandler = Callable[[RawRecord, Exception], Awaitable[None]]


@dataclass(frozen=True)
class Subscription:
    """One consumer (group) reading some topics with one handler."""

    consumer: str
    topics: frozenset[str]
    handler: Handler
    batch: BatchHandler | None = None  # when set, used instead of `handler` for what arrives together
    unreadable: UnreadableHandler | None = None  # when set, told of records that are not readable events


class EventBus(Protocol):
    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def publish(self, events: Sequence[EventEnvelope]) -> None:
        """Deliver every event or raise; the caller marks them sent only after this returns."""
        ...

    def subscribe(
        self, consumer: str, topics: Sequence[str], handler: Handler, *, batch: BatchHandler | None = None,
        unreadable: UnreadableHandler | None = None,
    ) -> None:
        """Call `handler` for each event on `topics`, as consumer group `consumer` (or `batch` once
        for the events that arrive together, when given), and `unreadable` for each record that is
        not a readable event (else it is logged and skipped). Before start()."""
        ...

    async def ready(self) -> bool:
        """Whether the broker is reachable now."""
        ...
