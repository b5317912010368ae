"""`hotline import FILE`: historical and offline appeals stored through the same path as the API
(`services.orders.intake.accept_appeal`: validation, personal data sealed and masked, repeats,
并单), each row in its own transaction, so a bad row refuses only itself. Reading the rows and
judging them is `intake.bulk`'s business."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError

from intake.bulk import Outcome, Row, Tally, import_key, refusal, submission_of
from intake.exceptions import IntakeError
from schemas.lifecycle import State
from services.bootstrap import Runtime
from services.orders import intake as orders_intake

IMPORT_ACTOR = "import"


async def import_rows(runtime: Runtime, rows: Iterable[Row], *, channel: str | None = None,
                      actor: str = IMPORT_ACTOR, progress: Callable[[int, Tally], None] | None = None,
                      stop: Callable[[], bool] | None = None) -> Tally:
    """Store every row as an appeal (or find it a repeat, or refuse it with the reason); the tally.
    `stop` is asked before each row: once it says so, the import ends there (`Tally.interrupted`),
    between two rows' transactions, never inside one."""
    tally = Tally()
    for n, row in enumerate(rows, start=1):
        if stop is not None and stop():
            tally.interrupted = True
            break
        outcome, reason = await _one(runtime, row, channel=channel, actor=actor)
        tally.add(outcome, row.line, reason)
        if progress is not None:
            progress(n, tally)
    return tally


async def _one(runtime: Runtime, row: Row, *, channel: str | None, actor: str) -> tuple[Outcome, str | None]:
    if row.fields is None:
        return Outcome.refused, row.problem
    try:
        submission = submission_of(row.fields, channel, runtime.ctx.timezone)
    except ValidationError as exc:
        return Outcome.refused, refusal(exc)
    key = import_key(submission)
    try:
        try:
            async with runtime.sessions() as session, session.begin():
                accepted = await orders_intake.accept_appeal(session, runtime.ctx, submission, idempotency_key=key,
                                                             actor=actor)
            runtime.relay.wake()
        except IntegrityError:
            # Another import or the API stored the same id meanwhile: the repeat answer for it.
            async with runtime.sessions() as session:
                accepted = await orders_intake.answer_race(session, runtime.ctx, submission, idempotency_key=key)
    except IntakeError as exc:
        return Outcome.refused, str(exc)
    if not accepted.created:
        return Outcome.repeat, None
    return (Outcome.merged if accepted.order.state == State.merged.value else Outcome.accepted), None
