"""Write-side operations on goals, links, check-ins, teams and conversations.

One function per action; the web pages, the API, the command line, the import and the queue
all call these, so the rules hold whichever way a change arrives. Every function writes an
:class:`AuditEntry` in the same transaction as the change it records (``audit.py``).

The modules follow the kinds of change: ``goals`` (goals, check-ins, who owns a goal a viewer
adds), ``contributions`` (up and down), ``links`` (sideways), ``teams``, ``conversations``.
Callers import this package: ``from accord.goals import services; services.create_goal(...)``.
"""

from accord.goals.errors import GoalProblems, GoalsError
from accord.goals.services.audit import audit, audit_value
from accord.goals.services.contributions import add_contribution, remove_contribution
from accord.goals.services.conversations import (
    LinkOutcome,
    NewCommitment,
    cancel_conversation,
    commitment_owner,
    mark_commitment,
    record_conversation,
    reschedule_conversation,
    schedule_conversation,
)
from accord.goals.services.goals import (
    GOAL_FIELDS,
    NewGoalOwner,
    add_goal,
    create_goal,
    default_period,
    new_goal_owner,
    record_check_in,
    record_goals_seen,
    update_goal,
)
from accord.goals.services.links import (
    change_link_note,
    declare_link,
    resolve_link,
    respond_to_link,
    withdraw_link,
)
from accord.goals.services.teams import MAX_TEAM_SIZE, allowed_in_team, create_team, update_team

__all__ = [
    "GOAL_FIELDS",
    "MAX_TEAM_SIZE",
    "GoalProblems",
    "GoalsError",
    "LinkOutcome",
    "NewCommitment",
    "NewGoalOwner",
    "add_contribution",
    "add_goal",
    "allowed_in_team",
    "audit",
    "audit_value",
    "cancel_conversation",
    "change_link_note",
    "commitment_owner",
    "create_goal",
    "create_team",
    "declare_link",
    "default_period",
    "mark_commitment",
    "new_goal_owner",
    "record_check_in",
    "record_conversation",
    "record_goals_seen",
    "remove_contribution",
    "reschedule_conversation",
    "resolve_link",
    "respond_to_link",
    "schedule_conversation",
    "update_goal",
    "update_team",
    "withdraw_link",
]
