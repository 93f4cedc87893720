"""Releases of a survey cycle's results: frozen, numbered, and closed against each other."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Release(models.Model):
    """One release of a cycle's results, exactly as computed when it was made.

    ``snapshot`` is the released report (`snapshot.py`): released numbers, reasons and the
    redacted, shuffled comments — never an answer row. ``ledger`` records which responses each
    release covered and which class they fell in, so that a later release of the same cycle is
    closed against every earlier one (`ledger.py`). ``drivers`` is the driver analysis of the
    released units large enough for one.
    """

    cycle = models.ForeignKey("surveys.Cycle", on_delete=models.CASCADE, related_name="releases")
    number = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)
    released_groups = models.PositiveIntegerField()
    hidden_groups = models.PositiveIntegerField()
    snapshot = models.BinaryField()
    # SHA-256 of the snapshot: what a process's cache of loaded releases is keyed by.
    digest = models.CharField(max_length=64)
    ledger = models.BinaryField()
    drivers = models.JSONField(default=dict)
    # Per shown comment list ("group:question"), each comment's themes, in the list's order.
    comment_themes = models.JSONField(default=dict)

    class Meta:
        ordering = ["cycle", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "number"], name="one_release_per_number"),
        ]

    def __str__(self) -> str:
        return f"{self.cycle} — release {self.number}"


class ReleaseExport(models.Model):
    """A large export of a release, built by the queue and kept: releases never change.

    ``units`` lists the engine unit indexes the export covers (empty: the whole
    organisation); ``scope_key`` is their digest, so each viewer's scope is built once.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Being prepared"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="exports")
    scope_key = models.CharField(max_length=64)
    units = models.JSONField(default=list, blank=True)
    fmt = models.CharField(max_length=10)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    content = models.BinaryField(null=True, blank=True)
    filename = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["release", "scope_key", "fmt"], name="one_export_per_scope_and_format"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.release} — {self.fmt} export"


class AnswerSnapshot(models.Model):
    """A closed cycle's responses as columns, so a release loads them in one read.

    Holds exactly what the cycle's `Response` rows hold (answers, generalised attributes, the
    random response ids), sorted by response id, so its order says nothing about when anyone
    answered. Built on the first load after the cycle closes and rebuilt whenever the number
    of responses no longer matches (after close, responses can only be removed).
    """

    cycle = models.OneToOneField(
        "surveys.Cycle", on_delete=models.CASCADE, related_name="answer_snapshot"
    )
    responses = models.PositiveIntegerField()
    data = models.BinaryField()
    created_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.cycle} — {self.responses} responses"
