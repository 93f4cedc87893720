"""One way to refuse: an id the viewer may not see is a 404, an action they may not take a
403 that says who may; email links point to the configured address, whoever sent them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core import mail
from django.test import override_settings
from huey import Huey

from accord.access.models import User
from tests.api.conftest import TokenClient
from tests.goals.conftest import Story


def test_a_goal_seen_but_not_changeable_says_who_may_and_an_unseen_one_is_not_found(
    story: Story, token_client: Callable[[User], TokenClient]
) -> None:
    path = f"/api/goals/{story.ed_stay.pk}"
    eve = token_client(story.cast.executive).client
    response = eve.patch(path, {"title": "Mine"}, content_type="application/json")
    assert response.status_code == 403
    assert "goal's owner, their managers or a program admin" in response.json()["detail"]
    nurse = token_client(story.cast.staff_nurse).client
    response = nurse.patch(path, {"title": "Mine"}, content_type="application/json")
    assert response.status_code == 404
    assert "owner" not in response.content.decode()


def test_a_link_declared_on_the_web_emails_a_link_to_the_configured_address(
    story: Story, immediate_queue: Huey, django_capture_on_commit_callbacks: Any
) -> None:
    chad = story.cast.client_for(story.cast.chair)
    mail.outbox.clear()
    with (
        override_settings(ACCORD_BASE_URL="https://goals.example.net"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = chad.post(
            f"/o/riverside/goals/{story.ed_stay.pk}/links/",
            {"kind": "conflicts", "to_goal": story.readmissions.pk, "note": "Throughput"},
        )
    assert response.status_code == 302, response.content
    [email] = mail.outbox
    assert email.to == ["sue@riverside.example"]
    assert f"https://goals.example.net/o/riverside/goals/{story.readmissions.pk}/" in email.body
