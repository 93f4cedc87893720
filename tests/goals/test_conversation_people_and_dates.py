"""A conversation is between people who are still here, within a team when it is tagged with
one, on a date the calendar can hold.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.utils import timezone

from accord.access.models import User
from accord.goals import services
from accord.goals.models import Conversation
from tests.api.conftest import TokenClient
from tests.cast import Cast
from tests.goals.conftest import Story
from tests.goals.world import emergency_team, executive_team, url


def test_a_conversation_tagged_with_a_team_needs_both_people_in_it(cast: Cast) -> None:
    executive = executive_team(cast)  # chad is in it, nora is not
    client = cast.client_for(cast.chair)
    target = url("conversation-schedule", cast.person("nora").pk) + f"?team={executive.pk}"
    day = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    response = client.post(target, {"date": day, "time": "10:00", "duration_minutes": 45})
    assert response.status_code == 200
    assert "Nora Manager is not in it" in response.content.decode()
    assert not executive.conversations.exists()
    emergency = emergency_team(cast)
    target = url("conversation-schedule", cast.person("nora").pk) + f"?team={emergency.pk}"
    response = client.post(target, {"date": day, "time": "10:00", "duration_minutes": 45})
    assert response.status_code == 302


def test_a_conversation_in_the_far_future_is_refused_not_a_server_error(
    story: Story, token_client: Callable[[User], TokenClient]
) -> None:
    client = story.cast.client_for(story.cast.chair)
    sue = story.cast.person("sue")
    response = client.post(url("conversation-schedule", sue.pk),
                           {"date": "9999-12-31", "time": "23:30", "duration_minutes": 45})  # fmt: skip
    assert response.status_code == 200
    assert "Choose a date before 2100-12-31." in response.content.decode()
    response = token_client(story.cast.chair).client.post(
        "/api/conversations",
        {"person_ids": [sue.pk], "starts_at": "9999-12-31T23:30:00-06:00"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "starts_at", "message": "Choose a date before 2100-12-31.", "kind": "refused"}
    ]
    assert not Conversation.objects.exists()


def test_a_conversation_with_someone_who_has_left_is_refused(story: Story) -> None:
    sue = story.cast.person("sue")
    sue.is_active = False
    sue.save()
    with pytest.raises(services.GoalsError, match="Sue Surgeon is no longer active"):
        services.schedule_conversation(
            organisation=story.cast.riverside, actor=None,
            people=(story.cast.person("chad"), sue),
            starts_at=timezone.now() + dt.timedelta(days=2), notify=False,
        )  # fmt: skip
