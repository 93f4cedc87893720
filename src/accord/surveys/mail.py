"""Survey email: invitations and reminders, rendered in the invitee's language and sent in
batches from the queue (``services`` queues them after the cycle's transaction commits)."""

from __future__ import annotations

from django.template.loader import render_to_string
from huey.contrib.djhuey import db_task

from accord.notify.services import compose_email, send_emails
from accord.site import absolute_url
from accord.surveys.models import Cycle
from accord.surveys.tokens import display_token


@db_task(retries=3, retry_delay=60)
def send_survey_emails(messages: list[dict[str, str]]) -> None:
    """Send a batch of invitations or reminders. Returns nothing: the queue's result store
    must not keep the tokens these messages carry."""
    cycles = {
        str(cycle.pk): cycle
        for cycle in Cycle.objects.filter(
            pk__in={int(m["cycle_id"]) for m in messages}
        ).select_related("organisation")
    }
    emails = []
    for message in messages:
        cycle = cycles.get(message["cycle_id"])
        if cycle is None:
            continue
        subject, body = render_survey_email(cycle=cycle, message=message)
        emails.append(compose_email(to=[message["to"]], subject=subject, body=body))
    send_emails(emails)


def render_survey_email(*, cycle: Cycle, message: dict[str, str]) -> tuple[str, str]:
    language = message["language"] if message["language"] in ("en", "es") else "en"
    context = {
        "cycle": cycle,
        "name": message["name"],
        "link": absolute_url(f"/s/{message['token']}/"),
        "code": display_token(message["token"]),
        "closes": cycle.closes_at,
        "time_zone": cycle.organisation.time_zone,
        "organisation": cycle.organisation.name,
        "minimum": cycle.min_group_size,
        "comment_minimum": cycle.min_comment_group_size,
    }
    text = render_to_string(f"surveys/email/{message['kind']}_{language}.txt", context)
    subject, _, body = text.partition("\n")
    return subject.strip(), body.lstrip("\n")
