"""Load a survey cycle from the database into the engine's plain inputs.

Answers are stored one packed row per response (one byte per scored item), so a whole cycle
is one query and one ``np.frombuffer``. Dimension values come from the cycle's *invitations*
(the org chart, generalised before any token existed), never from the responses, so the list
of filter values says nothing about who answered.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

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
from accord.insights.models import AnswerSnapshot
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
    return CycleInputs(data, tree, dimensions, instrument)


# The id of the organisation itself when its chart has several top-level units: no unit's.
ORGANISATION_ROOT_ID = 0


def unit_tree(cycle: Cycle) -> tuple[UnitTree, dict[int, int]]:
    """Every unit of the organisation, with the cycle's invitees attached directly to each.

    An org chart with several top-level units (two hospitals side by side, an acquisition
    imported next to the system) gets the organisation itself as the root above them, with
    no one attached to it directly.
    """
    rows: list[tuple[int, int | None, str]] = list(
        Unit.objects.filter(organisation_id=cycle.organisation_id)
        .order_by("path")
        .values_list("pk", "parent_id", "name")
    )
    if sum(parent is None for _, parent, _ in rows) > 1:
        name = cycle.organisation.name
        rows = [(ORGANISATION_ROOT_ID, None, name)] + [
            (pk, ORGANISATION_ROOT_ID if parent is None else parent, unit_name)
            for pk, parent, unit_name in rows
        ]
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


@dataclass(frozen=True)
class AnswerColumns:
    """A cycle's responses as arrays; each attribute as codes into its own list of values."""

    ids: np.ndarray  # 16-byte response ids, sorted
    unit_pks: np.ndarray
    answers: np.ndarray  # responses x scored items
    values: dict[str, tuple[str, ...]]  # per attribute column: its distinct stored values
    codes: dict[str, np.ndarray]  # per attribute column: each response's index into values

    def to_bytes(self) -> bytes:
        meta = json.dumps({"format": SNAPSHOT_FORMAT, "values": self.values})
        buffer = io.BytesIO()
        arrays: dict[str, Any] = {
            "meta": np.frombuffer(meta.encode("utf-8"), dtype=np.uint8),
            "ids": self.ids,
            "unit_pks": self.unit_pks,
            "answers": self.answers,
        }
        arrays.update({f"codes_{name}": codes for name, codes in self.codes.items()})
        np.savez(buffer, **arrays)
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, blob: bytes) -> AnswerColumns:
        with np.load(io.BytesIO(blob), allow_pickle=False) as archive:
            meta = json.loads(archive["meta"].tobytes().decode("utf-8"))
            if meta.get("format") != SNAPSHOT_FORMAT:
                raise ValueError(f"not an answer snapshot in the {SNAPSHOT_FORMAT} format")
            return cls(
                ids=archive["ids"],
                unit_pks=archive["unit_pks"],
                answers=archive["answers"],
                values={name: tuple(values) for name, values in meta["values"].items()},
                codes={name: archive[f"codes_{name}"] for name in DIMENSION_FIELDS},
            )


SNAPSHOT_FORMAT = "accord.answer-columns/1"


def answer_columns(cycle: Cycle, items: int) -> AnswerColumns:
    """The cycle's responses: from its snapshot when that is current, else from the rows
    (and, once the cycle is closed, kept as its snapshot for the next load)."""
    count = survey_models.Response.objects.filter(cycle=cycle).count()
    blob = (
        AnswerSnapshot.objects.filter(cycle=cycle, responses=count)
        .values_list("data", flat=True)
        .first()
    )
    if blob is not None:
        return AnswerColumns.from_bytes(bytes(blob))
    columns = _columns_from_rows(cycle, items)
    if cycle.status in (Cycle.Status.CLOSED, Cycle.Status.PUBLISHED):
        AnswerSnapshot.objects.update_or_create(
            cycle=cycle, defaults={"responses": len(columns.ids), "data": columns.to_bytes()}
        )
    return columns


def _columns_from_rows(cycle: Cycle, items: int) -> AnswerColumns:
    # A plain cursor: the ORM would build a UUID object and a model-field conversion per row.
    # The database turns each attribute into its code (a CASE over the few distinct values)
    # and packs the codes into one number, so Python handles numbers and bytes only.
    responses = survey_models.Response.objects.filter(cycle=cycle)
    combinations = list(responses.values_list(*DIMENSION_FIELDS).distinct().order_by())
    values = {
        name: tuple(sorted({row[i] for row in combinations}))
        for i, name in enumerate(DIMENSION_FIELDS)
    }
    packed_codes, parameters = _packed_codes_sql(values)
    table = survey_models.Response._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            # Ids as hex text: PostgreSQL's driver would build a UUID object per row.
            f"SELECT REPLACE(CAST(id AS TEXT), '-', ''), reporting_unit_id, {packed_codes}, "  # noqa: S608
            f"answers FROM {table} "
            "WHERE cycle_id = %s",
            [*parameters, cycle.pk],
        )
        rows = cursor.fetchall()
    count = len(rows)
    if not count:
        return AnswerColumns(
            np.zeros(0, dtype="S16"), np.zeros(0, dtype=np.int64),
            np.zeros((0, items), dtype=np.uint8), values,
            {name: np.zeros(0, dtype=np.int32) for name in DIMENSION_FIELDS},
        )  # fmt: skip
    ids, units, packed_values, packed = zip(*rows, strict=True)
    answers = np.frombuffer(b"".join(packed), dtype=np.uint8)
    if answers.size != count * items:
        raise ValueError("stored answers do not match the cycle's instrument")
    remaining = np.fromiter(packed_values, dtype=np.int64, count=count)
    codes = {}
    for name in reversed(DIMENSION_FIELDS):
        remaining, codes[name] = np.divmod(remaining, max(1, len(values[name])))
    # Sorted by the random response ids: the snapshot's order says nothing about time.
    id_bytes = _id_bytes(ids)
    order = np.argsort(id_bytes, kind="stable")
    return AnswerColumns(
        ids=id_bytes[order],
        unit_pks=np.fromiter(units, dtype=np.int64, count=count)[order],
        answers=answers.reshape(count, items)[order],
        values=values,
        codes={name: codes[name][order].astype(np.int32) for name in DIMENSION_FIELDS},
    )


def _packed_codes_sql(values: dict[str, tuple[str, ...]]) -> tuple[str, list[str]]:
    """SQL for ((code of column 0) x values of 1 + code of 1) x values of 2 + ...: each code
    is the position of the stored value in ``values``."""
    expression = "0"
    parameters: list[str] = []
    for name in DIMENSION_FIELDS:  # column names: constants, never input
        known = values[name]
        branches = " ".join(f"WHEN %s THEN {code}" for code in range(len(known)))
        case = f"CASE {name} {branches} ELSE 0 END" if known else "0"
        expression = f"({expression}) * {max(1, len(known))} + {case}"
        parameters += list(known)
    return expression, parameters


def load_answers(
    cycle: Cycle, index_of: dict[int, int], dimensions: Sequence[Dimension], items: int
) -> CycleData:
    """Every response of the cycle: ``dimensions`` are named after the response columns;
    a stored value a dimension has no label for counts as "not recorded"."""
    columns = answer_columns(cycle, items)
    count = len(columns.ids)
    if index_of:
        index_of_pk = np.full(max(index_of) + 1, -1, dtype=np.int64)
        index_of_pk[np.fromiter(index_of, dtype=np.int64)] = np.fromiter(
            index_of.values(), dtype=np.int64
        )
    else:
        index_of_pk = np.full(1, -1, dtype=np.int64)
    inside = columns.unit_pks < len(index_of_pk)
    unit = np.full(count, -1, dtype=np.int64)
    unit[inside] = index_of_pk[columns.unit_pks[inside]]
    if (unit < 0).any():
        raise ValueError("a response's unit is not in the organisation's unit tree")
    attributes = {}
    for d in dimensions:
        if d.name not in DIMENSION_FIELDS:
            raise ValueError(f"responses have no column {d.name!r}")
        missing = d.labels.index(NOT_RECORDED)
        lookup = {label: code for code, label in enumerate(d.labels) if code != missing}
        recode = np.array(
            [lookup.get(value, missing) for value in columns.values[d.name]] or [missing],
            dtype=np.int64,
        )
        attributes[d.name] = recode[columns.codes[d.name]]
    return CycleData(
        answers=columns.answers,
        unit=unit,
        attributes=attributes,
        response_ids=columns.ids,
    )


def _id_bytes(ids: Sequence[str]) -> np.ndarray:
    """Response ids (32 hex digits each) as 16-byte strings."""
    return np.frombuffer(bytes.fromhex("".join(ids)), dtype="S16")


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
