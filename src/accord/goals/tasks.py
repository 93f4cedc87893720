"""Queue tasks for alignment conversations: thin wrappers that load the conversation again
(it may have changed since the task was queued) and call ``goals/mail.py``."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from huey.contrib.djhuey import db_task

from accord.goals import mail
from accord.goals.models import Conversation, ConversationStatus

REMIND_BEFORE = dt.timedelta(days=1)
ASK_TO_RECORD_AFTER = dt.timedelta(hours=2)


def _load(conversation_id: int) -> Conversation | None:
    return (
        Conversation.objects.select_related("person_a", "person_b", "organisation")
        .filter(pk=conversation_id)
        .first()
    )


@db_task(retries=3, retry_delay=60)
def deliver_invitation(conversation_id: int, sequence: int | None = None) -> int:
    """The invitation, or the update after a reschedule. Skipped when the conversation has
    changed again since (a later message, with a higher sequence, is on its way)."""
    found = _load(conversation_id)
    if found is None or found.status != ConversationStatus.SCHEDULED:
        return 0
    if sequence is not None and found.sequence != sequence:
        return 0
    return mail.send_invitation(found)


@db_task(retries=3, retry_delay=60)
def deliver_cancellation(conversation_id: int, sequence: int | None = None) -> int:
    found = _load(conversation_id)
    if found is None or found.status != ConversationStatus.CANCELLED:
        return 0
    if sequence is not None and found.sequence != sequence:
        return 0
    return mail.send_cancellation(found)


@db_task(retries=3, retry_delay=60)
def remind_about_conversation(conversation_id: int, kind: str, sequence: int) -> int:
    """Send a reminder unless the conversation was recorded or moved since it was queued."""
    found = (
        Conversation.objects.select_related("person_a", "person_b", "organisation")
        .filter(pk=conversation_id, status=ConversationStatus.SCHEDULED, sequence=sequence)
        .first()
    )
    if found is None:
        return 0
    return mail.send_reminder(found, kind=kind)


def schedule_reminders(conversation: Conversation) -> None:
    """Queue the day-before reminder (when there is still a day to go) and the request to
    record the outcome shortly after the conversation ends."""
    now = timezone.now()
    before = conversation.starts_at - REMIND_BEFORE
    if before > now:
        remind_about_conversation.schedule(
            args=(conversation.pk, "upcoming", conversation.sequence), eta=before
        )
    after = (
        conversation.starts_at
        + dt.timedelta(minutes=conversation.duration_minutes)
        + ASK_TO_RECORD_AFTER
    )
    remind_about_conversation.schedule(
        args=(conversation.pk, "record", conversation.sequence), eta=after
    )
