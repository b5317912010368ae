"""Bulk import of historical and offline appeals (`hotline import FILE`): reading JSON lines or CSV
into channel submissions, the same models and rules as the API; what each row came to.

A row is one appeal in any channel's fields (`channel` may come from the command line instead). CSV
columns are the field names, dotted for nested ones (`business.name`, `location.lat`), photos
separated by `|`, empty cells left out. Re-running a file imports nothing twice: a row with an
`external_id` repeats by channel + id, a row without one by a key derived from its content.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from enum import StrEnum
from typing import Any

from pydantic import TypeAdapter, ValidationError

from intake.channels import request_digest
from intake.masking import mask_text
from schemas.channels import AppealSubmission, ChannelAppeal
from schemas.validation import problem_words, tag_field

_SUBMISSION: TypeAdapter[ChannelAppeal] = TypeAdapter(AppealSubmission)
_LISTS = frozenset({"photos"})


class Outcome(StrEnum):
    accepted = "accepted"  # a new order
    merged = "merged"  # a new order merged at once into an open one (并单)
    repeat = "repeat"  # imported before (or sent before over the API): nothing new
    refused = "refused"  # invalid, or an id already used for a different appeal, or a closed channel


@dataclass(frozen=True)
class Row:
    """One line (JSON lines) or record (CSV) of the file: the fields, or why it cannot be read."""

    line: int
    fields: dict[str, Any] | None
    problem: str | None = None


@dataclass
class Tally:
    counts: dict[Outcome, int] = field(default_factory=lambda: dict.fromkeys(Outcome, 0))
    refusals: list[tuple[int, str]] = field(default_factory=list)
    # Stopped before the end of the file (Ctrl-C): the rows counted were stored or refused whole, and
    # running the same import again goes on from there (the rows stored count as repeats).
    interrupted: bool = False

    def add(self, outcome: Outcome, line: int, reason: str | None = None) -> None:
        self.counts[outcome] += 1
        if outcome is Outcome.refused:
            # A reason may quote the row (a value it named): masked, as the API's error bodies are.
            self.refusals.append((line, mask_text(reason) if reason else "refused"))

    def summary(self) -> str:
        c = self.counts
        rows, repeats = sum(c.values()), c[Outcome.repeat]
        counts = (f"{rows} row{'' if rows == 1 else 's'}: {c[Outcome.accepted]} accepted, {c[Outcome.merged]} merged "
                  f"(并单), {repeats} repeat{'' if repeats == 1 else 's'}, {c[Outcome.refused]} refused")
        if self.interrupted:
            return (f"interrupted after {counts}; run the same import again to go on (the rows stored count "
                    "as repeats)")
        return counts


def _without_bom(lines: Iterable[str]) -> Iterator[str]:
    """The lines without a leading UTF-8 byte-order mark, which spreadsheets (Excel, WPS: "CSV UTF-8")
    and Hotline's own CSV exports write before the header."""
    first = True
    for line in lines:
        yield line.removeprefix("\ufeff") if first else line
        first = False


def read_jsonl(lines: Iterable[str]) -> Iterator[Row]:
    for number, line in enumerate(_without_bom(lines), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield Row(number, None, f"not JSON: {exc.msg} (column {exc.colno})")
            continue
        if not isinstance(record, dict):
            yield Row(number, None, "not a JSON object")
            continue
        yield Row(number, record)


def _nest(flat: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in flat.items():
        if key is None or value is None or not value.strip():
            continue
        *parents, leaf = key.strip().split(".")
        target = out
        for p in parents:
            target = target.setdefault(p, {})
            if not isinstance(target, dict):
                break
        else:
            target[leaf] = [v.strip() for v in value.split("|") if v.strip()] if leaf in _LISTS else value
    return out


class _Lines:
    """The file's lines with the position of the next one, so that reading can start again at a line."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.next = 0  # index of the next line to read; lines read so far = the last line's number

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        if self.next >= len(self.lines):
            raise StopIteration
        self.next += 1
        return self.lines[self.next - 1]


def _records(lines: Iterable[str]) -> Iterator[tuple[int, list[str] | str]]:
    """Each CSV record with the number of its last line, or, for a quote that does not close where
    its cell ends, the number of the line it opened on and why. A lenient reader takes every line
    after such a quote into that one cell, up to the next quote in the file or its end: the rows in
    between would vanish into one appeal's text. So a record that breaks the quoting rules across
    lines is refused and reading starts again on the line after its first; one that breaks them
    within its line (`"好味来"蛋糕店`: a quote closed and followed by more text) is read as the
    lenient reader reads it, the quotes dropped."""
    source = _Lines(list(_without_bom(lines)))
    reader = csv.reader(source, strict=True)
    while True:
        first = source.next + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error:
            across_lines = source.next > first
            source.next = first - 1
            if across_lines:
                yield first, ("a quote opened on this line does not close where its cell ends (the lines after "
                              "it were read into the cell): close it, or double a quote inside a quoted cell (\"\")")
                source.next = first
                reader = csv.reader(source, strict=True)
                continue
            cells = next(csv.reader(source))  # within one line: read leniently
            reader = csv.reader(source, strict=True)
        if cells:
            yield source.next, cells


def read_csv(lines: Iterable[str]) -> Iterator[Row]:
    """Rows of a CSV file with a header line; line numbers are the file's (the header is line 1)."""
    header: list[str] | None = None
    for line, record in _records(lines):
        if isinstance(record, str):
            yield Row(line, None, record)
            continue
        if header is None:
            header = record
            continue
        if len(record) > len(header):
            yield Row(line, None, f"{len(record) - len(header)} more cells than the header has columns")
            continue
        yield Row(line, _nest(dict(zip(header, record + [""] * (len(header) - len(record)), strict=True))))


def count_rows(lines: Iterable[str], as_csv: bool) -> int:
    """How many rows `read_csv` / `read_jsonl` will yield, without parsing them (a progress total)."""
    if as_csv:
        return max(0, sum(1 for _ in _records(lines)) - 1)  # less the header
    return sum(1 for line in lines if line.strip())


# The times a row may carry. A spreadsheet writes them without an offset (2026-11-20 09:00,
# 2026/11/20 9:00, 2026年11月20日 9时30分): in an import file they are the county's local time. A
# date alone (a paper register's 来访日期, a purchase date, an upper body's 限期) is that day: its
# start, or for a deadline its end — "by 5 December" leaves the whole of the 5th.
_TIMES = ("reported_at", "purchase_time", "deadline")
_LOCAL_TIME = re.compile(r"(\d{4})(?:[-/.]|年)(\d{1,2})(?:[-/.]|月)(\d{1,2})日?"
                         r"(?:(?:(?<=日)|[T ])\s*(\d{1,2})[:时点](\d{1,2})?分?(?::(\d{2})(?:\.(\d{1,6}))?)?)?")
_END_OF_DAY = {"deadline"}


def _in_zone(field: str, value: Any, zone: tzinfo) -> Any:
    """A time or date written without an offset, in `zone`, as ISO 8601 with its offset; anything else
    as it is (for the model to judge)."""
    if not isinstance(value, str) or not (match := _LOCAL_TIME.fullmatch(value.strip())):
        return value
    year, month, day, hour, minute, second, fraction = match.groups()
    if hour is None and field in _END_OF_DAY:
        hour, minute, second, fraction = "23", "59", "59", "999999"
    try:
        moment = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0),
                          int((fraction or "0").ljust(6, "0")), tzinfo=zone)
    except ValueError:  # 2026-02-30, 25:00: the model says what is wrong
        return value
    return moment.isoformat()


def submission_of(fields: dict[str, Any], channel: str | None, zone: tzinfo | None = None) -> ChannelAppeal:
    """The channel's submission model of a row (`channel` fills a row without one; with `zone`, times
    written without an offset are read in it). ValidationError."""
    if channel and not fields.get("channel"):
        fields = {**fields, "channel": channel}
    if zone is not None:
        fields = {k: _in_zone(k, v, zone) if k in _TIMES else v for k, v in fields.items()}
    return _SUBMISSION.validate_python(fields)


def refusal(exc: ValidationError) -> str:
    """Why a row was refused, naming each field as the API does."""
    problems = []
    for e in exc.errors():
        loc = [str(p) for p in e["loc"]]
        if e["type"] == "union_tag_not_found":  # pydantic's words: "Unable to extract tag using discriminator"
            problems.append("channel: Field required (name it in the row, or give --channel for rows without one)")
            continue
        if len(loc) > 1 and e["type"] != "union_tag_invalid":
            loc = loc[1:]  # the first is the channel's model
        if (tag := tag_field(e)) is not None:
            loc.append(tag)
        problems.append(f"{'.'.join(loc) or 'row'}: {problem_words(e)}")
    return "; ".join(problems)


def import_key(submission: ChannelAppeal) -> str | None:
    """The idempotency key of a row without an external id: its content, so a re-run is a repeat."""
    if submission.external_id or getattr(submission, "reference_no", None):
        return None
    return "import:" + hashlib.sha256(request_digest(submission).encode()).hexdigest()[:40]
