"""Load a survey cycle from the database into the engine's plain inputs.

Answers are stored one packed row per response (one byte per scored item), so a whole cycle
is one query and one ``np.frombuffer``. Dimension values come from the cycle's *invitations*
(the org chart, generalised before any token existed), never from the responses, so the list
of filter values says nothing about who answered.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from django.db import connection
from django.db.models import Count

from accord.insights.adapters import instrument_meta
from accord.insights.data import (
    NOT_RECORDED,
    Comment,
    CycleData,
    Dimension,
    InstrumentMeta,
    UnitTree,
)
from accord.insights.text import Redactor
from accord.org.models import Person, RoleGroup, Unit
from accord.surveys import models as survey_models
from accord.surveys.audience import TENURE_BANDS
from accord.surveys.models import Cycle, Invitation
from accord.surveys.selectors import instrument_for

DIMENSION_FIELDS = ("role_group", "profession", "tenure_band")


@dataclass(frozen=True)
class CycleInputs:
    data: CycleData
    tree: UnitTree
    dimensions: tuple[Dimension, ...]
    instrument: InstrumentMeta
    unit_pks: tuple[int, ...]  # database id of each engine unit index


def load_cycle(cycle: Cycle, *, comments: bool = True) -> CycleInputs:
    tree, index_of = unit_tree(cycle)
    dimensions = cycle_dimensions(cycle)
    instrument = instrument_meta(instrument_for(cycle))
    data = load_answers(cycle, index_of, dimensions, len(instrument.items))
    if comments:
        data = CycleData(
            data.answers,
            data.unit,
            data.attributes,
            data.response_ids,
            tuple(_comments(cycle, index_of, dimensions)),
        )
    return CycleInputs(data, tree, dimensions, instrument, tuple(int(pk) for pk in tree.ids))


def unit_tree(cycle: Cycle) -> tuple[UnitTree, dict[int, int]]:
    """Every unit of the organisation, with the cycle's invitees attached directly to each."""
    rows = list(
        Unit.objects.filter(organisation_id=cycle.organisation_id)
        .order_by("path")
        .values_list("pk", "parent_id", "name")
    )
    index_of = {pk: i for i, (pk, _, _) in enumerate(rows)}
    invited = dict(
        Invitation.objects.filter(cycle=cycle)
        .values_list("reporting_unit_id")
        .annotate(count=Count("pk"))
        .order_by()
    )
    tree = UnitTree(
        ids=tuple(str(pk) for pk, _, _ in rows),
        parent=np.array(
            [index_of[parent] if parent is not None else -1 for _, parent, _ in rows],
            dtype=np.int64,
        ),
        direct_invited=np.array([invited.get(pk, 0) for pk, _, _ in rows], dtype=np.int64),
        names=tuple(name for _, _, name in rows),
    )
    return tree, index_of


def cycle_dimensions(cycle: Cycle) -> tuple[Dimension, ...]:
    values: dict[str, set[str]] = {name: set() for name in DIMENSION_FIELDS}
    for row in (
        Invitation.objects.filter(cycle=cycle).values_list(*DIMENSION_FIELDS).distinct().order_by()
    ):
        for name, value in zip(DIMENSION_FIELDS, row, strict=True):
            if value:
                values[name].add(value)
    role_order = {value: i for i, value in enumerate(RoleGroup.values)}
    return (
        _dimension("role_group", sorted(values["role_group"], key=lambda v: role_order.get(v, 99))),
        _dimension("profession", sorted(values["profession"], key=str.casefold)),
        _dimension("tenure_band", sorted(values["tenure_band"], key=_tenure_start)),
    )


def _dimension(name: str, offered: Sequence[str]) -> Dimension:
    return Dimension(name, (*offered, NOT_RECORDED))


def _tenure_start(label: str) -> tuple[int, str]:
    for band, first, _ in TENURE_BANDS:
        if label == band:
            return (first, label)
    # A joined band ("2 to 10 years") starts at its first number; "Under…" at zero.
    number = re.search(r"\d+", label)
    return (0 if label.lower().startswith("under") or not number else int(number.group()), label)


def load_answers(
    cycle: Cycle, index_of: dict[int, int], dimensions: Sequence[Dimension], items: int
) -> CycleData:
    """Every response of the cycle: ``dimensions`` are named after the response columns."""
    # A plain cursor: the ORM would build a UUID object and a model-field conversion per row.
    # The database turns each attribute into its code (a CASE over the few labels) and packs
    # the codes into one number, so Python only ever handles numbers and bytes.
    table = survey_models.Response._meta.db_table
    packed_codes, parameters = _packed_codes_sql(dimensions)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, reporting_unit_id, {packed_codes}, answers FROM {table} "  # noqa: S608
            "WHERE cycle_id = %s",
            [*parameters, cycle.pk],
        )
        rows = cursor.fetchall()
    count = len(rows)
    if not count:
        return CycleData(
            np.zeros((0, items), dtype=np.uint8),
            np.zeros(0, dtype=np.int64),
            {d.name: np.zeros(0, dtype=np.int64) for d in dimensions},
            np.zeros((0,), dtype="S16"),
        )
    ids, units, codes, packed = zip(*rows, strict=True)
    answers = np.frombuffer(b"".join(packed), dtype=np.uint8)
    if answers.size != count * items:
        raise ValueError("stored answers do not match the cycle's instrument")
    unit_pks = np.fromiter(units, dtype=np.int64, count=count)
    index_of_pk = np.full(max(max(index_of), int(unit_pks.max())) + 1, -1, dtype=np.int64)
    index_of_pk[np.fromiter(index_of, dtype=np.int64)] = np.fromiter(
        index_of.values(), dtype=np.int64
    )
    unit = index_of_pk[unit_pks]
    if (unit < 0).any():
        raise ValueError("a response's unit is not in the organisation's unit tree")
    remaining = np.fromiter(codes, dtype=np.int64, count=count)
    attributes = {}
    for d in reversed(dimensions):
        remaining, attributes[d.name] = np.divmod(remaining, len(d.labels))
    return CycleData(
        answers=answers.reshape(count, items),
        unit=unit,
        attributes={d.name: attributes[d.name] for d in dimensions},
        response_ids=_id_bytes(ids),
    )


def _packed_codes_sql(dimensions: Sequence[Dimension]) -> tuple[str, list[str]]:
    """SQL for ((code of dimension 0) x size of 1 + code of 1) x size of 2 + ...; a value
    with no label (or none recorded) gets the "not recorded" code."""
    expression = "0"
    parameters: list[str] = []
    for d in dimensions:
        if d.name not in DIMENSION_FIELDS:  # a column name, written into the SQL
            raise ValueError(f"responses have no column {d.name!r}")
        missing = d.labels.index(NOT_RECORDED)
        offered = [(code, label) for code, label in enumerate(d.labels) if code != missing]
        branches = " ".join("WHEN %s THEN " + str(code) for code, _ in offered)
        case = f"CASE {d.name} {branches} ELSE {missing} END" if offered else str(missing)
        expression = f"({expression}) * {len(d.labels)} + {case}"
        parameters += [label for _, label in offered]
    return expression, parameters


def _id_bytes(ids: Sequence[object]) -> np.ndarray:
    """Response ids as 16-byte strings, whichever way the database hands UUIDs back."""
    if isinstance(ids[0], str):  # SQLite: 32 hex digits
        return np.frombuffer(bytes.fromhex("".join(ids)), dtype="S16")  # type: ignore[arg-type]
    # PostgreSQL: uuid.UUID
    return np.frombuffer(b"".join(i.bytes for i in ids), dtype="S16")  # type: ignore[attr-defined]


def _comments(
    cycle: Cycle, index_of: dict[int, int], dimensions: Sequence[Dimension]
) -> list[Comment]:
    """The cycle's comments, with names, emails and phone numbers redacted before release."""
    redactor = Redactor(
        Person.objects.filter(organisation_id=cycle.organisation_id).values_list("name", flat=True)
    )
    lookups = {d.name: {label: code for code, label in enumerate(d.labels)} for d in dimensions}
    result = []
    rows = survey_models.Comment.objects.filter(cycle=cycle).values_list(
        "reporting_unit_id", "item_id", "text", *DIMENSION_FIELDS
    )
    for unit, item, text, *values in rows.iterator(chunk_size=5000):
        attributes = {}
        for d, value in zip(dimensions, values, strict=True):
            lookup = lookups[d.name]
            attributes[d.name] = lookup.get(value, lookup[NOT_RECORDED])
        result.append(Comment(index_of[unit], attributes, item, redactor.redact(text)))
    return result
