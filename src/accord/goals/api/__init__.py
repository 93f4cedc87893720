"""API routes for goals, links, check-ins, teams, the alignment map and conversations.

Every handler fetches and checks through the token's ``GoalScope`` and writes through
``goals/services``, like the pages: an id the token may not see is a 404, an action its owner
may not take a 403 (``NotAllowed``), and a service's refusal a 422 naming the field, in the
same shape as the API's validation errors (the handlers are in ``api/api.py``).
"""

from accord.goals.api import conversations, goals, links, teams
from accord.goals.api.common import router

__all__ = ["conversations", "goals", "links", "router", "teams"]
