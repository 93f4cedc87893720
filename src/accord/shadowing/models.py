"""The shadowing programme: clinicians who host, the shifts and slots they offer, the visits
administrators book, what the visitor saw and committed to afterwards, and the host's word.

Nothing about patients is stored: every free-text field passes ``patients.py``'s checks."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from accord.org.models import Organisation, Person, Unit


class ShiftKind(models.TextChoices):
    DAY = "day", "Day"
    EVENING = "evening", "Evening"
    NIGHT = "night", "Night"
    WEEKEND = "weekend", "Weekend"


# The times a shift usually runs, offered when a host has not given their own.
USUAL_TIMES = {
    ShiftKind.DAY: (dt.time(7, 0), dt.time(15, 0)),
    ShiftKind.EVENING: (dt.time(15, 0), dt.time(23, 0)),
    ShiftKind.NIGHT: (dt.time(19, 0), dt.time(7, 0)),
    ShiftKind.WEEKEND: (dt.time(7, 0), dt.time(19, 0)),
}


class HostStatus(models.TextChoices):
    ACTIVE = "active", "Hosting"
    PAUSED = "paused", "Paused"
    STOPPED = "stopped", "Stopped"


class Host(models.Model):
    """A clinician who offers to be shadowed."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="shadowing_hosts"
    )
    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="host")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="shadowing_hosts")
    service = models.CharField(max_length=120)
    monthly_limit = models.PositiveSmallIntegerField(default=2)
    visitor_notes = models.TextField(blank=True)  # where to meet, what to wear, when not to come
    status = models.CharField(max_length=10, choices=HostStatus.choices, default=HostStatus.ACTIVE)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["person__name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=HostStatus.values), name="host_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(monthly_limit__gte=1, monthly_limit__lte=8),
                name="host_monthly_limit_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person.name} hosts in {self.unit.name}"


class HostShift(models.Model):
    """A kind of shift that suits the host, with its usual times."""

    host = models.ForeignKey(Host, on_delete=models.CASCADE, related_name="shifts")
    kind = models.CharField(max_length=10, choices=ShiftKind.choices)
    starts = models.TimeField()
    ends = models.TimeField()  # earlier than ``starts`` for a shift that runs past midnight

    class Meta:
        ordering = ["host", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["host", "kind"], name="host_shift_once_per_kind"),
            models.CheckConstraint(
                condition=Q(kind__in=ShiftKind.values), name="host_shift_kind_valid"
            ),
            models.CheckConstraint(condition=~Q(starts=F("ends")), name="host_shift_has_length"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.starts:%H:%M} to {self.ends:%H:%M}"


class Slot(models.Model):
    """A dated shift the host offers to a visitor."""

    host = models.ForeignKey(Host, on_delete=models.CASCADE, related_name="slots")
    kind = models.CharField(max_length=10, choices=ShiftKind.choices)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["starts_at", "pk"]
        indexes = [models.Index(fields=["host", "starts_at"], name="slot_host_start")]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="slot_ends_after"),
            models.CheckConstraint(condition=Q(kind__in=ShiftKind.values), name="slot_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} shift from {self.starts_at:%Y-%m-%d %H:%M}"


class VisitStatus(models.TextChoices):
    REQUESTED = "requested", "Waiting for the host"
    CONFIRMED = "confirmed", "Confirmed"
    DECLINED = "declined", "Not this time"
    CANCELLED = "cancelled", "Cancelled"


BOOKED = (VisitStatus.REQUESTED, VisitStatus.CONFIRMED)


class Visit(models.Model):
    """An administrator shadowing a host for one slot."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="shadowing_visits"
    )
    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="visits")
    host = models.ForeignKey(Host, on_delete=models.PROTECT, related_name="visits")
    visitor = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="shadowing_visits")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="shadowing_visits")
    kind = models.CharField(max_length=10, choices=ShiftKind.choices)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    status = models.CharField(
        max_length=10, choices=VisitStatus.choices, default=VisitStatus.REQUESTED
    )
    # The host's reason for declining: theirs alone; the visitor reads "not this time".
    decline_reason = models.CharField(max_length=300, blank=True)
    # One calendar event for life; the sequence rises with every change sent (notify.calendar).
    uid = models.CharField(max_length=100, unique=True)
    sequence = models.PositiveIntegerField(default=0)
    booked_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    reflection_reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-starts_at", "-pk"]
        indexes = [
            models.Index(fields=["organisation", "starts_at"], name="visit_org_start"),
            models.Index(fields=["visitor", "starts_at"], name="visit_visitor_start"),
        ]
        constraints = [
            # Two visitors booking the same slot at once: one booking.
            models.UniqueConstraint(
                fields=["slot"], condition=Q(status__in=BOOKED), name="visit_one_booking_per_slot"
            ),
            models.CheckConstraint(
                condition=Q(status__in=VisitStatus.values), name="visit_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="visit_ends_after"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.visitor.name} with {self.host.person.name}, {self.starts_at:%Y-%m-%d}"

    def happened(self, now: dt.datetime | None = None) -> bool:
        return self.status == VisitStatus.CONFIRMED and self.ends_at <= (now or timezone.now())


class Reflection(models.Model):
    """What the visitor saw, written within the programme's deadline after the visit."""

    visit = models.OneToOneField(Visit, on_delete=models.CASCADE, related_name="reflection")
    what_i_saw = models.TextField()
    surprised = models.TextField(blank=True)
    written_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Reflection on visit {self.visit_id}"


OTHER_BARRIER = "other"


class Barrier(models.Model):
    """A barrier the visitor noticed, tagged with a driver of Accord's survey or "other"."""

    reflection = models.ForeignKey(Reflection, on_delete=models.CASCADE, related_name="barriers")
    driver = models.CharField(max_length=60)
    note = models.CharField(max_length=300)

    class Meta:
        ordering = ["reflection", "pk"]

    def __str__(self) -> str:
        return f"{self.driver}: {self.note}"


class CommitmentStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    CANT_DO = "cant_do", "Can't do"


class Commitment(models.Model):
    """What the visitor (or someone they name) will do about what they saw."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="commitments")
    what = models.CharField(max_length=300)
    owner = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField()
    status = models.CharField(
        max_length=12, choices=CommitmentStatus.choices, default=CommitmentStatus.IN_PROGRESS
    )
    reason = models.CharField(max_length=300, blank=True)  # why it cannot be done
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["status", "due_on"], name="commitment_status_due")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=CommitmentStatus.values), name="commitment_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status=CommitmentStatus.CANT_DO) | ~Q(reason=""),
                name="commitment_cant_do_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.what

    def overdue(self, today: dt.date | None = None) -> bool:
        return self.status == CommitmentStatus.IN_PROGRESS and self.due_on < (
            today or timezone.localdate()
        )


class HostWord(models.Model):
    """The host's side of a visit: a short account (the visitor reads it) and a rating, which
    anyone else reads only pooled over at least three hosts."""

    visit = models.OneToOneField(Visit, on_delete=models.CASCADE, related_name="host_word")
    account = models.TextField(blank=True)
    useful = models.PositiveSmallIntegerField()  # 1 to 5
    engaged = models.PositiveSmallIntegerField()  # 1 to 5
    would_host_again = models.BooleanField()
    comment = models.TextField(blank=True)
    written_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(useful__gte=1, useful__lte=5, engaged__gte=1, engaged__lte=5),
                name="host_word_ratings_1_to_5",
            )
        ]

    def __str__(self) -> str:
        return f"The host's word on visit {self.visit_id}"


class ProgrammeSettings(models.Model):
    """An organisation's choices for the programme, set by its program admins."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="shadowing_settings"
    )
    visits_per_executive = models.PositiveSmallIntegerField(default=4)  # a year
    briefing = models.TextField(blank=True)  # empty: Accord's own briefing
    briefing_es = models.TextField(blank=True)
    reflection_hours = models.PositiveSmallIntegerField(default=48)
    leaders_may_book = models.BooleanField(default=True)

    class Meta:
        verbose_name_plural = "programme settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(reflection_hours__gte=1, reflection_hours__lte=336),
                name="programme_reflection_hours_range",
            ),
            models.CheckConstraint(
                condition=Q(visits_per_executive__lte=52), name="programme_target_range"
            ),
        ]

    def __str__(self) -> str:
        return f"Shadowing settings of {self.organisation_id}"


class ShadowingAuditEntry(models.Model):
    """Who did what in the programme, and when."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="shadowing_audit_entries"
    )
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    actor_label = models.CharField(max_length=200)
    action = models.CharField(max_length=60)
    visit = models.ForeignKey(
        Visit, on_delete=models.SET_NULL, null=True, blank=True, related_name="audit_entries"
    )
    summary = models.CharField(max_length=300)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name_plural = "shadowing audit entries"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label}: {self.summary}"
