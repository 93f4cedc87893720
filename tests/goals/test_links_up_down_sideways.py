"""Goals serve goals above them; peers declare sideways links and the other owner answers."""

from __future__ import annotations

import pytest
from django.core import mail
from huey import Huey

from accord.access.scopes import Scope
from accord.goals import services
from accord.goals.models import AuditEntry, GoalLink, LinkStatus
from accord.goals.selectors import goal_page
from accord.goals.visibility import GoalScope
from tests.goals.conftest import Story
from tests.goals.world import goal


def test_a_goal_can_serve_several_goals_above_it(story: Story) -> None:
    org_goal = goal(story.cast, None, "System operating margin", direction="increase",
                    baseline="1", target="3")  # fmt: skip
    services.add_contribution(goal=story.ed_stay, serves=org_goal, actor=None)
    assert set(story.ed_stay.contributions.values_list("serves__title", flat=True)) == {
        "Operating margin", "System operating margin",
    }  # fmt: skip
    page = goal_page(GoalScope(Scope(story.cast.membership(story.cast.executive))), org_goal)
    assert [c.goal.title for c in page.served_by] == ["Cut ED length of stay"]


def test_a_goal_serves_its_owners_managers_not_a_peer(story: Story) -> None:
    with pytest.raises(services.GoalsError, match="is not above Chad Chair"):
        services.add_contribution(goal=story.ed_stay, serves=story.readmissions, actor=None)


def test_a_goal_cannot_serve_a_goal_that_serves_it(story: Story) -> None:
    first = goal(story.cast, None, "Margin", direction="increase", baseline="1", target="3")
    second = goal(story.cast, None, "Growth", direction="increase", baseline="1", target="3")
    third = goal(story.cast, None, "Mission", direction="increase", baseline="1", target="3")
    services.add_contribution(goal=first, serves=second, actor=None)
    services.add_contribution(goal=second, serves=third, actor=None)
    with pytest.raises(services.GoalsError, match="cannot serve a goal that serves it"):
        services.add_contribution(goal=third, serves=first, actor=None)


def test_a_declared_conflict_notifies_the_peer_who_confirms_it(
    story: Story, immediate_queue: Huey, django_capture_on_commit_callbacks
) -> None:
    mail.outbox.clear()
    chad = story.cast.client_for(story.cast.chair)
    with django_capture_on_commit_callbacks(execute=True):
        response = chad.post(f"/o/riverside/goals/{story.ed_stay.pk}/links/", {
            "kind": "conflicts", "to_goal": story.readmissions.pk,
            "note": "Faster discharges from the ED may send patients home too soon.",
        })  # fmt: skip
    assert response.status_code == 302
    link = GoalLink.objects.get()
    assert (link.kind, link.status, link.is_unresolved) == ("conflicts", "proposed", True)
    [email] = mail.outbox
    assert email.to == ["sue@riverside.example"]
    assert "confirm or dispute" in email.subject
    assert f"/o/riverside/goals/{story.readmissions.pk}/" in email.body

    with django_capture_on_commit_callbacks(execute=True):
        services.respond_to_link(link=link, agree=True, actor=None)
    link.refresh_from_db()
    assert link.status == LinkStatus.CONFIRMED
    # A confirmed conflict is still open until it is resolved.
    assert link.is_unresolved and link.is_open_conflict
    assert mail.outbox[-1].to == ["chad@riverside.example"]
    assert AuditEntry.objects.filter(action="link.confirm").exists()


def test_a_dispute_needs_a_reason_and_stays_unresolved(story: Story) -> None:
    link = services.declare_link(from_goal=story.ed_stay, to_goal=story.readmissions,
                                 kind="conflicts", note="Throughput vs quality", actor=None)  # fmt: skip
    with pytest.raises(services.GoalsError, match="Say why you dispute"):
        services.respond_to_link(link=link, agree=False, actor=None)
    link = services.respond_to_link(link=link, agree=False, note="Different patients", actor=None)
    assert link.status == LinkStatus.DISPUTED and link.is_unresolved


def test_only_the_other_owner_answers(story: Story) -> None:
    link = services.declare_link(from_goal=story.ed_stay, to_goal=story.readmissions,
                                 kind="supports", note="Shared discharge lounge", actor=None)  # fmt: skip
    chad = story.cast.client_for(story.cast.chair)
    response = chad.post(f"/o/riverside/goals/links/{link.pk}/answer/", {"answer": "confirm"})
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("kind", "note", "message"),
    [("supports", "", "Add a note"), ("helps", "x", "is not a kind of link")],
)
def test_a_link_needs_a_kind_and_a_note(story: Story, kind: str, note: str, message: str) -> None:
    with pytest.raises(services.GoalsError, match=message):
        services.declare_link(from_goal=story.ed_stay, to_goal=story.readmissions, kind=kind,
                              note=note, actor=None)  # fmt: skip


def test_own_goals_are_not_linked_sideways(story: Story) -> None:
    with pytest.raises(services.GoalsError, match="same person's"):
        services.declare_link(from_goal=story.ed_stay, to_goal=story.nurse_hours,
                              kind="supports", note="both mine", actor=None)  # fmt: skip


def test_accord_suggests_interactions_nobody_declared(story: Story) -> None:
    page = goal_page(GoalScope(Scope(story.cast.membership(story.cast.chair))), story.nurse_hours)
    [suggestion] = page.suggestions
    assert suggestion.other == story.staffing
    assert suggestion.kind == "conflicts"
    assert "keeps within a range" in suggestion.reason
    # Declared, it is no longer a suggestion.
    services.declare_link(from_goal=story.nurse_hours, to_goal=story.staffing,
                          kind="conflicts", note="Labour cost vs safe staffing", actor=None)  # fmt: skip
    page = goal_page(GoalScope(Scope(story.cast.membership(story.cast.chair))), story.nurse_hours)
    assert page.suggestions == []


def test_opposite_pushes_on_one_metric_are_suggested_as_conflicts(story: Story) -> None:
    from accord.goals.suggestions import suggest_for_pair

    up = goal(story.cast, "sue", "Fill beds", metric="Inpatient occupancy", direction="increase",
              baseline="82", target="90")  # fmt: skip
    down = goal(story.cast, "chad", "Free beds", metric="inpatient  occupancy", baseline="92",
                target="85")  # fmt: skip
    suggestion = suggest_for_pair(up, down)
    assert suggestion is not None and suggestion.kind == "conflicts"
    assert "opposite directions" in suggestion.reason
