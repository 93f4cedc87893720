"""Queue tasks for outgoing email: the task other apps queue for a single message."""

from __future__ import annotations

from huey.contrib.djhuey import db_task, task

from accord.notify.services import Attachment, send_email


@db_task(retries=3, retry_delay=60)
def deliver_email(
    *, to: list[str], subject: str, body: str, attachments: tuple[Attachment, ...] = ()
) -> int:
    """Send one email from the worker; retried when the mail server is unavailable."""
    return send_email(to=to, subject=subject, body=body, attachments=attachments)


@task()
def queue_echo(value: str) -> str:
    """Round-trips a value through the queue: used by `accord worker --check` and the tests."""
    return value
