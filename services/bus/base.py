"""The bus interface every adapter implements."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from schemas.events import EventEnvelope

Handler = Callable[[EventEnvelope], Awaitable[None]]


@dataclass(frozen=True)
class Subscription:
    """One consumer (group) reading some topics with one handler."""

    consumer: str
    topics: frozenset[str]
    handler: Handler


class EventBus(Protocol):
    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def publish(self, events: Sequence[EventEnvelope]) -> None:
        """Deliver every event or raise; the caller marks them sent only after this returns."""
        ...

    def subscribe(self, consumer: str, topics: Sequence[str], handler: Handler) -> None:
        """Call `handler` for each event on `topics`, as consumer group `consumer`. Before start()."""
        ...

    async def ready(self) -> bool:
        """Whether the broker is reachable now."""
        ...
