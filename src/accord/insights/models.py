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

    class Meta:
        ordering = ["cycle", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "number"], name="one_release_per_number"),
        ]

    def __str__(self) -> str:
        return f"{self.cycle} — release {self.number}"
