"""Administration: the database schema, Kafka topics, API keys, the router's model, report
aggregates, the system's status and its AsyncAPI document."""

from __future__ import annotations

import asyncio
import os
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from services.cli.apps import CliError, app, db_app, keys_app, reports_app, router_app, topics_app


@db_app.command("upgrade")
def db_upgrade(
    revision: Annotated[str, typer.Argument(help="Alembic revision to reach (default: the newest)")] = "head",
) -> None:
    """Apply the migrations to DATABASE_URL (or the embedded SQLite file) up to REVISION."""
    from services.db.migrate import analyze, current_revision, upgrade
    from services.settings import CoreSettings

    url = CoreSettings().effective_database_url
    before = current_revision(url) if url.startswith("postgresql") else None  # (analyze: PostgreSQL only)
    upgrade(url, revision)
    current = current_revision(url)
    if current != before:
        analyze(url)  # the planner's statistics after a schema change (services.db.migrate.analyze)
    behind = "" if revision == "head" or current == revision else \
        f" (not {revision}: the database was already past it; migrations only go forward here)"
    typer.echo(f"database at {url.split('@')[-1]} is at {'head' if revision == 'head' else current}{behind}")


@db_app.command("downgrade")
def db_downgrade(
    revision: Annotated[str, typer.Argument(help="Alembic revision to go back to (e.g. 0012; `-- -1` for one step)")],
) -> None:
    """Undo the migrations after REVISION on DATABASE_URL (or the embedded SQLite file), newest first:
    to roll a release back after its migration. Stop the services of the newer release first; a
    migration that dropped something does not bring its data back."""
    from services.db.migrate import current_revision, downgrade
    from services.settings import CoreSettings

    url = CoreSettings().effective_database_url
    downgrade(url, revision)
    typer.echo(f"database at {url.split('@')[-1]} is at {current_revision(url) or 'base (no schema)'}")


@db_app.command("remask")
def db_remask(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="count what would change; write nothing")] = False,
) -> None:
    """Apply today's masking to what is already stored (order texts, addresses, channel details,
    history reasons, notes, comments, stored event bodies): after an upgrade whose masking finds a
    form of number the old one missed. The raw values stay sealed; safe to run again or to stop."""
    from services.db.engine import make_engine
    from services.db.remask import remask
    from services.settings import CoreSettings

    async def run() -> dict[str, int]:
        engine = make_engine(CoreSettings().effective_database_url)
        try:
            return await remask(engine, dry_run=dry_run)
        finally:
            await engine.dispose()

    counts = asyncio.run(run())
    for name, changed in counts.items():
        if changed:
            typer.echo(f"{name}\t{changed}")
    verb = "would change" if dry_run else "changed"
    typer.echo(f"{verb} {sum(counts.values())} stored values in {sum(1 for c in counts.values() if c)} columns")


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
