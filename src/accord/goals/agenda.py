"""The agenda of an alignment conversation and its calendar invitation (iCalendar, RFC 5545).

The agenda is written from both people's goals and the links between them, so the two
arrive knowing what each is working towards, where their goals help or get in each other's
way, and what Accord suspects that nobody has declared yet.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from accord.goals.models import Conversation, ConversationStatus, Goal, GoalLink, LinkStatus
from accord.goals.rules import normalise_metric
from accord.goals.selectors.conversations import pair_links
from accord.goals.suggestions import suggest_for_pair
from accord.goals.visibility import goal_scope_of
from accord.notify.calendar import Attendee, Invitation
from accord.org.models import Person


def _number(value: object) -> str:
    return f"{value.normalize():f}" if hasattr(value, "normalize") else str(value)


def describe_target(goal: Goal) -> str:
    unit = f" {goal.metric_unit}" if goal.metric_unit else ""
    if goal.target_upper is not None:
        aim = f"keep within {_number(goal.target)} to {_number(goal.target_upper)}{unit}"
    else:
        aim = f"{goal.get_direction_display().lower()} to {_number(goal.target)}{unit}"
    return f"{goal.metric_name}: {aim} (baseline {_number(goal.baseline)}{unit}) by {goal.due_date:%Y-%m-%d}"


def _goals(person: Person, period: str) -> list[Goal]:
    goals = Goal.objects.filter(owner=person).select_related("unit").order_by("-period", "title")
    if period:
        goals = goals.filter(period=period)
    else:
        latest = goals.values_list("period", flat=True).first()
        goals = goals.filter(period=latest) if latest else goals
    return list(goals)


def _link_line(link: GoalLink) -> str:
    state = link.get_status_display().lower()
    if link.is_open_conflict and link.status == LinkStatus.CONFIRMED:
        state = "confirmed, not yet resolved"
    return (
        f"- {link.from_goal.owner.name}'s “{link.from_goal.title}” {link.get_kind_display()} "  # type: ignore[union-attr]
        f"{link.to_goal.owner.name}'s “{link.to_goal.title}” ({state}). {link.note}"
    )


def build_agenda(a: Person, b: Person, *, period: str = "") -> str:
    """Each person's goals that the other may see, and the links both may see: the agenda
    goes to both of them (and into their calendars), so it shows neither anything more."""
    seen_by_a, seen_by_b = goal_scope_of(a).goals(), goal_scope_of(b).goals()

    def seen(goals: QuerySet[Goal], ids: Iterable[int]) -> set[int]:
        return set(goals.filter(pk__in=list(ids)).values_list("pk", flat=True))

    goals_a, goals_b = _goals(a, period), _goals(b, period)
    shown_a = seen(seen_by_b, (g.pk for g in goals_a))
    shown_b = seen(seen_by_a, (g.pk for g in goals_b))
    goals_a = [g for g in goals_a if g.pk in shown_a]
    goals_b = [g for g in goals_b if g.pk in shown_b]
    lines = [f"Alignment conversation: {a.name} and {b.name}", ""]
    lines.append("1. What each of you is working towards")
    for person, goals in ((a, goals_a), (b, goals_b)):
        lines.append(f"{person.name}:")
        if not goals:
            lines.append("- no goals recorded in Accord yet: bring them to the conversation")
        lines += [f"- {g.title} — {describe_target(g)}" for g in goals]
    lines += ["", "2. How your goals affect each other"]
    links = pair_links(a, b)
    ends = {pk for link in links for pk in (link.from_goal_id, link.to_goal_id)}
    both = seen(seen_by_a, ends) & seen(seen_by_b, ends)
    links = [link for link in links if link.from_goal_id in both and link.to_goal_id in both]
    if links:
        lines += [_link_line(link) for link in links]
    else:
        lines.append("- nothing declared yet: does work on one goal help or hurt the other?")
    linked = {frozenset((link.from_goal_id, link.to_goal_id)) for link in links}
    suspected = []
    for goal in goals_a:
        for other in goals_b:
            if frozenset((goal.pk, other.pk)) in linked:
                continue
            suggestion = suggest_for_pair(goal, other)
            if suggestion is not None:
                suspected.append(
                    f"- “{goal.title}” may {suggestion.kind_label} “{other.title}”: "
                    f"{suggestion.reason}"
                )
    if suspected:
        lines += ["", "3. Suggested by Accord (not declared by anyone; check them together)"]
        lines += suspected
    shared = {normalise_metric(g.metric_name) for g in goals_a} & {
        normalise_metric(g.metric_name) for g in goals_b
    }
    if shared:
        lines.append(f"- You both measure: {', '.join(sorted(shared))}.")
    lines += [
        "",
        f"{4 if suspected else 3}. Commitments",
        "- What will each of you do to help the other succeed, and by when?",
        "- Which conflicts can you settle between you, and which need your leader?",
    ]
    return "\n".join(lines)


def conversation_invitation(conversation: Conversation) -> Invitation:
    """The conversation as a calendar event for both people (``notify.calendar``)."""
    a, b = conversation.person_a, conversation.person_b
    return Invitation(
        uid=conversation.uid,
        sequence=conversation.sequence,
        starts_at=conversation.starts_at,
        duration_minutes=conversation.duration_minutes,
        summary=f"Alignment conversation: {a.name} and {b.name}",
        description=conversation.agenda,
        location=conversation.location,
        attendees=(Attendee(a.name, a.email), Attendee(b.name, b.email)),
        cancelled=conversation.status == ConversationStatus.CANCELLED,
        product="Alignment conversations",
    )
