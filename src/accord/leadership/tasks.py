"""Queue tasks for 360s: thin wrappers that load the review again (it may have changed since
the task was queued) and call ``mail.py``; and every minute, finishing the reviews whose
round the surveys clock has closed."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from accord.leadership import mail
from accord.leadership.closing import finish_closed_reviews
from accord.leadership.models import Review


def _review(review_id: int) -> Review | None:
    return (
        Review.objects.select_related("subject", "approver", "coach", "organisation", "cohort")
        .filter(pk=review_id)
        .first()
    )


@db_task(retries=3, retry_delay=60)
def deliver_started(review_id: int) -> int:
    found = _review(review_id)
    return mail.send_started(found) if found else 0


@db_task(retries=3, retry_delay=60)
def deliver_approval_request(review_id: int) -> int:
    found = _review(review_id)
    return mail.send_approval_request(found) if found else 0


@db_task(retries=3, retry_delay=60)
def deliver_report_ready(review_id: int) -> int:
    found = _review(review_id)
    return mail.send_report_ready(found) if found else 0


@db_periodic_task(crontab(minute="*"))
def finish_reviews_every_minute() -> int:
    finished = finish_closed_reviews()
    for review_id in finished:
        deliver_report_ready(review_id)
    return len(finished)
