"""The people of an org-chart file, and of the organisation as it is.

:func:`read_people` reads every row into a :class:`RosterRow`, checking each cell on its own
(one pass, no queries); :func:`stored_people` gives the organisation's people in the same
terms, so the plan can compare them.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connection

from accord.org.importing.roster import (
    KNOWN_COLUMNS,
    PROGRESS_EVERY,
    ProgressCallback,
    RosterRow,
)
from accord.org.importing.units import StoredUnits, UnitPath, split_unit_kinds, split_unit_path
from accord.org.models import Organisation, Person, Profession, RoleGroup
from accord.org.spreadsheets import IssueCollector, Sheet, cell_text, date_cell

MAX_ATTRIBUTE_LENGTH = 500
# Deliberately simple: one @, no spaces, a dot in the domain. Good enough to catch
# the errors HR exports contain (names in the email column, missing domains).
EMAIL_PATTERN = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>.]{2,}$")
TRUE_WORDS = frozenset({"yes", "y", "true", "1", "x"})
FALSE_WORDS = frozenset({"no", "n", "false", "0"})
ROLE_GROUPS = frozenset(RoleGroup.values)


def read_people(
    sheet: Sheet,
    columns: dict[str, int],
    professions: dict[str, str],
    issues: IssueCollector,
    progress: ProgressCallback | None,
) -> list[RosterRow]:
    """Every non-blank row as a RosterRow; each cell checked on its own. One pass, no queries.

    ``professions`` maps the organisation's profession names, lower-cased, to their spelling.
    """
    reader = _RowReader(sheet, columns, professions, issues)
    rows: list[RosterRow] = []
    estimate = sheet.estimated_rows - sheet.header_row  # lines below the header
    number = sheet.header_row
    for number, cells in sheet.numbered_rows():
        if progress and number % PROGRESS_EVERY == 0:
            read = number - sheet.header_row
            progress("validate", read, max(estimate, read))
        person = reader.person(number, cells)
        if person is not None:
            rows.append(person)
    if progress:
        progress("validate", number - sheet.header_row, number - sheet.header_row)
    return rows


@dataclass(frozen=True)
class _Positions:
    """Where each column is in a row; None for an optional column the file leaves out."""

    external_id: int
    name: int
    unit_path: int
    role_group: int
    profession: int
    email: int | None
    manager: int | None
    hire_date: int | None
    leader: int | None
    active: int | None
    unit_kinds: int | None
    attributes: list[tuple[str, int]]  # (column, position) of each extra attribute column

    @classmethod
    def of(cls, columns: dict[str, int]) -> _Positions:
        return cls(
            external_id=columns["external_id"],
            name=columns["name"],
            unit_path=columns["unit_path"],
            role_group=columns["role_group"],
            profession=columns["profession"],
            email=columns.get("email"),
            manager=columns.get("manager_external_id"),
            hire_date=columns.get("hire_date"),
            leader=columns.get("leader"),
            active=columns.get("active"),
            unit_kinds=columns.get("unit_kinds"),
            attributes=[(c, p) for c, p in columns.items() if c not in KNOWN_COLUMNS],
        )


class _RowReader:
    """Reads one row into a RosterRow, field by field; each problem goes to ``issues``.

    Many people share a unit, a list of unit kinds and a hire date: each distinct one is
    split and checked once, the first time a row has it.
    """

    def __init__(
        self,
        sheet: Sheet,
        columns: dict[str, int],
        professions: dict[str, str],
        issues: IssueCollector,
    ) -> None:
        self.width = len(sheet.header)
        self.cells_are_text = sheet.cells_are_text
        self.text: Callable[[Any], str] = str.strip if sheet.cells_are_text else cell_text
        self.add = issues.add
        self.at = _Positions.of(columns)
        self.professions = professions
        self.role_group_list = ", ".join(sorted(ROLE_GROUPS))
        self.profession_list = ", ".join(sorted(professions.values()))
        self.split_unit_path = functools.cache(split_unit_path)
        self.split_unit_kinds = functools.cache(split_unit_kinds)
        self.known_dates: dict[str, dt.date] = {}  # a roster has a few thousand distinct dates

    def person(self, number: int, raw: list[Any]) -> RosterRow | None:
        """The row as a RosterRow, or None for a blank row."""
        cells = self._cells(number, raw)
        if cells is None:
            return None
        at = self.at
        external_id = self._required(number, cells, "external_id", at.external_id, 100)
        unit_path = self._unit_path(number, cells)
        return RosterRow(
            row=number,
            external_id=external_id,
            name=self._required(number, cells, "name", at.name, 200),
            email=self._email(number, cells),
            unit_path=unit_path,
            unit_kinds=self._unit_kinds(number, cells, unit_path),
            manager_external_id=self._manager(number, cells, external_id),
            role_group=self._role_group(number, cells),
            profession=self._profession(number, cells),
            hire_date=self._hire_date(number, cells),
            is_leader=self._yes_no(number, cells, "leader", at.leader, default=False),
            is_active=self._yes_no(number, cells, "active", at.active, default=True),
            attributes=self._attributes(number, cells),
        )

    def _cells(self, number: int, raw: list[Any]) -> list[Any] | None:
        """The row padded to the header's width; None for a blank row (common at the end of
        exports). Cells beyond the header's columns are a problem unless they are empty."""
        width = self.width
        if len(raw) < width:
            raw = [*raw, *([""] * (width - len(raw)))]
        if self.cells_are_text:
            if not any(raw):
                return None
        elif not any(cell_text(value) for value in raw):
            return None
        if len(raw) > width and any(self.text(value) for value in raw[width:]):
            self.add(
                number,
                None,
                f"This row has {len(raw)} cells but the header has {width} columns "
                "(is there an unquoted comma in a name?).",
            )
        return raw

    def _required(
        self, number: int, cells: list[Any], column: str, position: int, max_length: int = 0
    ) -> str:
        value = self.text(cells[position])
        if not value:
            self.add(number, column, "This field is required and is empty.")
        elif max_length and len(value) > max_length:
            self.add(number, column, f"Longer than {max_length} characters.")
        return value

    def _unit_path(self, number: int, cells: list[Any]) -> UnitPath:
        unit_text = self._required(number, cells, "unit_path", self.at.unit_path)
        if not unit_text:
            return ()
        unit_path, problem = self.split_unit_path(unit_text)
        if problem:
            self.add(number, "unit_path", problem)
        return unit_path

    def _unit_kinds(
        self, number: int, cells: list[Any], unit_path: UnitPath
    ) -> tuple[str, ...] | None:
        if self.at.unit_kinds is None:
            return None
        kinds_text = self.text(cells[self.at.unit_kinds])
        if not kinds_text:
            return None
        kinds, problem = self.split_unit_kinds(kinds_text)
        if problem:
            self.add(number, "unit_kinds", problem)
        elif unit_path and len(kinds) != len(unit_path):
            self.add(
                number,
                "unit_kinds",
                f"Names {len(kinds)} kinds for a unit path of {len(unit_path)} levels.",
            )
        else:
            return kinds
        return None

    def _role_group(self, number: int, cells: list[Any]) -> str:
        role_text = self._required(number, cells, "role_group", self.at.role_group)
        role_group = role_text.lower()
        if role_text and role_group not in ROLE_GROUPS:
            self.add(
                number,
                "role_group",
                f"Unknown role group {role_text!r}; use one of {self.role_group_list}.",
            )
        return role_group

    def _profession(self, number: int, cells: list[Any]) -> str:
        profession_text = self._required(number, cells, "profession", self.at.profession)
        if not profession_text:
            return ""
        profession = self.professions.get(profession_text.lower(), "")
        if not profession:
            self.add(
                number,
                "profession",
                f"Unknown profession {profession_text!r}; this organisation's "
                f"professions are: {self.profession_list}.",
            )
        return profession

    def _email(self, number: int, cells: list[Any]) -> str:
        if self.at.email is None:
            return ""
        email = self.text(cells[self.at.email]).lower()
        if email and (len(email) > 254 or not EMAIL_PATTERN.match(email)):
            self.add(number, "email", f"{email!r} is not a valid email address.")
        return email

    def _manager(self, number: int, cells: list[Any], external_id: str) -> str:
        if self.at.manager is None:
            return ""
        manager_external_id = self.text(cells[self.at.manager])
        if manager_external_id and manager_external_id == external_id:
            self.add(number, "manager_external_id", "A person cannot be their own manager.")
        return manager_external_id

    def _hire_date(self, number: int, cells: list[Any]) -> dt.date | None:
        if self.at.hire_date is None:
            return None
        value = cells[self.at.hire_date]
        text = self.text(value)
        hire_date = self.known_dates.get(text)
        if not text or hire_date is not None:
            return hire_date
        try:
            hire_date = _date(value)
        except ValueError:
            self.add(
                number,
                "hire_date",
                f"{text!r} is not a date; write YYYY-MM-DD (or use a date cell in Excel).",
            )
            return None
        if isinstance(value, str):
            self.known_dates[text] = hire_date
        return hire_date

    def _yes_no(
        self, number: int, cells: list[Any], column: str, position: int | None, *, default: bool
    ) -> bool:
        if position is None:
            return default
        value = self.text(cells[position])
        if not value:
            return default
        word = value.lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        self.add(number, column, f"{value!r} is not yes or no.")
        return default

    def _attributes(self, number: int, cells: list[Any]) -> dict[str, str]:
        attributes: dict[str, str] = {}
        for column, position in self.at.attributes:
            value = self.text(cells[position])
            if value:
                if len(value) > MAX_ATTRIBUTE_LENGTH:
                    self.add(number, column, f"Longer than {MAX_ATTRIBUTE_LENGTH} characters.")
                attributes[column] = value
        return attributes


def _date(value: Any) -> dt.date:
    """A hire date; one typed as text must fall between 1900 and 2100 (a typing slip else)."""
    parsed = date_cell(value)
    if not isinstance(value, dt.date) and not 1900 <= parsed.year <= 2100:
        raise ValueError(value)
    return parsed


# --- the people as stored ----------------------------------------------------


@dataclass(slots=True)
class StoredPerson:
    pk: int
    name: str
    email: str
    unit_path: UnitPath
    manager_external_id: str
    role_group: str
    profession: str
    hire_date: dt.date | None
    is_leader: bool
    is_active: bool
    attributes: dict[str, Any]


def stored_people(organisation: Organisation, units: StoredUnits) -> dict[str, StoredPerson]:
    """The organisation's people by external id, in the same terms as the file uses."""
    professions = dict(
        Profession.objects.filter(organisation=organisation).values_list("pk", "name")
    )
    # Plain ids rather than joins: the unit paths and professions are already in memory.
    fields = (
        "external_id", "pk", "name", "email", "unit_id", "manager_id", "role_group",
        "profession_id", "hire_date", "is_leader", "is_active", "attributes",
    )  # fmt: skip
    # The ORM's SQL, read without its per-value converters: most people share one of a
    # few attribute sets and a few thousand hire dates, so each is decoded once below.
    sql, params = (
        Person.objects.filter(organisation=organisation)
        .values_list(*fields)
        .query.sql_with_params()
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        values = cursor.fetchall()
    external_id_of = {v[1]: v[0] for v in values}
    attribute_sets: dict[Any, dict[str, Any]] = {}
    dates: dict[Any, dt.date | None] = {None: None}
    people: dict[str, StoredPerson] = {}
    for (
        external_id, pk, name, email, unit_id, manager_id, role_group, profession_id,
        hire_date, is_leader, is_active, attributes,
    ) in values:  # fmt: skip
        if hire_date not in dates:
            dates[hire_date] = (
                dt.date.fromisoformat(hire_date) if isinstance(hire_date, str) else hire_date
            )
        if attributes not in attribute_sets:
            decoded = json.loads(attributes) if isinstance(attributes, str | bytes) else attributes
            attribute_sets[attributes] = decoded or {}
        people[external_id] = StoredPerson(
            pk=pk,
            name=name,
            email=email,
            unit_path=units.path_of[unit_id],
            manager_external_id=external_id_of[manager_id] if manager_id else "",
            role_group=role_group,
            profession=professions[profession_id],
            hire_date=dates[hire_date],
            is_leader=bool(is_leader),
            is_active=bool(is_active),
            attributes=attribute_sets[attributes],
        )
    return people
