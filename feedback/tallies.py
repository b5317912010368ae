"""What each event adds to, or takes back from, the report aggregates (SPEC §7).

The reports consumer keeps one `OrderTrack` per order and folds every event of the order through
`Tallier.apply`, which updates the track and returns the deltas to add to the aggregates. Every
figure of every report is a sum of these tallies, so each definition lives here once:

* hand-over figures (派单, 签收, 按时签收, 办结, 按时办结, 退单, 上报) count each hand-over of an order
  to a unit on the day of that hand-over: "of the orders given to unit U in the period, how many
  were claimed on time" (the numerator is always part of the denominator);
* 631 counts an order while it is closed, on the day it closed, at the level of the unit whose
  resolution closed it; a reopened order's close is taken back;
* ratings count on the day of the rating, against the unit whose resolution was rated; one
  rating per resolution, so a later rating of the same resolution replaces the earlier one;
* hot spots count each order once, on the day of its first hand-over, under its latest matter and
  place (a dispatcher's correction moves it);
* everything else (reopens, supervision records, extensions, townships' ratings of departments)
  counts on the day it happened.

New kinds of event plug in by adding a handler for their `action` to `Tallier._handlers`; an
event no handler knows adds nothing (but still keeps the order's place, matter and state current).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from schemas import lifecycle
from schemas.lifecycle import IN_HANDS_STATES


class Metric(StrEnum):
    received = "received"  # orders received (day received)
    redirected = "redirected"  # handed to an emergency line
    responded = "responded"  # first response: first hand-over or redirect
    response_seconds = "response_seconds"  # seconds from receipt to the first response, summed
    handed_over = "handed_over"  # hand-overs to the unit (cohort: day of hand-over)
    claimed = "claimed"
    claimed_on_time = "claimed_on_time"
    resolved = "resolved"
    resolved_on_time = "resolved_on_time"
    returned = "returned"
    escalated = "escalated"  # the hand-over ended passed one level up (上报/吹哨)
    first_handed_over = "first_handed_over"  # an order's first hand-over (精准派单)
    first_auto = "first_auto"  # ... made by the router without a dispatcher
    first_returned = "first_returned"  # ... that the unit returned (wrong dispatch)
    closed = "closed"  # 631: orders closed (close day, resolving unit and its level)
    rated = "rated"
    solved = "solved"
    satisfied = "satisfied"
    basically_satisfied = "basically_satisfied"
    unsatisfied = "unsatisfied"
    reopened = "reopened"  # against the unit whose resolution was reopened (day reopened)
    reopen_closed = "reopen_closed"  # reopened orders since closed again (day reopened)
    supervision_remind = "supervision_remind"  # supervision records raised, by level (提醒/督办/通报)
    supervision_supervise = "supervision_supervise"
    supervision_notify = "supervision_notify"
    extension_requested = "extension_requested"
    extension_approved = "extension_approved"
    whistle_blown = "whistle_blown"  # 街乡吹哨, against the calling township
    reported_for_duty = "reported_for_duty"  # 部门报到, against the summoned department
    reported_on_time = "reported_on_time"
    dept_rating_sum = "dept_rating_sum"  # 以下评上: a township's 1-5 rating of a department
    dept_rating_count = "dept_rating_count"


SUPERVISION_METRICS: dict[str, Metric] = {
    "remind": Metric.supervision_remind, "supervise": Metric.supervision_supervise,
    "notify": Metric.supervision_notify,
}
RATING_METRICS: dict[str, Metric] = {
    "satisfied": Metric.satisfied, "basically_satisfied": Metric.basically_satisfied,
    "unsatisfied": Metric.unsatisfied,
}
# Actions that hand the order to a unit (the unit is in the event's `unit`).
HANDOVER_ACTIONS = frozenset({"dispatch", "reopen", "escalate", "reassign"})
OPEN_STATES = frozenset(IN_HANDS_STATES)
TERMINAL_STATES = frozenset(s.value for s in lifecycle.TERMINAL_STATES)


@dataclass(frozen=True, order=True)
class TallyKey:
    metric: str
    day: date
    township: str = ""
    unit: str = ""
    level: str = ""


@dataclass(frozen=True, order=True)
class PlaceKey:
    """A hot-spot cell: one matter at one place (village/community; "" = the township itself)."""

    day: date
    township: str
    village: str
    matter: str


@dataclass
class Deltas:
    """What one event changes: tallies and hot-spot cells (net, may be < 0)."""

    tallies: Counter[TallyKey] = field(default_factory=Counter)
    places: Counter[PlaceKey] = field(default_factory=Counter)

    def merge(self, other: Deltas) -> None:
        self.tallies.update(other.tallies)  # Counter.update adds
        self.places.update(other.places)

    def nonzero(self) -> Deltas:
        return Deltas(Counter({k: n for k, n in self.tallies.items() if n}),
                      Counter({k: n for k, n in self.places.items() if n}))


@dataclass(frozen=True)
class Flag:
    """A supervision flag on the current hand-over, for the supervision list: whose clock (the lead
    unit's claim / first-contact / resolve, or a summoned department's 报到), the highest level
    raised on it and since when."""

    role: str  # lead / summoned
    clock: str
    level: str
    since: datetime


@dataclass
class OrderTrack:
    """The reports consumer's memory of one order: enough to attribute the next event and to take
    back what an earlier one counted. Also the index behind the drill-downs."""

    work_order_id: str
    state: str = ""
    received_at: datetime | None = None
    township: str = ""
    village: str = ""
    matter: str = ""
    # the current hand-over: its unit and level, day and township (the cohort key)
    unit: str = ""
    level: str = ""
    handover_day: date | None = None
    handover_township: str = ""
    handover_open: bool = False
    handovers: int = 0
    claimed: bool = False
    # the first hand-over: the day the order counts in hot spots, under hot_* (its latest place)
    first_day: date | None = None
    hot_township: str = ""
    hot_village: str = ""
    hot_matter: str = ""
    # the current resolution, its close (631) and its rating
    resolved_unit: str = ""
    resolved_level: str = ""
    closed_day: date | None = None
    closed_township: str = ""
    rating_day: date | None = None
    rating: str = ""
    rating_solved: bool | None = None
    # the last reopen (重办), and whether the current close counted as its 整改
    reopen_day: date | None = None
    reopen_unit: str = ""
    reopen_township: str = ""
    reopen_closed: bool = False
    # the highest supervision level raised on the current hand-over (none / remind / supervise / notify)
    supervision: str = "none"
    supervision_at: datetime | None = None
    # every flag of the current hand-over by responsible unit (the lead's and each summoned
    # department's that has not reported); kept in its own table (report_flags), not the track's row
    flags: dict[str, Flag] = field(default_factory=dict)

    def as_row(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in TRACK_FIELDS}


TRACK_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(OrderTrack) if f.name != "flags")
SUPERVISION_RANK = {"none": 0, "remind": 1, "supervise": 2, "notify": 3}

Handler = Callable[["_Step"], None]


class _Step:
    """One event being folded into one track."""

    def __init__(self, track: OrderTrack, data: Mapping[str, Any], at: datetime, day: date) -> None:
        self.track, self.data, self.at, self.day = track, data, at, day
        self.out = Deltas()

    def add(self, metric: Metric, day: date | None, *, township: str = "", unit: str = "", level: str = "",
            n: int = 1) -> None:
        if day is not None and n:
            self.out.tallies[TallyKey(metric.value, day, township, unit, level)] += n

    def handover(self, metric: Metric, n: int = 1) -> None:
        """Count against the current hand-over's cohort."""
        t = self.track
        self.add(metric, t.handover_day, township=t.handover_township, unit=t.unit, level=t.level, n=n)

    def text(self, name: str) -> str:
        value = self.data.get(name)
        return str(value) if value is not None else ""


class Tallier:
    """Folds events into tracks and deltas. `local_day` turns an instant into the county's day."""

    def __init__(self, local_day: Callable[[datetime], date]) -> None:
        self.local_day = local_day
        self._handlers: dict[str, Handler] = {
            "receive": self._receive, "redirect": self._redirect, "claim": self._claim,
            "resolve": self._resolve, "return": self._return, "close": self._close,
            "reopen": self._reopen, "withdraw": self._end_handover, "escalate": self._escalate,
            "rate": self._rate, "callback": self._rate,  # a rating recorded without a change of state
            "supervision_raised": self._supervision, "whistle": self._whistle, "report_duty": self._report_duty,
            "extension_requested": self._extension_requested, "extension_approved": self._extension_approved,
            "dept_rated": self._dept_rated,
        }

    def apply(self, track: OrderTrack, event_type: str, data: Mapping[str, Any]) -> Deltas:
        """Fold one event (its CloudEvents type and JSON data) into `track`; the deltas it makes."""
        at = _instant(data.get("at") or data.get("raised_at"))
        step = _Step(track, data, at, self.local_day(at))
        action = "receive" if event_type.endswith(".workorder.received") else str(data.get("action") or "")
        self._move_hot_spot(step)
        if action in HANDOVER_ACTIONS and data.get("unit"):
            self._handover(step, action)
        else:
            handler = self._handlers.get(action)
            if handler is not None:
                handler(step)
        track.state = step.text("state") or track.state
        if track.state not in OPEN_STATES:
            track.supervision, track.supervision_at = "none", None
            track.flags = {}
        return step.out.nonzero()

    # ---- where the order is ------------------------------------------------------------------
    @staticmethod
    def _move_hot_spot(step: _Step) -> None:
        """Keep the order's place and matter current; a counted hot spot moves with a correction."""
        t, d = step.track, step.data
        for name in ("township", "village"):
            if d.get(name):
                setattr(t, name, str(d[name]))
        if "matter" in d:  # every order summary carries it: null once a correction cleared a matter the new owner
            t.matter = str(d["matter"] or "")  # does not take (override, 改派), counted under none from then on
        place = (t.township, t.village, t.matter)
        if t.first_day is not None and (t.hot_township, t.hot_village, t.hot_matter) != place:
            step.out.places[PlaceKey(t.first_day, t.hot_township, t.hot_village, t.hot_matter)] -= 1
            step.out.places[PlaceKey(t.first_day, t.township, t.village, t.matter)] += 1
            t.hot_township, t.hot_village, t.hot_matter = t.township, t.village, t.matter

    def _receive(self, step: _Step) -> None:
        step.track.received_at = step.at
        step.add(Metric.received, step.day)

    def _first_response(self, step: _Step) -> None:
        t = step.track
        if t.received_at is not None:
            seconds = max(0, round((step.at - t.received_at).total_seconds()))
            step.add(Metric.responded, step.day)
            step.add(Metric.response_seconds, step.day, n=seconds)

    def _redirect(self, step: _Step) -> None:
        step.add(Metric.redirected, step.day, township=step.track.township)
        if step.track.handovers == 0:
            self._first_response(step)

    # ---- hand-overs --------------------------------------------------------------------------
    def _handover(self, step: _Step, action: str) -> None:
        t = step.track
        if t.handover_open and action == "escalate":
            step.handover(Metric.escalated)
        if action == "reopen":
            self._reopen(step)
        t.unit, t.level = step.text("unit"), step.text("level")
        t.handover_day, t.handover_township = step.day, t.township
        t.handover_open, t.claimed = True, False
        t.handovers += 1
        t.supervision, t.supervision_at = "none", None
        t.flags = {}  # a new hand-over: fresh clocks, and an earlier whistle's summons lapse
        step.handover(Metric.handed_over)
        if t.handovers == 1:
            step.handover(Metric.first_handed_over)
            if step.text("actor") == "router":
                step.handover(Metric.first_auto)
            self._first_response(step)
            t.first_day = step.day
            t.hot_township, t.hot_village, t.hot_matter = t.township, t.village, t.matter
            step.out.places[PlaceKey(step.day, t.township, t.village, t.matter)] += 1

    def _claim(self, step: _Step) -> None:
        t = step.track
        if t.handover_open and not t.claimed:
            t.claimed = True
            step.handover(Metric.claimed)
            if step.data.get("on_time"):
                step.handover(Metric.claimed_on_time)

    def _resolve(self, step: _Step) -> None:
        t = step.track
        if not t.handover_open:
            return
        step.handover(Metric.resolved)
        if step.data.get("on_time"):
            step.handover(Metric.resolved_on_time)
        t.handover_open = False
        t.resolved_unit, t.resolved_level = t.unit, t.level
        t.rating_day, t.rating, t.rating_solved = None, "", None  # a new resolution, not yet rated

    def _return(self, step: _Step) -> None:
        t = step.track
        if t.handover_open:
            step.handover(Metric.returned)
            if t.handovers == 1:
                step.handover(Metric.first_returned)
        self._end_handover(step)

    def _escalate(self, step: _Step) -> None:
        if step.track.handover_open:
            step.handover(Metric.escalated)

    @staticmethod
    def _end_handover(step: _Step) -> None:
        step.track.handover_open = False

    # ---- close, ratings, reopen --------------------------------------------------------------
    def _rate(self, step: _Step) -> None:
        """A rating of the current resolution (on close or reopen); it replaces an earlier one."""
        t, rating = step.track, step.text("rating")
        if not rating:
            return
        if t.rating_day is not None:
            self._count_rating(step, t.rating_day, t.rating, t.rating_solved, -1)
        t.rating_day, t.rating = step.day, rating
        solved = step.data.get("solved")
        t.rating_solved = bool(solved) if solved is not None else None
        self._count_rating(step, step.day, rating, t.rating_solved, 1)

    @staticmethod
    def _count_rating(step: _Step, day: date, rating: str, solved: bool | None, n: int) -> None:
        t = step.track
        where = {"township": t.township, "unit": t.resolved_unit, "level": t.resolved_level}
        step.add(Metric.rated, day, n=n, **where)
        if solved:
            step.add(Metric.solved, day, n=n, **where)
        if rating in RATING_METRICS:
            step.add(RATING_METRICS[rating], day, n=n, **where)

    def _close(self, step: _Step) -> None:
        t = step.track
        self._rate(step)
        t.closed_day, t.closed_township = step.day, t.township
        step.add(Metric.closed, step.day, township=t.township, unit=t.resolved_unit, level=t.resolved_level)
        if t.reopen_day is not None and not t.reopen_closed:
            t.reopen_closed = True
            step.add(Metric.reopen_closed, t.reopen_day, township=t.reopen_township, unit=t.reopen_unit)

    def _reopen(self, step: _Step) -> None:
        """重办: a close is taken back (the order no longer counts as resolved), the rating that
        caused it counts, and the reopen counts against the unit whose resolution failed."""
        t = step.track
        if step.text("from_state") == "closed" and t.closed_day is not None:
            step.add(Metric.closed, t.closed_day, township=t.closed_township, unit=t.resolved_unit,
                     level=t.resolved_level, n=-1)
            if t.reopen_closed:
                step.add(Metric.reopen_closed, t.reopen_day, township=t.reopen_township, unit=t.reopen_unit, n=-1)
        t.closed_day, t.closed_township = None, ""
        self._rate(step)
        t.reopen_day, t.reopen_unit, t.reopen_township, t.reopen_closed = step.day, t.resolved_unit, t.township, False
        step.add(Metric.reopened, step.day, township=t.township, unit=t.resolved_unit, level=t.resolved_level)

    # ---- the clocks: supervision, extensions, townships' ratings of departments ------------------
    def _supervision(self, step: _Step) -> None:
        # org.hotline.supervision.raised: `supervision_level` and `responsible_unit` (whose clock);
        # `level` and `unit` of the order summary are the order's 631 level and lead unit.
        t = step.track
        level = step.text("supervision_level") or step.text("level")
        unit = step.text("responsible_unit") or step.text("unit") or t.unit
        metric = SUPERVISION_METRICS.get(level)
        if metric is None:
            return
        step.add(metric, step.day, township=t.township, unit=unit)
        if t.state not in OPEN_STATES:
            return
        role = "summoned" if step.text("role") == "summoned" else "lead"
        if role == "lead" and unit != t.unit:
            return  # a clock of a hand-over that has ended
        earlier = t.flags.get(unit)
        if earlier is None or SUPERVISION_RANK[level] > SUPERVISION_RANK[earlier.level]:
            t.flags[unit] = Flag(role, step.text("clock"), level, step.at)
        if role == "lead" and SUPERVISION_RANK[level] > SUPERVISION_RANK[t.supervision]:
            t.supervision, t.supervision_at = level, step.at

    def _extension_requested(self, step: _Step) -> None:
        step.add(Metric.extension_requested, step.day, township=step.track.township,
                 unit=step.text("requesting_unit") or step.track.unit)

    def _extension_approved(self, step: _Step) -> None:
        step.add(Metric.extension_approved, step.day, township=step.track.township,
                 unit=step.text("requesting_unit") or step.track.unit)

    def _whistle(self, step: _Step) -> None:
        """街乡吹哨: against the calling township's government."""
        step.add(Metric.whistle_blown, step.day, township=step.track.township, unit=step.track.unit)

    def _report_duty(self, step: _Step) -> None:
        """部门报到: against the summoned department, on time or not."""
        dept = step.text("department")
        flag = step.track.flags.get(dept)
        if flag is not None and flag.role == "summoned":
            del step.track.flags[dept]  # reported, late: off the supervision list
        if dept:
            step.add(Metric.reported_for_duty, step.day, township=step.track.township, unit=dept)
            if step.data.get("on_time"):
                step.add(Metric.reported_on_time, step.day, township=step.track.township, unit=dept)

    def _dept_rated(self, step: _Step) -> None:
        score = step.data.get("rating", step.data.get("score"))  # org.hotline.workorder.whistle_rated
        dept = step.text("department")
        if isinstance(score, int) and dept:
            township = step.text("calling_township") or step.text("rated_by_township") or step.track.township
            step.add(Metric.dept_rating_sum, step.day, township=township, unit=dept, n=score)
            step.add(Metric.dept_rating_count, step.day, township=township, unit=dept)


def _instant(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        return datetime.fromisoformat(value)
    raise ValueError(f"event has no time (`at`): {value!r}")
