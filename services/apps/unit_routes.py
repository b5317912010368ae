"""REST routes for the unit commands: one `POST /v1/work-orders/{order_id}/<path>` per command of
the registry that the service serves, each taking the command's body model."""

from __future__ import annotations

import inspect
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from schemas.appeals import WorkOrderView
from services.apps.dependencies import UnitCaller, UnitOrder, UowDep
from services.apps.views import order_view
from services.db.tables import WorkOrder
from services.orders.acting import UnitActor
from services.orders.unit_commands import REGISTRY, Service, UnitCommand


def add_unit_command_routes(router: APIRouter, service: Service) -> None:
    """Add a route for every registered command of `service` to `router`."""
    for command in REGISTRY.for_service(service):
        _add(router, command)


def _add(router: APIRouter, command: UnitCommand) -> None:
    # A command whose fields are all optional (claim, first contact, 报到) takes a request without a
    # body too, as the citizen's withdrawal does: `POST …/claim` with the key alone.
    optional = not any(f.is_required() for f in command.body.model_fields.values())

    async def endpoint(principal: Any, order: WorkOrder, body: BaseModel | None, uow: Any) -> WorkOrderView:
        assert principal.unit is not None  # unit keys always name their unit (services.keys)
        who = UnitActor(unit=principal.unit, actor=principal.actor)
        async with uow.transaction() as session:
            await REGISTRY.run(session, uow.ctx, command.name, order.id, who,
                               body if body is not None else command.body())
        return await order_view(uow, order.id, principal)

    # FastAPI reads the parameters from the signature: the caller first (authentication before
    # anything else), then the order in its hands (404 otherwise), then the command's body.
    endpoint.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter("principal", inspect.Parameter.KEYWORD_ONLY, annotation=UnitCaller),
         inspect.Parameter("order", inspect.Parameter.KEYWORD_ONLY, annotation=UnitOrder),
         inspect.Parameter("body", inspect.Parameter.KEYWORD_ONLY,
                           annotation=command.body | None if optional else command.body,
                           default=None if optional else inspect.Parameter.empty),
         inspect.Parameter("uow", inspect.Parameter.KEYWORD_ONLY, annotation=UowDep)],
        return_annotation=WorkOrderView,
    )
    endpoint.__name__ = f"unit_{command.name}"
    router.add_api_route(f"/work-orders/{{order_id}}/{command.path}", endpoint, methods=["POST"],
                         response_model=WorkOrderView, summary=command.summary, name=f"unit_{command.name}")
