"""The organisation model: organisations, the unit tree, professions and people.

Every domain row belongs to exactly one organisation. Units and reporting lines
are stored with materialised paths ("/12/40/311/") so that a whole subtree is a
single indexed prefix query, at any depth.
"""

from __future__ import annotations

import zoneinfo

from django.db import models
from django.db.models.functions import Lower


def ids_on_path(path: str) -> tuple[int, ...]:
    """The ids in a materialised path, from the top down: ``"/1/5/23/"`` is ``(1, 5, 23)``.

    The one reader of ``Unit.path`` and ``Person.reporting_path``; prefer
    :attr:`Unit.ancestor_ids` and :attr:`Person.manager_ids` when the row is at hand.
    """
    return tuple(int(part) for part in path.split("/") if part)


class RoleGroup(models.TextChoices):
    CLINICIAN = "clinician", "Clinician"
    ADMINISTRATOR = "administrator", "Administrator"
    OTHER = "other", "Other"


class Organisation(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    time_zone = models.CharField(max_length=64, default="UTC")
    # Survey defaults: results need at least this many respondents per group; comments
    # the stricter second number. A cycle may raise them, never lower them.
    survey_min_group_size = models.PositiveSmallIntegerField(default=5)
    survey_min_comment_group_size = models.PositiveSmallIntegerField(default=10)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(survey_min_group_size__gte=3),
                name="organisation_survey_minimum_at_least_3",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    survey_min_comment_group_size__gte=models.F("survey_min_group_size")
                ),
                name="organisation_comment_minimum_not_below_group_minimum",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        """The organisation's time zone; UTC for a name this machine does not know."""
        try:
            return zoneinfo.ZoneInfo(self.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo("UTC")


class UnitKind(models.Model):
    """A level of the tree (system, hospital, department, unit, team...): data, not code."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="unit_kinds"
    )
    name = models.CharField(max_length=60)
    # Default depth at which the import uses this kind when the file names none.
    default_depth = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["default_depth", "name"]
        constraints = [
            models.UniqueConstraint(
                "organisation", Lower("name"), name="unit_kind_name_unique_per_org"
            ),
            models.UniqueConstraint(
                fields=["organisation", "default_depth"], name="unit_kind_depth_unique_per_org"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="units")
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    kind = models.ForeignKey(UnitKind, on_delete=models.PROTECT, related_name="units")
    name = models.CharField(max_length=200)
    # "/<root id>/.../<own id>/": a subtree is path__startswith=unit.path.
    path = models.CharField(max_length=1000, db_index=False, blank=True)
    depth = models.PositiveSmallIntegerField(default=0)
    # The human path, "Riverside Health/North Hospital/Emergency": what imports name.
    full_name = models.CharField(max_length=2000)

    class Meta:
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "parent", "name"], name="unit_name_unique_among_siblings"
            ),
            models.UniqueConstraint(
                fields=["organisation", "name"],
                condition=models.Q(parent__isnull=True),
                name="unit_root_name_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "path"], name="unit_org_path"),
            models.Index(
                fields=["path"], name="unit_path_prefix", opclasses=["varchar_pattern_ops"]
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def ancestor_ids(self) -> tuple[int, ...]:
        """The ids of the units above this one, from the root down; not its own."""
        return ids_on_path(self.path)[:-1]


class Profession(models.Model):
    """A configurable profession (physician, nurse, pharmacist...)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="professions"
    )
    name = models.CharField(max_length=100)
    default_role_group = models.CharField(max_length=20, choices=RoleGroup.choices)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                "organisation", Lower("name"), name="profession_name_unique_per_org"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Person(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="people")
    external_id = models.CharField(max_length=100)
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="members")
    manager = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="direct_reports"
    )
    # "/<top manager id>/.../<manager id>/": everyone this person reports to, in order.
    # The people under X are those whose path starts with X.reporting_path + "<X.id>/".
    reporting_path = models.CharField(max_length=2000, blank=True, default="/")
    role_group = models.CharField(max_length=20, choices=RoleGroup.choices)
    profession = models.ForeignKey(Profession, on_delete=models.PROTECT, related_name="people")
    # A leader leads the unit they belong to, and so its whole subtree.
    is_leader = models.BooleanField(default=False)
    hire_date = models.DateField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    attributes = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "external_id"], name="person_external_id_unique_per_org"
            ),
            models.CheckConstraint(
                condition=models.Q(role_group__in=RoleGroup.values), name="person_role_group_valid"
            ),
            models.CheckConstraint(
                condition=~models.Q(manager=models.F("id")), name="person_not_own_manager"
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "unit"], name="person_org_unit"),
            models.Index(
                fields=["reporting_path"],
                name="person_reporting_prefix",
                opclasses=["varchar_pattern_ops"],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.external_id})"

    @property
    def language(self) -> str:
        """ "es" or "en", from the roster's optional ``language`` column; English otherwise."""
        value = str((self.attributes or {}).get("language", "")).strip().lower()
        return "es" if value in ("es", "spa", "spanish", "español", "espanol") else "en"

    @property
    def reports_prefix(self) -> str:
        """The reporting_path prefix shared by everyone in this person's reporting line."""
        return f"{self.reporting_path}{self.pk}/"

    @property
    def manager_ids(self) -> tuple[int, ...]:
        """The ids of everyone this person reports to, from the top down to their manager."""
        return ids_on_path(self.reporting_path)


class OrgImport(models.Model):
    """An uploaded org-chart file, kept from preview until it is applied or discarded."""

    class Status(models.TextChoices):
        PREVIEWED = "previewed", "Awaiting confirmation"
        INVALID = "invalid", "Has errors"
        APPLIED = "applied", "Applied"
        DISCARDED = "discarded", "Discarded"

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="imports")
    uploaded_by = models.ForeignKey(
        "access.User", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    filename = models.CharField(max_length=255)
    content = models.BinaryField()
    deactivate_missing = models.BooleanField(default=False)
    status = models.CharField(max_length=20, choices=Status.choices)
    summary = models.JSONField(default=dict)
    errors = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"
