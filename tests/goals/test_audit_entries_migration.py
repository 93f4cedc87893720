"""The migration gives older audit entries the other goal they name."""

from __future__ import annotations

from accord.goals import services
from accord.goals.models import AuditEntry
from tests.goals.conftest import Story


def test_older_audit_entries_are_given_their_other_goal_by_the_migration(story: Story) -> None:
    import importlib

    from django.apps import apps

    migration = importlib.import_module(
        "accord.goals.migrations.0002_cancel_conversations_audit_other_goal"
    )
    link = services.declare_link(from_goal=story.ed_stay, to_goal=story.readmissions,
                                 kind="conflicts", note="x", actor=None)  # fmt: skip
    services.respond_to_link(link=link, agree=True, actor=None)
    gone = services.add_contribution(goal=story.readmissions, serves=story.margin, actor=None)
    services.remove_contribution(contribution=gone, actor=None)
    AuditEntry.objects.update(other_goal_id=None)  # as the entries were before the field
    migration.name_other_goals(apps, None)
    other = dict(AuditEntry.objects.values_list("action", "other_goal_id"))
    assert other["link.declare"] == story.readmissions.pk
    assert other["link.confirm"] == story.ed_stay.pk
    assert other["contribution.delete"] == 0  # gone: only whole-organisation viewers see it
    assert other["goal.create"] is None
    assert (
        AuditEntry.objects.get(action="contribution.create", goal=story.ed_stay).other_goal_id
        == story.margin.pk
    )
