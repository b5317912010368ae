"""The composition root: builds the engine, bus, relay, domain context and consumers for a set of
service roles. Apps call it from their lifespan; the CLI and tests call it directly."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from escalation.calendar import WorkingCalendar, parse_dates
from escalation.supervision import SupervisionPolicy
from intake.duplicates import DuplicatePolicy
from router.exceptions import ModelError
from router.service import Router
from router.thresholds import MatterThresholds
from schemas.events import LIFECYCLE_TOPIC, UNIT_REPLIES_TOPIC
from services.auto_dispatch import refresh_thresholds
from services.bus.base import EventBus
from services.bus.kafka import KafkaBus
from services.bus.memory import InProcessBus
from services.consumers import (
    ROUTER_CONSUMER,
    idempotent,
    idempotent_batch,
    router_batch_effect,
    router_effect,
    routes,
)
from services.context import DomainContext
from services.db.engine import make_engine, make_session_factory
from services.db.migrate import upgrade
from services.db.new_orders import DriverLane
from services.db.state_counts import STATE_COUNT_FOLD_SECONDS, fold_state_counts
from services.keys import KeyCache
from services.relay import OutboxRelay
from services.reports.consumer import REPORT_TOPICS, REPORTS_CONSUMER, reports_batch_effect, reports_effect
from services.scheduled import close_unrated_orders, every
from services.secrets_store import load_token_secret, load_vault
from services.settings import CoreSettings, comma_list
from services.sweep import Sweeper
from services.topics import require_topics
from services.tracing import instrument_engine, setup_tracing
from services.unit_replies import REPLIES_CONSUMER, dead_letter_handler, reply_handler

log = logging.getLogger(__name__)

Role = Literal["intake", "router", "escalation", "feedback"]
ALL_ROLES: tuple[Role, ...] = ("intake", "router", "escalation", "feedback")


class ConfigurationError(RuntimeError):
    pass


def configure_intake(ctx: DomainContext, settings: CoreSettings) -> None:
    """The personal-data keys, the citizen-token secret, the duplicate window and the channels
    switched off, from configuration."""
    ctx.vault = load_vault(settings)
    ctx.token_secret = load_token_secret(settings)
    ctx.duplicates = duplicate_policy(settings)
    ctx.channels_off = frozenset(comma_list(settings.channels_off))


def duplicate_policy(settings: CoreSettings) -> DuplicatePolicy:
    """并单's time windows from configuration (HOTLINE_DUPLICATE_WINDOW_HOURS, ..._STANDING_WINDOW_HOURS,
    ..._CONDITION_WINDOW_HOURS)."""
    return DuplicatePolicy(window=timedelta(hours=settings.duplicate_window_hours),
                           standing_window=timedelta(hours=settings.duplicate_standing_window_hours),
                           condition_window=timedelta(hours=settings.duplicate_condition_window_hours))


def working_calendar(settings: CoreSettings) -> WorkingCalendar:
    """The deployment's calendar: the official holidays plus the configured extra dates (lists and
    files), for the years the official calendar does not know yet."""
    holidays = [settings.extra_holidays]
    working = [settings.extra_working_days]
    if settings.holidays_file is not None:
        holidays += settings.holidays_file.read_text(encoding="utf-8").splitlines()
    if settings.working_days_file is not None:
        working += settings.working_days_file.read_text(encoding="utf-8").splitlines()
    return WorkingCalendar(timezone=settings.timezone, extra_holidays=parse_dates(holidays),
                           extra_working_days=parse_dates(working))


def build_context(
    settings: CoreSettings, *, router: Router | None = None, now: Callable[[], datetime] | None = None
) -> DomainContext:
    """The domain context from the settings (tests pass a ManualClock as `now`)."""
    clocks = frozenset(comma_list(settings.auto_report_up_clocks))  # known: settings
    ctx = DomainContext(
        router=router or load_router(settings), review_threshold=settings.review_threshold,
        calendar=working_calendar(settings), timezone=ZoneInfo(settings.timezone),
        supervision=SupervisionPolicy(remind_fraction=settings.remind_fraction,
                                      notify_overdue_fraction=settings.notify_overdue_fraction),
        auto_report_up=clocks, feedback=settings.feedback_policy(), now=now or (lambda: datetime.now(UTC)),
    )
    configure_intake(ctx, settings)
    return ctx


def load_router(settings: CoreSettings) -> Router:
    if settings.router_model_path is not None:
        try:
            return Router.default(model_path=settings.router_model_path)
        except EOFError as exc:  # numpy's answer to an empty file, which the CLI showed as a bare "Aborted."
            raise ModelError(f"{settings.router_model_path}: cannot load router model: the file is empty") from exc
    return Router.default()


# Connections intake's autocommitted statements keep out of the pool between appeals (DriverLane): up
# to half the pool's 32 (services.db.engine), so that transactions always find connections there.
LANE_KEEP = 16


@dataclass
class Runtime:
    settings: CoreSettings
    roles: tuple[Role, ...]
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    bus: EventBus
    relay: OutboxRelay
    ctx: DomainContext
    keys: KeyCache
    sweeper: Sweeper | None = None  # the supervision sweep, where the escalation role runs
    # On PostgreSQL, where autocommitted statements (intake's, one an appeal) take their connections.
    lane: DriverLane | None = None
    _stop: asyncio.Event = field(default_factory=asyncio.Event)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)

    async def start(self) -> None:
        if isinstance(self.bus, KafkaBus):
            # Every process runs a relay that may publish to any topic: all of the plan must exist.
            await require_topics(self.settings, self.ctx.router.units())
        await self.bus.start()
        self._tasks.append(asyncio.create_task(self.relay.run_forever(self._stop), name="outbox-relay"))
        if "feedback" in self.roles:
            self._tasks.append(asyncio.create_task(every(
                self._stop, self.settings.unrated_check_seconds,
                lambda: close_unrated_orders(self.sessions, self.ctx, after_commit=self.relay.wake),
                "close-unrated"), name="close-unrated"))
            # The states report reads the deltas not yet folded: folding often keeps that read short.
            self._tasks.append(asyncio.create_task(every(
                self._stop, STATE_COUNT_FOLD_SECONDS, lambda: fold_state_counts(self.engine), "fold-state-counts"),
                name="fold-state-counts"))
        if self.sweeper is not None:
            self._tasks.append(asyncio.create_task(self.sweeper.run_forever(self._stop), name="supervision-sweep"))
        if self.settings.router_model_path is not None:
            self._tasks.append(asyncio.create_task(self._follow_router_model(), name="router-model"))
        if "router" in self.roles and self.settings.review_learn:
            self._tasks.append(asyncio.create_task(every(
                self._stop, self.settings.review_refresh_seconds, self.refresh_review_thresholds,
                "review-thresholds"), name="review-thresholds"))

    async def refresh_review_thresholds(self) -> MatterThresholds:
        """Relearn the per-matter review thresholds from the centre's dispatch history (at start,
        then every HOTLINE_REVIEW_REFRESH_SECONDS in the router service)."""
        s = self.settings
        return await refresh_thresholds(self.sessions, self.ctx, history=timedelta(days=s.review_history_days),
                                        target=s.review_target, min_orders=s.review_min_orders)

    async def _follow_router_model(self) -> None:
        """Pick up a model that `hotline router train` rewrote, without a restart (routing improves
        as the centre works). Router.default caches per file modification time, so this is cheap."""
        while not self._stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), self.settings.router_model_check_seconds)
            if self._stop.is_set():
                return
            try:
                router = await asyncio.to_thread(load_router, self.settings)
            except Exception as exc:  # a half-written or bad file: keep routing with the current model
                log.warning("router model %s not loaded: %s", self.settings.router_model_path, exc)
                continue
            if router is not self.ctx.router:
                log.info("router model reloaded from %s", self.settings.router_model_path)
                self.ctx.router = router

    async def stop(self) -> None:
        self._stop.set()
        self.relay.wake()
        if self.sweeper is not None:
            self.sweeper.wake()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(task, 5)
        self._tasks.clear()
        await self.bus.stop()
        if self.lane is not None:
            await self.lane.close()
        await self.engine.dispose()

    async def database_ready(self) -> bool:
        try:
            async with self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
            return True
        except Exception:
            return False


async def build_runtime(
    settings: CoreSettings | None = None,
    roles: tuple[Role, ...] = ALL_ROLES,
    *,
    ctx: DomainContext | None = None,
    bus: EventBus | None = None,
) -> Runtime:
    """Wire a runtime for `roles`. Without Kafka every role must run in this one process."""
    settings = settings or CoreSettings()
    if not settings.uses_kafka and bus is None and set(roles) != set(ALL_ROLES):
        raise ConfigurationError(
            "without KAFKA_BOOTSTRAP_SERVERS the services share an in-process bus and must run "
            "together: use `hotline serve all`"
        )
    url = settings.effective_database_url
    if settings.is_sqlite:
        await asyncio.to_thread(upgrade, url)  # the embedded default sets itself up
    setup_tracing(settings, roles[0] if len(roles) == 1 else "all")
    engine = make_engine(url)
    instrument_engine(engine)
    sessions = make_session_factory(engine)
    if ctx is None:
        ctx = build_context(settings)
    if bus is None:
        bus = (
            KafkaBus(settings.kafka_bootstrap_servers or "", client_id=settings.kafka_client_id,
                     dispatch_partitions=settings.kafka_dispatch_partitions,
                     default_partitions=settings.kafka_lifecycle_partitions,
                     replication_factor=settings.kafka_replication_factor,
                     fetch_max_wait_ms=settings.kafka_fetch_max_wait_ms,
                     consumer_fetch_max_wait_ms=(
                         {} if settings.kafka_router_fetch_max_wait_ms is None
                         else {ROUTER_CONSUMER: settings.kafka_router_fetch_max_wait_ms}),
                     create_topics=settings.kafka_missing_topics == "create")
            if settings.uses_kafka else InProcessBus()
        )
    relay = OutboxRelay(engine, bus, batch_size=settings.relay_batch_size,
                        poll_seconds=settings.relay_poll_seconds, lock_check_seconds=settings.relay_lock_check_seconds,
                        now=ctx.now, open_data=ctx.vault.open_fields)
    if "router" in roles:
        one_by_one = idempotent(ROUTER_CONSUMER, sessions, ctx, router_effect(ctx), relay.wake, wants=routes)
        bus.subscribe(ROUTER_CONSUMER, [LIFECYCLE_TOPIC], one_by_one,
                      batch=idempotent_batch(ROUTER_CONSUMER, sessions, ctx, router_batch_effect(ctx), one_by_one,
                                             relay.wake, wants=routes))
    if "feedback" in roles:
        bus.subscribe(REPLIES_CONSUMER, [UNIT_REPLIES_TOPIC],
                      reply_handler(REPLIES_CONSUMER, sessions, ctx, relay.wake),
                      unreadable=dead_letter_handler(REPLIES_CONSUMER, sessions, ctx, relay.wake))
        reports = idempotent(REPORTS_CONSUMER, sessions, ctx, reports_effect(ctx))
        bus.subscribe(REPORTS_CONSUMER, list(REPORT_TOPICS), reports,
                      batch=idempotent_batch(REPORTS_CONSUMER, sessions, ctx, reports_batch_effect(ctx), reports))
    sweeper = (
        Sweeper(sessions, ctx, batch_size=settings.sweep_batch_size, interval=settings.sweep_seconds,
                after_commit=relay.wake)
        if "escalation" in roles else None
    )
    lane = DriverLane(engine, keep=LANE_KEEP) if engine.dialect.name == "postgresql" else None
    return Runtime(settings=settings, roles=roles, engine=engine, sessions=sessions, bus=bus,
                   relay=relay, ctx=ctx, keys=KeyCache(sessions, ttl=settings.key_cache_seconds), sweeper=sweeper,
                   lane=lane)
