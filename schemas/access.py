"""Who may do what (SPEC §9): roles, permissions and the one table that joins them.

Every endpoint names the permission it needs; nothing else decides whether a role may act.
Which *orders* a unit may see is the other half of the policy: `may_handle` below.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    operator = "operator"  # 话务员: enters appeals on a caller's behalf, records 回访
    dispatcher = "dispatcher"  # 派单员: review queue, reassign, arbitrate, approve extensions
    unit = "unit"  # a handling unit's system or staff, scoped to that one unit
    supervisor = "supervisor"  # 督办 / 考核: reads everything, supervision lists, reports
    admin = "admin"  # keys and configuration
    open311_client = "open311-client"  # an existing 311 client (Open311 GeoReport v2)


class Permission(StrEnum):
    submit_for_caller = "submit_for_caller"  # appeals on channels other than citizen self-service
    classify = "classify"  # dry-run routing
    review = "review"  # work the review queue, reassign an order
    decide_extension = "decide_extension"
    read_any_order = "read_any_order"  # an order's full view and audit, any unit's list
    act_as_unit = "act_as_unit"  # claim, contact, progress, resolve, return, extension, 上报, 吹哨, 报到
    callback = "callback"  # record the centre's 回访 of a citizen
    read_reports = "read_reports"  # reports, supervision lists, dashboard
    read_units = "read_units"  # the list of handling units and their topics
    manage_keys = "manage_keys"
    open311 = "open311"


_EVERYONE_STAFF = frozenset({Role.operator, Role.dispatcher, Role.unit, Role.supervisor, Role.admin})

# The one table of who may do what.
POLICY: dict[Permission, frozenset[Role]] = {
    Permission.submit_for_caller: frozenset({Role.operator, Role.admin}),
    Permission.classify: frozenset({Role.operator, Role.dispatcher, Role.supervisor, Role.admin}),
    Permission.review: frozenset({Role.dispatcher, Role.admin}),
    Permission.decide_extension: frozenset({Role.dispatcher, Role.admin}),
    Permission.read_any_order: frozenset({Role.operator, Role.dispatcher, Role.supervisor, Role.admin}),
    Permission.act_as_unit: frozenset({Role.unit}),
    Permission.callback: frozenset({Role.operator, Role.admin}),
    Permission.read_reports: frozenset({Role.supervisor, Role.admin}),
    Permission.read_units: _EVERYONE_STAFF,
    Permission.manage_keys: frozenset({Role.admin}),
    Permission.open311: frozenset({Role.open311_client, Role.admin}),
}


@dataclass(frozen=True)
class Principal:
    """The authenticated caller: one API key's role (and unit, for a unit key)."""

    key_id: str
    role: Role
    name: str
    unit: str | None = None

    @property
    def actor(self) -> str:
        """How history and audit records name this caller: role, unit and key, never body text."""
        who = f"{self.role.value}:{self.unit}" if self.unit else self.role.value
        return f"{who}/{self.key_id}"


def allows(principal: Principal, permission: Permission) -> bool:
    return principal.role in POLICY[permission]


def may_handle(principal: Principal, order_units: Collection[str]) -> bool:
    """A unit sees and acts on an order only while it is in its hands (lead, assisting or
    summoned); staff with `read_any_order` see every order."""
    if allows(principal, Permission.read_any_order):
        return True
    return principal.role is Role.unit and principal.unit in order_units


def sees_contact(principal: Principal, lead_unit: str | None, *, confidential: bool) -> bool:
    """The caller's name and number: only the lead unit, which must call the citizen back; no one
    at all when the citizen asked for 保密."""
    return not confidential and principal.role is Role.unit and principal.unit == lead_unit
