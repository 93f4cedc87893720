"""Sideways links between peers' goals: declared by one owner, confirmed or disputed by the
other, resolved or escalated when they conflict, reworded or withdrawn by the declaring side.
The other owner is emailed about each, through the queue once the change has committed."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accord.access.models import User
from accord.goals import rules
from accord.goals.errors import GoalsError
from accord.goals.models import Goal, GoalLink, LinkKind, LinkStatus, Resolution
from accord.goals.services.audit import audit
from accord.goals.visibility import goal_scope_of
from accord.notify.tasks import deliver_email
from accord.site import absolute_url


def _notify(*, to: str, subject: str, body: str) -> None:
    """Queue an email once the transaction has committed (never for a rolled-back change)."""
    if not to:
        return
    transaction.on_commit(lambda: deliver_email(to=[to], subject=subject, body=body))


def _goal_url(goal: Goal) -> str:
    return absolute_url(reverse("goal-detail", args=[goal.organisation.slug, goal.pk]))


@transaction.atomic
def declare_link(
    *,
    from_goal: Goal,
    to_goal: Goal,
    kind: str,
    note: str,
    actor: User | None,
    via: str = "",
) -> GoalLink:
    """Declare that one person's goal supports, conflicts with or depends on a peer's goal.

    The other owner is emailed and can confirm or dispute it; until then it is unresolved.
    """
    note = (note or "").strip()
    if kind not in LinkKind.values:
        raise GoalsError(
            f"{kind!r} is not a kind of link: use supports, conflicts or depends.", field="kind"
        )
    if not note:
        raise GoalsError(
            "Add a note: say in a sentence how the two goals affect each other.", field="note"
        )
    if from_goal.organisation_id != to_goal.organisation_id:
        raise GoalsError("That goal belongs to another organisation.", field="to_goal")
    if from_goal.owner is None or to_goal.owner is None:
        raise GoalsError(rules.SIDEWAYS_LINKS_JOIN_PEOPLE, field="to_goal")
    if from_goal.owner_id == to_goal.owner_id:
        raise GoalsError(
            "Both goals are the same person's; a sideways link is between peers.",
            field="to_goal",
        )
    if not goal_scope_of(to_goal.owner).goals().filter(pk=from_goal.pk).exists():
        raise GoalsError(
            f"{to_goal.owner.name} may not see “{from_goal.title}”, so they could not answer "
            "the link. Open the goal to the whole organisation first, or talk to them directly.",
            field="to_goal",
        )
    if GoalLink.objects.filter(from_goal=from_goal, to_goal=to_goal, kind=kind).exists():
        raise GoalsError(
            f"“{from_goal.title}” is already declared to {LinkKind(kind).label} “{to_goal.title}”.",
            field="to_goal",
        )
    link = GoalLink.objects.create(
        organisation=from_goal.organisation, from_goal=from_goal, to_goal=to_goal, kind=kind,
        note=note, declared_by=actor,
    )  # fmt: skip
    audit(
        organisation=from_goal.organisation, actor=actor, via=via, action="link.declare",
        target=link, goal=from_goal, other_goal=to_goal,
        summary=f"Declared that “{from_goal.title}” {link.get_kind_display()} "
        f"“{to_goal.title}” ({to_goal.owner.name})",
        changes={"kind": kind, "note": note, "to_goal": to_goal.title},
    )  # fmt: skip
    declarer = from_goal.owner.name
    _notify(
        to=to_goal.owner.email,
        subject=f"{declarer} linked a goal to yours: please confirm or dispute",
        body=(
            f"{declarer} says that their goal “{from_goal.title}” {link.get_kind_display()} "
            f"your goal “{to_goal.title}”.\n\nTheir note: {note}\n\n"
            "Open your goal in Accord to confirm the link or dispute it:\n"
            f"{_goal_url(to_goal)}\n"
        ),
    )
    return link


@transaction.atomic
def respond_to_link(
    *,
    link: GoalLink,
    agree: bool,
    note: str = "",
    actor: User | None,
    via: str = "",
) -> GoalLink:
    """The other owner confirms a declared link or disputes it (a dispute needs a reason)."""
    note = (note or "").strip()
    if not agree and not note:
        raise GoalsError(
            "Say why you dispute the link, so your colleague can answer.", field="note"
        )
    locked = GoalLink.objects.select_for_update().get(pk=link.pk)
    before = locked.status
    locked.status = LinkStatus.CONFIRMED if agree else LinkStatus.DISPUTED
    locked.response_note = note
    locked.responded_at = timezone.now()
    locked.save(update_fields=["status", "response_note", "responded_at"])
    to_goal, from_goal = locked.to_goal, locked.from_goal
    audit(
        organisation=locked.organisation, actor=actor, via=via,
        action="link.confirm" if agree else "link.dispute", target=locked, goal=to_goal,
        other_goal=from_goal,
        summary=f"{'Confirmed' if agree else 'Disputed'} that “{from_goal.title}” "
        f"{locked.get_kind_display()} “{to_goal.title}”",
        changes={"status": [before, locked.status], "response_note": note},
    )  # fmt: skip
    if from_goal.owner is not None and to_goal.owner is not None:
        _notify(
            to=from_goal.owner.email,
            subject=f"{to_goal.owner.name} {'confirmed' if agree else 'disputed'} your goal link",
            body=(
                f"{to_goal.owner.name} {'confirmed' if agree else 'disputed'} that "
                f"“{from_goal.title}” {locked.get_kind_display()} “{to_goal.title}”."
                + (f"\n\nTheir note: {note}" if note else "")
                + f"\n\n{_goal_url(from_goal)}\n"
            ),
        )
    return locked


@transaction.atomic
def resolve_link(
    *, link: GoalLink, resolution: str, note: str = "", actor: User | None, via: str = ""
) -> GoalLink:
    """Mark a conflict resolved or escalated (or open again)."""
    if resolution not in Resolution.values:
        raise GoalsError(
            f"{resolution!r} is not a resolution: use resolved, escalated or open.",
            field="resolution",
        )
    note = (note or "").strip()
    if len(note) > 2000:
        raise GoalsError("A note is at most 2,000 characters.", field="resolution_note")
    locked = GoalLink.objects.select_for_update().get(pk=link.pk)
    if locked.kind != LinkKind.CONFLICTS:
        raise GoalsError(
            "Only a conflict is resolved or escalated; withdraw or dispute other links.",
            field="resolution",
        )
    before = locked.resolution
    locked.resolution = resolution
    locked.resolution_note = note
    locked.save(update_fields=["resolution", "resolution_note"])
    label = Resolution(resolution).label.lower()
    audit(
        organisation=locked.organisation, actor=actor, via=via, action="link.resolve",
        target=locked, goal=locked.from_goal, other_goal=locked.to_goal,
        summary=f"Marked “{locked.from_goal.title}” {locked.get_kind_display()} "
        f"“{locked.to_goal.title}” as {label}",
        changes={"resolution": [before, resolution], "resolution_note": locked.resolution_note},
    )  # fmt: skip
    return locked


@transaction.atomic
def change_link_note(*, link: GoalLink, note: str, actor: User | None, via: str = "") -> GoalLink:
    """The declaring side rewords a link. An answer given to the old wording no longer holds:
    the link waits for the other owner again, and they are asked again."""
    note = (note or "").strip()
    if not note:
        raise GoalsError(
            "Add a note: say in a sentence how the two goals affect each other.", field="note"
        )
    if len(note) > 2000:
        raise GoalsError("A note is at most 2,000 characters.", field="note")
    locked = (
        GoalLink.objects.select_for_update(of=("self",))
        .select_related("from_goal__owner", "to_goal__owner", "organisation")
        .get(pk=link.pk)
    )
    if locked.note == note:
        return locked
    before = {"note": locked.note, "status": locked.status}
    locked.note = note
    if locked.status != LinkStatus.PROPOSED:
        locked.status = LinkStatus.PROPOSED
        locked.response_note = ""
        locked.responded_at = None
    locked.save(update_fields=["note", "status", "response_note", "responded_at"])
    from_goal, to_goal = locked.from_goal, locked.to_goal
    audit(
        organisation=locked.organisation, actor=actor, via=via, action="link.update",
        target=locked, goal=from_goal, other_goal=to_goal,
        summary=f"Reworded the link “{from_goal.title}” {locked.get_kind_display()} "
        f"“{to_goal.title}”",
        changes={"note": [before["note"], note], "status": [before["status"], locked.status]},
    )  # fmt: skip
    if to_goal.owner is not None and from_goal.owner is not None:
        _notify(
            to=to_goal.owner.email,
            subject=f"{from_goal.owner.name} reworded a link to your goal: please answer again",
            body=(
                f"{from_goal.owner.name} now says that “{from_goal.title}” "
                f"{locked.get_kind_display()} your goal “{to_goal.title}”.\n\n"
                f"Their note: {note}\n\nOpen your goal in Accord to confirm or dispute it:\n"
                f"{_goal_url(to_goal)}\n"
            ),
        )
    return locked


@transaction.atomic
def withdraw_link(*, link: GoalLink, actor: User | None, via: str = "") -> None:
    """The declaring side takes a sideways link back; the other owner is told. The audit
    entry keeps what the link said."""
    locked = (
        GoalLink.objects.select_for_update(of=("self",))
        .select_related("from_goal__owner", "to_goal__owner", "organisation")
        .filter(pk=link.pk)
        .first()
    )
    if locked is None:
        raise GoalsError("This link has already been withdrawn.")
    from_goal, to_goal = locked.from_goal, locked.to_goal
    audit(
        organisation=locked.organisation, actor=actor, via=via, action="link.withdraw",
        target=locked, goal=from_goal, other_goal=to_goal,
        summary=f"Withdrew the link “{from_goal.title}” {locked.get_kind_display()} "
        f"“{to_goal.title}”",
        changes={"kind": locked.kind, "note": locked.note, "status": locked.status,
                 "response_note": locked.response_note, "resolution": locked.resolution},
    )  # fmt: skip
    locked.delete()
    if to_goal.owner is not None and from_goal.owner is not None:
        _notify(
            to=to_goal.owner.email,
            subject=f"{from_goal.owner.name} withdrew a link to your goal",
            body=(
                f"{from_goal.owner.name} withdrew the link saying that “{from_goal.title}” "
                f"{locked.get_kind_display()} your goal “{to_goal.title}”; there is nothing "
                f"to answer.\n\n{_goal_url(to_goal)}\n"
            ),
        )
