"""Queue tasks for surveys: the clock that opens, reminds and closes cycles on time.

The tasks that services queue themselves live beside what they run, so that nothing imports
in a circle: ``services.advance_cycles_soon`` (the "open now"/"close now" buttons) and
``mail.deliver_survey_emails`` and ``mail.resume_survey_emails`` (invitations and reminders,
through the outbox). Importing this module, as the queue worker does, registers them all.
"""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from accord.surveys.mail import send_lapsed_emails
from accord.surveys.services import advance_cycles

logger = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*"))
def advance_cycles_every_minute() -> None:
    result = advance_cycles()
    for cycle_id, reason in result.failed.items():
        logger.warning("survey cycle %s could not open: %s", cycle_id, reason)
    send_lapsed_emails()  # a batch whose sender stopped, or that the mail server refused
