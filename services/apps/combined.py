"""All four services in one app: the embedded default (`hotline serve all`)."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.middleware import Middleware

from services.apps import escalation, feedback, intake, open311
from services.apps import router as router_app
from services.apps.common import create_app
from services.bootstrap import ALL_ROLES, Runtime
from services.settings import CoreSettings


def create_combined_app(settings: CoreSettings | None = None, runtime: Runtime | None = None) -> FastAPI:
    return create_app(
        "Hotline", ALL_ROLES,
        [intake.router, open311.router, router_app.router, escalation.router, *feedback.ROUTERS],
        settings=settings, runtime=runtime, lanes=[Middleware(intake.AppealLane)],
        description="Unified appeal intake, precise dispatch and closed-loop tracking.",
    )
