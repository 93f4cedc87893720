"""The audit trail: every write to goals, links, check-ins, teams and conversations records
who made it, when, and each field before and after, in the same transaction as the change."""

from __future__ import annotations

from typing import Any

from accord.access.audit import actor_label, audit_value
from accord.access.models import User
from accord.goals.models import AuditEntry, Goal
from accord.org.models import Organisation


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
        actor_label=actor_label(actor, via),
        action=action,
        target_type=type(target).__name__,
        target_id=target.pk,
        goal=goal,
        other_goal_id=other_goal.pk if other_goal is not None else None,
        summary=summary[:500],
        changes={key: audit_value(value) for key, value in (changes or {}).items()},
    )
