"""Alignment conversations: scheduling one (an agenda, an invitation with a calendar file,
reminders through the queue), moving or cancelling it, recording what came of it and marking
its commitments done."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from accord.access.models import User
from accord.goals import rules, tasks
from accord.goals.agenda import build_agenda
from accord.goals.errors import GoalsError, checked_text
from accord.goals.models import (
    Commitment,
    Conversation,
    ConversationStatus,
    GoalLink,
    LinkStatus,
    Resolution,
    Team,
)
from accord.goals.services.audit import audit, audit_value
from accord.notify.calendar import meeting_time_problem, new_uid, whole_minutes
from accord.org.models import Organisation, Person


@dataclass(frozen=True)
class LinkOutcome:
    """What a conversation decided about one link between the pair's goals."""

    link: GoalLink
    action: str  # "confirm", "resolve", "escalate" or "keep"


@dataclass(frozen=True)
class NewCommitment:
    owner: Person
    text: str
    due_date: dt.date


def _pair(a: Person, b: Person) -> tuple[Person, Person]:
    return (a, b) if a.pk < b.pk else (b, a)


@transaction.atomic
def schedule_conversation(
    *,
    organisation: Organisation,
    actor: User | None,
    via: str = "",
    people: tuple[Person, Person],
    starts_at: dt.datetime,
    duration_minutes: int = 45,
    location: str = "",
    team: Team | None = None,
    period: str = "",
    notify: bool = True,
) -> Conversation:
    """Schedule an alignment conversation: an agenda from both people's goals and links, an
    email invitation with a calendar file to both, and reminders through the queue.

    ``notify=False`` records it without email (the demo logs past conversations this way)."""
    first, second = people
    if first.pk == second.pk:
        raise GoalsError("An alignment conversation takes two different people.", field="person")
    if first.organisation_id != organisation.pk or second.organisation_id != organisation.pk:
        raise GoalsError("Both people must belong to this organisation.", field="person")
    if team is not None:
        in_team = set(
            team.members.filter(pk__in=[first.pk, second.pk]).values_list("pk", flat=True)
        )
        outside = [p.name for p in people if p.pk not in in_team and p.pk != team.leader_id]
        if team.organisation_id != organisation.pk or outside:
            verb = "is" if len(outside) == 1 else "are"
            raise GoalsError(
                f"A conversation for the team {team.name} is between two of its members; "
                f"{' and '.join(outside) or 'they'} {verb} not in it.",
                field="team",
            )
    starts_at = _check_when(starts_at, duration_minutes)
    location = _check_location(location)
    inactive = [p.name for p in people if not p.is_active]
    if inactive:
        raise GoalsError(
            f"{' and '.join(inactive)} {'is' if len(inactive) == 1 else 'are'} no longer active "
            "in the org chart.",
            field="person",
        )
    missing = [p.name for p in people if not p.email]
    if missing:
        raise GoalsError(
            f"No email address in the org chart for {' and '.join(missing)}, so Accord cannot "
            "send the invitation.",
            field="person",
        )
    person_a, person_b = _pair(first, second)
    conversation = Conversation.objects.create(
        organisation=organisation, person_a=person_a, person_b=person_b, team=team,
        starts_at=starts_at, duration_minutes=duration_minutes, location=location,
        agenda=build_agenda(person_a, person_b, period=period),
        uid=new_uid(), organised_by=actor,
    )  # fmt: skip
    audit(
        organisation=organisation, actor=actor, via=via, action="conversation.schedule",
        target=conversation,
        summary=f"Scheduled an alignment conversation for {person_a.name} and "
        f"{person_b.name} on {timezone.localtime(starts_at):%Y-%m-%d %H:%M}",
        changes={"starts_at": starts_at, "duration_minutes": duration_minutes,
                 "location": conversation.location},
    )  # fmt: skip

    if notify:
        _queue_invitation(conversation)
    return conversation


def _check_when(starts_at: dt.datetime, duration_minutes: int) -> dt.datetime:
    problem = meeting_time_problem(starts_at, duration_minutes)
    if problem:
        field, message = problem
        raise GoalsError(message, field=field)
    return whole_minutes(starts_at)


def _check_location(location: str) -> str:
    location = checked_text(location, "location")
    if len(location) > 200:
        raise GoalsError("A location is at most 200 characters.", field="location")
    return location


def _queue_invitation(conversation: Conversation) -> None:
    """Once committed: the invitation (or its update) to both people, and fresh reminders.
    Reminders queued for an earlier sequence find the conversation changed and stay quiet."""
    sequence = conversation.sequence

    def queue() -> None:
        tasks.deliver_invitation(conversation.pk, sequence)
        tasks.schedule_reminders(conversation)

    transaction.on_commit(queue)


def _lock_scheduled(conversation: Conversation, doing: str) -> Conversation:
    locked = (
        Conversation.objects.select_for_update(of=("self",))
        .select_related("person_a", "person_b", "organisation")
        .get(pk=conversation.pk)
    )
    if locked.status == ConversationStatus.HELD:
        raise GoalsError(f"This conversation has already been held, so it cannot be {doing}.")
    if locked.status == ConversationStatus.CANCELLED:
        raise GoalsError(f"This conversation was cancelled, so it cannot be {doing}.")
    return locked


@transaction.atomic
def reschedule_conversation(
    *,
    conversation: Conversation,
    actor: User | None,
    via: str = "",
    starts_at: dt.datetime,
    duration_minutes: int | None = None,
    location: str | None = None,
) -> Conversation:
    """Move a scheduled conversation. Both people get the updated invitation: the same
    calendar event (same UID) with a higher SEQUENCE, so calendars move it."""
    locked = _lock_scheduled(conversation, "rescheduled")
    duration = locked.duration_minutes if duration_minutes is None else duration_minutes
    starts_at = _check_when(starts_at, duration)
    place = locked.location if location is None else _check_location(location)
    before = {"starts_at": locked.starts_at, "duration_minutes": locked.duration_minutes,
              "location": locked.location}  # fmt: skip
    after = {"starts_at": starts_at, "duration_minutes": duration, "location": place}
    changes = {
        k: [audit_value(before[k]), audit_value(after[k])] for k in before if before[k] != after[k]
    }
    if not changes:
        raise GoalsError(
            "That is when and where it already is: change the time, length or place.",
            field="starts_at",
        )
    locked.starts_at, locked.duration_minutes, locked.location = starts_at, duration, place
    locked.sequence += 1
    locked.save(update_fields=["starts_at", "duration_minutes", "location", "sequence"])
    audit(
        organisation=locked.organisation, actor=actor, via=via, action="conversation.reschedule",
        target=locked,
        summary=f"Moved the alignment conversation of {locked.person_a.name} and "
        f"{locked.person_b.name} to {timezone.localtime(starts_at):%Y-%m-%d %H:%M}",
        changes=changes,
    )  # fmt: skip
    _queue_invitation(locked)
    return locked


@transaction.atomic
def cancel_conversation(
    *, conversation: Conversation, actor: User | None, via: str = "", note: str = ""
) -> Conversation:
    """Call a scheduled conversation off. Both people are told, with a calendar cancellation
    (METHOD:CANCEL, same UID, higher SEQUENCE) that removes it from their calendars."""
    note = (note or "").strip()
    if len(note) > 2000:
        raise GoalsError("A note is at most 2,000 characters.", field="note")
    locked = _lock_scheduled(conversation, "cancelled")
    locked.status = ConversationStatus.CANCELLED
    locked.cancelled_at = timezone.now()
    locked.cancellation_note = note
    locked.sequence += 1
    locked.save(update_fields=["status", "cancelled_at", "cancellation_note", "sequence"])
    audit(
        organisation=locked.organisation, actor=actor, via=via, action="conversation.cancel",
        target=locked,
        summary=f"Cancelled the alignment conversation of {locked.person_a.name} and "
        f"{locked.person_b.name} planned for {timezone.localtime(locked.starts_at):%Y-%m-%d %H:%M}",
        changes={"status": [ConversationStatus.SCHEDULED, ConversationStatus.CANCELLED],
                 "note": note},
    )  # fmt: skip
    pk, sequence = locked.pk, locked.sequence

    def queue() -> None:
        tasks.deliver_cancellation(pk, sequence)

    transaction.on_commit(queue)
    return locked


@transaction.atomic
def mark_commitment(
    *, commitment: Commitment, done: bool, actor: User | None, via: str = ""
) -> Commitment:
    """Mark a commitment made in a conversation done, or not done after all."""
    locked = (
        Commitment.objects.select_for_update(of=("self",))
        .select_related("conversation__organisation", "owner")
        .get(pk=commitment.pk)
    )
    if locked.is_done == done:
        return locked
    before = locked.done_at
    locked.done_at = timezone.now() if done else None
    locked.save(update_fields=["done_at"])
    audit(
        organisation=locked.conversation.organisation, actor=actor, via=via,
        action="commitment.done" if done else "commitment.reopen", target=locked,
        summary=f"Marked {locked.owner.name}'s commitment “{locked.text}” "
        f"{'done' if done else 'not done'}",
        changes={"done_at": [audit_value(before), audit_value(locked.done_at)]},
    )  # fmt: skip
    return locked


def commitment_owner(conversation: Conversation, person_id: int) -> Person:
    """Which of the conversation's two people ``person_id`` is: a commitment belongs to one
    of them."""
    for person in conversation.people:
        if person.pk == person_id:
            return person
    raise GoalsError("A commitment belongs to one of the two people.", field="commitments")


@transaction.atomic
def record_conversation(
    *,
    conversation: Conversation,
    actor: User | None,
    via: str = "",
    held_on: dt.date,
    summary: str = "",
    link_outcomes: Sequence[LinkOutcome] = (),
    commitments: Sequence[NewCommitment] = (),
) -> Conversation:
    """Record that a conversation took place and what came of it."""
    locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
    if locked.status == ConversationStatus.HELD:
        raise GoalsError("This conversation has already been recorded.")
    if locked.status == ConversationStatus.CANCELLED:
        raise GoalsError("This conversation was cancelled: schedule a new one.")
    if held_on > timezone.localdate():
        raise GoalsError("The conversation cannot have been held in the future.", field="held_on")
    if held_on < rules.EARLIEST_DATE:
        raise GoalsError("Give the date it was held (after 1900).", field="held_on")
    pair = {locked.person_a_id, locked.person_b_id}
    for outcome in link_outcomes:
        owners = {outcome.link.from_goal.owner_id, outcome.link.to_goal.owner_id}
        if owners != pair:
            raise GoalsError("That link is not between these two people's goals.")
        if outcome.action not in ("confirm", "resolve", "escalate", "keep"):
            raise GoalsError(f"{outcome.action!r} is not an outcome for a link.")
    for commitment in commitments:
        commitment_owner(locked, commitment.owner.pk)
        if not commitment.text.strip():
            raise GoalsError("Say what was committed to.", field="commitments")
        if len(commitment.text.strip()) > 300:
            raise GoalsError("A commitment is at most 300 characters.", field="commitments")
        if not rules.EARLIEST_DATE <= commitment.due_date <= rules.LATEST_DATE:
            raise GoalsError("Give a due date between 1900 and 2100.", field="commitments")
    locked.status = ConversationStatus.HELD
    locked.held_on = held_on
    locked.summary = summary.strip()
    locked.save(update_fields=["status", "held_on", "summary"])
    decided = []
    for outcome in link_outcomes:
        link = outcome.link
        if outcome.action == "confirm" and link.status != LinkStatus.CONFIRMED:
            GoalLink.objects.filter(pk=link.pk).update(
                status=LinkStatus.CONFIRMED, responded_at=timezone.now()
            )
            decided.append(f"confirmed: {link}")
        elif outcome.action in ("resolve", "escalate"):
            resolution = (
                Resolution.RESOLVED if outcome.action == "resolve" else Resolution.ESCALATED
            )
            # Talking it through settles whether the link exists, whatever was decided.
            GoalLink.objects.filter(pk=link.pk).update(
                status=LinkStatus.CONFIRMED, resolution=resolution,
                resolution_note=f"In the conversation of {held_on:%Y-%m-%d}.",
            )  # fmt: skip
            decided.append(f"{resolution.label.lower()}: {link}")
    Commitment.objects.bulk_create(
        Commitment(conversation=locked, owner=c.owner, text=c.text.strip(), due_date=c.due_date)
        for c in commitments
    )
    audit(
        organisation=locked.organisation, actor=actor, via=via, action="conversation.record",
        target=locked,
        summary=f"Recorded the conversation of {locked.person_a.name} and {locked.person_b.name}"
        f" held on {held_on:%Y-%m-%d}",
        changes={"held_on": held_on, "summary": locked.summary, "links": decided,
                 "commitments": [f"{c.owner.name}: {c.text.strip()} by {c.due_date:%Y-%m-%d}"
                                 for c in commitments]},
    )  # fmt: skip
    return locked
