from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage


def send_plain_email(*, to: list[str], subject: str, body: str) -> int:
    if not to:
        raise ValueError("An email needs at least one recipient.")
    message = EmailMessage(
        subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=to
    )
    return message.send()
