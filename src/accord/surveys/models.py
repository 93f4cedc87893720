"""Survey cycles, invitations and the answers themselves, kept apart so no row links them.

Three groups of tables, and only the first two know people:

* ``Cycle`` — what is asked, of whom, when, and the minimum group sizes;
* ``Invitation`` / ``InvitationToken`` — who was invited (with the reporting attributes
  generalised at invitation time) and the SHA-256 digests of their one-time tokens;
* ``Receipt``, ``PendingSubmission``, ``Response``, ``Comment`` — what came back. A receipt
  says "some invitation of this cycle has answered" through a keyed MAC that only the
  application (not the database) can recompute; responses and comments carry random ids, the
  date only, and the generalised attributes. Nothing here holds an invitation, person or
  token id, a time of day, or a sequence. docs/privacy.md explains the scheme and its limits.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class CycleQuerySet(models.QuerySet["Cycle"]):
    def pulses(self) -> CycleQuerySet:
        """Workforce surveys: what the cycle pages, results and the loop work with. A leader's
        360 is a cycle too (same invitations, tokens and unlinkable answers), but it belongs
        to the leadership app and is never listed, released or counted as a pulse."""
        return self.filter(purpose=Cycle.Purpose.PULSE)


class Cycle(models.Model):
    class Purpose(models.TextChoices):
        PULSE = "pulse", "Pulse survey"
        LEADERSHIP_360 = "leadership-360", "Leadership 360"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SCHEDULED = "scheduled", "Scheduled"
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"
        PUBLISHED = "published", "Results published"

    organisation = models.ForeignKey(
        "org.Organisation", on_delete=models.CASCADE, related_name="survey_cycles"
    )
    name = models.CharField(max_length=200)
    purpose = models.CharField(max_length=20, choices=Purpose.choices, default=Purpose.PULSE)
    # The scored items asked, when only some of the instrument's are (a 360's re-assessment
    # of the behaviours a leader worked on); empty means all. Answers stay packed in the
    # instrument's order, the items not asked skipped.
    asked_items = models.JSONField(default=list, blank=True)
    # Whom a leader's 360 is about: raters see the name on the form and in the email.
    about = models.ForeignKey(
        "org.Person", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    instrument_id = models.CharField(max_length=60)
    instrument_version = models.PositiveIntegerField()
    # The content digest of the definition when the cycle was created: a cycle keeps
    # meaning exactly the questions it asked.
    instrument_digest = models.CharField(max_length=64)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    min_group_size = models.PositiveSmallIntegerField()
    min_comment_group_size = models.PositiveSmallIntegerField()
    # Days after opening on which non-respondents are reminded, e.g. [3, 6].
    reminder_days = models.JSONField(default=list, blank=True)
    # Empty means everyone; otherwise only these role groups.
    audience_role_groups = models.JSONField(default=list, blank=True)
    # Empty means the whole organisation; otherwise these units' subtrees.
    audience_units = models.ManyToManyField("org.Unit", blank=True, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    invited_count = models.PositiveIntegerField(default=0)
    # HMAC of a fixed label under the receipt key when the cycle opened: a changed key is
    # detected and refused instead of letting someone answer twice.
    receipt_key_check = models.CharField(max_length=64, blank=True)
    # Set at opening when some team's statements are asked (surveys/team_questions.py).
    asks_team_questions = models.BooleanField(default=False)

    objects = CycleQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_at", "name"]
        indexes = [models.Index(fields=["organisation", "purpose"], name="cycle_org_purpose")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")),
                name="cycle_closes_after_opening",
            ),
            models.CheckConstraint(
                condition=models.Q(min_group_size__gte=3), name="cycle_min_group_size_at_least_3"
            ),
            models.CheckConstraint(
                condition=models.Q(min_comment_group_size__gte=models.F("min_group_size")),
                name="cycle_comment_minimum_not_below_group_minimum",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Invitation(models.Model):
    """One invited person, with the attributes their answers will be reported under."""

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        CODE = "code", "Printed code"

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="invitations")
    person = models.ForeignKey("org.Person", on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    language = models.CharField(max_length=5, default="en")
    # Generalised so that every combination is shared by at least the cycle's minimum
    # number of invitees (surveys/audience.py); "" means not recorded.
    reporting_unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    role_group = models.CharField(max_length=20, blank=True)
    profession = models.CharField(max_length=100, blank=True)
    tenure_band = models.CharField(max_length=40, blank=True)
    # A 360's rater group (peer, direct report…); "" in a pulse.
    rater_group = models.CharField(max_length=20, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cycle", "person"], name="one_invitation_per_person"),
        ]
        indexes = [models.Index(fields=["cycle", "reporting_unit"], name="invitation_cycle_unit")]

    def __str__(self) -> str:
        return f"invitation {self.pk} to cycle {self.cycle_id}"


class InvitationToken(models.Model):
    """The digest of a one-time token. An invitation may hold several (the first email,
    each reminder, a printed code); any of them answers once for the invitation."""

    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="tokens")
    digest = models.CharField(max_length=64, unique=True)
    channel = models.CharField(max_length=10, choices=Invitation.Channel.choices)

    def __str__(self) -> str:
        return f"token for invitation {self.invitation_id}"


class Receipt(models.Model):
    """Proof that an invitation has answered, readable only with the receipt key.

    ``mark`` is HMAC(receipt key, cycle and invitation id): the reminder job can recompute it
    for each invitation, someone reading the database cannot. ``form_mark`` is the MAC of
    the form's one-time nonce, so a resent identical submission is recognised as such.
    Deleted when the cycle closes.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="+")
    mark = models.CharField(max_length=64, unique=True)
    form_mark = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"receipt {self.pk}"


class AnswerFields(models.Model):
    """What a response carries: random id, the date, the generalised attributes, answers."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="+")
    submitted_on = models.DateField()
    reporting_unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    role_group = models.CharField(max_length=20, blank=True)
    profession = models.CharField(max_length=100, blank=True)
    tenure_band = models.CharField(max_length=40, blank=True)
    rater_group = models.CharField(max_length=20, blank=True)
    # One byte per scored item in instrument order: the answer code, 255 when skipped.
    answers = models.BinaryField()

    class Meta:
        abstract = True


class PendingSubmission(AnswerFields):
    """A submission waiting in the mixing pool; moved to Response and Comment in shuffled
    batches so that neither table's physical order follows submission order."""

    comments = models.JSONField(default=dict, blank=True)
    # In a cycle that asks teams' own statements, every submission's answers to its team's
    # page (none, for most) sealed to one length under a server key (surveys/team_questions.py):
    # the row says nothing of whether its author is on a team.
    team_sealed = models.BinaryField(default=b"", blank=True)

    def __str__(self) -> str:
        return f"pooled submission {self.pk}"


class Response(AnswerFields):
    class Meta:
        indexes = [models.Index(fields=["cycle", "reporting_unit"], name="response_cycle_unit")]

    def __str__(self) -> str:
        return f"response {self.pk}"


class Comment(models.Model):
    """An open comment, stored apart from the scores of the person who wrote it. It carries
    no rater group: a 360's comments are shown per question, never per group."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="+")
    item_id = models.CharField(max_length=60)
    text = models.TextField()
    reporting_unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    role_group = models.CharField(max_length=20, blank=True)
    profession = models.CharField(max_length=100, blank=True)
    tenure_band = models.CharField(max_length=40, blank=True)

    def __str__(self) -> str:
        return f"comment {self.pk} on {self.item_id}"


# A team adds at most this many statements to a survey; a sealed answer holds this many codes.
MAX_TEAM_STATEMENTS = 12


class TeamQuestions(models.Model):
    """Statements a team adds to a pulse (a charter's norms), asked only of its own members.

    They are answered on a page of their own and stored apart from the survey's answers, in
    ``TeamAnswer`` rows that hold nothing but the set: no unit, role, profession, tenure or
    date. They are shown only as the whole team's, once the cycle's results are published
    and at least the cycle's minimum group answered (``surveys/team_questions.py``).
    ``people`` is whom to ask; when the cycle opens it keeps only those invited and not asked
    an earlier-added team's statements (a person answers one team's page per survey).
    """

    class State(models.TextChoices):
        WAITING = "waiting", "Waiting for the survey to open"
        ASKED = "asked", "Asked"
        NOT_ASKED = "not-asked", "Not asked: too few of the team were invited"

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="team_questions")
    team_name = models.CharField(max_length=200)
    statements = models.JSONField(default=list)
    people = models.ManyToManyField("org.Person", related_name="+")
    state = models.CharField(max_length=12, choices=State.choices, default=State.WAITING)
    asked_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.team_name}'s statements in cycle {self.cycle_id}"


class SealedTeamAnswer(models.Model):
    """A pooled submission's sealed team answers, moved out of the pool with its batch (in
    shuffled order, every submission alike) and opened only when the cycle closes, all at
    once, into ``TeamAnswer`` rows."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="+")
    sealed = models.BinaryField()

    def __str__(self) -> str:
        return f"sealed team answer {self.pk}"


class TeamAnswer(models.Model):
    """One member's answers to a team's statements: a random id, the set, one byte per
    statement (1 to 5, or 255 when skipped or "can't say"). Nothing else."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    questions = models.ForeignKey(TeamQuestions, on_delete=models.CASCADE, related_name="+")
    answers = models.BinaryField()

    def __str__(self) -> str:
        return f"team answer {self.pk}"


class PendingEmail(models.Model):
    """An invitation or reminder email the mail server has not yet accepted.

    Queue tasks vanish with a worker that is killed; these rows do not: a worker claims a
    batch for a while (``claimed_until``), sends it, and deletes it only once the mail server
    has accepted it, so a batch whose worker died is sent by the next one. A reminder has a
    row for every email invitee, answered or not (the sender skips who has answered), so
    the table never says who had answered. The token is minted when the email is sent: no
    token waits anywhere in plain text.
    """

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="+")
    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="+")
    reminder = models.ForeignKey(
        "ReminderRun", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    claim = models.UUIDField(null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["cycle", "claimed_until"])]

    def __str__(self) -> str:
        return f"email for invitation {self.invitation_id}"


class ReminderRun(models.Model):
    """One scheduled reminder of a cycle. Who was reminded is not recorded: that would say
    who had answered by then. ``sent`` counts the reminders the mail server accepted."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="reminder_runs")
    day = models.PositiveSmallIntegerField()
    started_at = models.DateTimeField(auto_now_add=True)
    sent = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cycle", "day"], name="one_reminder_run_per_day"),
        ]

    def __str__(self) -> str:
        return f"day-{self.day} reminder of cycle {self.cycle_id}"


class InstrumentDefinition(models.Model):
    """An instrument an organisation loaded (a licensed scale it holds, or its own pulse).

    The YAML source is kept as loaded; a published (id, version) never changes in place.
    """

    organisation = models.ForeignKey(
        "org.Organisation", on_delete=models.CASCADE, related_name="instrument_definitions"
    )
    instrument_id = models.CharField(max_length=60)
    version = models.PositiveIntegerField()
    source = models.TextField()
    digest = models.CharField(max_length=64)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["instrument_id", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "instrument_id", "version"],
                name="instrument_version_unique_per_org",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument_id} v{self.version}"
