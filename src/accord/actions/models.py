"""Action plans born from released results, their steps and updates, the team discussions
that come before them, and the audit trail of every change.

A plan answers one *finding*: a released figure of one group (a unit, alone or with one
filter value) in one cycle, copied onto the plan when it is made so that the plan keeps what
it started from whatever the next releases say. Plans belong to their unit: a unit renamed
or moved by an import keeps its rows and so its plans; a unit removed hands them to its
parent (``hand_to_parent_unit``), and the plan says so.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models.deletion import Collector
from django.utils import timezone

from accord.org.models import Organisation, Person, Unit


class PlanStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    ON_HOLD = "on_hold", "On hold"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


OPEN_STATUSES = (PlanStatus.NOT_STARTED, PlanStatus.IN_PROGRESS, PlanStatus.ON_HOLD)


class FindingKind(models.TextChoices):
    OUTCOME = "outcome", "Outcome"
    CONSTRUCT = "construct", "Theme"
    ITEM = "item", "Question"
    DRIVER = "driver", "Driver"


def hand_to_parent_unit(
    collector: Collector, field: models.Field[Any, Any], sub_objs: Any, using: str
) -> None:
    """``on_delete`` for a plan's or a discussion's unit: the rows move to the removed unit's
    parent, and a plan records where it came from. A root unit goes only with its
    organisation, which takes its plans with it."""
    by_parent: dict[int, list[Any]] = {}
    for row in sub_objs:
        parent_id = row.unit.parent_id
        if parent_id is not None:
            by_parent.setdefault(parent_id, []).append(row)
    for parent_id, rows in by_parent.items():
        parent = Unit.objects.using(using).get(pk=parent_id)
        collector.add_field_update(field, parent, rows)
        if hasattr(rows[0], "handed_from"):
            note = f"{rows[0].unit.full_name} (removed {timezone.localdate():%Y-%m-%d})"
            collector.add_field_update(rows[0]._meta.get_field("handed_from"), note[:300], rows)


class LoopSettings(models.Model):
    """How an organisation runs the loop after results are published."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="loop_settings"
    )
    # Days after publishing within which each unit should discuss its results with the team.
    discussion_window_days = models.PositiveSmallIntegerField(default=30)
    # Days after a plan is done before Accord offers its two-question action-feedback pulse.
    feedback_after_days = models.PositiveSmallIntegerField(default=30)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(discussion_window_days__gte=1, discussion_window_days__lte=365),
                name="loop_discussion_window_1_to_365",
            ),
            models.CheckConstraint(
                condition=models.Q(feedback_after_days__gte=7, feedback_after_days__lte=365),
                name="loop_feedback_after_7_to_365",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: discuss within {self.discussion_window_days} days"


class ActionPlan(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="action_plans"
    )
    unit = models.ForeignKey(Unit, on_delete=hand_to_parent_unit, related_name="action_plans")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    # The finding, frozen as it was released.
    cycle = models.ForeignKey("surveys.Cycle", on_delete=models.PROTECT, related_name="+")
    release_number = models.PositiveSmallIntegerField()
    # The unit the figure is of: the plan's own unit when it was made. A plain id, so the
    # finding still names its group in the release after the unit has been removed.
    finding_unit_id = models.BigIntegerField()
    finding_kind = models.CharField(max_length=20, choices=FindingKind.choices)
    finding_key = models.CharField(max_length=60)  # outcome, construct or item id
    finding_label = models.CharField(max_length=300)
    finding_outcome = models.CharField(max_length=60, blank=True)  # what a driver drives
    finding_dimension = models.CharField(max_length=40, blank=True)
    finding_value = models.CharField(max_length=200, blank=True)
    finding_figure = models.FloatField()
    finding_organisation_figure = models.FloatField(null=True, blank=True)
    finding_respondents = models.PositiveIntegerField()
    owners = models.ManyToManyField(Person, related_name="owned_action_plans")
    due_on = models.DateField()
    status = models.CharField(
        max_length=20, choices=PlanStatus.choices, default=PlanStatus.NOT_STARTED
    )
    cancel_reason = models.CharField(max_length=500, blank=True)
    done_on = models.DateField(null=True, blank=True)
    # Where the plan came from when its unit was removed from the org chart.
    handed_from = models.CharField(max_length=300, blank=True)
    # The two-question pulse that asked the unit, after the plan was done, whether it helped.
    feedback_cycle = models.OneToOneField(
        "surveys.Cycle", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=PlanStatus.values), name="plan_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(finding_kind__in=FindingKind.values),
                name="plan_finding_kind_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=PlanStatus.CANCELLED) | ~models.Q(cancel_reason=""),
                name="plan_cancelled_with_a_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(status=PlanStatus.DONE, done_on__isnull=False)
                | (~models.Q(status=PlanStatus.DONE) & models.Q(done_on__isnull=True)),
                name="plan_done_on_when_done",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "unit"], name="plan_org_unit"),
            models.Index(fields=["organisation", "cycle"], name="plan_org_cycle"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class ActionStep(models.Model):
    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="steps")
    title = models.CharField(max_length=200)
    owner = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="action_steps"
    )
    due_on = models.DateField(null=True, blank=True)
    done_on = models.DateField(null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title


class PlanUpdate(models.Model):
    """A dated note on a plan's progress; once its owner publishes it, everyone in the plan's
    unit reads it under "You said, we did"."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="updates")
    written_at = models.DateTimeField(default=timezone.now)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    author_label = models.CharField(max_length=200)
    text = models.TextField()
    status = models.CharField(max_length=20, choices=PlanStatus.choices)  # the plan's, then
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-written_at", "-pk"]
        indexes = [models.Index(fields=["published_at"], name="update_published")]

    def __str__(self) -> str:
        return f"{self.plan}: {self.written_at:%Y-%m-%d}"


class TeamDiscussion(models.Model):
    """Results talked through with the team: when, how many came, what mattered most."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="team_discussions"
    )
    unit = models.ForeignKey(Unit, on_delete=hand_to_parent_unit, related_name="team_discussions")
    cycle = models.ForeignKey("surveys.Cycle", on_delete=models.CASCADE, related_name="+")
    held_on = models.DateField()
    attended = models.PositiveIntegerField()
    what_mattered = models.TextField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["organisation", "cycle"], name="discussion_org_cycle")]

    def __str__(self) -> str:
        return f"{self.unit} discussed {self.cycle} on {self.held_on}"


class PlanAuditEntry(models.Model):
    """Who changed what in action plans and team discussions, and when."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="plan_audit_entries"
    )
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    actor_label = models.CharField(max_length=200)
    action = models.CharField(max_length=60)
    plan = models.ForeignKey(
        ActionPlan, on_delete=models.SET_NULL, null=True, blank=True, related_name="audit_entries"
    )
    target_type = models.CharField(max_length=40)
    target_id = models.BigIntegerField()
    summary = models.CharField(max_length=500)
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name_plural = "plan audit entries"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label}: {self.summary}"
