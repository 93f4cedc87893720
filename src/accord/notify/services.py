"""The one way Accord sends email: every capability composes its messages here, with
attachments when it has them, and sends them from a queue task, never while a request waits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: str | bytes
    mimetype: str


def compose_email(
    *, to: Sequence[str], subject: str, body: str, attachments: Sequence[Attachment] = ()
) -> EmailMessage:
    """A plain-text message from Accord's sender address."""
    if not to:
        raise ValueError("An email needs at least one recipient.")
    message = EmailMessage(
        subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=list(to)
    )
    for attachment in attachments:
        message.attach(attachment.filename, attachment.content, attachment.mimetype)
    return message


def send_email(
    *, to: Sequence[str], subject: str, body: str, attachments: Sequence[Attachment] = ()
) -> int:
    """Send one message; returns how many were sent (0 or 1)."""
    return compose_email(to=to, subject=subject, body=body, attachments=attachments).send()


def send_emails(messages: Sequence[EmailMessage]) -> int:
    """Send many messages over one connection to the mail server (survey invitations)."""
    if not messages:
        return 0
    return get_connection().send_messages(list(messages)) or 0
