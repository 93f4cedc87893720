"""A team's charter: why the team exists, what it is trying to achieve, how its members behave
with each other and who does what — agreed by the members, versioned, and revisited.

A charter belongs to a team: a unit, a leadership team of the goals app, or a named group of
people across units. Its members are kept in step with that team (``CharterMember``); a
facilitator runs it. Each round of writing is a ``Version``: a draft the facilitator edits,
proposed to the members, who endorse it or comment; adopted when the team's rule is met, and
superseded by the next adopted version. At most one version is being worked on, and at most
one is in force, at a time (database constraints).

What members write privately is stored apart from them. A values answer (``ValuesAnswer``)
and a norm rating (``NormRating``) carry a random sheet id shared by one person's answers of
one round — so that a theme can be counted by the people behind it — and no person, time or
order; who has answered is a separate receipt (``ValuesReceipt``, ``RevisitReceipt``). They
join what the team sees in batches of at least three members' answers (``shown``).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from accord.goals.models import Goal, Team
from accord.org.models import Organisation, Person, Unit

# Pooled values and norm ratings are shown over at least this many members' answers.
POOLED_MINIMUM = 3
DEFAULT_CADENCE_MONTHS = 3
LONGEST_CADENCE_MONTHS = 12
# A charter is for a team that can sit round one table, or a few: a large unit charters by team.
LARGEST_TEAM = 60
# A revisit is open for members' ratings this long unless the facilitator closes it sooner.
REVISIT_DAYS = 14
# The share of the team that may change after adoption before Accord suggests re-chartering.
TURNOVER_FOR_RECHARTER = 0.25
# "Everyone, or all but one after a week": the week.
GRACE_DAYS = 7
# Members who have not answered or endorsed are reminded once, this many days after asking.
REMINDER_DAYS = 3


class TeamKind(models.TextChoices):
    UNIT = "unit", "A unit"
    LEADERSHIP_TEAM = "leadership_team", "A leadership team"
    GROUP = "group", "A named group of people"


class AdoptionRule(models.TextChoices):
    EVERYONE = "everyone", "Everyone endorses"
    ALL_BUT_ONE = "all_but_one", "Everyone, or all but one after a week"


class Charter(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=TeamKind.choices)
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, null=True, blank=True, related_name="charters"
    )
    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, null=True, blank=True, related_name="charters"
    )
    facilitator = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    rule = models.CharField(
        max_length=20, choices=AdoptionRule.choices, default=AdoptionRule.ALL_BUT_ONE
    )
    cadence_months = models.PositiveSmallIntegerField(default=DEFAULT_CADENCE_MONTHS)
    next_revisit_on = models.DateField(null=True, blank=True)
    # Set when the team has changed enough since adoption that it should charter again.
    recharter_reason = models.CharField(max_length=300, blank=True)
    recharter_noticed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(cadence_months__gte=1, cadence_months__lte=LONGEST_CADENCE_MONTHS),
                name="charter_cadence_1_to_12",
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind=TeamKind.UNIT, unit__isnull=False, team__isnull=True)
                    | Q(kind=TeamKind.LEADERSHIP_TEAM, team__isnull=False, unit__isnull=True)
                    | Q(kind=TeamKind.GROUP, unit__isnull=True, team__isnull=True)
                ),
                name="charter_team_matches_kind",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "unit"], name="charter_org_unit")]

    def __str__(self) -> str:
        return self.name


class CharterMember(models.Model):
    """A member of the charter's team: since when, and until when once they have left."""

    charter = models.ForeignKey(Charter, on_delete=models.CASCADE, related_name="memberships")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    joined_at = models.DateTimeField()
    left_at = models.DateTimeField(null=True, blank=True)
    # A member who joined after the charter in force was adopted is asked to read it once.
    asked_to_endorse_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["charter", "person"], name="charter_member_once"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} on {self.charter_id}"


class VersionStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PROPOSED = "proposed", "Waiting for endorsements"
    ADOPTED = "adopted", "In force"
    SUPERSEDED = "superseded", "Superseded"
    WITHDRAWN = "withdrawn", "Withdrawn"


WORKING = (VersionStatus.DRAFT, VersionStatus.PROPOSED)


class Version(models.Model):
    charter = models.ForeignKey(Charter, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=12, choices=VersionStatus.choices)
    vision = models.TextField(blank=True)
    based_on = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    proposed_at = models.DateTimeField(null=True, blank=True)
    adopted_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    # Asked once, REMINDER_DAYS after proposing, of members who have not answered.
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["charter", "number"], name="charter_version_number"),
            models.UniqueConstraint(
                fields=["charter"], condition=Q(status__in=WORKING), name="charter_one_working"
            ),
            models.UniqueConstraint(
                fields=["charter"], condition=Q(status=VersionStatus.ADOPTED),
                name="charter_one_in_force",
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.charter} v{self.number}"

    @property
    def is_working(self) -> bool:
        return self.status in WORKING


class CharterGoal(models.Model):
    """A goal the charter names: a goal of the goals app (with its measure), or words only
    until someone links or creates one."""

    version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="goals")
    position = models.PositiveSmallIntegerField()
    goal = models.ForeignKey(
        Goal, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    text = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return self.text or f"goal {self.goal_id}"


class Norm(models.Model):
    """A behavioural agreement ("We …") and how the team will notice it kept or broken."""

    version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="norms")
    position = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=300)
    signs = models.CharField("how we notice", max_length=300, blank=True)

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return self.text


class Responsibility(models.Model):
    """Who does what: one owner per responsibility."""

    version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="roles")
    position = models.PositiveSmallIntegerField()
    what = models.CharField(max_length=200)
    owner = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return self.what


class Decision(models.TextChoices):
    ENDORSED = "endorsed", "Endorsed"
    COMMENTED = "commented", "Asked for changes"


class Endorsement(models.Model):
    """A member's answer to a proposed version (or, for a member who joined later, to the
    version in force): endorsed, or a comment asking for changes. Read by the team."""

    version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="endorsements")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    decision = models.CharField(max_length=10, choices=Decision.choices)
    comment = models.TextField(blank=True)
    at = models.DateTimeField()
    # Given to the version in force by a member who joined after it was adopted.
    after_adoption = models.BooleanField(default=False)

    class Meta:
        ordering = ["at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["version", "person"], name="charter_endorse_once"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.decision}"


class Prompt(models.TextChoices):
    MATTERS = "matters", "What matters most to you in this work?"
    NEED = "need", "What do you need from the people you work with?"
    PATIENTS = "patients", "What would you like patients and families to say about this team?"


class ValuesReceipt(models.Model):
    """That a member has answered the values prompts of a draft — never what they wrote."""

    version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["version", "person"], name="charter_values_once"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} answered {self.version_id}"


class ValuesAnswer(models.Model):
    """One answer to one prompt: no person, no time; a random id, so the table's order says
    nothing; ``sheet`` groups one member's answers of the round so themes count people."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="+")
    sheet = models.UUIDField()
    prompt = models.CharField(max_length=10, choices=Prompt.choices)
    text = models.TextField()
    # Answers join the team's view in batches of at least POOLED_MINIMUM members, so that
    # reading before and after one member answers never shows that member's words alone.
    shown = models.BooleanField(default=False)

    def __str__(self) -> str:
        return self.prompt


class Revisit(models.Model):
    """Members asked, privately, how well each norm of the charter in force is kept."""

    charter = models.ForeignKey(Charter, on_delete=models.CASCADE, related_name="revisits")
    version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="revisits")
    opened_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["charter"], condition=Q(closed_at__isnull=True),
                name="charter_one_open_revisit",
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"revisit of {self.charter_id}"


class RevisitReceipt(models.Model):
    revisit = models.ForeignKey(Revisit, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["revisit", "person"], name="charter_revisit_once"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} answered {self.revisit_id}"


class KeptScale(models.IntegerChoices):
    NOT_AT_ALL = 1, "Not at all"
    RARELY = 2, "Rarely"
    SOMETIMES = 3, "Sometimes"
    MOSTLY = 4, "Mostly"
    FULLY = 5, "Fully"


class NormRating(models.Model):
    """How well one member sees one norm kept: no person, no time, a random id."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    revisit = models.ForeignKey(Revisit, on_delete=models.CASCADE, related_name="+")
    sheet = models.UUIDField()
    norm = models.ForeignKey(Norm, on_delete=models.CASCADE, related_name="+")
    score = models.PositiveSmallIntegerField(choices=KeptScale.choices)
    shown = models.BooleanField(default=False)  # in batches, as values answers

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(score__gte=1, score__lte=5), name="charter_rating_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.norm_id}: {self.score}"


class PulseNorms(models.Model):
    """The norms of the charter in force added to a pulse survey, asked there of the team's
    members only. The statements, whom they are asked of and the answers are the surveys app's
    (``surveys.TeamQuestions``): kept in step with the charter until the survey opens, shown
    to the team pooled once its results are published (``surveys/team_questions.py``)."""

    charter = models.ForeignKey(Charter, on_delete=models.CASCADE, related_name="pulses")
    cycle = models.ForeignKey("surveys.Cycle", on_delete=models.CASCADE, related_name="+")
    questions = models.OneToOneField(
        "surveys.TeamQuestions", on_delete=models.CASCADE, related_name="+"
    )
    version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="+")
    added_at = models.DateTimeField()

    class Meta:
        ordering = ["-added_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["charter", "cycle"], name="charter_norms_once_a_pulse"),
        ]

    def __str__(self) -> str:
        return f"norms of {self.charter_id} in cycle {self.cycle_id}"


class CharterAuditEntry(models.Model):
    """Every change: who, when, what step — never a private answer or a rating."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    charter = models.ForeignKey(
        Charter, on_delete=models.SET_NULL, null=True, related_name="audit_entries"
    )
    actor = models.CharField(max_length=200)
    action = models.CharField(max_length=40)
    detail = models.JSONField(default=dict)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.action} by {self.actor}"
