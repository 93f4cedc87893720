"""Importing a leadership team's goals from a CSV or XLSX file.

The same rules as the org-chart import: every problem in the file is reported at once, each
with its row and column, and nothing is written unless the whole file is valid; then every
goal (and every "serves" link) is written in one transaction, through the same services the
pages use, so each is audited. The format is in docs/goals.md.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction

from accord.access.models import User
from accord.access.scopes import Scope
from accord.goals import rules, services
from accord.goals.models import Direction, Goal, Team, Visibility
from accord.goals.visibility import GoalScope
from accord.org.models import Person, Unit
from accord.org.spreadsheets import (
    ImportFileError,
    ImportIssue,
    IssueCollector,
    cell_text,
    column_name,
    date_cell,
    file_error,
    read_rows,
)

GoalImportError = ImportFileError
__all__ = ["COLUMNS", "GoalImportError", "ImportIssue", "ImportResult", "import_goals"]

REQUIRED = ("owner", "title", "metric", "direction", "baseline", "target", "due_date")
OPTIONAL = (
    "period", "why", "metric_unit", "target_upper", "incentive_weight", "visibility",
    "measured_in", "serves",
)  # fmt: skip
COLUMNS = REQUIRED + OPTIONAL
MAX_ROWS = 2000
TEAM_OWNER = "team"


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


def _issues() -> IssueCollector:
    """Every problem in the file, ordered by row and then as the columns are listed."""
    return IssueCollector({name: position for position, name in enumerate(COLUMNS)})


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
    team: Team, content: bytes, issues: IssueCollector, gscope: GoalScope | None = None
) -> list[_Row]:
    sheet = read_rows(content, contents="the goals", source="the program that made it")
    issues.extend(sheet.issues)  # a header that is not text
    sheet.issues.clear()
    header_row = sheet.header_row
    position = {}
    for index, name in enumerate(column_name(cell) for cell in sheet.header):
        if not name:
            continue
        if name in position:
            issues.add(header_row, name, "This column appears twice.")
        elif name not in COLUMNS:
            issues.add(header_row, name, f"Unknown column; the columns are: {', '.join(COLUMNS)}.")
        position[name] = index
    for name in REQUIRED:
        if name not in position:
            issues.add(header_row, name, "This required column is missing.")
    issues.raise_if_any()
    data = list(itertools.islice(sheet.numbered_rows(), MAX_ROWS + 1))
    if len(data) > MAX_ROWS:
        raise file_error(f"A goals file has at most {MAX_ROWS} rows.")

    members = {p.external_id.lower(): p for p in team.members.all()}
    # Units are named only from the importer's own scope, as on the goal form.
    units = list(
        gscope.scope.units() if gscope is not None else Unit.objects.filter(
            organisation=team.organisation)
    )  # fmt: skip
    default_period = services.default_period()
    rows: list[_Row] = []
    for number, cells in data:
        if not any(cell_text(c) for c in cells):
            continue

        def cell(name: str, cells: list[Any] = cells) -> Any:
            index = position.get(name)
            return cells[index] if index is not None and index < len(cells) else None

        values: dict[str, Any] = {}
        owner_text = cell_text(cell("owner"))
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
            values[key] = cell_text(cell(column))
        values["period"] = cell_text(cell("period")) or default_period
        values["direction"] = cell_text(cell("direction")).lower() or ""
        values["visibility"] = cell_text(cell("visibility")).lower() or Visibility.TEAM
        for column in ("baseline", "target", "target_upper", "incentive_weight"):
            raw = cell(column)
            if cell_text(raw) == "":
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
            values["due_date"] = date_cell(cell("due_date"))
        except ValueError:
            issues.add(
                number,
                "due_date",
                f"{cell_text(cell('due_date'))!r} is not a date; write it as 2026-12-31.",
            )
            values["due_date"] = None
        if values["direction"] == "stay within a range":
            values["direction"] = Direction.RANGE
        measured_in = cell_text(cell("measured_in"))
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
        rows.append(_Row(number, owner, values, cell_text(cell("serves")), shared=shared))
    issues.extend(sheet.issues)  # cells that are not text, found as the rows were read
    if sheet.issues:
        # Such a cell cannot be compared with stored goals (nor sent to the database).
        issues.raise_if_any()
    if not rows and not issues.total:
        issues.add(None, None, "The file has a header but no goals.")
    _check_across_rows(team, rows, issues)
    return rows


def _check_across_rows(team: Team, rows: list[_Row], issues: IssueCollector) -> None:
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
    issues = _issues()
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
