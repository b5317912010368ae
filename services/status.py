"""What `hotline status` reports: the database revision, the outbox, orders, API keys and the
consumer groups, read without changing anything."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from aiokafka.errors import KafkaError
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, func, inspect, select
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.ext.asyncio import AsyncEngine

from schemas.events import LIFECYCLE_TOPIC, UNIT_REPLIES_TOPIC
from services.consumers import ROUTER_CONSUMER
from services.db import observation
from services.db import repositories as repo
from services.db.engine import make_engine, make_session_factory
from services.db.migrate import alembic_config
from services.db.tables import ApiKey
from services.reports.consumer import REPORT_TOPICS, REPORTS_CONSUMER
from services.settings import CoreSettings
from services.unit_replies import REPLIES_CONSUMER

# Each consumer group the services run (services.bootstrap) and the topics it reads.
CONSUMER_GROUPS: dict[str, tuple[str, ...]] = {
    ROUTER_CONSUMER: (LIFECYCLE_TOPIC,),
    REPLIES_CONSUMER: (UNIT_REPLIES_TOPIC,),
    REPORTS_CONSUMER: REPORT_TOPICS,
}


@dataclass
class Status:
    database: str
    revision: str | None
    head: str | None
    outbox_backlog: int = 0
    outbox_oldest_age_seconds: float | None = None
    orders: dict[str, int] = field(default_factory=dict)
    overdue: dict[str, int] = field(default_factory=dict)
    open_keys: int | None = None  # None: no keys table (database not migrated that far)
    consumer_lag: dict[str, int | None] | None = None  # None: no broker configured
    broker_error: str | None = None  # the configured broker did not answer
    unread: str | None = None  # an older schema this release cannot read (after a `db downgrade`)

    def lines(self) -> list[str]:
        at_head = "at head" if self.revision == self.head else f"head is {self.head}: run `hotline db upgrade`"
        age = f", oldest {self.outbox_oldest_age_seconds:.0f} s" if self.outbox_oldest_age_seconds is not None else ""
        out = [
            f"database      {self.database}",
            f"revision      {self.revision or 'none (empty database)'} ({at_head})",
        ]
        if self.unread is not None:
            out.append(f"orders        not read: this release reads the schema at {self.head} ({self.unread})")
        else:
            out += [
                f"outbox        {self.outbox_backlog} unpublished{age}",
                "orders        " + (", ".join(f"{k} {v}" for k, v in sorted(self.orders.items())) or "none"),
                "overdue       " + (", ".join(f"{k} {v}" for k, v in sorted(self.overdue.items())) or "none"),
                f"api keys      {'no keys table' if self.open_keys is None else f'{self.open_keys} not revoked'}",
            ]
        if self.broker_error is not None:
            out.append(f"consumers     the broker does not answer: {self.broker_error}")
        elif self.consumer_lag is None:
            out.append("consumers     no broker configured (in-process bus)")
        else:
            out += [f"consumer      {group}: " + ("no committed offsets" if lag is None else f"lag {lag}")
                    for group, lag in self.consumer_lag.items()]
        return out


def _revision(conn: Connection) -> tuple[str | None, bool]:
    return MigrationContext.configure(conn).get_current_revision(), inspect(conn).has_table("api_keys")


async def read_status(settings: CoreSettings) -> Status:
    url = settings.effective_database_url
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            revision, has_keys = await conn.run_sync(_revision)
        status = Status(database=url.split("@")[-1], revision=revision,
                        head=ScriptDirectory.from_config(alembic_config(url)).get_current_head())
        if revision is not None:
            try:
                await _read_tables(engine, status, has_keys)
            except (OperationalError, ProgrammingError) as exc:
                if revision == status.head:
                    raise
                # A database rolled back to an older release's schema: its revision is what status is for.
                status.unread = str(exc.orig).splitlines()[0] if exc.orig else type(exc).__name__
    finally:
        await engine.dispose()
    if settings.uses_kafka:
        from services.topics import consumer_group_lag

        try:
            status.consumer_lag = await consumer_group_lag(settings.kafka_bootstrap_servers or "", CONSUMER_GROUPS)
        except KafkaError as exc:  # the database's part is still worth showing
            text = str(exc) if str(exc).startswith(type(exc).__name__) else f"{type(exc).__name__}: {exc}"
            status.broker_error = text.splitlines()[0]
    return status


async def _read_tables(engine: AsyncEngine, status: Status, has_keys: bool) -> None:
    async with make_session_factory(engine)() as session:
        now = datetime.now(UTC)
        status.outbox_backlog, oldest = await observation.outbox_backlog(session)
        status.outbox_oldest_age_seconds = (now - oldest).total_seconds() if oldest else None
        status.orders = await repo.count_by_state(session)
        status.overdue = await observation.overdue_counts(session, now)
        if has_keys:
            stmt = select(func.count()).select_from(ApiKey).where(ApiKey.revoked_at.is_(None))
            status.open_keys = int((await session.execute(stmt)).scalar_one())
