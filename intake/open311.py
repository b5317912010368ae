"""Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2): how our orders and catalogue read
in the standard's terms. Pure mapping; the wire formats (JSON, XML) live in the service."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from intake.merging import MERGED, shown_state

OPEN311_ERRORS = {400: "bad request", 403: "api_key missing or not valid", 404: "not found"}
_CLOSED = frozenset({"closed", "redirected", "merged", "invalid", "withdrawn"})
# Closed whatever happens next; a merged request is as open as the request it follows.
FINISHED = _CLOSED - {MERGED}


def status(state: str) -> str:
    """The standard knows two statuses: open while anyone still works on it, closed after."""
    return "closed" if state in _CLOSED else "open"


def status_notes(state: str) -> str:
    return {"received": "received", "pending_review": "being assigned", "dispatched": "assigned to the unit",
            "claimed": "the unit is working on it", "resolved": "resolved, awaiting the citizen's rating",
            "closed": "closed", "redirected": "handed to an emergency line", "merged": "merged with the same report",
            "invalid": "not a valid request", "withdrawn": "withdrawn"}.get(state, state)


def service(code: str, name: str, group: str | None, keywords: list[str]) -> dict[str, Any]:
    return {"service_code": code, "service_name": name, "description": name, "metadata": False,
            "type": "realtime", "keywords": ",".join(keywords[:8]), "group": group or "community"}


def request_view(*, order_id: str, state: str, root_state: str | None = None, service_code: str | None,
                 service_name: str | None, text: str | None,
                 agency: str | None, requested: datetime, updated: datetime, expected: datetime | None,
                 address: str | None, lat: float | None, long: float | None, media_url: str | None,
                 confidential: bool = False) -> dict[str, Any]:
    """One service request as the standard shows it; `text` and `address` must be masked already. A
    merged request (并单) shows the status of the request it follows (`root_state`): open while that
    one is worked on, closed when it is. Anyone may read these without a key, so a confidential
    (保密) request shows its service and progress but not its words, place or photo."""
    if confidential:
        text, address, lat, long, media_url = None, None, None, None, None
    shown = shown_state(state, root_state)
    notes = status_notes(shown) if shown == state else f"{status_notes(state)}; {status_notes(shown)}"
    return {
        "service_request_id": order_id, "status": status(shown), "status_notes": notes,
        "service_name": service_name, "service_code": service_code, "description": text,
        "agency_responsible": agency, "service_notice": None, "requested_datetime": requested.isoformat(),
        "updated_datetime": updated.isoformat(), "expected_datetime": expected.isoformat() if expected else None,
        "address": address, "address_id": None, "zipcode": None, "lat": lat, "long": long, "media_url": media_url,
    }
