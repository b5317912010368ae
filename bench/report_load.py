"""A synthetic county's history, generated inside PostgreSQL (INSERT … SELECT from generate_series):
no row crosses the wire, so ten million orders load in minutes, not hours.

One staging table, `bench_orders` (unlogged, kept with the database), draws every order's facts
once: its day and time, place and matter (the demo county's townships, villages and catalogue,
weighted), what happened to it (redirected, returned and re-dispatched, claimed, resolved, rated,
reopened once, closed; supervised, a township's whistle with a department on time or late to
报到) and the instant of each step. Everything else is made from it set-based:

* the system's own tables: `work_orders`, `work_order_history` (one row per step), `order_units`
  (the lead unit of each hand-over) and the per-state counts;
* the reports consumer's aggregates and tracks (`report_tallies`, `report_places`,
  `report_orders`, `report_flags`), by the definitions of feedback.tallies written as SQL;
* with `events=True` (small loads, for the check), the lifecycle events of every step in the
  outbox as the services write them, so that `hotline reports rebuild` — the consumer's own fold
  — recomputes the aggregates and a test proves them equal to the set-based ones
  (tests/integration/test_bench_report_load.py).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

import asyncpg

FIRST_DAY = date(2024, 1, 1)
LAST_DAY = date(2026, 11, 30)
ZONE = "Asia/Shanghai"


class County:
    """The demo county's places (village/community, or the township itself), matters and units,
    with the weights orders are drawn with."""

    def __init__(self) -> None:
        from services.bootstrap import load_router
        from services.settings import CoreSettings

        router = load_router(CoreSettings())
        gaz = router.parts.gazetteer
        townships = sorted({p.township for p in gaz.places.values() if p.kind == "township" and p.township})
        villages = sorted((p.township, p.code, p.unit) for p in gaz.places.values()
                          if p.kind in ("village", "community") and p.township)
        places = [(t, v, u, 3.0) for t, v, u in villages] + [(t, "", f"tw_{t}", 1.0) for t in townships]
        total = sum(w for *_, w in places)
        self.places = places
        self.place_cum = _cumulative([w / total for *_, w in places])
        matters = list(router.parts.catalogue)
        zipf = [1.0 / (k + 1) ** 0.8 for k in range(len(matters))]
        self.matters = [(m.code, m.dept or "county_centre", m.level.value) for m in matters]
        self.matter_cum = _cumulative([z / sum(zipf) for z in zipf])
        self.unit_level = {c: u.level.value for c, u in router.units().items()}
        depts = sorted(c for c, u in router.units().items() if u.level.value == "county" and c != "county_centre")
        self.departments = depts


def _floats(values: list[float]) -> str:
    return "ARRAY[" + ", ".join(repr(float(v)) for v in values) + "]::float8[]"


def _texts(values: list[str]) -> str:
    assert all(v.replace("_", "").isalnum() for v in values), values  # codes only: safe to inline
    return "ARRAY[" + ", ".join(f"'{v}'" for v in values) + "]::text[]"


def _cumulative(ps: list[float]) -> list[float]:
    out, acc = [], 0.0
    for p in ps:
        out.append(acc)
        acc += p
    return out  # lower bounds: width_bucket(r, out) is the 1-based index drawn


# ---- the staging table: every order's facts and the instant of each of its steps --------------
STAGE = """
CREATE UNLOGGED TABLE bench_orders AS
WITH drawn AS (
    SELECT g AS i,
           (random() * {days})::int AS day,
           8 * 3600 + (random() * 12 * 3600)::int AS second,
           width_bucket(random(), {place_cum}) AS place,
           width_bucket(random(), {matter_cum}) AS matter,
           30 + (-600 * ln(1 - random()))::int AS response,
           random() AS r_auto, random() AS r_redirect, random() AS r_return, random() AS r_final,
           random() AS r_claim, random() AS r_resolve, random() AS r_rating, random() AS r_solved,
           random() AS r_close, random() AS r_sup, random() AS r_whistle, random() AS r_dept
    FROM generate_series(1, {orders}) AS g
), facts AS (
    SELECT d.i, d.response,
           timestamptz '{first_day} 00:00:00+08' + make_interval(days => d.day, secs => d.second) AS t0,
           p.township, p.village, p.unit AS place_unit, m.code AS matter, m.dept, m.level AS matter_level,
           d.r_auto < 0.85 AS auto, d.r_redirect < 0.01 AS redirected,
           d.r_redirect >= 0.01 AND d.r_return < 0.04 AS returned,
           CASE WHEN d.r_redirect < 0.01 THEN 5 WHEN d.r_final < 0.005 THEN 0 WHEN d.r_final < 0.015 THEN 1
                WHEN d.r_final < 0.03 THEN 2 ELSE 3 END AS final,
           d.r_claim < 0.92 AS claim_on_time, d.r_resolve < 0.88 AS resolve_on_time,
           CASE WHEN d.r_rating < 0.80 THEN 'satisfied' WHEN d.r_rating < 0.91 THEN 'basically_satisfied'
                ELSE 'unsatisfied' END AS first_rating,
           d.r_solved, 1 + (d.r_close * 240)::int AS close_hours,
           CASE WHEN d.r_sup < 0.005 THEN 3 WHEN d.r_sup < 0.02 THEN 2 WHEN d.r_sup < 0.07 THEN 1 ELSE 0 END AS sup,
           d.r_whistle, d.r_dept
    FROM drawn d JOIN bench_places p ON p.ix = d.place JOIN bench_matters m ON m.ix = d.matter
), routed AS (
    SELECT f.*,
           CASE WHEN f.matter_level = 'county' THEN f.dept
                WHEN f.matter_level = 'village' AND f.village <> '' THEN f.place_unit
                ELSE 'tw_' || f.township END AS unit
    FROM facts f
)
SELECT r.i, 'wo_bench_' || lpad(r.i::text, 9, '0') AS id, r.t0, r.response, r.township, r.village, r.matter,
       r.unit, u.level, r.dept, r.auto, r.redirected, r.returned, r.final, r.claim_on_time, r.resolve_on_time,
       r.first_rating = 'unsatisfied' AND r.final = 3 AS reopened,
       CASE WHEN r.first_rating = 'unsatisfied' THEN 'satisfied' ELSE r.first_rating END AS rating,
       CASE WHEN r.first_rating = 'basically_satisfied' THEN r.r_solved < 0.6 ELSE true END AS solved,
       r.close_hours, CASE WHEN r.redirected THEN 0 ELSE r.sup END AS sup,
       -- 街乡吹哨: a fifth of a township's orders call a department; a third of those late to 报到
       (u.level = 'township' AND NOT r.redirected AND r.r_whistle < 0.2) AS whistled,
       ({departments})[1 + (r.r_dept * {last_department})::int] AS summoned,
       r.r_whistle < 0.2 / 3 AS late_to_report
FROM routed r JOIN bench_units u ON u.code = r.unit
"""

# The instant of every step (NULL where it did not happen), from the facts, and its local day.
def _day(column: str) -> str:
    return f"({column} AT TIME ZONE '{ZONE}')::date"


TIMES = f"""
CREATE UNLOGGED TABLE bench_steps AS
SELECT t.*, {_day('t.t0')} AS d0, {_day('t.t1')} AS d1, {_day('t.t2')} AS d2, {_day('t.th')} AS dh,
       {_day('t.t_reo')} AS dreo, {_day('t.t_close')} AS dclose, {_day('t.t_sup1')} AS dsup1,
       {_day('t.t_sup2')} AS dsup2, {_day('t.t_sup3')} AS dsup3, {_day('t.t_whistle')} AS dwhistle,
       {_day('t.t_report')} AS dreport, {_day('t.t_late')} AS dlate
FROM (
    SELECT o.*, h.t1, h.t2, h.th, c.t_claim, c.t_res, c.t_reo, c.t_claim2, c.t_res2, c.t_close,
           h.th + interval '10 minutes' AS t_sup1, h.th + interval '20 minutes' AS t_sup2,
           h.th + interval '25 minutes' AS t_sup3,
           h.th + interval '30 minutes' AS t_whistle,
           h.th + interval '45 minutes' AS t_report, h.th + interval '50 minutes' AS t_late
    FROM bench_orders o
    CROSS JOIN LATERAL (
        SELECT o.t0 + make_interval(secs => o.response) AS t1,
               CASE WHEN o.returned THEN o.t0 + make_interval(secs => o.response) + interval '90 minutes' END AS t2,
               o.t0 + make_interval(secs => o.response)
                    + CASE WHEN o.returned THEN interval '90 minutes' ELSE interval '0' END AS th
    ) h
    CROSS JOIN LATERAL (
        SELECT CASE WHEN NOT o.redirected AND o.final BETWEEN 1 AND 3 THEN h.th + interval '1 hour' END AS t_claim,
               CASE WHEN o.final IN (2, 3) THEN h.th + interval '1 hour 1 day' END AS t_res,
               CASE WHEN o.reopened THEN h.th + interval '1 day 5 hours' END AS t_reo,
               CASE WHEN o.reopened THEN h.th + interval '1 day 6 hours' END AS t_claim2,
               CASE WHEN o.reopened THEN h.th + interval '2 days 1 hour' END AS t_res2,
               CASE WHEN o.final = 3 THEN h.th + CASE WHEN o.reopened THEN interval '2 days 1 hour'
                                                      ELSE interval '1 hour 1 day' END
                                           + make_interval(hours => o.close_hours) END AS t_close
    ) c
) t
"""

# Every step of every order: (seq, at, actor, action, from_state, to_state, unit, facts) — the history
# rows and, in check mode, the lifecycle events. `unit` is the order's lead unit after the step.
STEPS = """
SELECT s.id, v.seq, v.at, v.actor, v.action, v.from_state, v.to_state, v.facts, v.lead
FROM bench_steps s
CROSS JOIN LATERAL (VALUES
    (1, s.t0, 'channel:12345_phone', 'receive', NULL, 'received', NULL::jsonb, false),
    (2, CASE WHEN s.redirected THEN s.t1 END, 'router', 'redirect', 'received', 'redirected',
        '{"line": "110"}'::jsonb, false),
    (3, CASE WHEN NOT s.redirected THEN s.t1 END, CASE WHEN s.auto THEN 'router' ELSE 'dispatcher/bench' END,
        'dispatch', 'received', 'dispatched', NULL, true),
    (4, CASE WHEN s.returned THEN s.t1 + interval '1 hour' END, 'unit:' || s.unit || '/bench', 'return',
        'dispatched', 'pending_review', '{"reason": "wrong_place"}'::jsonb, true),
    (5, s.t2, 'dispatcher/bench', 'dispatch', 'pending_review', 'dispatched', NULL, true),
    (6, CASE WHEN s.sup >= 1 THEN s.t_sup1 END, 'sweep', 'supervision_raised', 'dispatched', 'dispatched',
        CASE WHEN s.sup >= 1 THEN jsonb_build_object('supervision_level', 'remind',
            'responsible_unit', s.unit, 'role', 'lead', 'clock', 'claim') END, true),
    (7, CASE WHEN s.sup >= 2 THEN s.t_sup2 END, 'sweep', 'supervision_raised', 'dispatched', 'dispatched',
        CASE WHEN s.sup >= 2 THEN jsonb_build_object('supervision_level', 'supervise',
            'responsible_unit', s.unit, 'role', 'lead', 'clock', 'claim') END, true),
    (8, CASE WHEN s.sup >= 3 THEN s.t_sup3 END, 'sweep', 'supervision_raised', 'dispatched', 'dispatched',
        CASE WHEN s.sup >= 3 THEN jsonb_build_object('supervision_level', 'notify',
            'responsible_unit', s.unit, 'role', 'lead', 'clock', 'claim') END, true),
    (9, CASE WHEN s.whistled THEN s.t_whistle END, 'unit:' || s.unit || '/bench', 'whistle', 'dispatched',
        'dispatched', CASE WHEN s.whistled THEN jsonb_build_object('departments', jsonb_build_array(s.summoned),
                                                                     'call_class', 'ordinary') END,
        true),
    (10, CASE WHEN s.whistled AND NOT s.late_to_report THEN s.t_report END, 'unit:' || s.summoned || '/bench',
        'report_duty', 'dispatched', 'dispatched',
        CASE WHEN s.whistled THEN jsonb_build_object('department', s.summoned, 'on_time', true) END,
        true),
    (11, CASE WHEN s.whistled AND s.late_to_report THEN s.t_late END, 'sweep', 'supervision_raised',
        'dispatched', 'dispatched',
        CASE WHEN s.whistled THEN jsonb_build_object('supervision_level', 'supervise', 'responsible_unit',
                                                     s.summoned, 'role', 'summoned', 'clock', 'report') END, true),
    (12, s.t_claim, 'unit:' || s.unit || '/bench', 'claim', 'dispatched', 'claimed',
        CASE WHEN s.claim_on_time THEN '{"on_time": true}'::jsonb ELSE '{"on_time": false}'::jsonb END, true),
    (13, s.t_res, 'unit:' || s.unit || '/bench', 'resolve', 'claimed', 'resolved',
        CASE WHEN s.resolve_on_time THEN '{"on_time": true}'::jsonb ELSE '{"on_time": false}'::jsonb END, true),
    (14, s.t_reo, 'citizen', 'reopen', 'resolved', 'dispatched',
        '{"rating": "unsatisfied", "solved": false}'::jsonb, true),
    (15, s.t_claim2, 'unit:' || s.unit || '/bench', 'claim', 'dispatched', 'claimed',
        CASE WHEN s.claim_on_time THEN '{"on_time": true}'::jsonb ELSE '{"on_time": false}'::jsonb END, true),
    (16, s.t_res2, 'unit:' || s.unit || '/bench', 'resolve', 'claimed', 'resolved',
        CASE WHEN s.resolve_on_time THEN '{"on_time": true}'::jsonb ELSE '{"on_time": false}'::jsonb END, true),
    (17, s.t_close, 'citizen', 'close', 'resolved', 'closed',
        CASE WHEN s.final = 3 THEN jsonb_build_object('rating', s.rating, 'solved', s.solved) END, true)
) AS v(seq, at, actor, action, from_state, to_state, facts, lead)
WHERE v.at IS NOT NULL
"""

STATE = """CASE s.final WHEN 0 THEN 'dispatched' WHEN 1 THEN 'claimed' WHEN 2 THEN 'resolved' WHEN 3 THEN 'closed'
                ELSE 'redirected' END"""

ORDERS = f"""
INSERT INTO work_orders (id, channel, external_id, fingerprint, text, text_masked, confidential, state,
                         whistle_class, level, unit, dept, matter, township, village, claim_due,
                         first_contact_due, resolve_due, claimed_at, resolved_at, resolved_by, resolved_level,
                         closed_at, closed_day, rating, solved, return_count, reopen_count, supervision_level,
                         created_at, updated_at, reported_at)
SELECT s.id, '12345_phone', 'bench-' || s.i, md5(s.id), '合成工单：' || s.matter, '合成工单：' || s.matter, false,
       {STATE}, 'ordinary', CASE WHEN NOT s.redirected THEN s.level END,
       CASE WHEN NOT s.redirected THEN s.unit END, s.dept, s.matter, s.township, NULLIF(s.village, ''),
       s.th + interval '2 hours', s.th + interval '1 day', s.th + interval '5 days',
       coalesce(s.t_claim2, s.t_claim), coalesce(s.t_res2, s.t_res),
       CASE WHEN s.final IN (2, 3) THEN s.unit END, CASE WHEN s.final IN (2, 3) THEN s.level END,
       s.t_close, s.dclose,
       CASE WHEN s.final = 3 THEN s.rating END, CASE WHEN s.final = 3 THEN s.solved END,
       s.returned::int, s.reopened::int,
       CASE WHEN s.final IN (0, 1) THEN (ARRAY['none', 'remind', 'supervise', 'notify'])[1 + s.sup] ELSE 'none' END,
       s.t0, coalesce(s.t_close, s.t_res2, s.t_res, s.t_claim, s.t2, s.t1), s.t0
FROM bench_steps s
"""

HISTORY = f"""
INSERT INTO work_order_history (work_order_id, at, actor, action, from_state, to_state, data)
SELECT id, at, actor, action, from_state, to_state, facts::json FROM ({STEPS}) x
"""

ORDER_UNITS = """
INSERT INTO order_units (work_order_id, unit, role, since, active)
SELECT id, unit, 'lead', th, true FROM bench_steps WHERE NOT redirected
UNION ALL
SELECT id, summoned, 'summoned', t_whistle, final IN (0, 1) FROM bench_steps WHERE whistled
"""

# Check mode: the lifecycle events of every step, as services.orders.lifecycle writes them.
EVENTS = f"""
INSERT INTO outbox (event_id, topic, key, type, source, time, data, created_at, published_at)
SELECT 'ev_' || x.id || '_' || x.seq, 'hotline.lifecycle', x.id,
       'org.hotline.workorder.' || CASE x.action WHEN 'receive' THEN 'received' WHEN 'redirect' THEN 'redirected'
            WHEN 'dispatch' THEN 'dispatched' WHEN 'return' THEN 'returned' WHEN 'claim' THEN 'claimed'
            WHEN 'resolve' THEN 'resolved' WHEN 'reopen' THEN 'reopened' WHEN 'close' THEN 'closed'
            WHEN 'whistle' THEN 'whistle_blown' WHEN 'report_duty' THEN 'reported_for_duty'
            ELSE x.action END,
       'urn:hotline', x.at,
       (jsonb_build_object(
            'work_order_id', x.id, 'channel', '12345_phone', 'state', x.to_state, 'whistle_class', 'ordinary',
            'level', CASE WHEN x.lead THEN s.level END, 'unit', CASE WHEN x.lead THEN s.unit END,
            'dept', s.dept,
            'matter', CASE WHEN x.seq > 1 THEN s.matter END, 'township', CASE WHEN x.seq > 1 THEN s.township END,
            'village', CASE WHEN x.seq > 1 THEN NULLIF(s.village, '') END,
            'from_state', x.from_state, 'action', x.action, 'actor', x.actor,
            'at', to_char(x.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"+00:00"'))
        || coalesce(x.facts, '{{}}'::jsonb))::json,
       x.at, x.at
FROM ({STEPS}) x JOIN bench_steps s ON s.id = x.id
ORDER BY x.id, x.seq
"""


# ---- the reports consumer's aggregates, set-based (feedback.tallies in SQL) -------------------
# What Tallier.apply adds over every order's events, summed per (metric, day, township, unit, level).
# Three passes over the orders, each grouping by the days its steps fell on (a step an hour after
# another is nearly always on the same day, so the groups stay few), then one small query per metric.
TALLIES = """
CREATE TEMP TABLE tally_early AS
SELECT d0, d1, d2, dh, dsup1, dsup2, dsup3, dwhistle, dreport, dlate, township, unit, level,
       CASE WHEN whistled THEN summoned ELSE '' END AS summoned,
       count(*) AS n, sum(response) AS response, count(*) FILTER (WHERE redirected) AS redirected,
       count(*) FILTER (WHERE NOT redirected) AS handed, count(*) FILTER (WHERE NOT redirected AND auto) AS auto,
       count(*) FILTER (WHERE returned) AS returned, count(*) FILTER (WHERE t_claim IS NOT NULL) AS claimed,
       count(*) FILTER (WHERE t_claim IS NOT NULL AND claim_on_time) AS claimed_on_time,
       count(*) FILTER (WHERE t_res IS NOT NULL) AS resolved,
       count(*) FILTER (WHERE t_res IS NOT NULL AND resolve_on_time) AS resolved_on_time,
       count(*) FILTER (WHERE sup >= 1) AS sup1, count(*) FILTER (WHERE sup >= 2) AS sup2,
       count(*) FILTER (WHERE sup >= 3) AS sup3, count(*) FILTER (WHERE whistled) AS whistled,
       count(*) FILTER (WHERE whistled AND NOT late_to_report) AS reported,
       count(*) FILTER (WHERE whistled AND late_to_report) AS late
FROM bench_steps GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14;
CREATE TEMP TABLE tally_reopen AS
SELECT dreo, township, unit, level, count(*) AS n, count(*) FILTER (WHERE claim_on_time) AS claimed_on_time,
       count(*) FILTER (WHERE resolve_on_time) AS resolved_on_time
FROM bench_steps WHERE reopened GROUP BY 1, 2, 3, 4;
CREATE TEMP TABLE tally_close AS
SELECT dclose, township, unit, level, count(*) AS n, count(*) FILTER (WHERE solved) AS solved,
       count(*) FILTER (WHERE rating = 'satisfied') AS satisfied,
       count(*) FILTER (WHERE rating = 'basically_satisfied') AS basically_satisfied
FROM bench_steps WHERE final = 3 GROUP BY 1, 2, 3, 4;
CREATE TEMP TABLE day_tallies AS
SELECT metric, day, township, unit, level, sum(n)::bigint AS n FROM (
    SELECT 'received' AS metric, d0 AS day, '' AS township, '' AS unit, '' AS level, n FROM tally_early
    UNION ALL SELECT 'responded', d1, '', '', '', n FROM tally_early
    UNION ALL SELECT 'response_seconds', d1, '', '', '', response FROM tally_early
    UNION ALL SELECT 'redirected', d1, township, '', '', redirected FROM tally_early
    UNION ALL SELECT 'handed_over', d1, township, unit, level, handed FROM tally_early
    UNION ALL SELECT 'first_handed_over', d1, township, unit, level, handed FROM tally_early
    UNION ALL SELECT 'first_auto', d1, township, unit, level, auto FROM tally_early
    UNION ALL SELECT 'returned', d1, township, unit, level, returned FROM tally_early
    UNION ALL SELECT 'first_returned', d1, township, unit, level, returned FROM tally_early
    UNION ALL SELECT 'handed_over', d2, township, unit, level, returned FROM tally_early WHERE returned > 0
    UNION ALL SELECT 'supervision_remind', dsup1, township, unit, '', sup1 FROM tally_early
    UNION ALL SELECT 'supervision_supervise', dsup2, township, unit, '', sup2 FROM tally_early
    UNION ALL SELECT 'supervision_notify', dsup3, township, unit, '', sup3 FROM tally_early
    UNION ALL SELECT 'whistle_blown', dwhistle, township, unit, '', whistled FROM tally_early
    UNION ALL SELECT 'reported_for_duty', dreport, township, summoned, '', reported FROM tally_early
    UNION ALL SELECT 'reported_on_time', dreport, township, summoned, '', reported FROM tally_early
    UNION ALL SELECT 'supervision_supervise', dlate, township, summoned, '', late FROM tally_early
    UNION ALL SELECT 'claimed', dh, township, unit, level, claimed FROM tally_early
    UNION ALL SELECT 'claimed_on_time', dh, township, unit, level, claimed_on_time FROM tally_early
    UNION ALL SELECT 'resolved', dh, township, unit, level, resolved FROM tally_early
    UNION ALL SELECT 'resolved_on_time', dh, township, unit, level, resolved_on_time FROM tally_early
    UNION ALL SELECT m.metric, r.dreo, r.township, r.unit,
                     CASE WHEN m.metric = 'reopen_closed' THEN '' ELSE r.level END,
                     CASE m.metric WHEN 'claimed_on_time' THEN r.claimed_on_time
                                   WHEN 'resolved_on_time' THEN r.resolved_on_time ELSE r.n END
              FROM tally_reopen r CROSS JOIN (VALUES ('rated'), ('unsatisfied'), ('reopened'), ('handed_over'),
                  ('claimed'), ('claimed_on_time'), ('resolved'), ('resolved_on_time'), ('reopen_closed')) m(metric)
    UNION ALL SELECT m.metric, c.dclose, c.township, c.unit, c.level,
                     CASE m.metric WHEN 'solved' THEN c.solved WHEN 'satisfied' THEN c.satisfied
                                   WHEN 'basically_satisfied' THEN c.basically_satisfied ELSE c.n END
              FROM tally_close c CROSS JOIN (VALUES ('closed'), ('rated'), ('solved'), ('satisfied'),
                  ('basically_satisfied')) m(metric)
) t WHERE n <> 0 AND day IS NOT NULL
GROUP BY metric, day, township, unit, level;
INSERT INTO day_tallies
SELECT metric, day, '*', unit, level, sum(n) FROM day_tallies GROUP BY metric, day, unit, level
UNION ALL
SELECT metric, day, '*', '*', level, sum(n) FROM day_tallies GROUP BY metric, day, level;
INSERT INTO report_tallies (grain, start, metric, township, unit, level, n)
SELECT 'd', day, metric, township, unit, level, n FROM day_tallies;
INSERT INTO report_tallies (grain, start, metric, township, unit, level, n)
SELECT 'w', day - (extract(isodow FROM day)::int - 1), metric, township, unit, level, sum(n)
FROM day_tallies GROUP BY 2, 3, 4, 5, 6;
INSERT INTO report_tallies (grain, start, metric, township, unit, level, n)
SELECT 'm', day - (extract(day FROM day)::int - 1), metric, township, unit, level, sum(n)
FROM day_tallies GROUP BY 2, 3, 4, 5, 6;
INSERT INTO report_tallies (grain, start, metric, township, unit, level, n)
SELECT 'y', make_date(extract(year FROM day)::int, 1, 1), metric, township, unit, level, sum(n)
FROM day_tallies GROUP BY 2, 3, 4, 5, 6;
DROP TABLE tally_early, tally_reopen, tally_close, day_tallies;
"""

PLACES = """
CREATE TEMP TABLE day_places AS
SELECT d1 AS day, township, village, matter, count(*)::bigint AS n
FROM bench_steps WHERE NOT redirected GROUP BY 1, 2, 3, 4;
INSERT INTO report_places (grain, start, township, village, matter, n)
SELECT 'd', day, township, village, matter, n FROM day_places;
INSERT INTO report_places (grain, start, township, village, matter, n)
SELECT 'w', day - (extract(isodow FROM day)::int - 1), township, village, matter, sum(n) FROM day_places
GROUP BY 2, 3, 4, 5;
INSERT INTO report_places (grain, start, township, village, matter, n)
SELECT 'm', day - (extract(day FROM day)::int - 1), township, village, matter, sum(n) FROM day_places
GROUP BY 2, 3, 4, 5;
INSERT INTO report_places (grain, start, township, village, matter, n)
SELECT 'y', make_date(extract(year FROM day)::int, 1, 1), township, village, matter, sum(n) FROM day_places
GROUP BY 2, 3, 4, 5;
DROP TABLE day_places;
"""

# The consumer's track of each order (feedback.tallies.OrderTrack) after its last event.
TRACKS = f"""
INSERT INTO report_orders (work_order_id, state, received_at, township, village, matter, unit, level, handover_day,
                           handover_township, handover_open, handovers, claimed, first_day, hot_township,
                           hot_village, hot_matter, resolved_unit, resolved_level, closed_day, closed_township,
                           rating_day, rating, rating_solved, reopen_day, reopen_unit, reopen_township,
                           reopen_closed, supervision, supervision_at)
SELECT s.id, {STATE}, s.t0, s.township, s.village, s.matter,
       CASE WHEN h THEN s.unit ELSE '' END, CASE WHEN h THEN s.level ELSE '' END,
       CASE WHEN s.reopened THEN s.dreo WHEN h THEN s.dh END,
       CASE WHEN h THEN s.township ELSE '' END, s.final IN (0, 1),
       CASE WHEN h THEN 1 + s.returned::int + s.reopened::int ELSE 0 END, s.t_claim IS NOT NULL,
       CASE WHEN h THEN s.d1 END, CASE WHEN h THEN s.township ELSE '' END,
       CASE WHEN h THEN s.village ELSE '' END, CASE WHEN h THEN s.matter ELSE '' END,
       CASE WHEN s.final IN (2, 3) THEN s.unit ELSE '' END, CASE WHEN s.final IN (2, 3) THEN s.level ELSE '' END,
       s.dclose, CASE WHEN s.final = 3 THEN s.township ELSE '' END,
       s.dclose, CASE WHEN s.final = 3 THEN s.rating ELSE '' END, CASE WHEN s.final = 3 THEN s.solved END,
       s.dreo, CASE WHEN s.reopened THEN s.unit ELSE '' END, CASE WHEN s.reopened THEN s.township ELSE '' END,
       s.reopened,
       CASE WHEN s.final IN (0, 1) THEN (ARRAY['none', 'remind', 'supervise', 'notify'])[1 + s.sup] ELSE 'none' END,
       CASE WHEN s.final IN (0, 1) AND s.sup > 0
            THEN (ARRAY[s.t_sup1, s.t_sup2, s.t_sup3])[s.sup] END
FROM bench_steps s CROSS JOIN LATERAL (SELECT NOT s.redirected AS h) x
"""

# The supervision list (feedback.tallies.Flag): the lead's highest level on an open order, and a
# summoned department late to 报到 on it.
FLAGS = """
INSERT INTO report_flags (work_order_id, unit, role, clock, level, rank, since)
SELECT id, unit, 'lead', 'claim', (ARRAY['remind', 'supervise', 'notify'])[sup], 3 - sup,
       (ARRAY[t_sup1, t_sup2, t_sup3])[sup]
FROM bench_steps WHERE final IN (0, 1) AND sup > 0
UNION ALL
SELECT id, summoned, 'summoned', 'report', 'supervise', 1, t_late
FROM bench_steps WHERE final IN (0, 1) AND whistled AND late_to_report
"""

# Roll-ups for a database loaded before they existed (services.db.reports.ALL).
ROLLUPS = """
INSERT INTO report_tallies (grain, start, metric, township, unit, level, n)
SELECT grain, start, metric, '*', unit, level, sum(n) FROM report_tallies WHERE township <> '*'
GROUP BY grain, start, metric, unit, level
UNION ALL
SELECT grain, start, metric, '*', '*', level, sum(n) FROM report_tallies WHERE township <> '*'
GROUP BY grain, start, metric, level;
ANALYZE report_tallies;
"""

STATE_COUNTS = """
DELETE FROM state_count_deltas;
DELETE FROM state_counts;
INSERT INTO state_counts (state, shard, n) SELECT state, 0, count(*) FROM work_orders GROUP BY state;
"""

BIG_TABLES = ("work_orders", "work_order_history", "order_units", "report_orders", "outbox")
# Tables whose rows arrive out of key order: their primary keys are built after the load too.
UNORDERED = ("report_tallies", "report_places")


async def _reference_tables(conn: asyncpg.Connection, county: County) -> None:
    await conn.execute("""
        CREATE TEMP TABLE bench_places (ix int PRIMARY KEY, township text, village text, unit text);
        CREATE TEMP TABLE bench_matters (ix int PRIMARY KEY, code text, dept text, level text);
        CREATE TEMP TABLE bench_units (code text PRIMARY KEY, level text);""")
    await conn.copy_records_to_table("bench_places", records=[(i + 1, t, v, u) for i, (t, v, u, _)
                                                              in enumerate(county.places)])
    await conn.copy_records_to_table("bench_matters", records=[(i + 1, *m) for i, m in enumerate(county.matters)])
    await conn.copy_records_to_table("bench_units", records=sorted(county.unit_level.items()))


async def _without_indexes(conn: asyncpg.Connection) -> tuple[list[str], list[tuple[str, str, str]]]:
    """Drop the secondary indexes and the foreign keys of the big tables (put back after the load:
    building an index once is far cheaper than keeping it up row by row)."""
    rows = await conn.fetch("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY($1::text[]) "
                            "AND indexname NOT IN (SELECT conname FROM pg_constraint)", [*BIG_TABLES, *UNORDERED])
    for r in rows:
        await conn.execute(f'DROP INDEX "{r["indexname"]}"')
    fks = await conn.fetch("SELECT conname, pg_get_constraintdef(oid) AS def, conrelid::regclass::text AS tab "
                           "FROM pg_constraint WHERE contype = 'f' AND confrelid = 'work_orders'::regclass")
    pks = await conn.fetch("SELECT conname, pg_get_constraintdef(oid) AS def, conrelid::regclass::text AS tab "
                           "FROM pg_constraint WHERE contype = 'p' AND conrelid::regclass::text = ANY($1::text[])",
                           list(UNORDERED))
    for fk in [*fks, *pks]:
        await conn.execute(f'ALTER TABLE {fk["tab"]} DROP CONSTRAINT "{fk["conname"]}"')
    return [r["indexdef"] for r in rows], [(fk["tab"], fk["conname"], fk["def"]) for fk in [*pks, *fks]]


async def fill_flags(conn: asyncpg.Connection) -> None:
    """The supervision list from the staging table (also for a database loaded before report_flags)."""
    await conn.execute("DELETE FROM report_flags")
    await conn.execute(FLAGS)
    await conn.execute("ANALYZE report_flags")


async def load(conn: asyncpg.Connection, orders: int, seed: int, *, events: bool = False,
               say: Callable[[str], None] = print) -> dict[str, float]:
    """Load `orders` synthetic orders into the (migrated, empty) database of `conn`; seconds per step."""
    county = County()
    times: dict[str, float] = {}

    async def step(name: str, run: Callable[[], Awaitable[Any]]) -> None:
        t0 = time.perf_counter()
        await run()
        times[name] = time.perf_counter() - t0
        say(f"  {name:<34} {times[name]:8.1f} s")

    await conn.execute("SET synchronous_commit = off; SET work_mem = '1GB'; SET maintenance_work_mem = '1GB'; "
                       "SET max_parallel_workers_per_gather = 0")  # one worker: random() draws repeat with the seed
    await conn.execute("SELECT setseed($1)", (seed % 1000) / 1000)
    await _reference_tables(conn, county)
    indexes, fks = await _without_indexes(conn)
    # The per-row triggers that keep state_counts would touch one row per order: counted once at the end.
    await conn.execute("ALTER TABLE work_orders DISABLE TRIGGER USER")
    days = (LAST_DAY - FIRST_DAY).days
    stage = STAGE.format(
        orders=int(orders), days=days, first_day=FIRST_DAY.isoformat(), place_cum=_floats(county.place_cum),
        matter_cum=_floats(county.matter_cum), departments=_texts(county.departments),
        last_department=len(county.departments) - 1)
    await step("draw the orders (bench_orders)", lambda: conn.execute(stage))
    await step("their steps (bench_steps)", lambda: conn.execute(TIMES + "; DROP TABLE bench_orders"))
    await step("work_orders", lambda: conn.execute(ORDERS))
    await step("work_order_history", lambda: conn.execute(HISTORY))
    await step("order_units", lambda: conn.execute(ORDER_UNITS))
    if events:
        await step("outbox (lifecycle events)", lambda: conn.execute(EVENTS))
    await step("report_tallies", lambda: conn.execute(TALLIES))
    await step("report_places", lambda: conn.execute(PLACES))
    await step("report_orders (tracks)", lambda: conn.execute(TRACKS))
    await step("report_flags", lambda: fill_flags(conn))

    async def rebuild_indexes() -> None:
        for definition in indexes:
            await conn.execute(definition)
        for table, name, definition in fks:
            await conn.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')

    await step("indexes and foreign keys", rebuild_indexes)
    await step("state counts", lambda: conn.execute(STATE_COUNTS))
    await conn.execute("ALTER TABLE work_orders ENABLE TRIGGER USER")
    # The aggregates are read by index-only scans: their visibility maps are set now; the rest is analysed.
    async def vacuum() -> None:
        await conn.execute("VACUUM ANALYZE report_tallies, report_places, report_orders, order_units, state_counts")
        await conn.execute("ANALYZE work_orders, work_order_history, bench_steps")

    await step("VACUUM ANALYZE", vacuum)
    return times
