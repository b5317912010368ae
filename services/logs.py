"""One logging configuration for every service and command: JSON lines on standard error.

Each line carries the time (RFC 3339, UTC), level, logger, message and, where known, the request id
(`X-Request-ID`), the work-order id and the trace/span ids. Personal numbers (phone, ID, bank card)
are masked in the message and the exception text, whatever the caller logged; SQL parameters never
reach a log because every engine is built with `hide_parameters=True` (services.db.engine).
"""

from __future__ import annotations

import json
import logging
import logging.config
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from intake.masking import mask_text

REQUEST_ID: ContextVar[str | None] = ContextVar("hotline_request_id", default=None)
WORK_ORDER_ID: ContextVar[str | None] = ContextVar("hotline_work_order_id", default=None)

# Attributes every LogRecord has; anything else came in through `extra=` and is kept.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName", "color_message"}


@contextmanager
def work_order_context(order_id: str | None) -> Iterator[None]:
    """Log lines inside the block name this work order."""
    token = WORK_ORDER_ID.set(order_id)
    try:
        yield
    finally:
        WORK_ORDER_ID.reset(token)


def _trace_ids() -> dict[str, str]:
    try:
        from opentelemetry import trace
    except ImportError:  # tracing is optional
        return {}
    context = trace.get_current_span().get_span_context()
    if not context.is_valid:
        return {}
    return {"trace_id": f"{context.trace_id:032x}", "span_id": f"{context.span_id:016x}"}


def _safe(value: Any) -> Any:
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, int | float | bool) or value is None:
        return value
    return mask_text(str(value))


_OUR_ID = re.compile(r"(wo_)?[0-9a-f]{20,32}")  # a work-order id, a request id we made


def _safe_id(value: Any) -> Any:
    """A request or work-order id as the caller sent it (header, path): read as a code a person made
    up, so a number in it is masked even where a letter touches it (req-13912345678), which the text
    rule leaves alone; ids of our own form are kept whole (a hex run in them is no number)."""
    if not isinstance(value, str) or _OUR_ID.fullmatch(value):
        return _safe(value)
    return mask_text(value, codes=True)


class JsonFormatter(logging.Formatter):
    """One JSON object a line, UTF-8 as it is (no \\u escapes), personal numbers masked."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": mask_text(record.getMessage()),
        }
        request_id = getattr(record, "request_id", None) or REQUEST_ID.get()
        order_id = getattr(record, "work_order_id", None) or WORK_ORDER_ID.get()
        if request_id:
            entry["request_id"] = _safe_id(request_id)
        if order_id:
            entry["work_order_id"] = _safe_id(order_id)  # taken from the path: whatever the caller put there
        entry.update(_trace_ids())
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in entry and not key.startswith("_"):
                entry[key] = _safe(value)
        if record.exc_info:
            entry["error"] = mask_text(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


def logging_config(level: str = "INFO") -> dict[str, Any]:
    """The dictConfig every process uses, uvicorn's own loggers included."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonFormatter}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json",
                               # a name, not the object: uvicorn pickles the config for each worker process
                               "stream": "ext://sys.stderr"}},
        "root": {"handlers": ["stderr"], "level": level.upper()},
        "loggers": {
            # uvicorn's access log would repeat what the request middleware logs, with the raw path.
            "uvicorn": {"handlers": [], "propagate": True},
            "uvicorn.error": {"handlers": [], "propagate": True},
            "uvicorn.access": {"handlers": [], "propagate": False, "level": "WARNING"},
            "aiokafka": {"level": "WARNING"},
            "sqlalchemy": {"level": "WARNING"},
            # The database drivers log each statement with its parameters at DEBUG: never ours to show.
            "aiosqlite": {"level": "WARNING"},
            "asyncpg": {"level": "WARNING"},
            "alembic.runtime.plugins": {"level": "WARNING"},  # a line per plugin at every import
        },
    }


def configure_logging(level: str = "INFO") -> None:
    logging.config.dictConfig(logging_config(level))
