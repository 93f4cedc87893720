"""Conversations can be cancelled; audit entries say which other goal they name."""

from django.db import migrations, models
from django.db.models import Q


def name_other_goals(apps, schema_editor):
    """Older link and contribution entries: the other end when it still exists, else 0 (only
    whole-organisation viewers see those in a goal's history)."""
    AuditEntry = apps.get_model("goals", "AuditEntry")
    GoalLink = apps.get_model("goals", "GoalLink")
    Contribution = apps.get_model("goals", "Contribution")
    entries = AuditEntry.objects.filter(
        Q(action__startswith="link.") | Q(action__startswith="contribution.")
    )
    for entry in entries.iterator():
        other = 0
        if entry.action.startswith("link."):
            link = GoalLink.objects.filter(pk=entry.target_id).first()
            if link is not None:
                other = link.to_goal_id if entry.goal_id == link.from_goal_id else link.from_goal_id
        else:
            contribution = Contribution.objects.filter(pk=entry.target_id).first()
            if contribution is not None:
                other = contribution.serves_id
        entry.other_goal_id = other
        entry.save(update_fields=["other_goal_id"])


class Migration(migrations.Migration):
    dependencies = [("goals", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="auditentry",
            name="other_goal_id",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="conversation",
            name="cancellation_note",
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name="conversation",
            name="cancelled_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name="conversation",
            name="status",
            field=models.CharField(
                choices=[("scheduled", "Scheduled"), ("held", "Held"), ("cancelled", "Cancelled")],
                default="scheduled",
                max_length=10,
            ),
        ),
        migrations.RemoveConstraint(model_name="conversation", name="conversation_status"),
        migrations.AddConstraint(
            model_name="conversation",
            constraint=models.CheckConstraint(
                condition=Q(status__in=["scheduled", "held", "cancelled"]),
                name="conversation_status",
            ),
        ),
        migrations.AddConstraint(
            model_name="conversation",
            constraint=models.CheckConstraint(
                condition=~Q(status="cancelled") | Q(cancelled_at__isnull=False),
                name="conversation_cancelled_has_time",
            ),
        ),
        migrations.RunPython(name_other_goals, migrations.RunPython.noop),
    ]
