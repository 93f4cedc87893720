"""The links an alignment conversation is about: those between the two people's goals."""

from __future__ import annotations

from django.db.models import Q

from accord.goals.models import (
    Conversation,
    GoalLink,
)
from accord.goals.visibility import GoalScope
from accord.org.models import Person


def pair_links(a: Person, b: Person, *, period: str = "") -> list[GoalLink]:
    """Sideways links between two people's goals, either way."""
    links = GoalLink.objects.filter(
        Q(from_goal__owner=a, to_goal__owner=b) | Q(from_goal__owner=b, to_goal__owner=a)
    )
    if period:
        links = links.filter(from_goal__period=period)
    return list(links.select_related("from_goal__owner", "to_goal__owner").order_by("pk"))


def conversation_page_links(
    conversation: Conversation, gscope: GoalScope | None = None
) -> list[GoalLink]:
    links = pair_links(conversation.person_a, conversation.person_b)
    if gscope is None:
        return links
    visible = set(
        gscope.goals()
        .filter(pk__in={g for link in links for g in (link.from_goal_id, link.to_goal_id)})
        .values_list("pk", flat=True)
    )
    return [link for link in links if {link.from_goal_id, link.to_goal_id} <= visible]
