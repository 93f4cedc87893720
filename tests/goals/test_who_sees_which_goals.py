"""Goals are seen along working relationships; incentive weights by fewer people still."""

from __future__ import annotations

from accord.access.models import Role
from accord.access.scopes import Scope
from accord.access.services import grant_membership
from accord.goals.models import Visibility
from accord.goals.visibility import GoalScope
from tests.cast import PASSWORD, Cast
from tests.goals.conftest import Story
from tests.goals.world import goal


def scope_of(cast: Cast, user) -> GoalScope:  # type: ignore[no-untyped-def]
    return GoalScope(Scope(cast.membership(user)))


def titles(gscope: GoalScope) -> set[str]:
    return set(gscope.goals().values_list("title", flat=True))


def login(cast: Cast, external_id: str, role: str = Role.LEADER):  # type: ignore[no-untyped-def]
    return grant_membership(organisation=cast.riverside, email=f"{external_id}@riverside.example",
                            role=role, person=cast.person(external_id), password=PASSWORD).user  # fmt: skip


def test_peers_in_a_shared_team_see_each_others_goals(story: Story) -> None:
    chad = scope_of(story.cast, story.cast.chair)
    assert {"Fewer surgical readmissions", "Pediatric patient experience", "Safe nurse staffing",
            "Operating margin", "Cut ED length of stay"} <= titles(chad)  # fmt: skip


def test_without_a_shared_team_a_peer_is_out_of_sight(story: Story) -> None:
    story.executive.delete()
    chad = scope_of(story.cast, story.cast.chair)
    assert "Fewer surgical readmissions" not in titles(chad)
    # ...unless its owner opens it to the organisation.
    goal(story.cast, "sue", "Theatre utilisation", direction="increase", baseline="70",
         target="80", visibility=Visibility.ORGANISATION)  # fmt: skip
    assert "Theatre utilisation" in titles(chad)


def test_a_staff_nurse_sees_her_boss_but_not_her_bosss_peers(story: Story) -> None:
    goal(story.cast, "nora", "ED nurse turnover", baseline="18", target="12")
    sam = scope_of(story.cast, story.cast.staff_nurse)
    seen = titles(sam)
    assert "ED nurse turnover" in seen
    assert "Fewer surgical readmissions" not in seen
    # The Emergency team's shared goals reach everyone below its members.
    goal(story.cast, None, "Emergency team goal", team=story.emergency)
    assert "Emergency team goal" in titles(sam)


def test_a_manager_sees_the_goals_of_their_whole_reporting_line(story: Story) -> None:
    goal(story.cast, "sam", "Precept two new nurses", direction="increase", baseline="0",
         target="2")  # fmt: skip
    assert "Precept two new nurses" in titles(scope_of(story.cast, story.cast.chair))
    assert "Precept two new nurses" in titles(scope_of(story.cast, story.cast.nurse_manager))


def test_executives_and_admins_see_every_goal_outsiders_none(story: Story) -> None:
    every = set(story.cast.riverside.goals.values_list("title", flat=True))
    assert titles(scope_of(story.cast, story.cast.executive)) == every
    assert titles(scope_of(story.cast, story.cast.admin)) == every
    olive = GoalScope(Scope(story.cast.membership(story.cast.outsider)))
    assert not olive.goals().filter(organisation=story.cast.riverside).exists()


def test_weights_are_for_the_owner_and_their_managers(story: Story) -> None:
    cast = story.cast
    ceo = scope_of(cast, login(cast, "ceo"))
    sue = scope_of(cast, login(cast, "sue"))
    assert scope_of(cast, cast.chair).can_see_weight(story.ed_stay)  # his own
    assert ceo.can_see_weight(story.ed_stay)  # his boss
    assert not sue.can_see_weight(story.ed_stay)  # a peer, team not opted in
    assert not scope_of(cast, cast.executive).can_see_weight(story.ed_stay)
    assert not scope_of(cast, cast.admin).can_see_weight(story.ed_stay)


def test_team_mates_see_weights_when_the_team_opts_in(story: Story) -> None:
    cast = story.cast
    sue = scope_of(cast, login(cast, "sue"))
    story.executive.share_incentive_weights = True
    story.executive.save()
    assert sue.can_see_weight(story.ed_stay)


def test_the_page_hides_a_weight_from_a_peer(story: Story) -> None:
    cast = story.cast
    sue = cast.client_for(login(cast, "sue"))
    page = sue.get(f"/o/riverside/goals/{story.ed_stay.pk}/").content.decode()
    assert "Not shared with you" in page
    assert "40% of the bonus" not in page
    own = cast.client_for(cast.chair).get(f"/o/riverside/goals/{story.ed_stay.pk}/")
    assert "40% of the bonus" in own.content.decode()
