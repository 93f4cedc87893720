"""Goals and alignment: leaders' goals and metrics, how goals serve each other up, down and
sideways, leadership teams that own goals together, alignment conversations, and the audit
trail of every change.

A goal belongs to exactly one owner: a person, a leadership team (a shared goal the whole
team is accountable for) or the organisation itself. Links between goals are of two kinds:

* a :class:`Contribution` says a goal serves a goal above it (the boss's, a team's or the
  organisation's); a goal may serve several;
* a :class:`GoalLink` is declared sideways between two people's goals (supports, conflicts
  with, depends on) and waits for the other owner to confirm or dispute it.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q

from accord.org.models import Organisation, Person


class Team(models.Model):
    """A leadership team: a leader and members (the leader is always a member too)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(max_length=200)
    leader = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="teams_led")
    members: models.ManyToManyField[Person, TeamMember] = models.ManyToManyField(
        Person, through="TeamMember", related_name="teams"
    )
    purpose = models.TextField(blank=True)
    # Incentive weights are private to the owner and their managers unless the team opts in.
    share_incentive_weights = models.BooleanField(default=False)
    # "Have these two talked about their goals lately?" looks back this many days.
    conversation_window_days = models.PositiveSmallIntegerField(default=90)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="team_name_unique_per_org"
            ),
            models.CheckConstraint(
                condition=Q(conversation_window_days__gte=1, conversation_window_days__lte=730),
                name="team_window_in_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class TeamMember(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="team_memberships")
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "person"], name="team_member_once"),
        ]

    def __str__(self) -> str:
        return f"{self.person} in {self.team}"


class Direction(models.TextChoices):
    INCREASE = "increase", "Increase"
    DECREASE = "decrease", "Decrease"
    RANGE = "range", "Stay within a range"


class Visibility(models.TextChoices):
    TEAM = "team", "My teams, my boss and my reports"
    ORGANISATION = "organisation", "Everyone in the organisation"


class Goal(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="goals")
    # Exactly one owner kind: a person, a team, or neither (the organisation's own goal).
    owner = models.ForeignKey(
        Person, on_delete=models.CASCADE, null=True, blank=True, related_name="goals"
    )
    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, null=True, blank=True, related_name="shared_goals"
    )
    period = models.CharField(max_length=20)
    title = models.CharField(max_length=200)
    why = models.TextField("why it matters", blank=True)
    metric_name = models.CharField(max_length=120)
    metric_unit = models.CharField(max_length=40, blank=True)
    baseline = models.DecimalField(max_digits=14, decimal_places=4)
    # For a range, target is the lower bound and target_upper the upper bound.
    target = models.DecimalField(max_digits=14, decimal_places=4)
    target_upper = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    direction = models.CharField(max_length=10, choices=Direction.choices)
    due_date = models.DateField()
    # Percentage of the owner's bonus tied to this goal; a person's weights in a period add
    # up to at most 100 (checked in services, where the other goals are known).
    incentive_weight = models.DecimalField(max_digits=5, decimal_places=2, default=0)
    visibility = models.CharField(
        max_length=20, choices=Visibility.choices, default=Visibility.TEAM
    )
    # Where the metric is measured, when it is one part of the organisation.
    unit = models.ForeignKey(
        "org.Unit", on_delete=models.SET_NULL, null=True, blank=True, related_name="goals"
    )
    created_by = models.ForeignKey(
        "access.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["period", "title", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~(Q(owner__isnull=False) & Q(team__isnull=False)),
                name="goal_one_owner_kind",
            ),
            models.CheckConstraint(
                condition=Q(direction__in=Direction.values), name="goal_direction_valid"
            ),
            models.CheckConstraint(
                condition=Q(visibility__in=Visibility.values), name="goal_visibility_valid"
            ),
            models.CheckConstraint(
                condition=Q(incentive_weight__gte=0, incentive_weight__lte=100),
                name="goal_weight_percentage",
            ),
            models.CheckConstraint(
                condition=(
                    Q(direction=Direction.RANGE, target_upper__gte=F("target"))
                    | (~Q(direction=Direction.RANGE) & Q(target_upper__isnull=True))
                ),
                name="goal_range_has_bounds",
            ),
            # Only a person is paid a bonus.
            models.CheckConstraint(
                condition=Q(owner__isnull=False) | Q(incentive_weight=0),
                name="goal_weight_only_for_people",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "owner", "period"], name="goal_org_owner_period"),
            models.Index(fields=["organisation", "team"], name="goal_org_team"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def owner_kind(self) -> str:
        if self.owner_id:
            return "person"
        return "team" if self.team_id else "organisation"

    @property
    def owner_label(self) -> str:
        if self.owner_id:
            return self.owner.name  # type: ignore[union-attr]
        if self.team_id:
            return self.team.name  # type: ignore[union-attr]
        return self.organisation.name


class Confidence(models.TextChoices):
    ON_TRACK = "on_track", "On track"
    AT_RISK = "at_risk", "At risk"
    OFF_TRACK = "off_track", "Off track"


class CheckIn(models.Model):
    """The metric's value on a day, how confident the owner is, and why."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="check_ins")
    value = models.DecimalField(max_digits=14, decimal_places=4)
    confidence = models.CharField(max_length=10, choices=Confidence.choices)
    note = models.TextField(blank=True)
    recorded_on = models.DateField()
    recorded_by = models.ForeignKey(
        "access.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-recorded_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(confidence__in=Confidence.values), name="check_in_confidence_valid"
            ),
            # A goal in trouble needs a reason; the service says so in words first.
            models.CheckConstraint(
                condition=Q(confidence=Confidence.ON_TRACK) | ~Q(note=""),
                name="check_in_trouble_has_note",
            ),
        ]
        indexes = [models.Index(fields=["goal", "-recorded_on"], name="check_in_goal_date")]

    def __str__(self) -> str:
        return f"{self.goal}: {self.value} on {self.recorded_on}"


class Contribution(models.Model):
    """``goal`` serves ``serves`` — a goal of the owner's boss, a team or the organisation."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="contributions")
    serves = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="contributors")
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(
        "access.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["goal", "serves"], name="contribution_once"),
            models.CheckConstraint(condition=~Q(goal=F("serves")), name="contribution_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.goal} → {self.serves}"


class LinkKind(models.TextChoices):
    SUPPORTS = "supports", "supports"
    CONFLICTS = "conflicts", "conflicts with"
    DEPENDS = "depends", "depends on"


class LinkStatus(models.TextChoices):
    PROPOSED = "proposed", "Waiting for the other owner"
    CONFIRMED = "confirmed", "Confirmed by both"
    DISPUTED = "disputed", "Disputed"


class Resolution(models.TextChoices):
    OPEN = "", "Open"
    RESOLVED = "resolved", "Resolved"
    ESCALATED = "escalated", "Escalated"


class GoalLink(models.Model):
    """A sideways link one owner declares between their goal and a peer's goal."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="goal_links"
    )
    from_goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="links_out")
    to_goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="links_in")
    kind = models.CharField(max_length=10, choices=LinkKind.choices)
    note = models.TextField()
    status = models.CharField(
        max_length=10, choices=LinkStatus.choices, default=LinkStatus.PROPOSED
    )
    response_note = models.TextField(blank=True)
    # Conflicts stay open until a conversation (or the owners) resolve or escalate them.
    resolution = models.CharField(
        max_length=10, choices=Resolution.choices, default=Resolution.OPEN, blank=True
    )
    resolution_note = models.TextField(blank=True)
    declared_by = models.ForeignKey(
        "access.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    declared_at = models.DateTimeField(auto_now_add=True)
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-declared_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["from_goal", "to_goal", "kind"], name="goal_link_once_per_kind"
            ),
            models.CheckConstraint(condition=~Q(from_goal=F("to_goal")), name="goal_link_not_self"),
            models.CheckConstraint(condition=Q(kind__in=LinkKind.values), name="goal_link_kind"),
            models.CheckConstraint(
                condition=Q(status__in=LinkStatus.values), name="goal_link_status"
            ),
            models.CheckConstraint(
                condition=Q(resolution__in=Resolution.values), name="goal_link_resolution"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_goal} {self.get_kind_display()} {self.to_goal}"

    @property
    def is_unresolved(self) -> bool:
        """Waiting for an answer, disputed, or a conflict nobody has resolved."""
        if self.status != LinkStatus.CONFIRMED:
            return True
        return self.kind == LinkKind.CONFLICTS and self.resolution != Resolution.RESOLVED

    @property
    def is_open_conflict(self) -> bool:
        return self.kind == LinkKind.CONFLICTS and self.resolution != Resolution.RESOLVED


class ConversationStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    HELD = "held", "Held"
    CANCELLED = "cancelled", "Cancelled"


class Conversation(models.Model):
    """Two people talking about their goals: scheduled with an invitation, then recorded."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="alignment_conversations"
    )
    # Stored in id order (person_a.pk < person_b.pk) so a pair has one spelling.
    person_a = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    person_b = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="conversations"
    )
    starts_at = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField(default=45)
    location = models.CharField(max_length=200, blank=True)
    agenda = models.TextField()
    status = models.CharField(
        max_length=10, choices=ConversationStatus.choices, default=ConversationStatus.SCHEDULED
    )
    held_on = models.DateField(null=True, blank=True)
    summary = models.TextField(blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancellation_note = models.TextField(blank=True)
    # A stable identifier so calendar programs update rather than duplicate the event; the
    # sequence goes up with every change sent to the calendars (RFC 5546).
    uid = models.CharField(max_length=100, unique=True)
    sequence = models.PositiveIntegerField(default=0)
    organised_by = models.ForeignKey(
        "access.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(person_a__lt=F("person_b")), name="conversation_pair_ordered"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ConversationStatus.values), name="conversation_status"
            ),
            models.CheckConstraint(
                condition=~Q(status=ConversationStatus.HELD) | Q(held_on__isnull=False),
                name="conversation_held_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status=ConversationStatus.CANCELLED) | Q(cancelled_at__isnull=False),
                name="conversation_cancelled_has_time",
            ),
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=5, duration_minutes__lte=480),
                name="conversation_duration_range",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "person_a", "person_b"], name="conversation_pair")
        ]

    def __str__(self) -> str:
        return f"{self.person_a.name} and {self.person_b.name}, {self.starts_at:%Y-%m-%d}"

    @property
    def people(self) -> tuple[Person, Person]:
        return (self.person_a, self.person_b)


class Commitment(models.Model):
    """Something one person promised in a conversation, by a date."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="commitments"
    )
    owner = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    text = models.CharField(max_length=300)
    due_date = models.DateField()
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_date", "pk"]

    def __str__(self) -> str:
        return self.text

    @property
    def is_done(self) -> bool:
        return self.done_at is not None


class GoalsSeen(models.Model):
    """``viewer`` has opened ``owner``'s goals: who has seen whose goals, for the map."""

    owner = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    viewer = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    first_seen_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "viewer"], name="goals_seen_once"),
            models.CheckConstraint(condition=~Q(owner=F("viewer")), name="goals_seen_by_another"),
        ]

    def __str__(self) -> str:
        return f"{self.viewer} has seen {self.owner}'s goals"


class AuditEntry(models.Model):
    """Who changed what in goals and alignment, and when."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="goal_audit_entries"
    )
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        "access.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Shown when there is no login behind the change: the command line, an import, the demo.
    actor_label = models.CharField(max_length=200)
    action = models.CharField(max_length=60)
    target_type = models.CharField(max_length=40)
    target_id = models.BigIntegerField()
    goal = models.ForeignKey(
        Goal, on_delete=models.SET_NULL, null=True, blank=True, related_name="audit_entries"
    )
    # The other goal an entry names (a link's or a contribution's other end): a goal's history
    # shows the entry only to viewers who may see that goal too. A plain id rather than a
    # foreign key, so an entry naming a goal that no longer exists stays hidden; 0 when the
    # other goal is not known (entries older than this field).
    other_goal_id = models.BigIntegerField(null=True, blank=True)
    summary = models.CharField(max_length=500)
    # {"field": [before, after]} for updates; the created values for creations.
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name_plural = "audit entries"
        indexes = [
            models.Index(fields=["organisation", "target_type", "target_id"], name="audit_target")
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label}: {self.summary}"
