"""Queue tasks for agreements: the meeting invitation and its cancellation (thin wrappers that
load the meeting again, since it may have changed since the task was queued), and the
reminders for follow-ups that have fallen due, every quarter of an hour."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from accord.expectations import mail
from accord.expectations.models import Meeting, MeetingStatus
from accord.expectations.reminders import remind_due_follow_ups


def _load(meeting_id: int, status: str, sequence: int) -> Meeting | None:
    """The meeting as it is now, if it still is in ``status`` at ``sequence`` — otherwise a
    later message about it is on its way, and this one stays quiet."""
    return (
        Meeting.objects.select_related(
            "agreement__leader", "agreement__colleague", "agreement__organisation"
        )
        .filter(pk=meeting_id, status=status, sequence=sequence)
        .first()
    )


@db_task(retries=3, retry_delay=60)
def deliver_meeting_invitation(meeting_id: int, sequence: int) -> int:
    found = _load(meeting_id, MeetingStatus.SCHEDULED, sequence)
    return mail.send_meeting_invitation(found) if found else 0


@db_task(retries=3, retry_delay=60)
def deliver_meeting_cancellation(meeting_id: int, sequence: int) -> int:
    found = _load(meeting_id, MeetingStatus.CANCELLED, sequence)
    return mail.send_meeting_cancellation(found) if found else 0


@db_periodic_task(crontab(minute="*/15"))
def remind_follow_ups() -> int:
    return remind_due_follow_ups()
