"""Agreements on expectations between a leader and a colleague: the private preparation, each
proposed version with its context, goal links and expectation items, the concerns raised
along the way, and an audit trail that records what happened but never what was written.

Only the two people read an agreement's content; the preparation is its author's alone.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from accord.org.models import Organisation, Person


class Relationship(models.TextChoices):
    DIRECT_REPORT = "direct_report", "My direct report"
    PEER = "peer", "A peer"
    MANAGER = "manager", "My manager"
    BOARD = "board", "A board member"
    OTHER = "other", "Someone else"


# The relationship as a third person reads it ("Uma with Nikhil, the leader's direct report").
RELATIONSHIP_PHRASES: dict[str, str] = {
    Relationship.DIRECT_REPORT: "the leader's direct report",
    Relationship.PEER: "peers",
    Relationship.MANAGER: "the leader's manager",
    Relationship.BOARD: "a board member",
}


class AgreementStatus(models.TextChoices):
    PREPARING = "preparing", "Being prepared"
    PROPOSED = "proposed", "Waiting for the colleague"
    CHANGES_PROPOSED = "changes_proposed", "Changes proposed, waiting for the leader"
    ACCEPTED = "accepted", "Accepted"
    CLOSED = "closed", "Closed"


OPEN_STATUSES = (
    AgreementStatus.PREPARING,
    AgreementStatus.PROPOSED,
    AgreementStatus.CHANGES_PROPOSED,
    AgreementStatus.ACCEPTED,
)


class Side(models.TextChoices):
    LEADER = "leader", "Leader"
    COLLEAGUE = "colleague", "Colleague"


# After an acceptance: a few hours, two days, a week, two weeks and four weeks.
DEFAULT_CADENCE_HOURS = (4, 48, 168, 336, 672)
# A follow-up not answered by both this long after it fell due is missed.
FOLLOW_UP_GRACE_HOURS = 48


def default_cadence() -> list[int]:
    return list(DEFAULT_CADENCE_HOURS)


class Agreement(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="agreements"
    )
    leader = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="agreements_led")
    colleague = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="agreements_joined"
    )
    relationship = models.CharField(max_length=20, choices=Relationship.choices)
    topic = models.CharField(max_length=120)
    status = models.CharField(
        max_length=20, choices=AgreementStatus.choices, default=AgreementStatus.PREPARING
    )
    # The follow-ups after an acceptance, in hours after it: chosen at the meeting, and
    # changeable later for the follow-ups still to come.
    cadence_hours = models.JSONField(default=default_cadence)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(leader=models.F("colleague")), name="agreement_two_people"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=AgreementStatus.values),
                name="agreement_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(relationship__in=Relationship.values),
                name="agreement_relationship_valid",
            ),
            # One current agreement per pair and topic.
            models.UniqueConstraint(
                fields=["organisation", "leader", "colleague", "topic"],
                condition=~models.Q(status=AgreementStatus.CLOSED),
                name="agreement_one_current_per_pair_and_topic",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.topic} ({self.leader} and {self.colleague})"

    @property
    def relationship_phrase(self) -> str:
        """How the colleague stands to the leader, read by either of them."""
        return RELATIONSHIP_PHRASES.get(self.relationship, "")

    def side_of(self, person: Person | None) -> str | None:
        if person is None:
            return None
        if person.pk == self.leader_id:
            return Side.LEADER
        if person.pk == self.colleague_id:
            return Side.COLLEAGUE
        return None


class Preparation(models.Model):
    """The leader's honest self-assessment before the meeting: a rating (1 to 5) and a note
    for each of five questions. Read by its author only: never shown, exported, mailed,
    logged or audited anywhere else."""

    agreement = models.OneToOneField(
        Agreement, on_delete=models.CASCADE, related_name="preparation"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    state_of_mind = models.PositiveSmallIntegerField(null=True, blank=True)
    state_of_mind_note = models.TextField(blank=True)
    belief = models.PositiveSmallIntegerField(null=True, blank=True)
    belief_note = models.TextField(blank=True)
    own_part = models.PositiveSmallIntegerField(null=True, blank=True)
    own_part_note = models.TextField(blank=True)
    clarity = models.PositiveSmallIntegerField(null=True, blank=True)
    clarity_note = models.TextField(blank=True)
    value_today = models.PositiveSmallIntegerField(null=True, blank=True)
    value_today_note = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    *(
                        models.Q(**{f"{name}__isnull": True})
                        | models.Q(**{f"{name}__gte": 1, f"{name}__lte": 5})
                        for name in (
                            "state_of_mind",
                            "belief",
                            "own_part",
                            "clarity",
                            "value_today",
                        )
                    )
                ),
                name="preparation_ratings_1_to_5",
            )
        ]

    def __str__(self) -> str:
        return f"Preparation of agreement {self.agreement_id}"


class VersionStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PROPOSED = "proposed", "Proposed"
    ACCEPTED = "accepted", "Accepted"
    SUPERSEDED = "superseded", "Superseded"


class Version(models.Model):
    """One round of the agreement: the leader's draft and proposal, or the colleague's
    proposed changes. A proposed version never changes; an accepted one is frozen for good."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField()
    author_side = models.CharField(max_length=10, choices=Side.choices)
    status = models.CharField(
        max_length=12, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    why_it_matters = models.TextField(blank=True)
    how_it_fits = models.TextField(blank=True)
    opening = models.TextField(blank=True)  # the leader owning their part
    comment = models.TextField(blank=True)  # with a proposal of changes: why
    goals = models.ManyToManyField("goals.Goal", blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    proposed_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["agreement", "number"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "number"], name="version_number_unique"),
            models.CheckConstraint(
                condition=models.Q(status__in=VersionStatus.values), name="version_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Version {self.number} of agreement {self.agreement_id}"

    @property
    def editable(self) -> bool:
        return self.status == VersionStatus.DRAFT


class ItemOwner(models.TextChoices):
    COLLEAGUE = "colleague", "The colleague"
    LEADER = "leader", "The leader"
    BOTH = "both", "Both"


class Item(models.Model):
    """One expectation: what (a specific verb), how it will be measured, who, by when, and
    the support the leader commits to."""

    version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField()
    what = models.CharField(max_length=300)
    measure = models.CharField(max_length=300)
    owner = models.CharField(max_length=10, choices=ItemOwner.choices, default=ItemOwner.COLLEAGUE)
    due_on = models.DateField()
    support = models.CharField(max_length=300, blank=True)
    # Once accepted, an expectation can become a goal in the goals app; the two stay linked.
    goal = models.ForeignKey(
        "goals.Goal", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "position"], name="item_position_unique")
        ]

    def __str__(self) -> str:
        return self.what


class Concern(models.Model):
    """Something either person raised, to be addressed the same or the next working day."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="concerns")
    raised_by = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    text = models.TextField()
    raised_at = models.DateTimeField(default=timezone.now)
    addressed_at = models.DateTimeField(null=True, blank=True)
    addressed_by = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    addressed_note = models.TextField(blank=True)

    class Meta:
        ordering = ["raised_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(addressed_at__isnull=True) | ~models.Q(addressed_note=""),
                name="concern_addressed_with_a_note",
            )
        ]

    def __str__(self) -> str:
        return f"Concern {self.pk} on agreement {self.agreement_id}"


class AgreementAuditEntry(models.Model):
    """Who did what to which agreement, and when — never what was written: an entry names the
    step ("proposed version 2"), not the content, and preparations are never mentioned."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="agreement_audit_entries"
    )
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    actor_label = models.CharField(max_length=200)
    action = models.CharField(max_length=60)
    agreement = models.ForeignKey(
        Agreement, on_delete=models.SET_NULL, null=True, blank=True, related_name="audit_entries"
    )
    summary = models.CharField(max_length=300)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name_plural = "agreement audit entries"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label}: {self.summary}"


class FollowUp(models.Model):
    """A short check-in on the accepted version: both people answer, per expectation, whether
    it is still on track and still fair."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="follow_ups")
    version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="follow_ups")
    due_at = models.DateTimeField()
    # When it counts as missed (due_at and the grace time): a column, so that counting the
    # follow-ups answered on time compares two columns instead of computing a date per row.
    answer_by = models.DateTimeField()
    leader_answered_at = models.DateTimeField(null=True, blank=True)
    colleague_answered_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)  # the email when it fell due

    class Meta:
        ordering = ["due_at", "pk"]
        indexes = [
            models.Index(fields=["agreement", "due_at"], name="follow_up_agreement_due"),
            # The reminder task's question every few minutes: which have fallen due unsent?
            models.Index(
                fields=["due_at"],
                condition=models.Q(reminded_at__isnull=True),
                name="follow_up_to_remind",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(answer_by__gt=models.F("due_at")),
                name="follow_up_answered_after_it_falls_due",
            )
        ]

    def __str__(self) -> str:
        return f"Follow-up of agreement {self.agreement_id} due {self.due_at:%Y-%m-%d}"

    def answered_by(self, side: str) -> bool:
        return (
            self.leader_answered_at if side == Side.LEADER else self.colleague_answered_at
        ) is not None

    @property
    def done(self) -> bool:
        return self.leader_answered_at is not None and self.colleague_answered_at is not None


class FollowUpAnswer(models.Model):
    follow_up = models.ForeignKey(FollowUp, on_delete=models.CASCADE, related_name="answers")
    side = models.CharField(max_length=10, choices=Side.choices)
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="+")
    on_track = models.BooleanField()
    still_fair = models.BooleanField()
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["follow_up", "side", "item"], name="follow_up_answer_once_per_side_and_item"
            )
        ]

    def __str__(self) -> str:
        return f"{self.side} on item {self.item_id}"


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    HELD = "held", "Held"
    CANCELLED = "cancelled", "Cancelled"


class Meeting(models.Model):
    """The two people meeting about the agreement: a calendar invitation to both with an
    agenda from the context, the expectations in hand and what is still open from last time;
    afterwards each side records, in their own words, what is working and what could improve."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="meetings")
    starts_at = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField(default=45)
    location = models.CharField(max_length=200, blank=True)
    agenda = models.TextField()
    status = models.CharField(
        max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # One calendar event for life; the sequence rises with every change sent (notify.calendar).
    uid = models.CharField(max_length=100, unique=True)
    sequence = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-starts_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=MeetingStatus.values), name="meeting_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(duration_minutes__gte=5, duration_minutes__lte=480),
                name="meeting_duration_range",
            ),
            models.UniqueConstraint(
                fields=["agreement"],
                condition=models.Q(status=MeetingStatus.SCHEDULED),
                name="meeting_one_scheduled_per_agreement",
            ),
        ]

    def __str__(self) -> str:
        return f"Meeting on agreement {self.agreement_id}, {self.starts_at:%Y-%m-%d}"


class MeetingNote(models.Model):
    """One side's record of a meeting, in their own words."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="notes")
    side = models.CharField(max_length=10, choices=Side.choices)
    working = models.TextField()
    could_improve = models.TextField(blank=True)
    written_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["meeting", "side"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "side"], name="meeting_note_once_per_side")
        ]

    def __str__(self) -> str:
        return f"{self.side}'s note on meeting {self.meeting_id}"


class ExpectationSettings(models.Model):
    """An organisation's choices for agreements, set by its program admins."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="expectation_settings"
    )
    # A proposal not answered within this many working days shows as waiting.
    answer_within_days = models.PositiveSmallIntegerField(default=2)

    class Meta:
        verbose_name_plural = "expectation settings"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(answer_within_days__gte=1, answer_within_days__lte=30),
                name="expectation_settings_answer_days_range",
            )
        ]

    def __str__(self) -> str:
        return f"Agreement settings of {self.organisation_id}"
