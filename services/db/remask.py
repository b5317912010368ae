"""Re-masking what is already stored: after the masking learns a form of number it missed
(138 - 1234 - 5678, a number ending a WeChat name), orders and their history stored before keep the
number in clear. `remask` applies today's masking to every column the write path masks, with the same
function it uses there, so a stored value reads as if it had been written today. The raw values stay
sealed in personal_data (the lead unit still reaches the citizen); an event already published has left
and is not recalled — its stored copy in the outbox is masked like the rest.

Masking is idempotent (a masked number holds no run of digits long enough to be found again), so a
run can be repeated or interrupted: each batch is its own transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, Table, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncEngine

from intake.masking import mask_text
from intake.pii import mask_json
from intake.vault import SEALED_FIELDS
from services.db.tables import (
    Extension,
    OutboxEvent,
    ProcessedEvent,
    Rating,
    RoutingCorrection,
    WhistleCall,
    WhistleSummons,
    WorkOrder,
    WorkOrderHistory,
)

# The keys of an event body that carry what people wrote (payloads: text, address, a reason, a
# unit's note, a citizen's comment, a message, an actor's words); ids, codes and times are not masked.
_EVENT_TEXT_KEYS = frozenset({"text", "address", "reason", "note", "comment", "message", "decision_reason", "actor"})


def _text(value: Any) -> Any:
    return mask_text(value) if isinstance(value, str) else value


def _all_strings(value: Any) -> Any:
    """A history entry's facts, a free-text value of an event body: every string masked as text."""
    return mask_json(value, codes=False)


def _event_body(value: Any) -> Any:
    """An event body: the free-text keys masked at any depth; the sealed part left as it is."""
    if isinstance(value, list):
        return [_event_body(v) for v in value]
    if not isinstance(value, dict):
        return value
    return {k: v if k == SEALED_FIELDS else _all_strings(v) if k in _EVENT_TEXT_KEYS and not isinstance(v, dict)
            else _event_body(v) for k, v in value.items()}


@dataclass(frozen=True)
class MaskedColumn:
    table: Table
    column: str
    mask: Callable[[Any], Any]

    @property
    def name(self) -> str:
        return f"{self.table.name}.{self.column}"


def _columns(model: Any, mask: Callable[[Any], Any], *names: str) -> list[MaskedColumn]:
    return [MaskedColumn(model.__table__, name, mask) for name in names]


# Every stored column the write path masks, with the function it masks it with (services/orders,
# services/review, services/consumers): the one list a re-mask walks.
MASKED_COLUMNS: tuple[MaskedColumn, ...] = (
    *_columns(WorkOrder, _text, "text", "text_masked", "address"),
    *_columns(WorkOrder, mask_json, "details"),
    *_columns(WorkOrderHistory, _text, "actor", "reason"),
    *_columns(WorkOrderHistory, _all_strings, "data"),
    *_columns(RoutingCorrection, _text, "text", "reason"),
    *_columns(Extension, _text, "reason", "decision_reason"),
    *_columns(WhistleCall, _text, "reason"),
    *_columns(WhistleSummons, _text, "rating_comment"),
    *_columns(Rating, _text, "comment"),
    *_columns(ProcessedEvent, _text, "outcome"),
    *_columns(OutboxEvent, _event_body, "data"),
)

_BATCH = 500


async def _remask_table(engine: AsyncEngine, table: Table, columns: list[MaskedColumn], *, dry_run: bool,
                        counts: dict[str, int]) -> None:
    """Walk `table` in primary-key order, a batch per transaction, rewriting the rows whose masked
    values differ."""
    keys: list[Column[Any]] = list(table.primary_key.columns)
    read = [table.c[m.column] for m in columns]
    after: tuple[Any, ...] | None = None
    while True:
        query = select(*keys, *read).order_by(*keys).limit(_BATCH)
        if after is not None:
            query = query.where(_after(keys, after))
        async with engine.begin() as conn:
            rows = (await conn.execute(query)).all()
            for row in rows:
                key, values = tuple(row[:len(keys)]), row[len(keys):]
                changed = {}
                for m, value in zip(columns, values, strict=True):
                    if value is not None and (masked := m.mask(value)) != value:
                        changed[m.column] = masked
                        counts[m.name] += 1
                if changed and not dry_run:
                    await conn.execute(update(table).where(*(k == v for k, v in zip(keys, key, strict=True)))
                                       .values(**changed))
        if len(rows) < _BATCH:
            return
        after = tuple(rows[-1][:len(keys)])


def _after(keys: list[Column[Any]], last: tuple[Any, ...]) -> Any:
    """Rows after `last` in the order of `keys` (a composite key compared as a tuple)."""
    return keys[0] > last[0] if len(keys) == 1 else tuple_(*keys) > tuple_(*last)


async def remask(engine: AsyncEngine, *, dry_run: bool = False) -> dict[str, int]:
    """Apply today's masking to every stored masked column; how many values changed (or, with
    `dry_run`, would change), by `table.column`."""
    counts = {m.name: 0 for m in MASKED_COLUMNS}
    by_table: dict[str, list[MaskedColumn]] = {}
    for m in MASKED_COLUMNS:
        by_table.setdefault(m.table.name, []).append(m)
    for columns in by_table.values():
        await _remask_table(engine, columns[0].table, columns, dry_run=dry_run, counts=counts)
    return counts
