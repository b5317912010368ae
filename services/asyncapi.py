"""The AsyncAPI 3.0 document of our topics, built from schemas/events.py and schemas/payloads.py.
`hotline asyncapi` prints it; docs/asyncapi.yaml is its committed copy (a test compares them)."""

from __future__ import annotations

from typing import Any

import yaml
from pydantic import BaseModel

from schemas.events import (
    DISPATCHED_TYPE,
    EMERGENCY_TOPIC,
    EMERGENCY_TYPE,
    LIFECYCLE_TOPIC,
    RECEIVED_TYPE,
    SUPERVISION_TOPIC,
    SUPERVISION_TYPE,
    UNIT_REPLIES_TOPIC,
    UNIT_REPLY_TYPES,
)
from schemas.payloads import DispatchedEvent, EmergencyEvent, LifecycleEvent, ReceivedEvent, UnitReply

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


def build() -> dict[str, Any]:
    messages = {
        "received": _message("received", RECEIVED_TYPE, ReceivedEvent, "a new work order from a channel"),
        "stateChanged": _message("stateChanged", "org.hotline.workorder.<action in the past tense>",
                                 LifecycleEvent, "one state change of a work order"),
        "dispatched": _message("dispatched", DISPATCHED_TYPE, DispatchedEvent, "work for the unit"),
        "emergency": _message("emergency", EMERGENCY_TYPE, EmergencyEvent, "hand over to an emergency line"),
        "supervision": _message("supervision", SUPERVISION_TYPE, None, "a supervision flag was raised"),
        **{f"unit_{k}": _message(f"unit_{k}", t, UnitReply, f"a unit system's {k} over Kafka")
           for k, t in UNIT_REPLY_TYPES.items()},
    }
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
            **channel("hotline.dispatch.{unit}", "one topic per handling unit; a unit's system reads only its own",
                      ["dispatched"], 3),
            "parameters": {"unit": {"description": "unit code, [a-z0-9_]: a department code (e.g. water_utility), "
                                                   "a township (tw_…) or a village/community (vl_…)"}},
        },
        "lifecycle": channel(LIFECYCLE_TOPIC, "every state change, for the services and dashboards",
                             ["received", "stateChanged"], 6),
        "unitReplies": channel(UNIT_REPLIES_TOPIC, "unit systems answering over Kafka instead of REST",
                               [f"unit_{k}" for k in UNIT_REPLY_TYPES], 6),
        "emergency": channel(EMERGENCY_TOPIC, "appeals handed to 110/119/120/122", ["emergency"], 6),
        "supervision": channel(SUPERVISION_TOPIC, "overdue and supervision flags", ["supervision"], 6),
    }
    operations = {
        "sendDispatch": {"action": "send", "channel": {"$ref": "#/channels/dispatch"}},
        "sendLifecycle": {"action": "send", "channel": {"$ref": "#/channels/lifecycle"}},
        "receiveLifecycle": {"action": "receive", "channel": {"$ref": "#/channels/lifecycle"},
                             "summary": "the router routes received orders"},
        "receiveUnitReplies": {"action": "receive", "channel": {"$ref": "#/channels/unitReplies"}},
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
                }
            },
        },
    }


def render() -> str:
    return yaml.safe_dump(build(), allow_unicode=True, sort_keys=False, width=110)
