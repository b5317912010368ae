"""The `hotline` command line."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(help="Hotline: unified appeal intake, precise dispatch and closed-loop tracking.",
                  no_args_is_help=True)
db_app = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)
router_app = typer.Typer(help="The router's learned model.", no_args_is_help=True)
app.add_typer(db_app, name="db")
keys_app = typer.Typer(help="API keys: who may do what (roles, a unit for unit keys).", no_args_is_help=True)
app.add_typer(router_app, name="router")
app.add_typer(keys_app, name="keys")
reports_app = typer.Typer(help="Report aggregates.", no_args_is_help=True)
app.add_typer(reports_app, name="reports")


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
def db_upgrade(revision: str = "head") -> None:
    """Apply the migrations to DATABASE_URL (or the embedded SQLite file)."""
    from services.db.migrate import upgrade
    from services.settings import CoreSettings

    url = CoreSettings().effective_database_url
    upgrade(url, revision)
    typer.echo(f"database at {url.split('@')[-1]} is at {revision}")


@app.command()
def serve(
    service: ServiceName,
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int | None, typer.Option(help="port (default per service)")] = None,
    access_log: Annotated[bool, typer.Option(help="log every request")] = True,
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
    # An import string and a factory, so that each worker process builds its own app and runtime.
    uvicorn.run(APP_FACTORIES[service.value], factory=True, host=host, port=port or DEFAULT_PORTS[service.value],
                workers=workers, log_level="info", access_log=access_log, timeout_graceful_shutdown=10)


@app.command()
def demo(data_dir: Annotated[Path | None, typer.Option(help="keep the demo database here")] = None) -> None:
    """Run the closed loop on the embedded default and print the 631 report."""
    from services.demo import run_demo

    asyncio.run(run_demo(data_dir))


@app.command()
def classify(
    file: Annotated[Path, typer.Argument(help="JSON lines with at least id and text")],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="write here instead of stdout")] = None,
) -> None:
    """Route every line of FILE offline (no servers) and write one JSON line per input."""
    from router.offline import classify_record
    from router.service import Router

    router = Router.default()
    out = output.open("w", encoding="utf-8") if output else sys.stdout
    try:
        with file.open(encoding="utf-8") as lines:
            for n, line in enumerate(lines, 1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise typer.BadParameter(f"line {n} of {file} is not JSON: {exc}") from exc
                if not isinstance(record, dict) or "id" not in record or "text" not in record:
                    raise typer.BadParameter(f"line {n} of {file} needs the fields id and text")
                out.write(json.dumps(classify_record(router, record), ensure_ascii=False) + "\n")
    finally:
        if output:
            out.close()


@app.command()
def duplicates(
    file: Annotated[Path, typer.Argument(help="JSON lines in submission order: id, text, optional channel, "
                                              "address, reported_at")],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="write here instead of stdout")] = None,
) -> None:
    """Find near-duplicates (并单) offline: one JSON line per input with id and duplicate_of (null, or the
    id of the earlier line it merges into)."""
    from router.service import Router
    from services.offline_duplicates import detect_lines

    out = output.open("w", encoding="utf-8") if output else sys.stdout
    try:
        with file.open(encoding="utf-8") as lines:
            for row in detect_lines(Router.default(), lines):
                if "error" in row:
                    raise typer.BadParameter(f"{file}: line {row['line']}: {row['error']}")
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
    finally:
        if output:
            out.close()


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
        typer.echo(f"error: {exc}", err=True)
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
        typer.echo(f"error: no live key {key_id}", err=True)
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
) -> None:
    """Train the router's learned model from the catalogue plus the centre's own history:
    dispatcher overrides and re-dispatches after returns (weighted up), and orders that closed
    without a return or reopening. Point HOTLINE_ROUTER_MODEL_PATH at the output to use it."""
    from router.service import Router
    from services.review import load_training_history
    from services.settings import CoreSettings

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
    app()
