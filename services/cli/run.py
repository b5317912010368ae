"""Running Hotline: one service or all of them (uvicorn), and the embedded demo."""

from __future__ import annotations

import asyncio
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from services.cli.apps import CliError, app

if TYPE_CHECKING:
    from services.settings import CoreSettings


class ServiceName(StrEnum):
    intake = "intake"
    router = "router"
    escalation = "escalation"
    feedback = "feedback"
    all = "all"


APP_FACTORIES = {name: f"services.apps.{module}:create_{module}_app" for name, module in (
    ("intake", "intake"), ("router", "router"), ("escalation", "escalation"), ("feedback", "feedback"),
    ("all", "combined"))}
DEFAULT_PORTS = {"intake": 8001, "router": 8002, "escalation": 8003, "feedback": 8004, "all": 8000}


@app.command()
def serve(
    service: ServiceName,
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int | None, typer.Option(min=0, max=65535, help="port (default per service)")] = None,
    access_log: Annotated[bool, typer.Option(help="uvicorn's own access log (requests are logged as JSON)")] = False,
    workers: Annotated[int, typer.Option(min=1, help="worker processes (with Kafka); each runs its own runtime")] = 1,
) -> None:
    """Run one service (needs KAFKA_BOOTSTRAP_SERVERS) or all of them in one process.

    uvicorn runs on uvloop with httptools. SIGTERM stops accepting, lets the requests in flight
    finish (at most 10 s), then stops the relay and consumers; nothing acknowledged is lost."""
    import uvicorn

    from services.settings import CoreSettings

    settings = CoreSettings()
    if service is not ServiceName.all and not settings.uses_kafka:
        raise typer.BadParameter(
            f"{service.value} alone needs KAFKA_BOOTSTRAP_SERVERS (and DATABASE_URL); without a broker the "
            "services share an in-process bus: run `hotline serve all`",
            param_hint="SERVICE",
        )

    if service is not ServiceName.all:
        _shared_configuration(service.value, settings)
    if workers > 1 and not settings.uses_kafka:
        raise typer.BadParameter("several workers share the work through Kafka: set KAFKA_BOOTSTRAP_SERVERS",
                                 param_hint="--workers")
    from services.logs import configure_logging, logging_config

    port = DEFAULT_PORTS[service.value] if port is None else port
    _can_listen(host, port)
    if settings.database_url:
        asyncio.run(_database_ready(settings))
    if settings.uses_kafka:
        asyncio.run(_broker_ready(settings))
    configure_logging(settings.log_level)
    # An import string and a factory, so that each worker process builds its own app and runtime.
    uvicorn.run(APP_FACTORIES[service.value], factory=True, host=host, port=port,
                workers=workers, log_config=logging_config(settings.log_level), access_log=access_log,
                timeout_graceful_shutdown=10)


def _can_listen(host: str, port: int) -> None:
    """Before anything starts: the address can be listened on (a free port, a host of this machine),
    else one line and exit status 1; uvicorn would start the runtime first, then log the bind error as
    a JSON line and exit with status 3."""
    import socket

    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                                             flags=socket.AI_PASSIVE)[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
            probe.bind(address)
    except OSError as exc:  # socket.gaierror too: a host name that does not resolve
        raise CliError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc


def _shared_configuration(service: str, settings: CoreSettings) -> None:
    """A service run on its own shares the database and the secrets with the others, so each must come
    from configuration: without DATABASE_URL it would run on an SQLite file of its own, and without the
    keys it would make its own in its data directory (on a read-only root file system: fail), so that
    feedback could not read the caller's number intake sealed, nor take the citizen's token for a rating."""
    missing = [name for name, value in (("DATABASE_URL", settings.database_url),
                                        ("HOTLINE_PII_KEYS", settings.pii_keys),
                                        ("HOTLINE_TOKEN_SECRET", settings.token_secret)) if not value]
    if missing:
        raise CliError(f"{service} alone needs {', '.join(missing)} (the same for every service; "
                       "deploy/README.md says how to make them): without them it keeps a database or keys of its own")


async def _database_ready(settings: CoreSettings) -> None:
    """Before uvicorn starts: the configured database answers and holds this release's schema, else one
    line and exit status 1 (a wrong address, user or database name, or a database not migrated, made a
    service that ran on, answering 503 and logging the relay's failure every two seconds). A database
    at a revision this release does not know is newer (expand-then-contract): that is fine."""
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from services.db.engine import make_engine
    from services.db.migrate import alembic_config

    url = settings.effective_database_url
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            revision = await conn.run_sync(lambda c: MigrationContext.configure(c).get_current_revision())
    finally:
        await engine.dispose()
    script = ScriptDirectory.from_config(alembic_config(url))
    head = script.get_current_head()
    known = {r.revision for r in script.walk_revisions()}
    if revision is None or (revision != head and revision in known):
        at = f"is at {revision}" if revision else "holds no Hotline schema"
        raise CliError(f"the database at {url.split('@')[-1]} {at}, this release needs {head}: "
                       "run `hotline db upgrade`")
    if settings.pii_keys or settings.token_secret:
        await _secrets_fit_the_database(settings)


async def _secrets_fit_the_database(settings: CoreSettings) -> None:
    """Before uvicorn starts: HOTLINE_PII_KEYS open the personal data sealed most recently, and
    HOTLINE_TOKEN_SECRET makes the citizen token of the newest order, else one line and exit status 1.
    With secrets of another set-up (made afresh in a new shell, or another environment's) a service
    started and then answered 500 to the lead unit's view and the 回访 worklist, whose numbers it could
    not open, or told every citizen their token was wrong (404). One row, read backwards on the orders'
    creation index."""
    from sqlalchemy import select

    from intake.vault import VaultError, citizen_token
    from services.db.engine import make_engine
    from services.db.tables import PersonalData, WorkOrder
    from services.orders.lifecycle import token_hash
    from services.secrets_store import load_token_secret, load_vault

    url = settings.effective_database_url
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            newest = (await conn.execute(
                select(WorkOrder.id, WorkOrder.citizen_token_hash, PersonalData.sealed)
                .outerjoin(PersonalData, WorkOrder.id == PersonalData.work_order_id)
                .order_by(WorkOrder.created_at.desc(), WorkOrder.id.desc()).limit(1))).one_or_none()
    finally:
        await engine.dispose()
    if newest is None:
        return
    order_id, digest, sealed = newest
    where = url.split("@")[-1]
    if settings.pii_keys and sealed is not None:
        try:
            load_vault(settings).open(sealed)
        except VaultError as exc:
            raise CliError(f"HOTLINE_PII_KEYS cannot open the personal data in the database at {where} ({exc}): set "
                           "the keys it was sealed with, as the other services have them (to rotate: the new key "
                           "first, the old ones after it)") from None
    if settings.token_secret and digest and token_hash(citizen_token(load_token_secret(settings), order_id)) != digest:
        raise CliError(f"HOTLINE_TOKEN_SECRET does not make the citizen tokens of the orders in the database at "
                       f"{where}: set the secret they were given with, as the other services have it (another one "
                       "would turn every citizen's token away)")


async def _broker_ready(settings: CoreSettings) -> None:
    """Before uvicorn starts: the broker answers and has the fixed topics (unless the services are
    to create them), else the one line `main` prints for a broker failure, exit status 1 (inside
    the app's start-up it would be uvicorn's traceback and exit 3). Each unit's dispatch topic is
    checked by the service itself as it starts (it needs the gazetteer, a second or two to load)."""
    import logging

    from services.topics import MissingTopics, missing_topics, topic_plan

    quiet = logging.getLogger("aiokafka")
    level, quiet.level = quiet.level, logging.CRITICAL  # its own log record would be a second line
    try:
        missing = await missing_topics(settings.kafka_bootstrap_servers or "", topic_plan(settings, []))
    finally:
        quiet.setLevel(level)
    if missing and settings.kafka_missing_topics != "create":
        raise MissingTopics(missing)


@app.command()
def demo(data_dir: Annotated[Path | None, typer.Option(help="keep the demo database here")] = None) -> None:
    """Run the closed loop on the embedded default and print the 631 report."""
    from services.demo import run_demo

    if data_dir is not None and (data_dir / "hotline.db").exists():
        # Its appeals carry fixed ids: on its own database again they are repeats of closed orders.
        raise CliError(f"{data_dir} already holds a database (an earlier demo's?): give an empty or new "
                       "directory, or none for a temporary one")
    asyncio.run(run_demo(data_dir))
