"""Request dependencies: the runtime, the unit of work, who the caller is, loading-or-404."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Annotated, Any

from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from feedback.exceptions import CitizenTokenMissing
from schemas.access import Permission, Principal, allows, may_handle
from services.bootstrap import Runtime
from services.context import DomainContext
from services.db import order_units as hands
from services.db import repositories as repo
from services.db.new_orders import DriverConnection
from services.db.tables import WorkOrder
from services.errors import Forbidden, OrderNotFound, Unauthenticated
from services.orders.lifecycle import check_citizen_token


async def get_runtime(request: Request) -> Runtime:
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

    @property
    def autocommit(self) -> Callable[[], AbstractAsyncContextManager[DriverConnection]] | None:
        """On PostgreSQL, connections whose statements each commit on their own (no BEGIN or COMMIT
        round trips, no ORM session, no SQLAlchemy execution: for work that is one statement, through
        the driver), waking the relay afterwards; None elsewhere."""
        return self._autocommit if self.runtime.engine.dialect.name == "postgresql" else None

    @asynccontextmanager
    async def _autocommit(self) -> AsyncIterator[DriverConnection]:
        lane = self.runtime.lane
        checkout = lane.checkout() if lane is not None else DriverConnection.checkout(self.runtime.engine)
        async with checkout as connection:
            yield connection
        self.runtime.relay.wake()

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        async with self.runtime.sessions() as session:
            yield session


async def get_uow(runtime: RuntimeDep) -> UnitOfWork:
    return UnitOfWork(runtime)


UowDep = Annotated[UnitOfWork, Depends(get_uow)]

# ---- who is calling ---------------------------------------------------------------------------
_bearer = HTTPBearer(auto_error=False, description="an API key from `hotline keys create`")


async def optional_principal(
    runtime: RuntimeDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Principal | None:
    """The key's principal; None without credentials; 401 for a key that matches no live key."""
    if credentials is None:
        return None
    principal = await runtime.keys.principal(credentials.credentials)
    if principal is None:
        raise Unauthenticated("the API key is not valid (unknown or revoked)")
    return principal


OptionalPrincipal = Annotated[Principal | None, Depends(optional_principal)]


async def request_principal(request: Request, runtime: Runtime) -> Principal | None:
    """optional_principal for a handler that resolves no dependencies (the lean appeal route)."""
    return await optional_principal(runtime, await _bearer(request))


def require(*permissions: Permission) -> Callable[..., Coroutine[Any, Any, Principal]]:
    """A dependency: the caller, who must hold one of `permissions` (401 without a key, 403 when
    the role may not)."""

    async def dependency(principal: OptionalPrincipal) -> Principal:
        if principal is None:
            raise Unauthenticated("this needs an API key: send Authorization: Bearer <key>")
        if not any(allows(principal, p) for p in permissions):
            raise Forbidden(f"{principal.role.value} keys may not do this")
        return principal

    return dependency


_ORDER_ID = re.compile(r"[A-Za-z0-9_\-]{1,40}")


def _shown_id(order_id: str) -> str:
    """An id from the path as an error message may quote it: no NUL, not over-long."""
    return order_id if _ORDER_ID.fullmatch(order_id) else order_id.replace("\x00", "\\0")[:40]


async def _load(order_id: str, uow: UnitOfWork) -> WorkOrder:
    if not _ORDER_ID.fullmatch(order_id):
        raise OrderNotFound(_shown_id(order_id))  # no such id, and no NUL to the database
    async with uow.read() as session:
        order = await repo.get_order(session, order_id)
    if order is None:
        raise OrderNotFound(order_id)
    return order


async def valid_work_order(order_id: str, uow: UowDep) -> WorkOrder:
    """The order named in the path, or 404 (no access check: for citizen-token routes)."""
    return await _load(order_id, uow)


WorkOrderDep = Annotated[WorkOrder, Depends(valid_work_order)]


async def _in_hands(order_id: str, uow: UnitOfWork, principal: Principal) -> WorkOrder:
    order = await _load(order_id, uow)
    if principal.role.value == "unit":
        async with uow.read() as session:
            units = await hands.order_units(session, order_id)
        if not may_handle(principal, units):
            # Never a hint of who does own it: to this unit the order does not exist.
            raise OrderNotFound(order_id)
    return order


StaffOrUnit = Annotated[Principal, Depends(require(Permission.read_any_order, Permission.act_as_unit))]
UnitCaller = Annotated[Principal, Depends(require(Permission.act_as_unit))]


async def visible_order(order_id: str, uow: UowDep, principal: StaffOrUnit) -> WorkOrder:
    """An order the caller may see: any order for staff, only orders in its hands for a unit."""
    return await _in_hands(order_id, uow, principal)


async def unit_order(order_id: str, uow: UowDep, principal: UnitCaller) -> WorkOrder:
    """An order in the calling unit's hands (404 for any other)."""
    return await _in_hands(order_id, uow, principal)


VisibleOrder = Annotated[WorkOrder, Depends(visible_order)]
UnitOrder = Annotated[WorkOrder, Depends(unit_order)]
ReportReader = Annotated[Principal, Depends(require(Permission.read_reports))]
Reviewer = Annotated[Principal, Depends(require(Permission.review))]
Classifier = Annotated[Principal, Depends(require(Permission.classify))]
UnitsReader = Annotated[Principal, Depends(require(Permission.read_units))]


# The citizen's token from submission, on the requests that follow, withdraw and rate their own order.
CitizenToken = Annotated[str | None, Header(max_length=128, description="the token the submission returned")]


async def citizen_order(order_id: str, uow: UowDep, x_citizen_token: CitizenToken = None) -> WorkOrder:
    """The order a citizen follows or withdraws: the token is checked for presence before the order
    is looked up and for its value after, each failure a 404, so that no answer says which ids exist
    (the missing token named, whatever the id)."""
    token = present_citizen_token(order_id, x_citizen_token)
    order = await _load(order_id, uow)
    check_citizen_token(order, token)
    return order


def present_citizen_token(order_id: str, token: str | None) -> str:
    """The citizen's token, or the 404 that names it missing (the same for every id)."""
    if not token:
        raise CitizenTokenMissing(_shown_id(order_id))
    return token


CitizenOrder = Annotated[WorkOrder, Depends(citizen_order)]
