"""A leader's 360: the cohort it belongs to, the leader's nominations of raters in groups, the
manager's approval, the leader's own ratings, and the report once the round has closed.

The raters' answers are not here: they are a surveys ``Cycle`` (purpose leadership-360,
``about`` the leader), collected and stored exactly as pulse answers are — one-time tokens,
keyed receipts, the mixing pool, rows with no link to the rater. What this app stores is who
was asked (nominations), never who answered or what they said.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accord.org.models import Organisation, Person

# A cohort's profile is shown over at least this many leaders.
PROFILE_MINIMUM = 5
# The least raters a group other than the manager is shown with; a cohort may raise it.
GROUP_MINIMUM = 3
# "All others" (every rater but the manager) needs at least this many, and the group minimum.
ALL_OTHERS_MINIMUM = 4
MAX_RATERS = 30
DEFAULT_DAYS_TO_ANSWER = 14
DEFAULT_REMINDER_DAYS = (4, 9)


class RaterGroup(models.TextChoices):
    MANAGER = "manager", "Manager"
    PEER = "peer", "Peers"
    DIRECT_REPORT = "direct_report", "Direct reports"
    PARTNER = "partner", "Clinical partners"
    OTHER = "other", "Others"


# One rater, as a nomination form names them.
RATER_GROUP_SINGULAR = {
    RaterGroup.MANAGER: "manager",
    RaterGroup.PEER: "peer",
    RaterGroup.DIRECT_REPORT: "direct report",
    RaterGroup.PARTNER: "clinical partner",
    RaterGroup.OTHER: "other",
}


class ReviewStatus(models.TextChoices):
    NOMINATING = "nominating", "Choosing raters"
    AWAITING_APPROVAL = "awaiting_approval", "Raters waiting for approval"
    COLLECTING = "collecting", "Raters answering"
    WITH_COACH = "with_coach", "Report with the coach"
    RELEASED = "released", "Report released"
    CANCELLED = "cancelled", "Cancelled"


# A 360 before its report: raters being chosen, approved or answering.
UNDER_WAY = (ReviewStatus.NOMINATING, ReviewStatus.AWAITING_APPROVAL, ReviewStatus.COLLECTING)


class Cohort(models.Model):
    """Leaders who go through a 360 together (every department chair, a programme's intake)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="leadership_cohorts"
    )
    name = models.CharField(max_length=200)
    instrument_id = models.CharField(max_length=60)
    instrument_version = models.PositiveIntegerField()
    min_group_size = models.PositiveSmallIntegerField(default=GROUP_MINIMUM)
    coached = models.BooleanField(default=False)
    answer_by = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # The cohort's competency profile, computed once, when no 360 of it is still under way:
    # computed again after one more report, the difference would be that leader's figures.
    profile = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="leadership_cohort_name_unique"
            ),
            models.CheckConstraint(
                condition=Q(min_group_size__gte=GROUP_MINIMUM),
                name="leadership_cohort_minimum_at_least_3",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Review(models.Model):
    """One leader's 360."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="leadership_reviews"
    )
    cohort = models.ForeignKey(
        Cohort, on_delete=models.CASCADE, null=True, blank=True, related_name="reviews"
    )
    subject = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="reviews")
    # Who approves the raters: the leader's manager when the org chart has one.
    approver = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # In a coached 360 the report goes to the coach first.
    coach = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="coached_reviews",
    )  # fmt: skip
    status = models.CharField(
        max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.NOMINATING
    )
    instrument_id = models.CharField(max_length=60)
    instrument_version = models.PositiveIntegerField()
    min_group_size = models.PositiveSmallIntegerField(default=GROUP_MINIMUM)
    answer_by = models.DateTimeField()
    # The raters' round: a surveys cycle, created when the raters are approved.
    cycle = models.OneToOneField(
        "surveys.Cycle", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The report as computed when the round closed (suppressed; ids only, worded when shown).
    report = models.JSONField(null=True, blank=True)
    # A re-assessment: the 360 it follows up, asking only these behaviours (ids).
    follows = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="follow_ups"
    )
    behaviours = models.JSONField(default=list, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    released_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ReviewStatus.values), name="review_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(min_group_size__gte=GROUP_MINIMUM),
                name="review_minimum_at_least_3",
            ),
            models.UniqueConstraint(
                fields=["cohort", "subject"], name="one_review_per_leader_per_cohort"
            ),
        ]

    def __str__(self) -> str:
        return f"360 of {self.subject}"

    @property
    def coached(self) -> bool:
        return self.coach_id is not None

    @property
    def coach_may_change(self) -> bool:
        """Until the report goes out; a coached cohort's report held for want of a coach
        still takes one."""
        if self.status in (ReviewStatus.RELEASED, ReviewStatus.CANCELLED):
            return False
        return self.status != ReviewStatus.WITH_COACH or self.coach_id is None

    @property
    def under_way(self) -> bool:
        return self.status in UNDER_WAY


class NominationStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    APPROVED = "approved", "Approved"


class Nomination(models.Model):
    """A person the leader (or the approver) asked to rate the leader, in one group. A rater
    who declines has no invitation in the round any more: that, not a field here, says so
    (``selectors.review_page``)."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="nominations")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    group = models.CharField(max_length=20, choices=RaterGroup.choices)
    status = models.CharField(
        max_length=10, choices=NominationStatus.choices, default=NominationStatus.PROPOSED
    )
    added_by_approver = models.BooleanField(default=False)

    class Meta:
        ordering = ["group", "person__name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["review", "person"], name="one_nomination_per_rater"),
            models.UniqueConstraint(
                fields=["review"], condition=Q(group="manager"), name="one_manager_per_review"
            ),
            models.CheckConstraint(
                condition=Q(group__in=RaterGroup.values), name="nomination_group_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} as {self.group}"


class ReportShare(models.Model):
    """The leader lets someone else read their released report (their manager, a mentor)."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="shares")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    shared_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["review", "person"], name="one_share_per_person"),
        ]

    def __str__(self) -> str:
        return f"review {self.review_id} shared with {self.person_id}"


class SelfAssessment(models.Model):
    """The leader's ratings of themself: read by the leader, and in the report beside others'."""

    review = models.OneToOneField(Review, on_delete=models.CASCADE, related_name="self_assessment")
    # One byte per behaviour, as surveys packs answers (0 not observed, 255 skipped).
    answers = models.BinaryField()
    comments = models.JSONField(default=dict, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"self-assessment of review {self.review_id}"


class LeadershipAuditEntry(models.Model):
    """Every step of a 360: who took it and when, never a rating or a comment."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    review = models.ForeignKey(
        Review, on_delete=models.CASCADE, null=True, blank=True, related_name="audit"
    )
    cohort = models.ForeignKey(
        Cohort, on_delete=models.CASCADE, null=True, blank=True, related_name="audit"
    )
    actor = models.CharField(max_length=200)
    action = models.CharField(max_length=60)
    detail = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.action} by {self.actor}"


# Development plans -----------------------------------------------------------------------

MAX_FOCUS = 3
MAX_ACTIONS = 6


class ActionKind(models.TextChoices):
    PRACTICE = "practice", "Practice on the job"
    PEOPLE = "people", "Learn from people"
    COURSE = "course", "A course or reading"


class Progress(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    SOME = "some", "Some progress"
    GOOD = "good", "Good progress"
    EMBEDDED = "embedded", "Part of how I work now"


class DevelopmentPlan(models.Model):
    """What a leader works on after their 360: one to three behaviours, actions for each, a
    coach or mentor, dates, and check-ins. Read by the leader, their coach and their mentor."""

    review = models.OneToOneField(Review, on_delete=models.CASCADE, related_name="plan")
    # A mentor from the org chart; the review's coach supports the plan too.
    mentor = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    starts_on = models.DateField()
    review_on = models.DateField()
    # The short re-assessment of the focus behaviours, this many months after the start.
    reassess_after_months = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(review_on__gt=models.F("starts_on")), name="plan_review_after_start"
            ),
            models.CheckConstraint(
                condition=Q(reassess_after_months__isnull=True)
                | Q(reassess_after_months__gte=1, reassess_after_months__lte=18),
                name="plan_reassessment_1_to_18_months",
            ),
        ]

    def __str__(self) -> str:
        return f"development plan of review {self.review_id}"


class FocusBehaviour(models.Model):
    plan = models.ForeignKey(DevelopmentPlan, on_delete=models.CASCADE, related_name="focus")
    behaviour = models.CharField(max_length=60)  # an item id of the review's framework
    why = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "behaviour"], name="one_focus_per_behaviour"),
        ]

    def __str__(self) -> str:
        return self.behaviour


class DevelopmentAction(models.Model):
    focus = models.ForeignKey(FocusBehaviour, on_delete=models.CASCADE, related_name="actions")
    kind = models.CharField(max_length=10, choices=ActionKind.choices)
    what = models.CharField(max_length=300)
    due_on = models.DateField(null=True, blank=True)
    done_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ActionKind.values), name="development_action_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.what


class PlanCheckIn(models.Model):
    """The leader or their coach or mentor records how the plan is going."""

    plan = models.ForeignKey(DevelopmentPlan, on_delete=models.CASCADE, related_name="check_ins")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    author_name = models.CharField(max_length=200)
    held_on = models.DateField()
    note = models.TextField()
    # Per focus behaviour id, a Progress value.
    progress = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return f"check-in on {self.held_on}"
