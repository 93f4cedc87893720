"""The audit trail: every write to goals, links, check-ins, teams and conversations records
who made it, when, and each field before and after, in the same transaction as the change."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from accord.access.models import User
from accord.goals.models import AuditEntry, Goal, Team
from accord.org.models import Organisation, Person, Unit


def _label(actor: User | None, via: str) -> str:
    if actor is not None:
        return f"{actor.full_name} <{actor.email}>" if actor.full_name else actor.email
    return via or "Accord"


def audit_value(value: Any) -> Any:
    """A value as the audit entry's JSON keeps it."""
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Person | Team | Goal | Unit):
        return str(value)
    return value


def audit(
    *,
    organisation: Organisation,
    actor: User | None,
    via: str = "",
    action: str,
    target: Any,
    summary: str,
    changes: dict[str, Any] | None = None,
    goal: Goal | None = None,
    other_goal: Goal | None = None,
) -> AuditEntry:
    """Record a change. ``goal`` is the goal whose history shows it; ``other_goal`` the other
    goal its summary names, so that history shows it only to those who may see both."""
    return AuditEntry.objects.create(
        organisation=organisation,
        actor=actor,
        actor_label=_label(actor, via)[:200],
        action=action,
        target_type=type(target).__name__,
        target_id=target.pk,
        goal=goal,
        other_goal_id=other_goal.pk if other_goal is not None else None,
        summary=summary[:500],
        changes={key: audit_value(value) for key, value in (changes or {}).items()},
    )
