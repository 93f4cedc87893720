"""Importing a leadership team's goals from a CSV or XLSX file.

The same rules as the org-chart import: every problem in the file is reported at once, each
with its row and column, and nothing is written unless the whole file is valid; then every
goal (and every "serves" link) is written in one transaction, through the same services the
pages use, so each is audited. The format is in docs/goals.md.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction

from accord.access.models import User
from accord.access.scopes import Scope
from accord.goals import rules, services
from accord.goals.models import Direction, Goal, Team, Visibility
from accord.goals.visibility import GoalScope
from accord.org.importing import ImportFileError, ImportIssue
from accord.org.models import Person, Unit

GoalImportError = ImportFileError
__all__ = ["COLUMNS", "GoalImportError", "ImportIssue", "ImportResult", "import_goals"]

REQUIRED = ("owner", "title", "metric", "direction", "baseline", "target", "due_date")
OPTIONAL = (
    "period", "why", "metric_unit", "target_upper", "incentive_weight", "visibility",
    "measured_in", "serves",
)  # fmt: skip
COLUMNS = REQUIRED + OPTIONAL
MAX_ROWS = 2000
MAX_ISSUES = 500
TEAM_OWNER = "team"
DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass
class ImportResult:
    team: Team
    goals: int
    links: int
    dry_run: bool


@dataclass
class _Row:
    row: int
    owner: Person | None  # None: the team's shared goal, or an owner already reported
    values: dict[str, Any]
    serves: str
    shared: bool = False  # the team's shared goal
    created: Goal | None = None


@dataclass
class _Issues:
    found: list[ImportIssue] = field(default_factory=list)
    total: int = 0

    def add(self, row: int | None, column: str | None, message: str) -> None:
        self.total += 1
        if len(self.found) < MAX_ISSUES:
            self.found.append(ImportIssue(row, column, message))

    def raise_if_any(self) -> None:
        if self.total:
            ordered = sorted(self.found, key=lambda i: (i.row or 0, COLUMNS.index(i.column)
                                                         if i.column in COLUMNS else -1))  # fmt: skip
            raise GoalImportError(ordered, self.total)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _read(content: bytes) -> tuple[list[str], list[list[Any]]]:
    """Header and rows of a CSV (UTF-8) or XLSX file."""
    if not content.strip():
        raise GoalImportError([ImportIssue(None, None, "The file is empty.")])
    cells: list[list[Any]]
    if content.startswith(b"PK\x03\x04"):
        from python_calamine import CalamineWorkbook

        try:
            if "xl/workbook.xml" not in zipfile.ZipFile(io.BytesIO(content)).namelist():
                raise ValueError
            rows = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0)
            cells = [list(r) for r in rows.iter_rows()]
        except Exception:  # calamine and zipfile raise several types for unreadable files
            raise GoalImportError(
                [
                    ImportIssue(
                        None,
                        None,
                        "This is not a readable Excel workbook (.xlsx). "
                        "Save the goals as .xlsx or as CSV UTF-8.",
                    )
                ]
            ) from None
    else:
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise GoalImportError(
                [
                    ImportIssue(
                        None,
                        None,
                        "The file is not UTF-8 text. Save it as 'CSV UTF-8' "
                        "or as an Excel workbook (.xlsx).",
                    )
                ]
            ) from None
        if "\x00" in text:
            raise GoalImportError(
                [ImportIssue(None, None, "This is not a CSV file (it contains binary data).")]
            )
        first = text.split("\n", 1)[0]
        delimiter = max((",", ";", "\t"), key=first.count)
        try:
            cells = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
        except csv.Error as error:
            raise GoalImportError([ImportIssue(None, None, f"Unreadable CSV: {error}.")]) from None
    while cells and not any(_text(c) for c in cells[0]):
        cells.pop(0)
    if not cells:
        raise GoalImportError([ImportIssue(None, None, "The file has no header row.")])
    header = [re.sub(r"[\s\-]+", "_", _text(c).lower()) for c in cells[0]]
    return header, cells[1:]


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    if not DATE_PATTERN.match(text):
        raise ValueError(text)
    return dt.date.fromisoformat(text)


def _resolve_unit(name: str, units: list[Unit]) -> Unit | str:
    wanted = name.strip().lower()
    by_path = [u for u in units if u.full_name.lower() == wanted]
    if by_path:
        return by_path[0]
    by_name = [u for u in units if u.name.lower() == wanted]
    if len(by_name) == 1:
        return by_name[0]
    if by_name:
        return f"{len(by_name)} units are called {name!r}; give the full path, such as {by_name[0].full_name!r}."
    return f"No unit is called {name!r}."


def _plan(
    team: Team, content: bytes, issues: _Issues, gscope: GoalScope | None = None
) -> list[_Row]:
    header, data = _read(content)
    position = {}
    for index, name in enumerate(header):
        if not name:
            continue
        if name in position:
            issues.add(1, name, "This column appears twice.")
        elif name not in COLUMNS:
            issues.add(1, name, f"Unknown column; the columns are: {', '.join(COLUMNS)}.")
        position[name] = index
    for name in REQUIRED:
        if name not in position:
            issues.add(1, name, "This required column is missing.")
    issues.raise_if_any()
    if len(data) > MAX_ROWS:
        raise GoalImportError(
            [ImportIssue(None, None, f"A goals file has at most {MAX_ROWS} rows.")]
        )

    members = {p.external_id.lower(): p for p in team.members.all()}
    # Units are named only from the importer's own scope, as on the goal form.
    units = list(
        gscope.scope.units() if gscope is not None else Unit.objects.filter(
            organisation=team.organisation)
    )  # fmt: skip
    default_period = services.default_period()
    rows: list[_Row] = []
    for number, cells in enumerate(data, start=2):
        if not any(_text(c) for c in cells):
            continue

        def cell(name: str, cells: list[Any] = cells) -> Any:
            index = position.get(name)
            return cells[index] if index is not None and index < len(cells) else None

        values: dict[str, Any] = {}
        owner_text = _text(cell("owner"))
        owner: Person | None = None
        if not owner_text:
            issues.add(number, "owner", "Give the owner's HR id, or 'team' for a shared goal.")
        elif owner_text.lower() != TEAM_OWNER:
            owner = members.get(owner_text.lower())
            if owner is None:
                issues.add(
                    number, "owner", f"{owner_text!r} is not the HR id of a member of {team.name}."
                )
            elif gscope is not None and not gscope.can_add_goal_for(owner):
                # The same rule as the goal form: one's own goals and one's reports'.
                issues.add(
                    number, "owner",
                    f"You can add goals for yourself and the people who report to you, not for "
                    f"{owner.name}: ask them or a program admin.",
                )  # fmt: skip
                owner = None
        for column, key in (("title", "title"), ("why", "why"), ("metric", "metric_name"),
                            ("metric_unit", "metric_unit")):  # fmt: skip
            values[key] = _text(cell(column))
        values["period"] = _text(cell("period")) or default_period
        values["direction"] = _text(cell("direction")).lower() or ""
        values["visibility"] = _text(cell("visibility")).lower() or Visibility.TEAM
        for column in ("baseline", "target", "target_upper", "incentive_weight"):
            raw = cell(column)
            if _text(raw) == "":
                values[column] = None
                if column in ("baseline", "target"):
                    issues.add(number, column, "A number is required here.")
                continue
            try:
                values[column] = rules.parse_number(raw)
            except ValueError as error:
                issues.add(number, column, f"This {error}.")
                values[column] = None
        weight = values["incentive_weight"]
        hidden = owner is not None and gscope is not None and not gscope.can_see_weights_of(owner)
        if weight and hidden:
            # Checking it against 100% would tell the importer what the others carry.
            issues.add(
                number, "incentive_weight",
                f"You may not see {owner.name}'s incentive weights, so you cannot set one: "  # type: ignore[union-attr]
                "leave this empty.",
            )  # fmt: skip
            values["incentive_weight"] = None
        try:
            values["due_date"] = _date(cell("due_date"))
        except ValueError:
            issues.add(
                number,
                "due_date",
                f"{_text(cell('due_date'))!r} is not a date; write it as 2026-12-31.",
            )
            values["due_date"] = None
        if values["direction"] == "stay within a range":
            values["direction"] = Direction.RANGE
        measured_in = _text(cell("measured_in"))
        values["unit"] = None
        if measured_in:
            unit = _resolve_unit(measured_in, units)
            if isinstance(unit, str):
                issues.add(number, "measured_in", unit)
            else:
                values["unit"] = unit
        for problem_field, message in rules.goal_problems(
            title=values["title"], metric_name=values["metric_name"], period=values["period"],
            direction=values["direction"], baseline=values["baseline"], target=values["target"],
            target_upper=values["target_upper"], incentive_weight=values["incentive_weight"],
            visibility=values["visibility"], due_date=values["due_date"],
            owned_by_person=owner is not None or owner_text.lower() != TEAM_OWNER,
        ):  # fmt: skip
            column = {"metric_name": "metric"}.get(problem_field, problem_field)
            issues.add(number, column, message)
        shared = owner_text.lower() == TEAM_OWNER
        rows.append(_Row(number, owner, values, _text(cell("serves")), shared=shared))
    if not rows and not issues.total:
        issues.add(None, None, "The file has a header but no goals.")
    _check_across_rows(team, rows, issues)
    return rows


def _check_across_rows(team: Team, rows: list[_Row], issues: _Issues) -> None:
    # Rows whose owner was refused are reported already; comparing them would only add noise.
    rows = [r for r in rows if r.owner is not None or r.shared]
    seen: dict[tuple[int | None, str, str], int] = {}
    stored = {
        (g.owner_id, g.period, g.title.lower())
        for g in Goal.objects.filter(
            owner__in=[r.owner for r in rows if r.owner],
            period__in={r.values["period"] for r in rows},
        )
    } | {(None, g.period, g.title.lower()) for g in Goal.objects.filter(team=team)}
    weights: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
    for goal in Goal.objects.filter(owner__in=[r.owner for r in rows if r.owner]):
        weights[(goal.owner_id, goal.period)] += goal.incentive_weight  # type: ignore[index]
    shared_in_file = {r.values["title"].lower() for r in rows if r.owner is None}
    shared_stored = {g.title.lower() for g in Goal.objects.filter(team=team)}
    org_goals = {
        g.title.lower()
        for g in Goal.objects.filter(organisation=team.organisation, owner=None, team=None)
    }
    for row in rows:
        owner_id = row.owner.pk if row.owner else None
        key = (owner_id, row.values["period"], row.values["title"].lower())
        who = row.owner.name if row.owner else team.name
        if row.values["title"] and key in seen:
            issues.add(
                row.row,
                "title",
                f"Row {seen[key]} already has this goal for {who} in {row.values['period']}.",
            )
        elif row.values["title"] and key in stored:
            issues.add(
                row.row,
                "title",
                f"{who} already has a goal with this title in {row.values['period']}.",
            )
        seen.setdefault(key, row.row)
        weight = row.values["incentive_weight"]
        if row.owner is not None and weight:
            before = weights[(row.owner.pk, row.values["period"])]
            weights[(row.owner.pk, row.values["period"])] += weight
            message = rules.weight_problem(
                already=before,
                adding=weight,
                owner_name=row.owner.name,
                period=row.values["period"],
            )
            if message:
                issues.add(row.row, "incentive_weight", message)
        if row.serves:
            wanted = row.serves.lower()
            if row.owner is None and wanted not in org_goals:
                issues.add(row.row, "serves", f"No organisation goal is titled {row.serves!r}.")
            if row.owner is not None and wanted not in shared_in_file | shared_stored:
                issues.add(
                    row.row, "serves", f"{team.name} has no shared goal titled {row.serves!r}."
                )


def import_goals(
    *,
    team: Team,
    filename: str,
    content: bytes,
    actor: User | None,
    via: str = "",
    dry_run: bool = False,
    scope: Scope | None = None,
) -> ImportResult:
    """Validate the whole file and, unless ``dry_run``, add its goals atomically.

    ``scope`` is the importer's (the command line passes none): they add goals only for
    themselves and their reports, set only weights they may see, and name only units in
    their scope, as on the goal form.

    Raises GoalImportError listing every problem; then nothing has been written.
    """
    issues = _Issues()
    via = via or f"goals import ({filename[:100]})"
    with transaction.atomic():
        rows = _plan(team, content, issues, GoalScope(scope) if scope is not None else None)
        issues.raise_if_any()
        if dry_run:
            return ImportResult(team, len(rows), sum(1 for r in rows if r.serves), True)
        links = 0
        # Shared goals first, so members' goals can be linked to them.
        for row in sorted(rows, key=lambda r: r.owner is not None):
            try:
                row.created = services.create_goal(
                    organisation=team.organisation, actor=actor, via=via, owner=row.owner,
                    team=None if row.owner else team, **row.values,
                )  # fmt: skip
            except services.GoalsError as error:
                issues.add(row.row, error.field, str(error))
        issues.raise_if_any()
        shared = {g.title.lower(): g for g in Goal.objects.filter(team=team).order_by("-period")}
        organisation_goals = {
            g.title.lower(): g
            for g in Goal.objects.filter(organisation=team.organisation, owner=None, team=None)
        }
        for row in rows:
            if not row.serves or row.created is None:
                continue
            target = (shared if row.owner else organisation_goals)[row.serves.lower()]
            try:
                services.add_contribution(goal=row.created, serves=target, actor=actor, via=via)
                links += 1
            except services.GoalsError as error:
                issues.add(row.row, "serves", str(error))
        # A problem found while writing undoes everything written so far.
        issues.raise_if_any()
    return ImportResult(team, len(rows), links, False)
