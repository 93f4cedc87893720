"""The units of an org-chart file: each unit path split and checked, and every unit's kind.

Every distinct prefix of a ``unit_path`` is a unit. A unit's kind comes from the file's
``unit_kinds`` column, else from the organisation (the unit exists already, or the kind's
default depth), and the file must agree with itself and with the organisation about it.
"""

from __future__ import annotations

from dataclasses import dataclass

from accord.org.importing.roster import ImportPlan, RosterRow
from accord.org.models import Organisation, Unit, UnitKind
from accord.org.spreadsheets import IssueCollector

MAX_UNIT_DEPTH = 30

UnitPath = tuple[str, ...]


def split_unit_path(text: str) -> tuple[UnitPath, str]:
    """The levels of a unit path, and the problem with it ('' when there is none)."""
    parts = tuple(part.strip() for part in text.split("/"))
    if any(not part for part in parts):
        return (), "A unit path has an empty level (look for '//' or a leading or trailing '/')."
    if any(len(part) > 200 for part in parts):
        return (), "A unit name is longer than 200 characters."
    if len(parts) > MAX_UNIT_DEPTH:
        return (), f"A unit path has more than {MAX_UNIT_DEPTH} levels."
    if len(text) > 2000:
        return (), "A unit path is longer than 2000 characters."
    return parts, ""


def split_unit_kinds(text: str) -> tuple[tuple[str, ...], str]:
    """The kinds a ``unit_kinds`` cell names, and the problem with it ('' when there is none)."""
    kinds = tuple(part.strip() for part in text.split("/"))
    if any(not kind for kind in kinds):
        return (), "A unit kind is empty (look for '//' or a leading or trailing '/')."
    if any(len(kind) > 60 for kind in kinds):
        return (), "A unit kind is longer than 60 characters."
    return kinds, ""


@dataclass
class StoredUnits:
    kind_of: dict[UnitPath, str]  # unit path → kind name
    path_of: dict[int, UnitPath]  # unit id → unit path
    kinds: dict[str, str]  # lower-case kind name → kind name
    depth_kinds: dict[int, str]  # default depth → kind name


def stored_units(organisation: Organisation) -> StoredUnits:
    kind_names = dict(UnitKind.objects.filter(organisation=organisation).values_list("pk", "name"))
    kind_of: dict[UnitPath, str] = {}
    path_of: dict[int, UnitPath] = {}
    for pk, full_name, kind_id in Unit.objects.filter(organisation=organisation).values_list(
        "pk", "full_name", "kind_id"
    ):
        path = tuple(full_name.split("/"))
        kind_of[path] = kind_names[kind_id]
        path_of[pk] = path
    depth_kinds = {
        depth: name
        for depth, name in UnitKind.objects.filter(organisation=organisation).values_list(
            "default_depth", "name"
        )
        if depth is not None
    }
    return StoredUnits(
        kind_of=kind_of,
        path_of=path_of,
        kinds={name.lower(): name for name in kind_names.values()},
        depth_kinds=depth_kinds,
    )


def check_units(plan: ImportPlan, units: StoredUnits, issues: IssueCollector) -> None:
    """Every unit path resolves to one kind, agreeing with the file and the database; the
    plan learns each unit's kind and which units and kinds are new.

    Checked once per distinct (unit path, unit kinds) pair; a problem is then reported
    on every row that has that pair.
    """
    rows_by_pair = _rows_by_unit(plan.rows)
    declarations = _UnitDeclarations(units)
    for (unit_path, unit_kinds), row_numbers in rows_by_pair.items():
        problems = declarations.problems(unit_path, unit_kinds, first_row=row_numbers[0])
        for number in row_numbers:
            for column, message in problems:
                issues.add(number, column, message)

    kinds = _kind_of_every_unit([path for path, _ in rows_by_pair], units, declarations)
    plan.unit_kinds = kinds
    plan.new_units = sorted((p for p in kinds if p not in units.kind_of), key=len)
    plan.new_kinds = sorted(
        {kinds[p] for p in plan.new_units if kinds[p].lower() not in units.kinds},
        key=str.lower,
    )


def _rows_by_unit(
    rows: list[RosterRow],
) -> dict[tuple[UnitPath, tuple[str, ...] | None], list[int]]:
    """The row numbers of each distinct (unit path, unit kinds) pair, in file order."""
    rows_by_pair: dict[tuple[UnitPath, tuple[str, ...] | None], list[int]] = {}
    for row in rows:
        if row.unit_path:
            rows_by_pair.setdefault((row.unit_path, row.unit_kinds), []).append(row.row)
    return rows_by_pair


class _UnitDeclarations:
    """What the file has said so far about each unit: its spelling and its kind."""

    def __init__(self, units: StoredUnits) -> None:
        self.units = units
        # Two units whose names differ only in capitals are almost always a typing slip.
        self.spelled: dict[UnitPath, tuple[UnitPath, int | None]] = {
            tuple(part.lower() for part in path): (path, None) for path in units.kind_of
        }
        self.declared: dict[UnitPath, tuple[str, int]] = {}  # unit path → (kind, first row)
        self.new_kind_spelling: dict[str, str] = {}  # first spelling of a kind the file adds

    def problems(
        self, unit_path: UnitPath, unit_kinds: tuple[str, ...] | None, *, first_row: int
    ) -> list[tuple[str, str]]:
        """(column, message) for each problem with the units of one path, from the top."""
        problems: list[tuple[str, str]] = []
        for depth in range(len(unit_path)):
            prefix = unit_path[: depth + 1]
            spelling = self._spelling_problem(prefix, first_row)
            if spelling:
                problems.append(("unit_path", spelling))
                break
            if unit_kinds is not None:
                kind = self._kind_problem(prefix, unit_kinds[depth], first_row)
                if kind:
                    problems.append(("unit_kinds", kind))
        return problems

    def _spelling_problem(self, prefix: UnitPath, first_row: int) -> str:
        lowered = tuple(part.lower() for part in prefix)
        first_spelling, where = self.spelled.setdefault(lowered, (prefix, first_row))
        if first_spelling == prefix:
            return ""
        source = "already in the organisation" if where is None else f"on row {where}"
        return (
            f"{'/'.join(prefix)!r} differs only in capitals from "
            f"{'/'.join(first_spelling)!r} ({source}); spell units the same way."
        )

    def _kind_problem(self, prefix: UnitPath, named: str, first_row: int) -> str:
        kind = self.units.kinds.get(named.lower()) or self.new_kind_spelling.setdefault(
            named.lower(), named
        )
        earlier = self.declared.get(prefix)
        if earlier is not None and earlier[0].lower() != kind.lower():
            return (
                f"{'/'.join(prefix)!r} is a {kind!r} here but a {earlier[0]!r} on row {earlier[1]}."
            )
        if earlier is None:
            self.declared[prefix] = (kind, first_row)
        current = self.units.kind_of.get(prefix)
        if current is not None and current.lower() != kind.lower():
            return f"{'/'.join(prefix)!r} already exists as a {current!r}, not a {kind!r}."
        return ""


def _kind_of_every_unit(
    unit_paths: list[UnitPath], units: StoredUnits, declarations: _UnitDeclarations
) -> dict[UnitPath, str]:
    """Each unit's kind: as stored, else as the file declares it, else by its depth."""
    deepest_kind = units.depth_kinds[max(units.depth_kinds)] if units.depth_kinds else "unit"
    kinds: dict[UnitPath, str] = {}
    for unit_path in unit_paths:
        for depth in range(len(unit_path)):
            prefix = unit_path[: depth + 1]
            if prefix in kinds:
                continue
            if prefix in units.kind_of:
                kinds[prefix] = units.kind_of[prefix]
            elif prefix in declarations.declared:
                kinds[prefix] = declarations.declared[prefix][0]
            else:
                kinds[prefix] = units.depth_kinds.get(depth, deepest_kind)
    return kinds
