"""repositories.written_together: rows added inside are plain rows written at the end (one INSERT per
table), the same rows the ORM would write; on an error nothing is written and later adds are ORM again."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import event, select

from services.bootstrap import Runtime
from services.db import repositories as repo
from services.db.tables import WorkOrderHistory
from services.settings import CoreSettings
from tests.support.factories import appeal, running_system


@pytest.fixture(scope="module")
async def system(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[tuple[Runtime, httpx.AsyncClient]]:
    settings = CoreSettings(data_dir=Path(tmp_path_factory.mktemp("together")), database_url=None,
                            kafka_bootstrap_servers=None, relay_poll_seconds=0.05)
    async with running_system(settings) as pair:
        yield pair


def _note(order_id: str, runtime: Runtime, reason: str) -> dict[str, object]:
    return {"work_order_id": order_id, "at": runtime.ctx.now(), "actor": "test", "action": "note",
            "from_state": "received", "to_state": "received", "reason": reason, "data": None}


async def _reasons(runtime: Runtime, order_id: str) -> list[str | None]:
    async with runtime.sessions() as session:
        rows = await session.execute(select(WorkOrderHistory.reason).where(WorkOrderHistory.work_order_id == order_id)
                                     .order_by(WorkOrderHistory.id))
        return list(rows.scalars())


async def test_rows_are_written_at_the_end_in_order(system: tuple[Runtime, httpx.AsyncClient]) -> None:
    runtime, client = system
    order_id = (await client.post("/v1/appeals", json=appeal())).json()["work_order_id"]
    async with runtime.sessions() as session, session.begin():
        async with repo.written_together(session):
            repo.add_history(session, _note(order_id, runtime, "one"))
            repo.add_history(session, _note(order_id, runtime, "two"))
            assert not session.new  # plain rows, not ORM objects
    # (the router may write the order's own rows meanwhile)
    assert [r for r in await _reasons(runtime, order_id) if r in ("one", "two")] == ["one", "two"]


async def test_an_error_writes_nothing(system: tuple[Runtime, httpx.AsyncClient]) -> None:
    runtime, client = system
    order_id = (await client.post("/v1/appeals", json=appeal())).json()["work_order_id"]
    async with runtime.sessions() as session:
        with pytest.raises(RuntimeError):
            async with session.begin(), repo.written_together(session):
                repo.add_history(session, _note(order_id, runtime, "lost"))
                raise RuntimeError("refused")
        repo.add_history(session, _note(order_id, runtime, "after"))  # an ORM object again
        assert len(session.new) == 1
        session.expunge_all()
    assert "lost" not in await _reasons(runtime, order_id)


async def test_personal_data_read_together_needs_no_query_each(system: tuple[Runtime, httpx.AsyncClient]) -> None:
    """The router's batch reads its callers' sealed data in one query (repositories.preload_personal_data):
    the look-up of each order's afterwards goes to no database."""
    runtime, client = system
    ids = [(await client.post("/v1/appeals", json=appeal(caller_phone=f"1380013800{n}"))).json()["work_order_id"]
           for n in range(3)]
    async with runtime.sessions() as session:
        alone = {i: await repo.personal_data(session, i) for i in ids}
        session.expunge_all()
        held = await repo.preload_personal_data(session, ids)
        statements: list[str] = []

        def note(_conn: object, _cursor: object, statement: str, *_: object) -> None:
            statements.append(statement)

        sync_engine = runtime.engine.sync_engine
        event.listen(sync_engine, "before_cursor_execute", note)
        try:
            together = {i: await repo.personal_data(session, i) for i in ids}
        finally:
            event.remove(sync_engine, "before_cursor_execute", note)
    assert len(held) == 3
    assert together == alone and all(together.values())
    assert statements == []
