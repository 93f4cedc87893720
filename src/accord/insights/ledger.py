"""The ledger of releases: what earlier releases of a cycle let anyone work out.

A release is frozen once shown. A later release of the same cycle (late responses, a
re-organisation, a deleted response) must be safe together with everything released before,
so each release leaves a :class:`ReleaseRecord`: for every response it covered, the class the
response fell in (responses in the same released groups share a class). Those classes carry
exactly what the release's numbers can reveal, and the next release is closed against them.
The caller stores the records; :meth:`ReleaseRecord.to_json` makes them plain JSON.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from accord.insights.suppression import Classes, Closure, ReleaseState

LEDGER_FORMAT = "accord.release-ledger/1"


@dataclass(frozen=True)
class ReleaseRecord:
    """The responses one release covered and the class each fell in (sorted by response id)."""

    response_ids: NDArray[np.generic]
    class_labels: NDArray[np.int64]
    minimum_group_size: int

    def to_json(self) -> dict[str, Any]:
        ids = np.ascontiguousarray(self.response_ids)
        return {
            "format": LEDGER_FORMAT,
            "minimum_group_size": self.minimum_group_size,
            "id_dtype": ids.dtype.str,
            "response_ids": base64.b64encode(ids.tobytes()).decode("ascii"),
            "class_labels": base64.b64encode(
                self.class_labels.astype("<i8", copy=False).tobytes()
            ).decode("ascii"),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ReleaseRecord:
        if data.get("format") != LEDGER_FORMAT:
            raise ValueError(f"not a release record in the {LEDGER_FORMAT} format")
        ids = np.frombuffer(
            base64.b64decode(data["response_ids"]), dtype=np.dtype(data["id_dtype"])
        )
        labels = np.frombuffer(base64.b64decode(data["class_labels"]), dtype="<i8")
        if len(ids) != len(labels):
            raise ValueError("a release record needs one class label per response id")
        return cls(ids.copy(), labels.astype(np.int64), int(data["minimum_group_size"]))


def record_release(
    classes: Classes,
    cell_of_respondent: NDArray[np.int64],
    response_ids: NDArray[np.generic],
    k: int,
) -> ReleaseRecord:
    labels = classes.of_cell[cell_of_respondent]
    covered = labels >= 0
    ids = np.asarray(response_ids)[covered]
    order = np.argsort(ids)
    return ReleaseRecord(ids[order], labels[covered][order].astype(np.int64), k)


def close_against_ledger(
    closure: Closure,
    state: ReleaseState,
    k: int,
    cell_of_respondent: NDArray[np.int64],
    response_ids: NDArray[np.generic],
    previous: Sequence[ReleaseRecord],
) -> tuple[ReleaseState, bool]:
    """Hide units until every class of the union of this release and the earlier ones holds k.

    A class here is the responses sharing their class in this release and in every earlier
    one, deleted responses included (their answers are in the earlier numbers). A small class
    this release has a part in is closed by hiding the unit the class sits in, moving it up the
    tree until it merges; a class of responses this release no longer covers (deleted ones) is
    closed by hiding the units of the responses it was released with. Returns the new state
    and whether anything was hidden.
    """
    state = state.copy()
    if not previous:
        return state, False
    current_ids = np.asarray(response_ids)
    all_ids = np.concatenate([current_ids, *(np.asarray(r.response_ids) for r in previous)])
    universe, inverse = np.unique(all_ids, return_inverse=True)
    columns = np.full((len(universe), 1 + len(previous)), -1, dtype=np.int64)
    start = len(current_ids)
    current_slot = inverse[:start]
    for column, record in enumerate(previous, start=1):
        end = start + len(record.response_ids)
        columns[inverse[start:end], column] = record.class_labels
        start = end
    changed = False
    while True:
        classes = closure.classify(state)
        columns[current_slot, 0] = classes.of_cell[cell_of_respondent]
        touched = (columns >= 0).any(axis=1)
        rows = columns[touched]
        slots = np.flatnonzero(touched)
        _, label, size = np.unique(rows, axis=0, return_inverse=True, return_counts=True)
        label = label.reshape(-1)
        small_rows = size[label] < k
        if not small_rows.any():
            return state, changed
        position_of_slot = np.full(len(universe), -1, dtype=np.int64)
        position_of_slot[current_slot] = np.where(
            columns[current_slot, 0] >= 0,
            classes.position[np.maximum(columns[current_slot, 0], 0)],
            -1,
        )
        positions = position_of_slot[slots]
        to_hide = set(positions[small_rows & (positions >= 0)].tolist())
        # Classes this release no longer covers: hide where their earlier classmates now sit.
        orphan = small_rows & (rows[:, 0] < 0)
        if orphan.any():
            _, earlier = np.unique(rows[:, 1:], axis=0, return_inverse=True)
            earlier = earlier.reshape(-1)
            classmates = np.isin(earlier, earlier[orphan]) & (positions >= 0)
            to_hide.update(positions[classmates].tolist())
        if not to_hide:
            # Only earlier releases are involved: nothing this release shows can be changed.
            return state, changed
        state.hide_units(np.array(sorted(to_hide), dtype=np.int64))
        changed = True
