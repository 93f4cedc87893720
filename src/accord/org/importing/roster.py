"""What an org-chart import wants: its columns, one row per person, and the plan.

The plan is *resolved*: every row holds the person's complete wanted state, with optional
columns that the file leaves out filled in from what is stored, so the writer
(:func:`accord.org.services.apply_org_import`) never has to know which columns the file had.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from accord.org.models import Organisation

REQUIRED_COLUMNS = ("external_id", "name", "unit_path", "role_group", "profession")
OPTIONAL_COLUMNS = ("email", "manager_external_id", "hire_date", "leader", "unit_kinds", "active")
KNOWN_COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS

# Called as progress("validate", rows done, rows in all) while a large file is checked.
ProgressCallback = Callable[[str, int, int], None]
PROGRESS_EVERY = 10_000


@dataclass(slots=True)
class RosterRow:
    """One person as the file wants them (after resolving columns the file leaves out)."""

    row: int
    external_id: str
    name: str
    email: str
    unit_path: tuple[str, ...]
    unit_kinds: tuple[str, ...] | None
    manager_external_id: str
    role_group: str
    profession: str
    hire_date: dt.date | None
    is_leader: bool
    is_active: bool
    attributes: dict[str, str]


@dataclass
class ImportPlan:
    organisation: Organisation
    rows: list[RosterRow]
    deactivate_missing: bool
    columns: frozenset[str] = frozenset()
    attribute_columns: tuple[str, ...] = ()
    new_kinds: list[str] = field(default_factory=list)
    new_units: list[tuple[str, ...]] = field(default_factory=list)
    unit_kinds: dict[tuple[str, ...], str] = field(default_factory=dict)
    # External ids of the people to add, and of stored people whose values differ.
    new: set[str] = field(default_factory=set)
    changed: set[str] = field(default_factory=set)
    to_create: int = 0
    to_update: int = 0
    unchanged: int = 0
    to_deactivate: int = 0
    examples: dict[str, list[str]] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        return {
            "rows": len(self.rows),
            "create": self.to_create,
            "update": self.to_update,
            "unchanged": self.unchanged,
            "deactivate": self.to_deactivate,
            "new_units": len(self.new_units),
            "new_unit_kinds": self.new_kinds,
            "examples": self.examples,
        }
