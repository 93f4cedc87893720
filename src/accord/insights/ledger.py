"""The ledger of releases: what earlier releases of a cycle let anyone work out.

A release is frozen once shown. A later release of the same cycle (late responses, a
re-organisation, a deleted response) must be safe together with everything released before,
so each release leaves a :class:`ReleaseRecord`: for every response it covered, its levels in
the release's model (:meth:`Closure.factors`: the deepest released unit holding it and, per
dimension, where its value is released). Every number of the release is a sum over responses
with those levels' effects, so the records carry exactly what the release can reveal, and the
next release is closed against them with the same test (:func:`unprotected_classes`).
The caller stores the records; :meth:`ReleaseRecord.to_json` makes them plain JSON.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from accord.insights.suppression import Closure, ReleaseState, unprotected_classes

LEDGER_FORMAT = "accord.release-ledger/2"
# Records of the first format hold one class label per response: a single factor, which
# the proof treats as the class rule.
CLASS_LEDGER_FORMAT = "accord.release-ledger/1"
# A response a release did not cover: a level of its own in every factor of that release.
ABSENT = -2


@dataclass(frozen=True)
class ReleaseRecord:
    """The responses one release covered (sorted by id) and each one's levels, one column
    per factor of the release's model."""

    response_ids: NDArray[np.generic]
    levels: NDArray[np.int64]  # (responses, factors)
    minimum_group_size: int

    def to_json(self) -> dict[str, Any]:
        ids = np.ascontiguousarray(self.response_ids)
        return {
            "format": LEDGER_FORMAT,
            "minimum_group_size": self.minimum_group_size,
            "id_dtype": ids.dtype.str,
            "response_ids": base64.b64encode(ids.tobytes()).decode("ascii"),
            "factors": int(self.levels.shape[1]),
            "levels": base64.b64encode(
                np.ascontiguousarray(self.levels, dtype="<i8").tobytes()
            ).decode("ascii"),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ReleaseRecord:
        kind = data.get("format")
        if kind not in (LEDGER_FORMAT, CLASS_LEDGER_FORMAT):
            raise ValueError(f"not a release record in the {LEDGER_FORMAT} format")
        ids = np.frombuffer(
            base64.b64decode(data["response_ids"]), dtype=np.dtype(data["id_dtype"])
        )
        if kind == CLASS_LEDGER_FORMAT:
            raw, factors = data["class_labels"], 1
        else:
            raw, factors = data["levels"], int(data["factors"])
        flat = np.frombuffer(base64.b64decode(raw), dtype="<i8")
        if factors < 1 or len(flat) != len(ids) * factors:
            raise ValueError("a release record needs its levels for every response id")
        levels = flat.reshape(len(ids), factors).astype(np.int64)
        return cls(ids.copy(), levels, int(data["minimum_group_size"]))


def record_release(
    closure: Closure,
    state: ReleaseState,
    cell_of_respondent: NDArray[np.int64],
    response_ids: NDArray[np.generic],
    k: int,
) -> ReleaseRecord:
    covered, levels = _response_levels(closure, state, cell_of_respondent)
    ids = np.asarray(response_ids)[covered]
    order = np.argsort(ids)
    return ReleaseRecord(ids[order], levels[order], k)


def _response_levels(
    closure: Closure, state: ReleaseState, cell_of_respondent: NDArray[np.int64]
) -> tuple[NDArray[np.bool_], NDArray[np.int64]]:
    """Which responses ``state`` covers, and each covered one's levels (responses, factors)."""
    classes = closure.classify(state)
    labels = classes.of_cell[cell_of_respondent]
    covered = labels >= 0
    return covered, closure.factors(state, classes).T[labels[covered]]


def close_against_ledger(
    closure: Closure,
    state: ReleaseState,
    k: int,
    cell_of_respondent: NDArray[np.int64],
    response_ids: NDArray[np.generic],
    previous: Sequence[ReleaseRecord],
) -> tuple[ReleaseState, bool]:
    """Hide units until no combination of this release's and the earlier ones' numbers
    isolates 1 to k-1 responses.

    The responses are grouped by their levels in this release and in every earlier one,
    deleted responses included (their answers are in the earlier numbers); the groups and
    levels go to :func:`unprotected_classes` as one model. An exposed group this release has a
    part in is closed by hiding the unit it sits in, moving it up the tree until it is safe;
    a group of responses this release no longer covers (deleted ones) is closed by hiding
    the units of the responses it was released with. Returns the new state and whether
    anything was hidden.
    """
    state = state.copy()
    if not previous:
        return state, False
    current_ids = np.asarray(response_ids)
    all_ids = np.concatenate([current_ids, *(np.asarray(r.response_ids) for r in previous)])
    universe, inverse = np.unique(all_ids, return_inverse=True)
    width = 1 + len(closure.value_counts)
    columns = np.full(
        (len(universe), width + sum(r.levels.shape[1] for r in previous)), ABSENT, np.int64
    )
    start, column = len(current_ids), width
    current_slot = inverse[:start]
    for record in previous:
        end = start + len(record.response_ids)
        columns[inverse[start:end], column : column + record.levels.shape[1]] = record.levels
        start, column = end, column + record.levels.shape[1]
    changed = False
    while True:
        covered, levels = _response_levels(closure, state, cell_of_respondent)
        current = np.full((len(current_ids), width), ABSENT, np.int64)
        current[covered] = levels
        columns[current_slot, :width] = current
        touched = (columns != ABSENT).any(axis=1)
        rows = columns[touched]
        groups, label, size = np.unique(rows, axis=0, return_inverse=True, return_counts=True)
        label = label.reshape(-1)
        exposed = unprotected_classes(groups.T.copy(), size, k)
        exposed_rows = exposed[label]
        if not exposed_rows.any():
            return state, changed
        positions = rows[:, 0]  # this release's first factor: the deepest released unit
        to_hide = set(positions[exposed_rows & (positions >= 0)].tolist())
        # Groups this release no longer covers (deleted responses) are isolated by what this
        # release shows of the responses they were released with: hide the units of those
        # that share any earlier level with them.
        orphan = exposed_rows & (positions < 0)
        if orphan.any():
            earlier = rows[:, width:]
            sharing = np.zeros(len(rows), dtype=bool)
            for column in earlier.T:
                levels = column[orphan]
                sharing |= np.isin(column, levels[levels != ABSENT])
            to_hide.update(positions[sharing & (positions >= 0)].tolist())
        if not to_hide:
            if not (positions >= 0).any():
                # Only earlier releases are involved: nothing this release shows can change.
                return state, changed
            to_hide = set(range(closure.tree.size))  # none to blame: show nothing at all
        state.hide_units(np.array(sorted(to_hide), dtype=np.int64))
        changed = True
