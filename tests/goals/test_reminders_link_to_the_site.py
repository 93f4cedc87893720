"""Reminder emails link to the conversation on the site."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accord.goals import services, tasks
from tests.cast import Cast
from tests.goals.world import SLUG


def test_a_reminder_links_to_the_conversation_on_the_site(cast: Cast) -> None:
    conversation = services.schedule_conversation(
        organisation=cast.riverside, actor=None, people=(cast.person("chad"), cast.person("nora")),
        starts_at=timezone.now() + dt.timedelta(days=2), notify=False,
    )  # fmt: skip
    mail.outbox.clear()
    assert tasks.remind_about_conversation.call_local(conversation.pk, "upcoming", 0) == 1
    page = reverse("conversation-detail", args=[SLUG, conversation.pk])
    assert f"{settings.ACCORD_BASE_URL}{page}" in mail.outbox[-1].body
