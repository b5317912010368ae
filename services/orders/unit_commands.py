"""The registry of unit commands: what a handling unit can do to an order in its hands, by name.

Each command is a pydantic body model and one handler
`handler(session, ctx, order_id, who: UnitActor, body) -> State`. The REST routes
(`POST /v1/work-orders/{id}/<path>`, services.apps.unit_routes) and the Kafka reply consumer
(ce_type `org.hotline.unit.<name>` on hotline.unit-replies, services.unit_replies) both run
commands through `run`, so a command validates the same and fails with the same errors over both.

To add a command: write its body model (the domain package's models.py) and handler (a module of
services/orders), and add one `UnitCommand` line to `REGISTRY` below; routes, the Kafka consumer,
the AsyncAPI document and the access-matrix test pick it up.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from feedback.models import AssistanceIn, ClaimIn, FirstContactIn, ProgressIn, ResolveIn, ReturnIn
from schemas.escalation import DutyReportIn, ExtensionIn, ReportUpIn, WhistleIn, WhistleRatingsIn
from schemas.events import UNIT_REPLY_TYPE_PREFIX, unit_reply_type
from schemas.lifecycle import State
from services.context import DomainContext
from services.orders import escalation, extensions, unit_actions
from services.orders.acting import UnitActor

Handler = Callable[[AsyncSession, DomainContext, str, UnitActor, Any], Awaitable[State]]
Service = Literal["feedback", "escalation"]


@dataclass(frozen=True)
class UnitCommand:
    name: str  # the Kafka type suffix: org.hotline.unit.<name>
    body: type[BaseModel]
    handler: Handler
    summary: str
    service: Service = "feedback"  # which service's REST API serves it
    rest_path: str | None = None  # when REST names it otherwise than its name with hyphens

    @property
    def path(self) -> str:
        """The REST path segment: POST /v1/work-orders/{order_id}/<path>."""
        return self.rest_path or self.name.replace("_", "-")

    @property
    def ce_type(self) -> str:
        return unit_reply_type(self.name)


class UnknownCommand(ValueError):
    def __init__(self, name: str) -> None:
        super().__init__(f"{name!r} is not a unit command; known: {', '.join(REGISTRY.names())}")


class Registry(Mapping[str, UnitCommand]):
    def __init__(self, *commands: UnitCommand) -> None:
        self._commands: dict[str, UnitCommand] = {}
        for command in commands:
            self.add(command)

    def add(self, command: UnitCommand) -> None:
        if command.name in self._commands:
            raise ValueError(f"unit command {command.name!r} is registered twice")
        self._commands[command.name] = command

    def __getitem__(self, name: str) -> UnitCommand:
        try:
            return self._commands[name]
        except KeyError:
            raise UnknownCommand(name) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._commands)

    def __len__(self) -> int:
        return len(self._commands)

    def names(self) -> list[str]:
        return list(self._commands)

    def for_service(self, service: Service) -> list[UnitCommand]:
        return [c for c in self._commands.values() if c.service == service]

    def by_type(self, ce_type: str) -> UnitCommand:
        """The command a reply's ce_type names (UnknownCommand otherwise)."""
        if not ce_type.startswith(UNIT_REPLY_TYPE_PREFIX):
            raise UnknownCommand(ce_type)
        return self[ce_type[len(UNIT_REPLY_TYPE_PREFIX):]]

    async def run(self, session: AsyncSession, ctx: DomainContext, name: str, order_id: str, who: UnitActor,
                  body: BaseModel | Mapping[str, Any]) -> State:
        """Validate `body` (a model, or raw fields: pydantic.ValidationError when invalid) and run
        the command in the caller's transaction."""
        command = self[name]
        parsed = body if isinstance(body, command.body) else command.body.model_validate(body)
        return await command.handler(session, ctx, order_id, who, parsed)


REGISTRY = Registry(
    UnitCommand("claim", ClaimIn, unit_actions.claim,
                "签收 / 报到: the lead unit takes the order on (optionally with its first contact with the citizen)"),
    UnitCommand("first_contact", FirstContactIn, unit_actions.first_contact,
                "the unit reached the citizen (stops the first-contact clock)"),
    UnitCommand("progress", ProgressIn, unit_actions.progress,
                "a progress note (lead or assisting unit); no change of state"),
    UnitCommand("resolve", ResolveIn, unit_actions.resolve,
                "办结: resolved, with the reply the citizen will see and rate"),
    UnitCommand("return", ReturnIn, unit_actions.return_order,
                "退单: not this unit's (reason code and text); back to the dispatchers, arbitrated after "
                "repeated returns"),
    UnitCommand("request_assistance", AssistanceIn, unit_actions.request_assistance,
                "协办: ask other units to assist; each gets the order on its own topic"),
    # The escalation service's (REST: services.apps.escalation, with their own answers).
    UnitCommand("report_up", ReportUpIn, escalation.report_up,
                "上报: the village leading the order passes it up to its township, which gets fresh clocks",
                service="escalation"),
    UnitCommand("whistle", WhistleIn, escalation.blow_whistle,
                "吹哨: the township leading the order calls county departments (class, departments, reason); "
                "each must report for duty within the class's limit", service="escalation"),
    UnitCommand("report_duty", DutyReportIn, escalation.report_duty,
                "报到: a department summoned by a whistle reports for duty (recorded on time or late)",
                service="escalation"),
    UnitCommand("whistle_ratings", WhistleRatingsIn, escalation.rate_departments,
                "以下评上: the township rates each department that reported to its whistle (1-5, comment)",
                service="escalation"),
    UnitCommand("request_extension", ExtensionIn, extensions.request_extension,
                "延期: the lead unit asks for more working days, before its resolve due time; a dispatcher "
                "decides", service="escalation", rest_path="extension"),
)
