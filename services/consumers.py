"""Event consumers: each effect runs in one transaction together with the processed-events row,
so a redelivered event is acted on once. Domain refusals are recorded, not retried forever;
infrastructure errors propagate so that the event is delivered again."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from feedback.exceptions import FeedbackError
from intake.masking import mask_text
from schemas.events import RECEIVED_TYPE, EventEnvelope
from schemas.lifecycle import TransitionNotAllowed
from services.bus.base import BatchHandler, Handler
from services.context import DomainContext
from services.db import event_claims as claims
from services.errors import OrderNotFound, UnknownUnit
from services.metrics import EVENTS_CONSUMED, EVENTS_REFUSED
from services.naming import snake_case
from services.orders import dispatch
from services.tracing import consume_span, consume_spans

log = logging.getLogger(__name__)

ROUTER_CONSUMER = "hotline-router"  # the router's consumer group: routes each received appeal

Effect = Callable[[AsyncSession, EventEnvelope], Awaitable[None]]

# Refusals that will not change on a retry.
DOMAIN_REFUSALS: tuple[type[Exception], ...] = (
    TransitionNotAllowed, FeedbackError, OrderNotFound, UnknownUnit, ValueError,
)


def idempotent(
    consumer: str, sessions: async_sessionmaker[AsyncSession], ctx: DomainContext, effect: Effect,
    after_commit: Callable[[], None] = lambda: None,
    wants: Callable[[EventEnvelope], bool] = lambda _: True,
) -> Handler:
    """Wrap `effect` so each event it `wants` is acted on once; others are skipped without a
    transaction (nothing to record: skipping again on redelivery is just as right)."""

    async def handle(event: EventEnvelope) -> None:
        if not wants(event):
            return
        with consume_span(consumer, event):
            await handle_one(event)

    async def handle_one(event: EventEnvelope) -> None:
        try:
            async with sessions() as session, session.begin():
                if not await claims.claim_event(session, consumer, event.id, ctx.now()):
                    EVENTS_CONSUMED.labels(consumer, event.topic, "duplicate").inc()
                    return
                await effect(session, event)
        except DOMAIN_REFUSALS as exc:
            log.warning("%s refused event %s (%s): %s", consumer, event.id, event.type, exc,
                        extra={"work_order_id": event.subject, "event_id": event.id})
            async with sessions() as session, session.begin():
                await claims.record_failed_event(session, consumer, event.id, ctx.now(), mask_text(f"refused: {exc}"))
            EVENTS_REFUSED.labels(consumer, event.topic, snake_case(type(exc).__name__)).inc()
            return
        EVENTS_CONSUMED.labels(consumer, event.topic, "ok").inc()
        after_commit()

    return handle


BatchEffect = Callable[[AsyncSession, Sequence[EventEnvelope]], Awaitable[None]]


def idempotent_batch(
    consumer: str, sessions: async_sessionmaker[AsyncSession], ctx: DomainContext, effect: BatchEffect,
    one_by_one: Handler, after_commit: Callable[[], None] = lambda: None,
    wants: Callable[[EventEnvelope], bool] = lambda _: True,
) -> BatchHandler:
    """Like `idempotent`, for the events that arrived together: one transaction claims them all
    and acts on those not seen before. If the domain refuses any of them, the transaction is
    undone and the events go through `one_by_one` (the `idempotent` handler), so that only the
    refused one is recorded as refused and the rest are done."""

    async def handle(events: Sequence[EventEnvelope]) -> None:
        wanted = [e for e in events if wants(e)]
        if not wanted:
            return
        try:
            with consume_spans(consumer, wanted):
                async with sessions() as session, session.begin():
                    fresh = await claims.claim_events(session, consumer, [e.id for e in wanted], ctx.now())
                    todo = [e for e in wanted if e.id in fresh]
                    if todo:
                        await effect(session, todo)
        except DOMAIN_REFUSALS as exc:
            log.info("%s: a batch of %d was refused (%s); handling its events one by one", consumer, len(wanted), exc)
            for event in wanted:
                await one_by_one(event)
            return
        for event in wanted:
            EVENTS_CONSUMED.labels(consumer, event.topic, "ok" if event.id in fresh else "duplicate").inc()
        if todo:
            after_commit()

    return handle


def routes(event: EventEnvelope) -> bool:
    return event.type == RECEIVED_TYPE


def router_effect(ctx: DomainContext) -> Effect:
    """The router service: route every newly received order."""

    async def effect(session: AsyncSession, event: EventEnvelope) -> None:
        await dispatch.route_order(session, ctx, event.subject)

    return effect


def router_batch_effect(ctx: DomainContext) -> BatchEffect:
    """The router service, for received events that arrived together: routed in one transaction."""

    async def effect(session: AsyncSession, events: Sequence[EventEnvelope]) -> None:
        await dispatch.route_orders(session, ctx, [event.subject for event in events])

    return effect
