"""Prometheus metrics shared by the services."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

APPEALS_ACCEPTED = Counter("hotline_appeals_accepted_total", "Appeals accepted by intake", ["channel"])
APPEALS_REPEATED = Counter("hotline_appeals_repeated_total", "Repeat submissions answered with the existing order")
TRANSITIONS = Counter("hotline_transitions_total", "Work-order state transitions", ["action", "to_state"])
OUTBOX_PUBLISHED = Counter("hotline_outbox_published_total", "Outbox events published")
RELAY_ERRORS = Counter("hotline_outbox_relay_errors_total", "Relay iterations that failed and will retry")
EVENTS_CONSUMED = Counter("hotline_events_consumed_total", "Events handled by a consumer", ["consumer", "outcome"])
ROUTING_CONFIDENCE = Histogram(
    "hotline_routing_confidence", "Router confidence per decision", buckets=(0.2, 0.4, 0.5, 0.6, 0.8, 0.9, 1.0)
)
