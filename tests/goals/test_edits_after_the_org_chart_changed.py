"""A team or goal can still be saved after its people or units moved out of reach."""

from __future__ import annotations

import pytest

from accord.goals import services
from accord.org.models import Unit
from tests.goals.conftest import Story
from tests.goals.world import form_data, url


def test_a_team_whose_member_has_left_can_still_be_renamed(story: Story) -> None:
    nora = story.cast.person("nora")
    nora.is_active = False
    nora.save()
    services.update_team(team=story.emergency, actor=None, name="ED leadership",
                         members=list(story.emergency.members.all()))  # fmt: skip
    story.emergency.refresh_from_db()
    assert story.emergency.name == "ED leadership"
    # Adding someone who has left is still refused.
    pat = story.cast.person("pat")
    pat.is_active = False
    pat.save()
    with pytest.raises(services.GoalsError, match="Not active in the org chart: Pat Peds"):
        services.update_team(team=story.emergency, actor=None,
                             members=[*story.emergency.members.all(), pat])  # fmt: skip


def test_a_goal_whose_unit_is_outside_the_editors_scope_can_still_be_saved(
    story: Story,
) -> None:
    pediatrics = Unit.objects.get(organisation=story.cast.riverside, name="Pediatrics")
    services.update_goal(goal=story.ed_stay, actor=None, unit=pediatrics)
    chad = story.cast.client_for(story.cast.chair)
    response = chad.post(url("goal-edit", story.ed_stay.pk),
                         form_data(story.ed_stay, title="Shorter ED stays", unit=pediatrics.pk,
                                   incentive_weight="40"))  # fmt: skip
    assert response.status_code == 302, response.content.decode()[-3000:]
    story.ed_stay.refresh_from_db()
    assert (story.ed_stay.title, story.ed_stay.unit) == ("Shorter ED stays", pediatrics)
