"""Every goals page renders for the people it is for, with and without data."""

from __future__ import annotations

from django.urls import reverse

from tests.goals.conftest import Story


def test_the_chairs_pages_render(story: Story) -> None:
    client = story.cast.client_for(story.cast.chair)
    slug = "riverside"
    chad = story.cast.person("chad")
    pages = [
        reverse("goal-home", args=[slug]),
        reverse("goal-create", args=[slug]),
        reverse("goal-detail", args=[slug, story.ed_stay.pk]),
        reverse("goal-edit", args=[slug, story.ed_stay.pk]),
        reverse("goal-detail", args=[slug, story.readmissions.pk]),
        reverse("person-goals", args=[slug, chad.pk]),
        reverse("team-list", args=[slug]),
        reverse("team-detail", args=[slug, story.executive.pk]),
        reverse("team-edit", args=[slug, story.emergency.pk]),
        reverse("team-map", args=[slug, story.executive.pk]),
        reverse("my-map", args=[slug, "up"]),
        reverse("my-map", args=[slug, "down"]),
        reverse("goal-import", args=[slug]),
        reverse("conversation-schedule", args=[slug, story.cast.person("sue").pk]),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
