"""The goals pages, one module per part of ``goals/urls.py``: goals, sideways links, teams and
maps, conversations. Each view fetches and checks through the viewer's ``GoalScope`` (a 404
for what they may not see, a 403 for what they may not do) and calls one service."""

from accord.goals.views.conversations import (
    commitment_mark,
    conversation_cancel,
    conversation_detail,
    conversation_ics,
    conversation_record,
    conversation_reschedule,
    conversation_schedule,
)
from accord.goals.views.goals import (
    contribution_remove,
    goal_audit,
    goal_check_in,
    goal_contribute,
    goal_create,
    goal_detail,
    goal_edit,
    goal_home,
    goal_import,
    person_goals,
)
from accord.goals.views.links import goal_link, link_resolve, link_respond, link_withdraw
from accord.goals.views.teams import my_map, team_detail, team_edit, team_list, team_map

__all__ = [
    "commitment_mark",
    "contribution_remove",
    "conversation_cancel",
    "conversation_detail",
    "conversation_ics",
    "conversation_record",
    "conversation_reschedule",
    "conversation_schedule",
    "goal_audit",
    "goal_check_in",
    "goal_contribute",
    "goal_create",
    "goal_detail",
    "goal_edit",
    "goal_home",
    "goal_import",
    "goal_link",
    "link_resolve",
    "link_respond",
    "link_withdraw",
    "my_map",
    "person_goals",
    "team_detail",
    "team_edit",
    "team_list",
    "team_map",
]
