"""Router service: classification and dispatch run as a consumer; the API explains decisions."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from pydantic import BaseModel, Field

from schemas.routing import RoutingDecision
from services.apps.common import create_app
from services.apps.dependencies import RuntimeDep
from services.bootstrap import Runtime
from services.settings import CoreSettings

router = APIRouter(prefix="/v1", tags=["router"])


class ClassifyIn(BaseModel):
    text: str = Field(min_length=2, max_length=5000)
    channel: str | None = None
    address: str | None = Field(default=None, max_length=300)


@router.post("/classify", response_model=RoutingDecision, summary="what the router would decide (dry run)")
async def classify(body: ClassifyIn, runtime: RuntimeDep) -> RoutingDecision:
    return runtime.ctx.router.route(body.text, channel=body.channel, address=body.address)


@router.get("/units", summary="every handling unit and its dispatch topic")
async def units(runtime: RuntimeDep) -> list[dict[str, str | None]]:
    return [
        {"code": u.code, "name": u.name, "kind": u.kind.value, "level": u.level.value, "parent": u.parent,
         "topic": f"hotline.dispatch.{u.code}"}
        for u in runtime.ctx.router.units().values()
    ]


def create_router_app(settings: CoreSettings | None = None, runtime: Runtime | None = None) -> FastAPI:
    return create_app("Hotline router", ("router",), [router], settings=settings, runtime=runtime,
                      description="Classification, jurisdiction and precise dispatch (精准派单).")
