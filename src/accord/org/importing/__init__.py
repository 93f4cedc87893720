"""Reading and validating an org-chart file (CSV or XLSX) into an import plan.

Nothing here writes to the database: :func:`plan_org_import` reads the file (with
:mod:`accord.org.spreadsheets`, as every import does), checks every row against the file
itself and against the organisation as it is, and returns either the list of every problem
found (row and column each) or a plan that :func:`accord.org.services.apply_org_import`
carries out atomically. The format is documented in docs/import-format.md.

One module per step: ``roster`` (the columns, the rows and the plan), ``people`` (each
row's fields; the people as stored), ``units`` (unit paths and kinds), ``reporting``
(external ids and reporting lines) and ``plan`` (:func:`plan_org_import`, which runs them).
"""

from accord.org.importing.plan import MAX_EXTRA_ATTRIBUTES, plan_org_import
from accord.org.importing.reporting import MAX_REPORTING_DEPTH
from accord.org.importing.roster import (
    KNOWN_COLUMNS,
    OPTIONAL_COLUMNS,
    REQUIRED_COLUMNS,
    ImportPlan,
    ProgressCallback,
    RosterRow,
)
from accord.org.importing.units import MAX_UNIT_DEPTH
from accord.org.spreadsheets import MAX_REPORTED_ISSUES, ImportFileError, ImportIssue

__all__ = [
    "KNOWN_COLUMNS",
    "MAX_EXTRA_ATTRIBUTES",
    "MAX_REPORTED_ISSUES",
    "MAX_REPORTING_DEPTH",
    "MAX_UNIT_DEPTH",
    "OPTIONAL_COLUMNS",
    "REQUIRED_COLUMNS",
    "ImportFileError",
    "ImportIssue",
    "ImportPlan",
    "ProgressCallback",
    "RosterRow",
    "plan_org_import",
]
