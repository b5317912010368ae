"""In-process bus for the embedded default: delivery is a direct, awaited call.

`publish` returns only after every subscriber has handled the event, so an event the relay marks
sent has been acted on; a failure leaves it unsent and the relay tries again (consumers are
idempotent). A bounded log per topic lets the demo and tests read what a unit would receive.
"""

from __future__ import annotations

import logging
from collections import defaultdict, deque
from collections.abc import Sequence

from schemas.events import EventEnvelope
from services.bus.base import BatchHandler, Handler, Subscription, UnreadableHandler

log = logging.getLogger(__name__)


class InProcessBus:
    def __init__(self, log_size: int = 10_000) -> None:
        self._subscriptions: list[Subscription] = []
        self._log: dict[str, deque[EventEnvelope]] = defaultdict(lambda: deque(maxlen=log_size))

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def ready(self) -> bool:
        return True

    def subscribe(
        self, consumer: str, topics: Sequence[str], handler: Handler, *, batch: BatchHandler | None = None,
        unreadable: UnreadableHandler | None = None,
    ) -> None:
        self._subscriptions.append(Subscription(consumer, frozenset(topics), handler, batch, unreadable))

    async def publish(self, events: Sequence[EventEnvelope]) -> None:
        for sub in self._subscriptions:
            mine = [event for event in events if event.topic in sub.topics]
            if mine and sub.batch is not None:
                await sub.batch(mine)
                continue
            for event in mine:
                await sub.handler(event)
        for event in events:
            self._log[event.topic].append(event)

    def topic_log(self, topic: str) -> list[EventEnvelope]:
        """What has been published on `topic` (most recent `log_size` events)."""
        return list(self._log.get(topic, ()))
