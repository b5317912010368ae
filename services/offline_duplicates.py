"""`hotline duplicates FILE.jsonl`: the near-duplicate detector over a file, no servers needed.

Each line: `id`, `text`, optional `channel`, `address`, `reported_at` (ISO 8601, county time when it
has no offset; lines without one are taken as reported in file order, one minute apart). The router
says what each is about and where; `intake.duplicates` decides.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from datetime import UTC, datetime, timedelta, tzinfo
from functools import cache
from typing import Any, TypeVar

from escalation.calendar import COUNTY_TIME
from intake.bulk import read_jsonl
from intake.duplicates import DuplicateIndex, DuplicatePolicy, Profile, Report, bigram_idf, incidents_in_order
from intake.masking import mask_text
from intake.places import KnownPlace, PlaceBook
from router.gazetteer import Gazetteer
from router.learning import seed_records
from router.service import Router
from schemas.taxonomy import WhistleClass

_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
T = TypeVar("T")


@cache
def background_idf() -> dict[str, float]:
    """Word weights from the router's shipped seed appeals (never from evaluation data)."""
    return bigram_idf(r.text for r in seed_records())


def index_for(policy: DuplicatePolicy, router: Router | None = None) -> DuplicateIndex:
    """A detector with the background word weights (for one stream, or for one-off comparisons) and
    the other names of the router's roads, landmarks and compounds (客运站 is 县汽车站)."""
    aliases = router.parts.gazetteer.spot_aliases() if router else None
    book = place_book(router.parts.gazetteer) if router else None
    return DuplicateIndex(policy, idf=background_idf(), aliases=aliases, book=book,
                          matters_named=router.matters_named if router else None,
                          leaning=router.matter_leaning if router else None,
                          matters_near=router.matters_near if router else None)


_BOOKS: dict[int, tuple[Gazetteer, PlaceBook]] = {}


def place_book(gazetteer: Gazetteer) -> PlaceBook:
    """The gazetteer's places as the detector reads them (built once per gazetteer)."""
    entry = _BOOKS.get(id(gazetteer))
    if entry is None or entry[0] is not gazetteer:
        if len(_BOOKS) >= 4:
            _BOOKS.clear()
        labels = {label: KnownPlace(p.name, p.kind, p.township or "", p.village)
                  for label, p in gazetteer.labelled_places().items()}
        entry = _BOOKS[id(gazetteer)] = (gazetteer, PlaceBook(labels))
    return entry[1]


# Profiles of the open orders new appeals are compared with: intake compares each new appeal with
# the same few hundred, and a profile is a pure function of the report and the weights.
_PROFILES: dict[Hashable, tuple[Mapping[str, str] | None, Profile]] = {}
_PROFILES_KEPT = 4096


def remembered_profile(index: DuplicateIndex, key: Hashable, report: Callable[[T], Report], source: T) -> Profile:
    """`index.profile_of(report(source))`, computed once per process for the same `key`, which must
    hold everything the report is made of (with the background weights of `index_for`; other
    weights are not remembered)."""
    if index.idf is not background_idf():
        return index.profile_of(report(source))
    found = _PROFILES.get(key)
    if found is None or found[0] is not index.aliases:  # another router's place names
        if found is None and len(_PROFILES) >= _PROFILES_KEPT:
            del _PROFILES[next(iter(_PROFILES))]  # the oldest: candidates are the newest open orders
        found = _PROFILES[key] = (index.aliases, index.profile_of(report(source)))
    return found[1]


def topic_and_places(router: Router, text: str, channel: str | None, address: str | None
                     ) -> tuple[frozenset[str], frozenset[str], bool]:
    """What the router says an appeal is about (department, matter) and where (village, compound
    or road node), as the detector's `topic` and `places`, and whether it classes it long-standing
    (攻坚: `Report.long_standing`)."""
    decision = router.route(text, channel=channel, address=address)
    topic = {f"dept:{d}" for d in [decision.dept] if d}
    if decision.matter:
        topic.add(f"matter:{decision.matter}")
    places = {f"village:{decision.village}"} if decision.village else set()
    return frozenset(topic), frozenset(places), decision.whistle_class == WhistleClass.hard


def report_from_record(router: Router | None, record: dict[str, Any], position: int,
                       zone: tzinfo = COUNTY_TIME) -> Report:
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"record {record.get('id')!r}: field 'text' is required and must be a string")
    if record.get("id") in (None, ""):
        raise ValueError("field 'id' is required")  # the caller names the line
    raw_time = record.get("reported_at")
    try:
        when = datetime.fromisoformat(raw_time) if isinstance(raw_time, str) else _EPOCH + timedelta(minutes=position)
    except ValueError:
        raise ValueError(f"record {record.get('id')!r}: reported_at {raw_time!r} is not an ISO 8601 time") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=zone)  # a wall-clock time without an offset is the county's
    address = record.get("address") if isinstance(record.get("address"), str) else None
    channel = record.get("channel") if isinstance(record.get("channel"), str) else None
    text = mask_text(text)
    topic, places, standing = (topic_and_places(router, text, channel, address) if router
                               else (frozenset(), frozenset(), False))
    return Report(id=str(record["id"]), text=text, address=address, channel=channel, reported_at=when,
                  topic=topic, places=places, long_standing=standing)


def detect_lines(router: Router | None, lines: Iterable[str], policy: DuplicatePolicy | None = None,
                 zone: tzinfo = COUNTY_TIME) -> Iterator[dict[str, Any]]:
    """One output row per input line: `id` and `duplicate_of`, or `line` and `error`. The rows come once
    the whole input is read: a later line may link two incidents found before it into one (one incident
    split before the report joining them came), and each of their lines then names the first of it."""
    index = index_for(policy or DuplicatePolicy(), router)
    seen: dict[str, int] = {}  # id -> its line: an answer names an earlier line by its id
    rows: list[dict[str, Any]] = []
    for row in read_jsonl(lines):
        try:
            if row.fields is None:
                raise ValueError(row.problem)
            report = report_from_record(router, row.fields, row.line, zone)
            if report.id in seen:
                raise ValueError(f"id {report.id!r} is already line {seen[report.id]}'s: give each line its own")
        except ValueError as exc:
            rows.append({"id": None, "line": row.line, "error": str(exc)})
            continue
        seen[report.id] = row.line
        index.add(report)
        rows.append({"id": report.id, "duplicate_of": None})
    found = [r for r in rows if r["id"] is not None]
    for r, first in zip(found, incidents_in_order([r["id"] for r in found], index.incident_of), strict=True):
        r["duplicate_of"] = first
    yield from rows
