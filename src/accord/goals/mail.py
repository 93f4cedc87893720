"""Email about alignment conversations: the invitation (with its calendar file) and the
reminders. Called from queue tasks (``goals/tasks.py``), never while a request waits; sent
through ``notify``, Accord's one way to send email, with links to ``ACCORD_BASE_URL``."""

from __future__ import annotations

from django.urls import reverse

from accord.goals.agenda import conversation_invitation
from accord.goals.models import Conversation
from accord.notify.calendar import calendar_attachment, local_when
from accord.notify.services import send_email
from accord.site import absolute_url

CALENDAR_FILE = "alignment-conversation.ics"


def _when(conversation: Conversation) -> str:
    return local_when(
        conversation.starts_at, conversation.duration_minutes, conversation.organisation.time_zone
    )


def _page(conversation: Conversation) -> str:
    return absolute_url(
        reverse("conversation-detail", args=[conversation.organisation.slug, conversation.pk])
    )


def _to_both(conversation: Conversation) -> list[str]:
    return [conversation.person_a.email, conversation.person_b.email]


def send_invitation(conversation: Conversation) -> int:
    """Email both people the invitation with the agenda and an .ics file; after a
    reschedule, the updated invitation (the same calendar event, moved)."""
    a, b = conversation.person_a, conversation.person_b
    where = f"\nWhere: {conversation.location}" if conversation.location else ""
    updated = conversation.sequence > 0
    lead = (
        f"{a.name} and {b.name}: your alignment conversation has moved. The new time is "
        "below; the attached invitation updates the event in your calendar.\n\n"
        if updated
        else f"{a.name} and {b.name}: an alignment conversation about your goals.\n\n"
    )
    body = (
        f"{lead}When: {_when(conversation)}{where}\n\n"
        "The calendar invitation is attached. Afterwards, either of you records what came "
        f"of it (links confirmed, conflicts resolved or escalated, commitments) here:\n"
        f"{_page(conversation)}\n\n"
        f"Agenda\n------\n{conversation.agenda}\n"
    )
    subject = f"Alignment conversation: {a.name} and {b.name}"
    return send_email(
        to=_to_both(conversation),
        subject=f"Moved: {subject}" if updated else subject,
        body=body,
        attachments=[calendar_attachment(conversation_invitation(conversation), CALENDAR_FILE)],
    )


def send_cancellation(conversation: Conversation) -> int:
    """Tell both people the conversation is off, with a calendar cancellation."""
    a, b = conversation.person_a, conversation.person_b
    why = (
        f"\n\nThe note left with the cancellation: {conversation.cancellation_note}"
        if conversation.cancellation_note
        else ""
    )
    body = (
        f"{a.name} and {b.name}: the alignment conversation planned for {_when(conversation)} "
        f"is cancelled. The attached file removes it from your calendar.{why}\n\n"
        "You can schedule another one from either person's goals or your team's alignment map:"
        f"\n{_page(conversation)}\n"
    )
    return send_email(
        to=_to_both(conversation),
        subject=f"Cancelled: alignment conversation, {a.name} and {b.name}",
        body=body,
        attachments=[calendar_attachment(conversation_invitation(conversation), CALENDAR_FILE)],
    )


def send_reminder(conversation: Conversation, *, kind: str) -> int:
    """'upcoming': the day before; 'record': after it, when nobody has recorded it yet."""
    a, b = conversation.person_a, conversation.person_b
    if kind == "upcoming":
        subject = f"Tomorrow: alignment conversation, {a.name} and {b.name}"
        lead = f"A reminder of your alignment conversation: {_when(conversation)}."
    else:
        subject = f"What came of it? Alignment conversation, {a.name} and {b.name}"
        lead = (
            "Your alignment conversation was due to take place. Record what you agreed — "
            "links confirmed, conflicts resolved or escalated, commitments with dates — so "
            "your team's alignment map stays true."
        )
    return send_email(
        to=_to_both(conversation),
        subject=subject,
        body=f"{lead}\n\n{_page(conversation)}\n\nAgenda\n------\n{conversation.agenda}\n",
    )
