"""Request dependencies: the runtime, the unit of work, loading-or-404."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from services.bootstrap import Runtime
from services.context import DomainContext
from services.db import repositories as repo
from services.db.tables import WorkOrder
from services.errors import OrderNotFound


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


class UnitOfWork:
    """The request's transaction: commits before the handler returns its response, so a 2xx is
    only ever sent for work that is durably stored; wakes the relay afterwards."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.ctx: DomainContext = runtime.ctx

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        async with self.runtime.sessions() as session:
            async with session.begin():
                yield session
        self.runtime.relay.wake()

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        async with self.runtime.sessions() as session:
            yield session


def get_uow(runtime: RuntimeDep) -> UnitOfWork:
    return UnitOfWork(runtime)


UowDep = Annotated[UnitOfWork, Depends(get_uow)]


async def valid_work_order(order_id: str, uow: UowDep) -> WorkOrder:
    async with uow.read() as session:
        order = await repo.get_order(session, order_id)
    if order is None:
        raise OrderNotFound(order_id)
    return order


WorkOrderDep = Annotated[WorkOrder, Depends(valid_work_order)]
