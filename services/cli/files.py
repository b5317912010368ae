"""Files offline: route them (classify), find their near-duplicates (duplicates), import them (import)."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import signal
import sys
from collections.abc import Callable, Iterator
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TextIO

import typer

from services.cli.apps import CliError, app

if TYPE_CHECKING:
    from intake.bulk import Tally


def _source_name(file: str) -> str:
    return "standard input" if file == "-" else file


def _open_text(file: str, newline: str | None = None) -> TextIO:
    """FILE (- for standard input) as UTF-8 text, read strictly (a BOM, as Notepad writes, skipped): a
    file in another encoding fails where it is read (UnicodeDecodeError), not as text with stray bytes."""
    if file == "-":
        return io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8-sig", newline=newline)
    try:
        return Path(file).open(encoding="utf-8-sig", newline=newline)
    except OSError as exc:
        raise CliError(f"cannot read {file}: {exc.strerror}") from exc


def _not_utf8(file: str, exc: UnicodeDecodeError) -> CliError:
    return CliError(f"{_source_name(file)} is not UTF-8 text ({exc.reason}): save it as UTF-8 (a spreadsheet's "
                    "\"CSV UTF-8\"; GBK is not read)")


@contextlib.contextmanager
def _lines_and_output(file: str, output: Path | None) -> Iterator[tuple[TextIO, TextIO]]:
    """FILE's lines and where to write the answers; one line for a file that cannot be read or
    written, or is not UTF-8."""
    source = _open_text(file)
    try:
        out = output.open("w", encoding="utf-8") if output else sys.stdout
    except OSError as exc:
        source.close()
        raise CliError(f"cannot write {output}: {exc.strerror}") from exc
    try:
        yield source, out
    except UnicodeDecodeError as exc:
        raise _not_utf8(file, exc) from exc
    finally:
        if file != "-":
            source.close()
        if output:
            out.close()


@app.command()
def classify(
    file: Annotated[str, typer.Argument(help="JSON lines with id and text (optional channel, address); - for stdin")],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="write here instead of stdout")] = None,
) -> None:
    """Route every line of FILE offline (no servers) and write one JSON line per input: id, redirect,
    class, level, dept, unit, matter, confidence, explanation, top_departments, township, village,
    category. A bad line stops with its number."""
    from intake.bulk import read_jsonl
    from router.offline import classify_record
    from schemas.taxonomy import Channel
    from services.bootstrap import load_router
    from services.settings import CoreSettings

    channels = {c.value for c in Channel}
    router = load_router(CoreSettings())  # HOTLINE_ROUTER_MODEL_PATH, as the running router
    name = _source_name(file)
    with _lines_and_output(file, output) as (source, out):
        for row in read_jsonl(source):
            record = row.fields
            if record is None:
                raise CliError(f"{name}: line {row.line}: {row.problem}")
            if "id" not in record or not isinstance(record.get("text"), str) or not record["text"].strip():
                raise CliError(f"{name}: line {row.line}: needs the fields id and text")
            if record.get("channel") is not None and record["channel"] not in channels:
                raise CliError(f"{name}: line {row.line}: unknown channel {record['channel']!r} "
                               f"(one of {', '.join(sorted(channels))})")
            out.write(json.dumps(classify_record(router, record), ensure_ascii=False) + "\n")


@app.command()
def duplicates(
    file: Annotated[str, typer.Argument(help="JSON lines in submission order: id, text, optional channel, "
                                             "address, reported_at; - for stdin")],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="write here instead of stdout")] = None,
) -> None:
    """Find near-duplicates (并单) offline: one JSON line per input with id and duplicate_of (null, or the
    id of the earlier line it merges into)."""
    from zoneinfo import ZoneInfo

    from services.bootstrap import duplicate_policy, load_router
    from services.offline_duplicates import detect_lines
    from services.settings import CoreSettings

    settings = CoreSettings()  # the router, the windows and the county's time zone intake would use
    router, policy = load_router(settings), duplicate_policy(settings)
    with _lines_and_output(file, output) as (source, out):
        for row in detect_lines(router, source, policy, ZoneInfo(settings.timezone)):
            if "error" in row:
                raise CliError(f"{_source_name(file)}: line {row['line']}: {row['error']}")
            out.write(json.dumps(row, ensure_ascii=False) + "\n")


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
    source = _open_text(file, newline="")
    as_csv = format_ is ImportFormat.csv or (format_ is ImportFormat.auto and file.lower().endswith(".csv"))
    name = _source_name(file)

    total = None
    if file != "-":  # a file can be read twice: count its rows first (unparsed), for the bar's total
        with Path(file).open(encoding="utf-8", newline="") as counting:
            with contextlib.suppress(UnicodeDecodeError):  # reported below, with the row that has it
                total = count_rows(counting, as_csv)

    async def run(progress: Callable[[int, Tally], None]) -> Tally:
        # Ctrl-C (or a TERM) ends the import after the row in hand, with the counts and the refusals so
        # far; a second Ctrl-C stops at once, as usual.
        stopping = asyncio.Event()
        loop = asyncio.get_running_loop()

        def stop_after_this_row(signum: signal.Signals) -> None:
            stopping.set()
            loop.remove_signal_handler(signum)

        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop_after_this_row, signum)
        runtime = await build_runtime(CoreSettings())
        try:
            return await import_rows(runtime, read_csv(source) if as_csv else read_jsonl(source), channel=channel,
                                     progress=progress, stop=stopping.is_set)
        finally:
            await runtime.engine.dispose()
            for signum in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(signum)

    try:
        with import_progress(total) as progress:
            tally = asyncio.run(run(progress))
    except UnicodeDecodeError as exc:
        raise _not_utf8(file, exc) from exc
    finally:
        if file != "-":
            source.close()
    for line, reason in tally.refusals:
        typer.echo(f"{name}: line {line}: refused: {reason}", err=True)
    if rejects is not None:
        with rejects.open("w", encoding="utf-8") as out:
            for line, reason in tally.refusals:
                out.write(json.dumps({"line": line, "reason": reason}, ensure_ascii=False) + "\n")
    typer.echo(tally.summary())
    if tally.interrupted:
        raise typer.Exit(130)  # as a shell reports a command ended by Ctrl-C
    if tally.refusals:
        raise typer.Exit(1)
