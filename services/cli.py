"""The `hotline` command line."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import re
import sys
from collections.abc import Callable, Iterator
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from pydantic import ValidationError

    from intake.bulk import Tally

app = typer.Typer(help="Hotline: unified appeal intake, precise dispatch and closed-loop tracking. "
                       "Configuration comes from the environment (DATABASE_URL, KAFKA_BOOTSTRAP_SERVERS, HOTLINE_*).",
                  no_args_is_help=True, pretty_exceptions_enable=False)
db_app = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)
router_app = typer.Typer(help="The router's learned model.", no_args_is_help=True)
app.add_typer(db_app, name="db")
keys_app = typer.Typer(help="API keys: who may do what (roles, a unit for unit keys).", no_args_is_help=True)
app.add_typer(router_app, name="router")
app.add_typer(keys_app, name="keys")
reports_app = typer.Typer(help="Report aggregates.", no_args_is_help=True)
app.add_typer(reports_app, name="reports")
kafka_app = typer.Typer(help="Kafka provisioning.", no_args_is_help=True)
topics_app = typer.Typer(help="The topics the configuration needs (fixed topics and one dispatch topic per unit).",
                         no_args_is_help=True)
kafka_app.add_typer(topics_app, name="topics")
app.add_typer(kafka_app, name="kafka")


class CliError(Exception):
    """An expected failure: printed as one line, exit status 1."""


def main() -> None:
    """The `hotline` entry point: expected failures (a missing file, a bad line, a database or broker
    that does not answer) end with one line on standard error and exit status 1, not a traceback."""
    if sys.argv[1:2] != ["serve"]:
        # A broker that does not answer is told in the command's own one line; aiokafka's log record of
        # it would be a second (the services, which log JSON, keep it).
        logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    try:
        app()
    except CliError as exc:
        _fail(str(exc))
    except Exception as exc:
        message = _expected_failure(exc)
        if message is None:
            raise
        _fail(message)


_MISSING_TABLE = re.compile(r'(relation|column) "[^"]+" (of relation "[^"]+" )?does not exist|no such (table|column)')


def _expected_failure(exc: Exception) -> str | None:
    """The one line to print for a failure an operator can fix, or None for a bug."""
    from aiokafka.errors import KafkaError
    from alembic.util.exc import CommandError as AlembicCommandError
    from pydantic import ValidationError
    from sqlalchemy.exc import OperationalError, ProgrammingError, SQLAlchemyError

    from router.exceptions import RouterError
    from services.bootstrap import ConfigurationError
    from services.topics import MissingTopics

    if isinstance(exc, ValidationError) and exc.title.endswith("Settings"):
        return settings_problem(exc)
    first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if isinstance(exc, AlembicCommandError):
        return f"db upgrade: {first}"
    if isinstance(exc, ProgrammingError | OperationalError) and _MISSING_TABLE.search(first):
        return f"the database is not at Hotline's schema: run `hotline db upgrade` ({first})"
    if isinstance(exc, SQLAlchemyError | ConnectionError):
        return f"the database does not answer: {first}"
    if isinstance(exc, KafkaError | MissingTopics | ConfigurationError | RouterError | OSError):
        return first
    return None


def settings_problem(exc: ValidationError) -> str:
    """A configuration the settings refused, as one line naming the environment variables."""
    from schemas.validation import problem_words
    from services.settings import environment_name

    problems = []
    for error in exc.errors():
        field = str(error["loc"][0]) if error["loc"] else ""
        problems.append(f"{environment_name(field)}: {problem_words(error)}")
    return "configuration: " + "; ".join(problems)


def _fail(message: str) -> None:
    typer.echo(f"hotline: error: {message}", err=True)
    raise SystemExit(1)


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


@db_app.command("upgrade")
def db_upgrade(
    revision: Annotated[str, typer.Argument(help="Alembic revision to reach (default: the newest)")] = "head",
) -> None:
    """Apply the migrations to DATABASE_URL (or the embedded SQLite file) up to REVISION."""
    from services.db.migrate import current_revision, upgrade
    from services.settings import CoreSettings

    url = CoreSettings().effective_database_url
    upgrade(url, revision)
    current = current_revision(url)
    behind = "" if revision == "head" or current == revision else \
        f" (not {revision}: the database was already past it; migrations only go forward here)"
    typer.echo(f"database at {url.split('@')[-1]} is at {'head' if revision == 'head' else current}{behind}")


@app.command()
def serve(
    service: ServiceName,
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int | None, typer.Option(help="port (default per service)")] = None,
    access_log: Annotated[bool, typer.Option(help="uvicorn's own access log (requests are logged as JSON)")] = False,
    workers: Annotated[int, typer.Option(min=1, help="worker processes (with Kafka); each runs its own runtime")] = 1,
) -> None:
    """Run one service (needs KAFKA_BOOTSTRAP_SERVERS) or all of them in one process.

    uvicorn runs on uvloop with httptools. SIGTERM stops accepting, lets the requests in flight
    finish (at most 10 s), then stops the relay and consumers; nothing acknowledged is lost."""
    import uvicorn

    from services.settings import CoreSettings

    if service is not ServiceName.all and not CoreSettings().uses_kafka:
        raise typer.BadParameter(
            f"{service.value} alone needs KAFKA_BOOTSTRAP_SERVERS (and DATABASE_URL); without a broker the "
            "services share an in-process bus: run `hotline serve all`",
            param_hint="SERVICE",
        )

    if workers > 1 and not CoreSettings().uses_kafka:
        raise typer.BadParameter("several workers share the work through Kafka: set KAFKA_BOOTSTRAP_SERVERS",
                                 param_hint="--workers")
    from services.logs import configure_logging, logging_config

    settings = CoreSettings()
    configure_logging(settings.log_level)
    # An import string and a factory, so that each worker process builds its own app and runtime.
    uvicorn.run(APP_FACTORIES[service.value], factory=True, host=host, port=port or DEFAULT_PORTS[service.value],
                workers=workers, log_config=logging_config(settings.log_level), access_log=access_log,
                timeout_graceful_shutdown=10)


@app.command()
def demo(data_dir: Annotated[Path | None, typer.Option(help="keep the demo database here")] = None) -> None:
    """Run the closed loop on the embedded default and print the 631 report."""
    from services.demo import run_demo

    asyncio.run(run_demo(data_dir))


@app.command()
def classify(
    file: Annotated[str, typer.Argument(help="JSON lines with id and text (optional channel, address); - for stdin")],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="write here instead of stdout")] = None,
) -> None:
    """Route every line of FILE offline (no servers) and write one JSON line per input: id, redirect,
    class, level, dept, unit, matter, confidence, explanation. A bad line stops with its number."""
    from router.offline import classify_record
    from router.service import Router
    from schemas.taxonomy import Channel

    channels = {c.value for c in Channel}
    try:
        source = sys.stdin if file == "-" else Path(file).open(encoding="utf-8-sig")  # a BOM (Notepad) is skipped
    except OSError as exc:
        raise CliError(f"cannot read {file}: {exc.strerror}") from exc
    router = Router.default()
    out = output.open("w", encoding="utf-8") if output else sys.stdout
    name = "standard input" if file == "-" else file
    try:
        for n, line in enumerate(source, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise CliError(f"line {n} of {name} is not JSON: {exc}") from exc
            if not isinstance(record, dict) or "id" not in record or not isinstance(record.get("text"), str):
                raise CliError(f"line {n} of {name} needs the fields id and text")
            if record.get("channel") is not None and record["channel"] not in channels:
                raise CliError(f"line {n} of {name}: unknown channel {record['channel']!r} "
                               f"(one of {', '.join(sorted(channels))})")
            out.write(json.dumps(classify_record(router, record), ensure_ascii=False) + "\n")
    finally:
        if source is not sys.stdin:
            source.close()
        if output:
            out.close()


@app.command()
def duplicates(
    file: Annotated[str, typer.Argument(help="JSON lines in submission order: id, text, optional channel, "
                                             "address, reported_at; - for stdin")],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="write here instead of stdout")] = None,
) -> None:
    """Find near-duplicates (并单) offline: one JSON line per input with id and duplicate_of (null, or the
    id of the earlier line it merges into)."""
    from router.service import Router
    from services.offline_duplicates import detect_lines

    try:
        source = sys.stdin if file == "-" else Path(file).open(encoding="utf-8-sig")  # a BOM (Notepad) is skipped
    except OSError as exc:
        raise CliError(f"cannot read {file}: {exc.strerror}") from exc
    out = output.open("w", encoding="utf-8") if output else sys.stdout
    try:
        for row in detect_lines(Router.default(), source):
            if "error" in row:
                raise CliError(f"{'standard input' if file == '-' else file}: line {row['line']}: {row['error']}")
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    finally:
        if source is not sys.stdin:
            source.close()
        if output:
            out.close()


class ImportFormat(StrEnum):
    auto = "auto"
    jsonl = "jsonl"
    csv = "csv"


@contextlib.contextmanager
def import_progress(total: int | None) -> Iterator[Callable[[int, Tally], None]]:
    """A progress bar on a terminal (rows done, of how many, time left, refusals so far); in a log or
    a pipe, a plain line every 500 rows instead of a bar's escape codes."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    console = Console(stderr=True)
    if not console.is_terminal:
        def plain(n: int, tally: Tally) -> None:
            if n % 500 == 0:
                typer.echo(f"{n}{f'/{total}' if total else ''} rows, {len(tally.refusals)} refused …", err=True)

        yield plain
        return
    columns = (TextColumn("importing"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
               TextColumn("{task.fields[refused]} refused"))
    with Progress(*columns, console=console, transient=False) as bar:
        task = bar.add_task("import", total=total, refused=0)

        def advance(n: int, tally: Tally) -> None:
            bar.update(task, completed=n, refused=len(tally.refusals))

        yield advance


@app.command("import")
def import_appeals(
    file: Annotated[str, typer.Argument(help="JSON lines or CSV (a header line of field names); - for stdin")],
    channel: Annotated[str | None, typer.Option(help="the channel of rows that name none, e.g. offline_visit")] = None,
    format_: Annotated[ImportFormat, typer.Option("--format", help="auto: by the file name (.csv), else JSON lines")
                       ] = ImportFormat.auto,
    rejects: Annotated[Path | None, typer.Option(help="also write each refused row here (JSON lines: line, "
                                                      "reason)")] = None,
) -> None:
    """Bulk import of historical or offline appeals through the channels' own models and rules
    (validation, personal data sealed and masked, repeats, 并单). Each row stands alone: a bad one is
    refused with its line number and reason and the run goes on. Re-running a file imports nothing
    twice (external ids, else the row's content). Prints the counts; exit status 1 when any row was
    refused. The orders are routed when the services run (their events wait in the outbox)."""
    from intake.bulk import count_rows, read_csv, read_jsonl
    from schemas.taxonomy import Channel
    from services.bootstrap import build_runtime
    from services.bulk_import import import_rows
    from services.settings import CoreSettings

    importable = sorted(c.value for c in Channel if c.value != "open311")
    if channel is not None and channel not in importable:
        raise typer.BadParameter(f"{channel!r} is not a channel: one of {', '.join(importable)}",
                                 param_hint="--channel")
    try:
        source = sys.stdin if file == "-" else Path(file).open(encoding="utf-8", newline="")
    except OSError as exc:
        raise CliError(f"cannot read {file}: {exc.strerror}") from exc
    as_csv = format_ is ImportFormat.csv or (format_ is ImportFormat.auto and file.lower().endswith(".csv"))
    name = "standard input" if file == "-" else file

    total = None
    if file != "-":  # a file can be read twice: count its rows first (unparsed), for the bar's total
        with Path(file).open(encoding="utf-8", newline="") as counting:
            with contextlib.suppress(UnicodeDecodeError):  # reported below, with the row that has it
                total = count_rows(counting, as_csv)

    async def run(progress: Callable[[int, Tally], None]) -> Tally:
        runtime = await build_runtime(CoreSettings())
        try:
            return await import_rows(runtime, read_csv(source) if as_csv else read_jsonl(source), channel=channel,
                                     progress=progress)
        finally:
            await runtime.engine.dispose()

    try:
        with import_progress(total) as progress:
            tally = asyncio.run(run(progress))
    except UnicodeDecodeError as exc:
        raise CliError(f"{name} is not UTF-8 text ({exc.reason} at byte {exc.start}): save it as UTF-8 "
                       "(a spreadsheet's \"CSV UTF-8\"; GBK is not read)") from exc
    finally:
        if source is not sys.stdin:
            source.close()
    for line, reason in tally.refusals:
        typer.echo(f"{name}: line {line}: refused: {reason}", err=True)
    if rejects is not None:
        with rejects.open("w", encoding="utf-8") as out:
            for line, reason in tally.refusals:
                out.write(json.dumps({"line": line, "reason": reason}, ensure_ascii=False) + "\n")
    typer.echo(tally.summary())
    if tally.refusals:
        raise typer.Exit(1)


@topics_app.command("plan")
def topics_plan() -> None:
    """Print every topic the configuration needs: name, partitions, replication factor, settings
    (HOTLINE_KAFKA_*_PARTITIONS, HOTLINE_KAFKA_REPLICATION_FACTOR; one dispatch topic per unit)."""
    from services.settings import CoreSettings
    from services.topics import plan_for

    for spec in plan_for(CoreSettings()):
        typer.echo(spec.line())


@topics_app.command("apply")
def topics_apply() -> None:
    """Create the topics of the plan that KAFKA_BOOTSTRAP_SERVERS lacks; existing ones are left as
    they are (safe to run again, e.g. after adding a unit)."""
    from services.settings import CoreSettings
    from services.topics import apply_plan, plan_for

    settings = CoreSettings()
    if not settings.uses_kafka:
        raise CliError("KAFKA_BOOTSTRAP_SERVERS is not set")
    outcomes = asyncio.run(apply_plan(settings.kafka_bootstrap_servers or "", plan_for(settings)))
    for spec, outcome in outcomes:
        typer.echo(f"{spec.name}\t{outcome}")
    created = sum(1 for _, outcome in outcomes if outcome == "created")
    typer.echo(f"{created} created, {len(outcomes) - created} already there")


@app.command()
def status() -> None:
    """Database revision, outbox backlog, orders by state, overdue orders, API keys not revoked and,
    with a broker, the consumer groups' lag."""
    from services.settings import CoreSettings
    from services.status import read_status

    found = asyncio.run(read_status(CoreSettings()))
    for line in found.lines():
        typer.echo(line)
    if found.broker_error is not None:
        raise CliError(f"the broker does not answer: {found.broker_error}")


class RoleName(StrEnum):
    operator = "operator"
    dispatcher = "dispatcher"
    unit = "unit"
    supervisor = "supervisor"
    admin = "admin"
    open311_client = "open311-client"


@keys_app.command("create")
def keys_create(
    role: Annotated[RoleName, typer.Option(help="what the key may do")],
    unit: Annotated[str | None, typer.Option(help="for a unit key: the unit code it acts for")] = None,
    name: Annotated[str, typer.Option(help="who holds the key (shown in lists and the audit)")] = "",
) -> None:
    """Issue a key. The key is printed once; only its hash is stored."""
    from services.keys_admin import create

    try:
        issued = asyncio.run(create(role.value, unit, name))
    except (ValueError, LookupError) as exc:
        typer.echo(f"hotline: error: {exc}", err=True)
        raise typer.Exit(2) from exc
    typer.echo(f"id:   {issued.id}\nrole: {issued.role.value}" + (f"\nunit: {issued.unit}" if issued.unit else ""))
    typer.echo(f"key:  {issued.secret}\n(shown once: store it now; send it as 'Authorization: Bearer <key>')")


@keys_app.command("list")
def keys_list(all_keys: Annotated[bool, typer.Option("--all", help="include revoked keys")] = False) -> None:
    """The keys: id, role, unit, name, created, revoked (never the key itself)."""
    from services.keys_admin import listing

    for row in asyncio.run(listing(include_revoked=all_keys)):
        typer.echo("\t".join(row))


@keys_app.command("revoke")
def keys_revoke(key_id: Annotated[str, typer.Argument(help="the key's id (from `hotline keys list`)")]) -> None:
    """Revoke a key: it stops working within the services' key cache time (5 s by default)."""
    from services.keys_admin import revoke

    if not asyncio.run(revoke(key_id)):
        typer.echo(f"hotline: error: no live key {key_id}", err=True)
        raise typer.Exit(1)
    typer.echo(f"revoked {key_id}")


@app.command()
def asyncapi() -> None:
    """Print the AsyncAPI document of the topics (docs/asyncapi.yaml is its committed copy)."""
    from services.asyncapi import render

    typer.echo(render(), nl=False)


@router_app.command("train")
def router_train(
    output: Annotated[Path, typer.Option("--output", "-o", help="where to write the model")] = Path(
        "var/router-model.npz"
    ),
    default: Annotated[bool, typer.Option(
        "--default", help="developers: retrain the model shipped in the package (router/data/model) from the "
        "catalogue and seed appeals only, after changing them")] = False,
) -> None:
    """Train the router's learned model from the catalogue plus the centre's own history:
    dispatcher overrides and re-dispatches after returns (weighted up), and orders that closed
    without a return or reopening. Point HOTLINE_ROUTER_MODEL_PATH at the output to use it."""
    from router.service import Router, train_default_model
    from router.shipped import SHIPPED_FINGERPRINT, SHIPPED_MODEL, training_fingerprint
    from services.review import load_training_history
    from services.settings import CoreSettings

    if default:
        shipped = train_default_model()
        SHIPPED_MODEL.parent.mkdir(parents=True, exist_ok=True)
        shipped.save(SHIPPED_MODEL)
        SHIPPED_FINGERPRINT.write_text(training_fingerprint() + "\n")
        typer.echo(f"trained on {shipped.trained_on}; wrote {SHIPPED_MODEL}")
        return
    records = asyncio.run(load_training_history(CoreSettings().effective_database_url))
    model = Router.default().train(records)
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")
    model.save(partial)
    os.replace(partial, output)  # atomic: a running router never reads half a file
    typer.echo(f"trained on {model.trained_on}; wrote {output}")


@reports_app.command("rebuild")
def reports_rebuild() -> None:
    """Recompute every report aggregate from history (the lifecycle and supervision events the
    system has written), in one transaction; the reports consumer then carries on from there."""
    from services.reports.consumer import rebuild_at
    from services.settings import CoreSettings

    folded, seconds = asyncio.run(rebuild_at(CoreSettings()))
    typer.echo(f"rebuilt the report aggregates from {folded} events in {seconds:.1f} s")


if __name__ == "__main__":
    main()
