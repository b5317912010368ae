"""The `hotline` command line: its entry point and how failures are told. The apps are in `apps`;
the commands beside it by what they are for: running the services (`run`), files offline (`files`),
administration (`admin`)."""

from __future__ import annotations

import logging
import re
import sys
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from pydantic import ValidationError

from services.cli.apps import CliError, app


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
    from services.db.engine import database_unavailable
    from services.topics import MissingTopics

    if isinstance(exc, ValidationError) and exc.title.endswith("Settings"):
        return settings_problem(exc)
    first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if isinstance(exc, AlembicCommandError):
        return f"db upgrade: {first}"
    if isinstance(exc, ProgrammingError | OperationalError) and _MISSING_TABLE.search(first):
        return f"the database is not at Hotline's schema: run `hotline db upgrade` ({first})"
    if isinstance(exc, SQLAlchemyError) and not database_unavailable(exc):
        return f"the database refused it: {first}"
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


# The commands register themselves on the apps, in the order `hotline --help` lists them.
from services.cli import run, files, admin  # noqa: E402, F401, I001
from services.cli.files import import_progress  # noqa: E402, F401  (tests drive the progress display)
