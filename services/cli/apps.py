"""The `hotline` command's apps (the top level and its command groups) and its expected failure."""

from __future__ import annotations

import typer

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
