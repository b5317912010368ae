"""Prometheus metrics shared by the services. Units are in the names (`_seconds`, `_events`,
`_messages`, `_orders`, `_total` for counters); `deploy/grafana/hotline.json` and
`deploy/prometheus/alerts.yaml` read them.

Gauges read from the database (outbox backlog, orders by state, overdue orders) are refreshed by
`services.observe.refresh` when /metrics is scraped, at most every few seconds, with cheap indexed
counts: every replica reports the same figures, so dashboards take `max` over instances.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

# ---- HTTP ---------------------------------------------------------------------------------------
HTTP_REQUESTS = Counter(
    "hotline_http_requests_total", "HTTP requests answered, by route template and status",
    ["service", "method", "route", "status"],
)
HTTP_LATENCY = Histogram(
    "hotline_http_request_duration_seconds", "Time to answer an HTTP request, by route template",
    ["service", "method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)

# ---- intake and the lifecycle -------------------------------------------------------------------
APPEALS_ACCEPTED = Counter("hotline_appeals_accepted_total", "Appeals accepted by intake", ["channel"])
APPEALS_REPEATED = Counter("hotline_appeals_repeated_total", "Repeat submissions answered with the existing order")
TRANSITIONS = Counter("hotline_transitions_total", "Work-order state transitions", ["action", "to_state"])
ROUTING_CONFIDENCE = Histogram(
    "hotline_routing_confidence_ratio", "Router confidence per decision (0-1)",
    buckets=(0.2, 0.4, 0.5, 0.6, 0.8, 0.9, 1.0),
)
WORK_ORDERS = Gauge("hotline_work_orders", "Work orders in each state (from the database)", ["state"])
OVERDUE = Gauge(
    "hotline_work_orders_overdue", "Open work orders past a due time (from the database), by clock",
    ["clock"],
)

# ---- events -------------------------------------------------------------------------------------
EVENTS_PUBLISHED = Counter("hotline_events_published_total", "Events the outbox relay published", ["topic"])
OUTBOX_BACKLOG = Gauge("hotline_outbox_backlog_events", "Outbox rows not yet published (from the database)")
OUTBOX_OLDEST_AGE = Gauge(
    "hotline_outbox_oldest_unpublished_age_seconds", "Age of the oldest unpublished outbox row (0 when empty)"
)
RELAY_ERRORS = Counter("hotline_outbox_relay_errors_total", "Relay iterations that failed and will retry")
RELAY_LEADER = Gauge("hotline_relay_leader", "1 while this process's outbox relay is the active one")
EVENTS_CONSUMED = Counter(
    "hotline_events_consumed_total", "Events a consumer acted on, or skipped as already done (duplicate)",
    ["consumer", "topic", "outcome"],
)
EVENTS_REFUSED = Counter(
    "hotline_events_refused_total", "Events a consumer refused for a domain reason (recorded, not retried)",
    ["consumer", "topic", "reason"],
)
EVENTS_DEAD_LETTERED = Counter(
    "hotline_events_dead_lettered_total",
    "Records a consumer could not read as a CloudEvent; skipped and logged with topic, partition, offset",
    ["consumer", "topic", "reason"],
)
EVENTS_FAILED = Counter(
    "hotline_events_failed_total", "Handler failures that will be retried (infrastructure errors)",
    ["consumer", "topic"],
)
CONSUMER_LAG = Gauge(
    "hotline_consumer_lag_messages",
    "Records on a partition not yet committed by the group: the broker's high watermark minus the "
    "committed offset, or, when the broker has not reported one, the records fetched and not yet handled",
    ["consumer", "topic", "partition"],
)

# ---- infrastructure -----------------------------------------------------------------------------
BROKER_UP = Gauge("hotline_broker_up", "1 when the event broker answered the last check")
DATABASE_UP = Gauge("hotline_database_up", "1 when the database answered the last check")

SUPERVISION_RAISED = Counter("hotline_supervision_raised_total", "Supervision levels raised by the sweep",
                             ["level", "clock"])
SWEEP_SECONDS = Histogram("hotline_sweep_seconds", "Duration of one supervision sweep",
                          buckets=(0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10, 30))
