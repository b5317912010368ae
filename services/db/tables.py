"""The database tables (SQLAlchemy 2 declarative). Migrations in services/db/migrations mirror these."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.db.types import UTCDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# BIGINT autoincrement does not work on SQLite; INTEGER there is a 64-bit rowid anyway.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class WorkOrder(Base):
    __tablename__ = "work_orders"
    __table_args__ = (
        UniqueConstraint("channel", "external_id", name="uq_work_orders_channel_external_id"),
        # A unit's queue in one state, oldest first (list_orders), as one range of one index.
        Index("ix_work_orders_unit_state_created", "unit", "state", "created_at", "id"),
        Index("ix_work_orders_matter_village_created", "matter", "village", "created_at"),
        Index("ix_work_orders_unit_created", "unit", "created_at", "id"),
        Index("ix_work_orders_state_created", "state", "created_at", "id"),
        # Every order newest first (GET /v1/work-orders), and resolved orders by rating due time.
        Index("ix_work_orders_created", "created_at", "id"),
        Index("ix_work_orders_rating_due", "rating_due", postgresql_where=text("state = 'resolved'"),
              sqlite_where=text("state = 'resolved'")),
        # Partial (migration 0014): only the orders with a clock running, only the merged ones (并单),
        # so that a new order (no clock yet, merged into nothing) writes no entry in either.
        Index("ix_work_orders_next_check", "next_check_at", postgresql_where=text("next_check_at IS NOT NULL"),
              sqlite_where=text("next_check_at IS NOT NULL")),
        Index("ix_work_orders_reported_at", "reported_at"),
        Index("ix_work_orders_merged_into", "merged_into", postgresql_where=text("merged_into IS NOT NULL"),
              sqlite_where=text("merged_into IS NOT NULL")),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    channel: Mapped[str] = mapped_column(String(32))
    external_id: Mapped[str | None] = mapped_column(String(128))
    idempotency_key: Mapped[str | None] = mapped_column(String(128), unique=True)
    fingerprint: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    text_masked: Mapped[str] = mapped_column(Text)
    address: Mapped[str | None] = mapped_column(String(300))
    caller_name: Mapped[str | None] = mapped_column(String(50))
    caller_phone: Mapped[str | None] = mapped_column(String(20))
    confidential: Mapped[bool] = mapped_column(Boolean, default=False)
    citizen_token_hash: Mapped[str | None] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(20))
    whistle_class: Mapped[str | None] = mapped_column(String(10))
    level: Mapped[str | None] = mapped_column(String(10))
    unit: Mapped[str | None] = mapped_column(String(64))
    dept: Mapped[str | None] = mapped_column(String(64))
    matter: Mapped[str | None] = mapped_column(String(64))
    township: Mapped[str | None] = mapped_column(String(64))
    village: Mapped[str | None] = mapped_column(String(64))
    redirect: Mapped[str | None] = mapped_column(String(4))
    confidence: Mapped[float | None] = mapped_column(Float)
    routing: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    claim_due: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_contact_due: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolve_due: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by: Mapped[str | None] = mapped_column(String(64))
    resolved_level: Mapped[str | None] = mapped_column(String(10))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_day: Mapped[date | None] = mapped_column(Date)
    rating: Mapped[str | None] = mapped_column(String(24))
    solved: Mapped[bool | None] = mapped_column(Boolean)
    return_count: Mapped[int] = mapped_column(Integer, default=0)
    reopen_count: Mapped[int] = mapped_column(Integer, default=0)
    first_contact_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Supervision is a flag beside the state (提醒 / 督办 / 通报), the highest level any clock reached.
    supervision_level: Mapped[str] = mapped_column(String(10), default="none")
    # When the sweep must next look at this order (a reminder, a due time, a rating window); null
    # when no clock runs. The sweep reads only rows whose time has come, on this column's index.
    next_check_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rating_due: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Intake (channels, repeats, 并单). Text, address and caller columns hold masked values; the raw
    # ones are sealed in personal_data.
    request_digest: Mapped[str | None] = mapped_column(String(64))  # an exact repeat has the same
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # when the citizen reported it
    transfer_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)  # 上级转办: bounds the clocks
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # the channel's own facts, masked
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    merged_into: Mapped[str | None] = mapped_column(String(40))  # 并单: the open order this repeats
    callback_wanted: Mapped[bool | None] = mapped_column(Boolean)


class PersonalData(Base):
    """The raw personal values of an order (text, address, caller, channel details, the numbers
    found in them), sealed with the configured key: readable only through the vault."""

    __tablename__ = "personal_data"

    work_order_id: Mapped[str] = mapped_column(ForeignKey("work_orders.id", ondelete="RESTRICT"), primary_key=True)
    sealed: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class WorkOrderHistory(Base):
    """Append-only: who did what to an order, when and why."""

    __tablename__ = "work_order_history"
    __table_args__ = (
        Index("ix_work_order_history_order", "work_order_id", "id"),
        Index("ix_work_order_history_actor", "actor", "at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    work_order_id: Mapped[str] = mapped_column(ForeignKey("work_orders.id", ondelete="RESTRICT"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(32))
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class Dispatch(Base):
    """One hand-over of an order to a unit, with that unit's clocks and what became of it."""

    __tablename__ = "dispatches"
    __table_args__ = (
        Index("ix_dispatches_order", "work_order_id"),
        Index("ix_dispatches_unit_open", "unit", "outcome"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    work_order_id: Mapped[str] = mapped_column(ForeignKey("work_orders.id", ondelete="RESTRICT"))
    unit: Mapped[str] = mapped_column(String(64))
    level: Mapped[str] = mapped_column(String(10))
    whistle_class: Mapped[str] = mapped_column(String(10))
    dispatched_at: Mapped[datetime] = mapped_column(UTCDateTime)
    claim_due: Mapped[datetime] = mapped_column(UTCDateTime)
    first_contact_due: Mapped[datetime] = mapped_column(UTCDateTime)
    resolve_due: Mapped[datetime] = mapped_column(UTCDateTime)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_contact_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    extended: Mapped[bool] = mapped_column(Boolean, default=False)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str | None] = mapped_column(String(16))  # resolved / returned / escalated / withdrawn


class OutboxEvent(Base):
    """Events written in the same transaction as the state change; the relay publishes them."""

    __tablename__ = "outbox"
    # Only the rows not yet published (migration 0014): the relay reads them in id order from an
    # index the size of the backlog, and marking a row published writes no entry in it.
    __table_args__ = (Index("ix_outbox_unpublished", "id", postgresql_where=text("published_at IS NULL"),
                            sqlite_where=text("published_at IS NULL")),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(40), unique=True)
    topic: Mapped[str] = mapped_column(String(200))
    key: Mapped[str] = mapped_column(String(64))
    type: Mapped[str] = mapped_column(String(120))
    source: Mapped[str] = mapped_column(String(120))
    time: Mapped[datetime] = mapped_column(UTCDateTime)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    traceparent: Mapped[str | None] = mapped_column(String(55))  # W3C trace context it was written in
    tracestate: Mapped[str | None] = mapped_column(String(512))


class ProcessedEvent(Base):
    """Idempotent consumers: an event id is acted on once per consumer."""

    __tablename__ = "processed_events"

    consumer: Mapped[str] = mapped_column(String(64), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    processed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    outcome: Mapped[str] = mapped_column(String(200), default="ok")


class StateCount(Base):
    """How many orders are in each state, kept by database triggers on work_orders (migration
    0004; on PostgreSQL since 0013 through STATE_COUNT_DELTAS, folded in here): a state's count is
    the sum of its shards and its deltas. The states report reads these instead of scanning the
    orders."""

    __tablename__ = "state_counts"

    state: Mapped[str] = mapped_column(String(20), primary_key=True)
    shard: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger)


# What the trigger of migration 0013 appends on PostgreSQL for each change of an order's state (+1
# for the new state, -1 for the old): no index and no row shared between writers, so no writer
# waits on another. services.scheduled folds them into state_counts; a count is the sum of both.
# No primary key: rows are only appended, summed and deleted as a whole.
STATE_COUNT_DELTAS = Table(
    "state_count_deltas", Base.metadata,
    Column("state", String(20), nullable=False),
    Column("n", Integer, nullable=False),
)


class RoutingCorrection(Base):
    """What the router decided and what a person decided instead: a dispatcher's override in the
    review queue, or a re-dispatch after a unit returned the order. `hotline router train` learns
    from these."""

    __tablename__ = "routing_corrections"
    __table_args__ = (Index("ix_routing_corrections_at", "at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    work_order_id: Mapped[str] = mapped_column(ForeignKey("work_orders.id", ondelete="RESTRICT"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    source: Mapped[str] = mapped_column(String(24))  # review_override / unit_return
    actor: Mapped[str] = mapped_column(String(128))
    text: Mapped[str] = mapped_column(Text)  # masked
    original_unit: Mapped[str | None] = mapped_column(String(64))
    original_matter: Mapped[str | None] = mapped_column(String(64))
    original_level: Mapped[str | None] = mapped_column(String(10))
    corrected_unit: Mapped[str] = mapped_column(String(64))
    corrected_matter: Mapped[str | None] = mapped_column(String(64))
    corrected_dept: Mapped[str | None] = mapped_column(String(64))
    corrected_level: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str | None] = mapped_column(Text)


class ApiKey(Base):
    """An API key: a role, for a unit role the one unit it acts for. Only the hash is stored."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(24), primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(24))
    unit: Mapped[str | None] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class DashboardSession(Base):
    """A sign-in to the ops dashboard: the browser holds only a random session id, this row its hash,
    the key it was made from (a revoked key ends it) and when it ends. Signing out deletes it."""

    __tablename__ = "dashboard_sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    key_id: Mapped[str] = mapped_column(ForeignKey("api_keys.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class OrderUnit(Base):
    """Which units have an order in their hands: the lead, assisting units (协办) and departments
    summoned by a whistle (吹哨). A unit sees only orders it has here, active."""

    __tablename__ = "order_units"
    __table_args__ = (
        Index("ix_order_units_unit", "unit", "active", "since"),
        # The orders a unit helps with (协办, 吹哨), without walking the many more it leads.
        Index("ix_order_units_helping", "unit", "work_order_id", postgresql_where=text("role <> 'lead' AND active"),
              sqlite_where=text("role <> 'lead' AND active")),
    )

    work_order_id: Mapped[str] = mapped_column(ForeignKey("work_orders.id", ondelete="RESTRICT"), primary_key=True)
    unit: Mapped[str] = mapped_column(String(64), primary_key=True)
    role: Mapped[str] = mapped_column(String(12), primary_key=True)  # lead / assisting / summoned
    since: Mapped[datetime] = mapped_column(UTCDateTime)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class SupervisionRecord(Base):
    """A reminder (提醒), 督办 or 通报 raised by the sweep on one clock. Unique per clock and level,
    so sweeps running at once, or again after a restart, raise each once."""

    __tablename__ = "supervision_records"
    __table_args__ = (
        UniqueConstraint("clock_key", "level", name="uq_supervision_records_clock_level"),
        Index("ix_supervision_records_unit_raised", "unit", "raised_at"),
        Index("ix_supervision_records_order", "work_order_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    work_order_id: Mapped[str] = mapped_column(ForeignKey("work_orders.id", ondelete="RESTRICT"))
    clock_key: Mapped[str] = mapped_column(String(64))  # e.g. dispatch:12:resolve, summons:3:report
    clock: Mapped[str] = mapped_column(String(16))
    unit: Mapped[str] = mapped_column(String(64))
    level: Mapped[str] = mapped_column(String(10))
    due: Mapped[datetime] = mapped_column(UTCDateTime)
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Extension(Base):
    """延期: a unit asks for more time before its resolve clock runs out; a dispatcher decides."""

    __tablename__ = "extensions"
    __table_args__ = (
        Index("ix_extensions_state", "state", "requested_at"),
        Index("ix_extensions_order", "work_order_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    work_order_id: Mapped[str] = mapped_column(ForeignKey("work_orders.id", ondelete="RESTRICT"))
    dispatch_id: Mapped[int] = mapped_column(ForeignKey("dispatches.id", ondelete="RESTRICT"))
    unit: Mapped[str] = mapped_column(String(64))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    requested_by: Mapped[str] = mapped_column(String(128))
    days: Mapped[int] = mapped_column(Integer)  # working days asked for
    reason: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(10))  # pending / approved / refused
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by: Mapped[str | None] = mapped_column(String(128))
    decision_reason: Mapped[str | None] = mapped_column(Text)
    new_due: Mapped[datetime | None] = mapped_column(UTCDateTime)


class WhistleCall(Base):
    """街乡吹哨: a township calls county departments to an order it leads."""

    __tablename__ = "whistle_calls"
    __table_args__ = (Index("ix_whistle_calls_order", "work_order_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    work_order_id: Mapped[str] = mapped_column(ForeignKey("work_orders.id", ondelete="RESTRICT"))
    township: Mapped[str] = mapped_column(String(64))
    whistle_class: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(Text)
    blown_at: Mapped[datetime] = mapped_column(UTCDateTime)
    blown_by: Mapped[str] = mapped_column(String(128))


class WhistleSummons(Base):
    """One department called by a whistle: when it must report (部门报到), when it did, and the
    township's rating of it afterwards (以下评上, 1-5)."""

    __tablename__ = "whistle_summons"
    __table_args__ = (
        UniqueConstraint("call_id", "department", name="uq_whistle_summons_call_department"),
        Index("ix_whistle_summons_department", "department", "summoned_at"),
        Index("ix_whistle_summons_order", "work_order_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("whistle_calls.id", ondelete="RESTRICT"))
    work_order_id: Mapped[str] = mapped_column(ForeignKey("work_orders.id", ondelete="RESTRICT"))
    department: Mapped[str] = mapped_column(String(64))
    summoned_at: Mapped[datetime] = mapped_column(UTCDateTime)
    report_due: Mapped[datetime] = mapped_column(UTCDateTime)
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    on_time: Mapped[bool | None] = mapped_column(Boolean)
    rating: Mapped[int | None] = mapped_column(Integer)
    rating_comment: Mapped[str | None] = mapped_column(Text)
    rated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Rating(Base):
    """回访 outcome: one per resolution (a hand-over that ended resolved), from the citizen's own
    rating or the centre's call-back."""

    __tablename__ = "ratings"
    __table_args__ = (
        UniqueConstraint("dispatch_id", name="uq_ratings_dispatch_id"),
        Index("ix_ratings_order", "work_order_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    work_order_id: Mapped[str] = mapped_column(ForeignKey("work_orders.id", ondelete="RESTRICT"))
    dispatch_id: Mapped[int] = mapped_column(ForeignKey("dispatches.id", ondelete="RESTRICT"))
    unit: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(10))  # citizen / callback / timeout
    contacted: Mapped[bool | None] = mapped_column(Boolean)
    solved: Mapped[bool | None] = mapped_column(Boolean)
    rating: Mapped[str | None] = mapped_column(String(24))  # None: closed unrated
    comment: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(128))
    at: Mapped[datetime] = mapped_column(UTCDateTime)


# ---- report aggregates, maintained by the reports consumer (services/reports) -------------------
class ReportTally(Base):
    """Sums of feedback.tallies per bucket (grain d/w/m/y, keyed by its first local day) and cell."""

    __tablename__ = "report_tallies"
    # A period's rows are read from the primary key alone, which carries the count (INCLUDE n,
    # migration 0017): the rows of one bucket lie all over the table, so fetching each from the heap
    # would cost a page read apiece. One index, so an upsert of a cell writes one index entry, not two.
    __table_args__ = (PrimaryKeyConstraint("grain", "start", "metric", "township", "unit", "level",
                                           postgresql_include=["n"]),)

    grain: Mapped[str] = mapped_column(String(1))
    start: Mapped[date] = mapped_column(Date)
    metric: Mapped[str] = mapped_column(String(32))
    township: Mapped[str] = mapped_column(String(64))  # "" when none
    unit: Mapped[str] = mapped_column(String(64))
    level: Mapped[str] = mapped_column(String(10))
    n: Mapped[int] = mapped_column(BigInteger, default=0)


class ReportPlace(Base):
    """Hot spots: orders per bucket and matter × place (counted once, at the first hand-over)."""

    __tablename__ = "report_places"
    __table_args__ = (PrimaryKeyConstraint("grain", "start", "township", "village", "matter",
                                           postgresql_include=["n"]),)  # read alone, as report_tallies'

    grain: Mapped[str] = mapped_column(String(1))
    start: Mapped[date] = mapped_column(Date)
    township: Mapped[str] = mapped_column(String(64))
    village: Mapped[str] = mapped_column(String(64))
    matter: Mapped[str] = mapped_column(String(64))
    n: Mapped[int] = mapped_column(BigInteger, default=0)


class ReportOrder(Base):
    """The reports consumer's track of each order (feedback.tallies.OrderTrack): what the next
    event needs to be attributed and taken back, and the index behind every drill-down."""

    __tablename__ = "report_orders"
    __table_args__ = (
        Index("ix_report_orders_closed", "closed_day", "closed_township", "resolved_level", "work_order_id"),
        Index("ix_report_orders_hot", "hot_matter", "hot_village", "first_day", "work_order_id"),
        Index("ix_report_orders_supervised", "supervision", "unit",
              postgresql_where=text("supervision <> 'none'"), sqlite_where=text("supervision <> 'none'")),
    )

    work_order_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    state: Mapped[str] = mapped_column(String(20), default="")
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    township: Mapped[str] = mapped_column(String(64), default="")
    village: Mapped[str] = mapped_column(String(64), default="")
    matter: Mapped[str] = mapped_column(String(64), default="")
    unit: Mapped[str] = mapped_column(String(64), default="")
    level: Mapped[str] = mapped_column(String(10), default="")
    handover_day: Mapped[date | None] = mapped_column(Date)
    handover_township: Mapped[str] = mapped_column(String(64), default="")
    handover_open: Mapped[bool] = mapped_column(Boolean, default=False)
    handovers: Mapped[int] = mapped_column(Integer, default=0)
    claimed: Mapped[bool] = mapped_column(Boolean, default=False)
    first_day: Mapped[date | None] = mapped_column(Date)
    hot_township: Mapped[str] = mapped_column(String(64), default="")
    hot_village: Mapped[str] = mapped_column(String(64), default="")
    hot_matter: Mapped[str] = mapped_column(String(64), default="")
    resolved_unit: Mapped[str] = mapped_column(String(64), default="")
    resolved_level: Mapped[str] = mapped_column(String(10), default="")
    closed_day: Mapped[date | None] = mapped_column(Date)
    closed_township: Mapped[str] = mapped_column(String(64), default="")
    rating_day: Mapped[date | None] = mapped_column(Date)
    rating: Mapped[str] = mapped_column(String(24), default="")
    rating_solved: Mapped[bool | None] = mapped_column(Boolean)
    reopen_day: Mapped[date | None] = mapped_column(Date)
    reopen_unit: Mapped[str] = mapped_column(String(64), default="")
    reopen_township: Mapped[str] = mapped_column(String(64), default="")
    reopen_closed: Mapped[bool] = mapped_column(Boolean, default=False)
    supervision: Mapped[str] = mapped_column(String(10), default="none")
    supervision_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ReportFlag(Base):
    """The supervision list: each flag of an open order's current hand-over (feedback.tallies.Flag),
    one per responsible unit — the lead's clocks and each summoned department's 报到 — worst first
    by `rank` (0 通报, 1 督办, 2 提醒). Kept by the reports consumer with the order's track."""

    __tablename__ = "report_flags"
    __table_args__ = (
        Index("ix_report_flags_worst", "rank", "since", "work_order_id"),
        Index("ix_report_flags_unit_worst", "unit", "rank", "since", "work_order_id"),
    )

    work_order_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    unit: Mapped[str] = mapped_column(String(64), primary_key=True)
    role: Mapped[str] = mapped_column(String(12))  # lead / summoned
    clock: Mapped[str] = mapped_column(String(16))  # claim / first_contact / resolve / report
    level: Mapped[str] = mapped_column(String(10))  # remind / supervise / notify
    rank: Mapped[int] = mapped_column(SmallInteger)
    since: Mapped[datetime] = mapped_column(UTCDateTime)
