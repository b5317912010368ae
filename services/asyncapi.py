"""The AsyncAPI 3.0 document of our topics, built from schemas/events.py and schemas/payloads.py.
`hotline asyncapi` prints it; docs/asyncapi.yaml is its committed copy (a test compares them)."""

from __future__ import annotations

from typing import Any

import yaml
from pydantic import BaseModel, create_model

from schemas.events import (
    DEAD_LETTER_TYPE,
    DISPATCHED_TYPE,
    DUTY_REPORTED_TYPE,
    EMERGENCY_TOPIC,
    EMERGENCY_TYPE,
    EXTENSION_APPROVED_TYPE,
    EXTENSION_REFUSED_TYPE,
    EXTENSION_REQUESTED_TYPE,
    LIFECYCLE_TOPIC,
    OVERDUE_TYPE,
    RECALLED_TYPE,
    RECEIVED_TYPE,
    REMINDER_TYPE,
    REPLY_REFUSED_TYPE,
    SUPERVISION_RAISED_TYPE,
    SUPERVISION_TOPIC,
    SUPERVISION_TYPE,
    UNIT_REPLIES_DLQ_TOPIC,
    UNIT_REPLIES_TOPIC,
    UNIT_SOURCE_PREFIX,
    WHISTLE_BLOWN_TYPE,
    WHISTLE_RATED_TYPE,
)
from schemas.payloads import (
    DeadLetter,
    DispatchedEvent,
    DutyReported,
    EmergencyEvent,
    ExtensionFact,
    LifecycleEvent,
    RecalledEvent,
    ReceivedEvent,
    ReplyRefused,
    SupervisionRaised,
    UnitReplyIdentity,
    WhistleBlown,
    WhistleRated,
)
from services.orders.unit_commands import REGISTRY, UnitCommand

CLOUDEVENT_HEADERS: dict[str, Any] = {
    "type": "object",
    "required": ["ce_specversion", "ce_id", "ce_source", "ce_type", "ce_subject", "ce_time", "content-type"],
    "properties": {
        "ce_specversion": {"type": "string", "const": "1.0"},
        "ce_id": {"type": "string", "description": "unique per event; consumers de-duplicate on it"},
        "ce_source": {"type": "string", "description": "urn:hotline for our events"},
        "ce_type": {"type": "string"},
        "ce_subject": {"type": "string", "description": "the work-order id (also the record key)"},
        "ce_time": {"type": "string", "format": "date-time"},
        "content-type": {"type": "string", "const": "application/json"},
    },
}


def _reply_headers(command: UnitCommand) -> dict[str, Any]:
    """The ce_* headers a unit's system must send with one command on the reply topic."""
    return {
        "type": "object",
        "required": ["ce_specversion", "ce_id", "ce_source", "ce_type", "ce_subject", "content-type"],
        "properties": {
            "ce_specversion": {"type": "string", "const": "1.0"},
            "ce_id": {"type": "string", "description": "unique per reply (a UUID); a reply sent again with the "
                                                       "same ce_id is acted on once"},
            "ce_source": {"type": "string", "pattern": f"^{UNIT_SOURCE_PREFIX}[a-z0-9_]{{1,64}}$",
                          "description": f"{UNIT_SOURCE_PREFIX}<your unit code>, e.g. "
                                         f"{UNIT_SOURCE_PREFIX}water_utility; the body's unit must be the same"},
            "ce_type": {"type": "string", "const": command.ce_type},
            "ce_subject": {"type": "string", "description": "the work-order id; the record key must be the same"},
            "ce_time": {"type": "string", "format": "date-time", "description": "optional"},
            "content-type": {"type": "string", "const": "application/json"},
        },
    }


def _reply_model(command: UnitCommand) -> type[BaseModel]:
    """The body of a reply doing `command`: the unit (and person) plus the command's own fields."""
    name = "".join(part.title() for part in command.name.split("_")) + "Reply"
    model: type[BaseModel] = create_model(name, __base__=(UnitReplyIdentity, command.body),
                                          __doc__=command.body.__doc__)
    return model


def _message(name: str, ce_type: str, model: type[BaseModel] | None, summary: str) -> dict[str, Any]:
    payload = model.model_json_schema(ref_template="#/components/schemas/{model}") if model else {"type": "object"}
    return {
        "name": name,
        "title": ce_type,
        "summary": summary,
        "contentType": "application/json",
        "traits": [{"$ref": "#/components/messageTraits/CloudEvent"}],
        "payload": payload,
    }


# Escalation facts (no change of state): name -> (type, payload, summary).
_ESCALATION: dict[str, tuple[str, type[BaseModel], str]] = {
    "supervisionRaised": (SUPERVISION_RAISED_TYPE, SupervisionRaised, "提醒 / 督办 / 通报 on a clock, for the reports"),
    "reminder": (REMINDER_TYPE, SupervisionRaised, "to the responsible unit: 提醒, one of its clocks runs out soon"),
    "overdue": (OVERDUE_TYPE, SupervisionRaised, "to the responsible unit: 督办 / 通报, one of its clocks ran out"),
    "whistleBlown": (WHISTLE_BLOWN_TYPE, WhistleBlown, "街乡吹哨: a township called county departments"),
    "dutyReported": (DUTY_REPORTED_TYPE, DutyReported, "部门报到: a summoned department reported, on time or late"),
    "whistleRated": (WHISTLE_RATED_TYPE, WhistleRated, "以下评上: the township rated a department that reported"),
    "extensionRequested": (EXTENSION_REQUESTED_TYPE, ExtensionFact, "延期: the lead unit asked for more time"),
    "extensionApproved": (EXTENSION_APPROVED_TYPE, ExtensionFact, "延期 approved: the resolve clock moved"),
    "extensionRefused": (EXTENSION_REFUSED_TYPE, ExtensionFact, "延期 refused"),
}
ESCALATION_MESSAGES = {name: _message(name, t, model, summary) for name, (t, model, summary) in _ESCALATION.items()}
ESCALATION_LIFECYCLE_MESSAGES = ["supervisionRaised", "whistleBlown", "dutyReported", "whistleRated",
                                 "extensionRequested", "extensionApproved", "extensionRefused"]
ESCALATION_UNIT_MESSAGES = ["reminder", "overdue", "extensionApproved", "extensionRefused"]


def build() -> dict[str, Any]:
    messages = {
        "received": _message("received", RECEIVED_TYPE, ReceivedEvent, "a new work order from a channel"),
        "stateChanged": _message("stateChanged", "org.hotline.workorder.<action in the past tense>",
                                 LifecycleEvent, "one state change of a work order"),
        "dispatched": _message("dispatched", DISPATCHED_TYPE, DispatchedEvent, "work for the unit"),
        "emergency": _message("emergency", EMERGENCY_TYPE, EmergencyEvent, "hand over to an emergency line"),
        "supervision": _message("supervision", SUPERVISION_TYPE, SupervisionRaised,
                                "a clock reached 提醒 / 督办 / 通报 (once per clock and level)"),
        **ESCALATION_MESSAGES,
        "replyRefused": _message("replyRefused", REPLY_REFUSED_TYPE, ReplyRefused,
                                 "the centre refused one of this unit's replies, and says why"),
        "recalled": _message("recalled", RECALLED_TYPE, RecalledEvent,
                             "the order left this unit's hands (reassigned, passed up, returned, reopened, withdrawn, "
                             "merged into one incident reported first)"),
        "deadLetter": _message("deadLetter", DEAD_LETTER_TYPE, DeadLetter,
                               "a record on the reply topic that could not be read, with the reason"),
    }
    for command in REGISTRY.values():
        message = _message(f"unit_{command.name}", command.ce_type, _reply_model(command),
                           f"{command.summary} (REST: POST /v1/work-orders/{{id}}/{command.path})")
        message["headers"] = _reply_headers(command)
        message["traits"] = [{"$ref": "#/components/messageTraits/KeyedByOrder"}]
        messages[f"unit_{command.name}"] = message
    schemas: dict[str, Any] = {}
    for message in messages.values():
        schemas.update(message["payload"].pop("$defs", {}))
    key = {"type": "string", "description": "work-order id"}

    def channel(address: str, description: str, names: list[str], partitions: int) -> dict[str, Any]:
        return {
            "address": address,
            "description": description,
            "messages": {n: {"$ref": f"#/components/messages/{n}"} for n in names},
            "bindings": {"kafka": {"partitions": partitions, "bindingVersion": "0.5.0"}},
        }

    channels = {
        "dispatch": {
            **channel("hotline.dispatch.{unit}", "one topic per handling unit; a unit's system reads only its own: "
                      "its work, the orders taken from it, and refusals of its replies",
                      ["dispatched", "recalled", "replyRefused", *ESCALATION_UNIT_MESSAGES], 3),
            "parameters": {"unit": {"description": "unit code, [a-z0-9_]: a department code (e.g. water_utility), "
                                                   "a township (tw_…) or a village/community (vl_…)"}},
        },
        "lifecycle": channel(LIFECYCLE_TOPIC, "every state change, for the services and dashboards",
                             ["received", "stateChanged", *ESCALATION_LIFECYCLE_MESSAGES], 6),
        "unitReplies": channel(
            UNIT_REPLIES_TOPIC,
            "unit systems answering over Kafka instead of REST. A reply is a CloudEvent in binary mode: the ce_* "
            "headers of its message (ce_source names the unit, ce_type the command, ce_subject and the record key "
            "the work-order id) and a JSON body with `unit` (the same unit) and the command's fields. It does "
            "exactly what the REST action does, with the same checks; a reply that is refused changes nothing "
            "and is answered on the unit's own dispatch topic (replyRefused, with the reason and the status "
            "REST would give); a record that cannot be read at all is also kept on the dead-letter topic.",
            [f"unit_{name}" for name in REGISTRY], 6),
        "unitRepliesDeadLetter": channel(UNIT_REPLIES_DLQ_TOPIC, "unit replies that could not be read, as they "
                                         "came, with the reason", ["deadLetter"], 6),
        "emergency": channel(EMERGENCY_TOPIC, "appeals handed to 110/119/120/122", ["emergency"], 6),
        "supervision": channel(SUPERVISION_TOPIC, "overdue and supervision flags", ["supervision"], 6),
    }
    operations = {
        "sendDispatch": {"action": "send", "channel": {"$ref": "#/channels/dispatch"}},
        "sendLifecycle": {"action": "send", "channel": {"$ref": "#/channels/lifecycle"}},
        "receiveLifecycle": {"action": "receive", "channel": {"$ref": "#/channels/lifecycle"},
                             "summary": "the router routes received orders"},
        "receiveUnitReplies": {"action": "receive", "channel": {"$ref": "#/channels/unitReplies"}},
        "sendUnitRepliesDeadLetter": {"action": "send", "channel": {"$ref": "#/channels/unitRepliesDeadLetter"}},
        "sendEmergency": {"action": "send", "channel": {"$ref": "#/channels/emergency"}},
        "sendSupervision": {"action": "send", "channel": {"$ref": "#/channels/supervision"}},
    }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Hotline events",
            "version": "0.1.0",
            "description": "CloudEvents 1.0 in Kafka binary content mode (ce_* headers, JSON body), keyed by "
                           "work-order id. Events leave through a transactional outbox; consumers are idempotent "
                           "on ce_id.",
        },
        "defaultContentType": "application/json",
        "channels": channels,
        "operations": operations,
        "components": {
            "messages": messages,
            "schemas": schemas,
            "messageTraits": {
                "CloudEvent": {
                    "headers": CLOUDEVENT_HEADERS,
                    "bindings": {"kafka": {"key": key, "bindingVersion": "0.5.0"}},
                },
                "KeyedByOrder": {"bindings": {"kafka": {"key": key, "bindingVersion": "0.5.0"}}},
            },
        },
    }


def render() -> str:
    return yaml.safe_dump(build(), allow_unicode=True, sort_keys=False, width=110)
