"""Configuration (pydantic-settings). No configuration at all = the embedded default:
an SQLite file and an in-process event bus, every service in one process."""

from __future__ import annotations

from datetime import timedelta
from functools import cached_property
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from escalation.calendar import parse_dates
from escalation.models import ClockName
from feedback.exceptions import BadReportParameter
from feedback.policy import FeedbackPolicy
from feedback.reports import DEFAULT_WEIGHTS, parse_weights
from intake.vault import Vault, VaultError
from schemas.taxonomy import Channel

_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def comma_list(text: str) -> list[str]:
    """A setting that lists several values (`wechat, sms`): each value without its spaces, empty ones left out."""
    return [part.strip() for part in text.split(",") if part.strip()]


def _known_names(text: str, known: list[str], what: str) -> str:
    """A comma-separated list of names, each one of `known`: a setting naming another is refused whole."""
    unknown = sorted(set(comma_list(text)) - set(known))
    if unknown:
        raise ValueError(f"unknown {what}(s) {', '.join(unknown)}; use {', '.join(known)}")
    return text


class CoreSettings(BaseSettings):
    """What every service shares: where the database and the broker are, and the routing knobs."""

    model_config = SettingsConfigDict(env_prefix="HOTLINE_", extra="ignore")

    database_url: str | None = Field(
        default=None, validation_alias=AliasChoices("DATABASE_URL", "HOTLINE_DATABASE_URL")
    )
    kafka_bootstrap_servers: str | None = Field(
        default=None,
        validation_alias=AliasChoices("KAFKA_BOOTSTRAP_SERVERS", "HOTLINE_KAFKA_BOOTSTRAP_SERVERS"),
    )
    data_dir: Path = Field(default=Path("var"), description="where the embedded database file lives")

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, url: str | None) -> str | None:
        """`postgresql://…` (as psql and most tools write it) means asyncpg, `sqlite:///…` aiosqlite; any
        other database is refused here, in one line, rather than by a missing driver later."""
        if not url:
            return None
        scheme, sep, rest = url.partition("://")
        drivers = {"postgresql": "postgresql+asyncpg", "postgres": "postgresql+asyncpg",
                   "postgresql+asyncpg": "postgresql+asyncpg", "sqlite": "sqlite+aiosqlite",
                   "sqlite+aiosqlite": "sqlite+aiosqlite"}
        if not sep or scheme not in drivers:
            raise ValueError("give postgresql+asyncpg://user:pass@host:5432/db (or sqlite+aiosqlite:///path)")
        return f"{drivers[scheme]}://{rest}"
    kafka_client_id: str = "hotline"
    kafka_dispatch_partitions: int = 3
    kafka_lifecycle_partitions: int = 6
    kafka_fetch_max_wait_ms: int = Field(
        default=100, description="longest a consumer's fetch waits at the broker for new records"
    )
    kafka_router_fetch_max_wait_ms: int | None = Field(
        default=None, ge=0, description="the same for the router's consumer (every appeal waits on it); unset: "
                                        "HOTLINE_KAFKA_FETCH_MAX_WAIT_MS"
    )
    kafka_replication_factor: int = Field(default=1, description="of the topics in the plan; 3 in production")
    kafka_missing_topics: Literal["fail", "create"] = Field(
        default="fail", description="a topic of the plan missing at start-up: refuse to start, or create it"
    )
    log_level: str = Field(default="INFO", description="level of the JSON log lines on standard error")
    otlp_endpoint: str | None = Field(
        default=None, validation_alias=AliasChoices("OTEL_EXPORTER_OTLP_ENDPOINT", "HOTLINE_OTLP_ENDPOINT"),
        description="OpenTelemetry collector (OTLP over HTTP); traces are sent only when it is set",
    )
    relay_batch_size: int = 500
    relay_poll_seconds: float = 0.2
    relay_lock_check_seconds: float = Field(
        default=1.0, ge=0.0, description="how often the leading outbox relay makes sure its lock's connection is "
                                         "alive (0: before every batch)")
    review_threshold: float = Field(
        default=0.8, ge=0.0, le=1.0,
        description="calibrated routing confidence below which an order waits for a dispatcher (matters "
                    "without a learned threshold)")
    review_learn: bool = Field(default=True, description="learn per-matter review thresholds from the centre's "
                                                        "dispatch history (returns and dispatcher corrections)")
    review_target: float = Field(default=0.95, gt=0.0, lt=1.0, description="share of a matter's orders that must "
                                 "have held (lower confidence bound) for its threshold to be lowered")
    review_min_orders: int = Field(default=20, ge=1, description="outcomes a matter needs before it gets its "
                                                                "own threshold")
    review_history_days: float = Field(default=180.0, gt=0, description="how far back the outcomes are read")
    review_refresh_seconds: float = Field(default=900.0, gt=0, description="how often the router service "
                                                                          "relearns the thresholds")
    max_body_bytes: int = Field(default=64 * 1024, description="largest request body accepted")
    router_model_path: Path | None = Field(
        default=None, description="a model trained by `hotline router train`; none = shipped default"
    )
    router_model_check_seconds: float = Field(default=30.0, description="how often the model file is checked")
    timezone: str = "Asia/Shanghai"
    returns_before_arbitration: int = Field(
        default=2, ge=1, description="the return (退单) from which a dispatcher arbitrates and the unit named keeps it")
    rating_window_hours: float = Field(
        default=168, gt=0, description="after 办结, how long the rating may take before the order closes unrated")
    hard_after_reopens: int = Field(default=2, ge=1, description="the reopen (重办) that makes the order a hard case")
    unrated_check_seconds: float = Field(default=60.0, gt=0, description="how often orders past their rating "
                                                                         "window are closed unrated")
    pii_keys: str | None = Field(
        default=None, description="Fernet keys for personal data, comma-separated, the first encrypts; "
                                  "none: a key file in data_dir (embedded default only)")
    token_secret: str | None = Field(
        default=None, description="secret the citizen tokens are derived from; none: kept in data_dir")
    duplicate_window_hours: float = Field(default=72.0, description="并单: reports this close on reported_at")
    duplicate_standing_window_hours: float = Field(
        default=336.0, description="并单: ... of a grievance that stands until resolved (wages, prepaid money, a flat)")
    duplicate_condition_window_hours: float = Field(
        default=168.0, description="并单: ... of a condition told again at a spot both name, as one matter")
    channels_off: str = Field(default="", description="channels switched off, comma-separated (answer 404)")
    cors_origins: str = Field(default="", description="origins of the web front ends allowed to call the API from "
                              "a browser (CORS), comma-separated; empty: none")
    key_cache_seconds: float = Field(default=5.0, description="how long a looked-up API key is remembered")
    report_weights: str = Field(default="response:0.3,solution:0.3,satisfaction:0.4",
                                description="weights of 响应率, 解决率 and 满意率 in the composite score")
    report_repeat_threshold: int = Field(default=3, ge=2, description="orders of one matter at one place that "
                                         "make a repeated-appeal hot spot")
    dashboard_refresh_seconds: int = Field(default=30, ge=5, description="how often the dashboard refreshes")
    dashboard_idle_minutes: int = Field(default=30, ge=5, le=480, description="a dashboard sign-in not used for "
                                        "this long ends (an open page, refreshing itself, keeps it)")
    # Clocks and supervision (the escalation service's sweep).
    sweep_seconds: float = Field(default=15.0, description="how often the supervision sweep looks for due clocks")
    sweep_batch_size: int = Field(default=500, description="orders the sweep locks and handles per transaction")
    remind_fraction: float = Field(default=0.75, description="提醒 once this share of a clock's time has gone")
    notify_overdue_fraction: float = Field(
        default=1.0, description="通报 once overdue by this share of the clock's allowed time again")
    auto_report_up_clocks: str = Field(
        default="", description="comma-separated clocks (claim, first_contact, resolve) whose 督办 passes a village's "
                                "order up to its township (上报); empty = never automatically")
    extra_holidays: str = Field(default="", description="dates off beyond the official calendar: "
                                                        "2027-01-01,2027-02-05..2027-02-11")
    extra_working_days: str = Field(default="", description="adjusted working days (调休) beyond the official calendar")
    holidays_file: Path | None = Field(default=None, description="a file of extra holidays, one date or range a line")
    working_days_file: Path | None = Field(default=None, description="a file of extra adjusted working days")

    # What a service would otherwise find wrong only as it starts, inside uvicorn (a traceback, exit
    # status 3), or never (a channel misspelt stays open): refused here, in one line, by every command.
    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, name: str) -> str:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {name!r} (an IANA name, such as Asia/Shanghai)") from None
        return name

    @field_validator("extra_holidays", "extra_working_days")
    @classmethod
    def _dates(cls, text: str) -> str:
        parse_dates([text])  # ValueError naming the date
        return text

    @field_validator("holidays_file", "working_days_file")
    @classmethod
    def _date_file(cls, path: Path | None) -> Path | None:
        if path is not None:
            try:
                parse_dates(path.read_text(encoding="utf-8").splitlines())
            except (OSError, UnicodeDecodeError) as exc:
                raise ValueError(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from None
        return path

    @field_validator("auto_report_up_clocks")
    @classmethod
    def _clocks(cls, text: str) -> str:
        return _known_names(text, [c.value for c in ClockName], "clock")

    @field_validator("log_level")
    @classmethod
    def _level(cls, level: str) -> str:
        if level.strip().upper() not in _LEVELS:
            raise ValueError(f"unknown level {level!r}; use one of {', '.join(_LEVELS)}")
        return level.strip().upper()

    @field_validator("pii_keys")
    @classmethod
    def _fernet_keys(cls, keys: str | None) -> str | None:
        if keys:
            try:
                Vault(comma_list(keys))
            except VaultError as exc:
                raise ValueError(str(exc)) from None
        return keys

    @field_validator("channels_off")
    @classmethod
    def _channels(cls, text: str) -> str:
        return _known_names(text, [c.value for c in Channel], "channel")

    @field_validator("report_weights")
    @classmethod
    def _weights(cls, text: str) -> str:
        try:
            parse_weights(text, DEFAULT_WEIGHTS)
        except BadReportParameter as exc:
            raise ValueError(exc.problem) from None
        return text

    @field_validator("router_model_path")
    @classmethod
    def _model_file(cls, path: Path | None) -> Path | None:
        if path is not None and not path.is_file():
            raise ValueError(f"no model file at {path} (write one with `hotline router train -o {path}`)")
        return path

    @cached_property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'hotline.db').as_posix()}"

    def feedback_policy(self) -> FeedbackPolicy:
        return FeedbackPolicy(returns_before_arbitration=self.returns_before_arbitration,
                              rating_window=timedelta(hours=self.rating_window_hours),
                              hard_after_reopens=self.hard_after_reopens)

    @property
    def uses_kafka(self) -> bool:
        return bool(self.kafka_bootstrap_servers)

    @property
    def is_sqlite(self) -> bool:
        return self.effective_database_url.startswith("sqlite")


def environment_name(field: str) -> str:
    """The environment variable that sets a field of CoreSettings (or a subclass with the same prefix)."""
    info = CoreSettings.model_fields.get(field)
    if info is None and field.isupper():
        return field  # the error already names it by its alias (DATABASE_URL)
    alias = info.validation_alias if info else None
    if isinstance(alias, AliasChoices) and alias.choices and isinstance(alias.choices[0], str):
        return alias.choices[0]
    return f"HOTLINE_{field.upper()}"
