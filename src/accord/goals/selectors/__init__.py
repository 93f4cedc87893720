"""Read-side queries for goals and alignment. Each takes the viewer's GoalScope.

The modules follow the pages: ``goals`` (lists, home, the goal page, the audit trail),
``teams`` (a team's page), ``alignment`` (the map), ``conversations`` (what a conversation is
about). Callers import this package: ``from accord.goals import selectors``.
"""

from accord.goals.selectors.alignment import (
    ALIGNED,
    LINKED,
    STATE_LABELS,
    STATE_SYMBOLS,
    UNKNOWN,
    UNRESOLVED,
    AlignmentMap,
    Edge,
    Node,
    Pair,
    alignment_map,
    my_map_people,
)
from accord.goals.selectors.conversations import conversation_page_links, pair_links
from accord.goals.selectors.goals import (
    ChartData,
    GoalPage,
    GoalRow,
    Home,
    audit_trail,
    goal_history,
    goal_page,
    goal_rows,
    home,
    latest_check_ins,
    progress,
    serve_candidates,
    visible_goals,
)
from accord.goals.selectors.teams import (
    SharedGoalBlock,
    TeamPage,
    periods_of,
    team_members,
    team_page,
)

__all__ = [
    "ALIGNED",
    "LINKED",
    "STATE_LABELS",
    "STATE_SYMBOLS",
    "UNKNOWN",
    "UNRESOLVED",
    "AlignmentMap",
    "ChartData",
    "Edge",
    "GoalPage",
    "GoalRow",
    "Home",
    "Node",
    "Pair",
    "SharedGoalBlock",
    "TeamPage",
    "alignment_map",
    "audit_trail",
    "conversation_page_links",
    "goal_history",
    "goal_page",
    "goal_rows",
    "home",
    "latest_check_ins",
    "my_map_people",
    "pair_links",
    "periods_of",
    "progress",
    "serve_candidates",
    "team_members",
    "team_page",
    "visible_goals",
]
