"""Email about alignment conversations: the invitation (with its calendar file) and the
reminders. Called from queue tasks (``goals/tasks.py``), never while a request waits."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import timezone

from accord.goals.agenda import invitation_ics
from accord.goals.models import Conversation


def _when(conversation: Conversation) -> str:
    zone = conversation.organisation.time_zone
    try:
        import zoneinfo

        local = conversation.starts_at.astimezone(zoneinfo.ZoneInfo(zone))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        local = timezone.localtime(conversation.starts_at)
    return f"{local:%A %d %B %Y, %H:%M} ({zone}), {conversation.duration_minutes} minutes"


def _page(conversation: Conversation, base_url: str) -> str:
    path = reverse("conversation-detail", args=[conversation.organisation.slug, conversation.pk])
    return base_url.rstrip("/") + path


def send_invitation(conversation: Conversation, *, base_url: str = "") -> int:
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
        f"{_page(conversation, base_url)}\n\n"
        f"Agenda\n------\n{conversation.agenda}\n"
    )
    subject = f"Alignment conversation: {a.name} and {b.name}"
    message = EmailMessage(
        subject=f"Moved: {subject}" if updated else subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[a.email, b.email],
    )
    message.attach(
        "alignment-conversation.ics",
        invitation_ics(conversation),
        "text/calendar; method=REQUEST; charset=utf-8",
    )
    return message.send()


def send_cancellation(conversation: Conversation, *, base_url: str = "") -> int:
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
        f"\n{_page(conversation, base_url)}\n"
    )
    message = EmailMessage(
        subject=f"Cancelled: alignment conversation, {a.name} and {b.name}",
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[a.email, b.email],
    )
    message.attach(
        "alignment-conversation.ics",
        invitation_ics(conversation),
        "text/calendar; method=CANCEL; charset=utf-8",
    )
    return message.send()


def send_reminder(conversation: Conversation, *, kind: str, base_url: str = "") -> int:
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
    message = EmailMessage(
        subject=subject,
        body=f"{lead}\n\n{_page(conversation, base_url)}\n\nAgenda\n------\n{conversation.agenda}\n",
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[a.email, b.email],
    )
    return message.send()
