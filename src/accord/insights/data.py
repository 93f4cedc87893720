"""What the insights engine reads: a cycle's answers, the unit tree and the instrument.

Everything here is plain Python and NumPy so the engine can be tested and benchmarked
without Django. The survey side builds these from the database; tests build them by hand.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

MISSING = 255  # an answer byte for "not answered"
NOT_RECORDED = "not recorded"


class InsightsInputError(ValueError):
    """Input the engine cannot use; the message says what is wrong."""


@dataclass(frozen=True)
class UnitTree:
    """The organisation's units: ``parent[i]`` is the index of unit i's parent, -1 for the root.

    ``direct_invited[i]`` counts the people invited who are attached directly to unit i.
    """

    ids: tuple[str, ...]
    parent: NDArray[np.int64]
    direct_invited: NDArray[np.int64]
    names: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "parent", np.asarray(self.parent, dtype=np.int64))
        object.__setattr__(self, "direct_invited", np.asarray(self.direct_invited, dtype=np.int64))
        count = len(self.ids)
        if self.parent.shape != (count,) or self.direct_invited.shape != (count,):
            raise InsightsInputError("ids, parent and direct_invited must have one entry per unit")
        if count == 0:
            raise InsightsInputError("the unit tree has no units")
        if self.names and len(self.names) != count:
            raise InsightsInputError("names must have one entry per unit")
        roots = np.flatnonzero(self.parent == -1)
        if len(roots) != 1:
            raise InsightsInputError(f"the unit tree needs exactly one root, not {len(roots)}")
        if ((self.parent < -1) | (self.parent >= count)).any():
            raise InsightsInputError("a parent index points outside the unit tree")
        if (self.direct_invited < 0).any():
            raise InsightsInputError("direct_invited cannot be negative")

    def __len__(self) -> int:
        return len(self.ids)


@dataclass(frozen=True)
class Dimension:
    """A filter dimension (role group, profession, tenure band) and its value labels.

    A value labelled ``not recorded`` groups people whose value was not kept; they count in
    their unit's totals but are never offered as a filter value.
    """

    name: str
    labels: tuple[str, ...]

    @property
    def offered(self) -> tuple[int, ...]:
        """Codes of the values that may be released as filter groups."""
        return tuple(code for code, label in enumerate(self.labels) if label != NOT_RECORDED)


@dataclass(frozen=True)
class ItemMeta:
    """One scored item, on the raw answer codes the collection stores.

    ``favourable`` lists raw codes that count as favourable (reverse-coding already applied
    by the adapter); ``scores`` gives each code of ``codes`` its value on the scored scale.
    """

    id: str
    construct: str
    role: str
    codes: tuple[int, ...]
    favourable: tuple[int, ...]
    scores: tuple[int, ...]


@dataclass(frozen=True)
class OutcomeMeta:
    """A headline rate on one item: 100 x (answers in ``counted`` - in ``subtracted``) / answered.

    A share (burnout rate, intent-to-leave rate, feeling valued) has no ``subtracted`` codes;
    the employee net promoter score subtracts the detractors (0-6) from the promoters (9-10).
    """

    id: str
    item: int
    counted: tuple[int, ...]
    subtracted: tuple[int, ...] = ()


@dataclass(frozen=True)
class InstrumentMeta:
    items: tuple[ItemMeta, ...]
    outcomes: tuple[OutcomeMeta, ...] = ()

    @property
    def constructs(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for item in self.items:
            seen.setdefault(item.construct)
        return tuple(seen)


@dataclass(frozen=True)
class Comment:
    """One open-text answer, with no link to the answer rows: where it came from, and the text."""

    unit: int
    attributes: Mapping[str, int]
    item: str
    text: str


@dataclass(frozen=True)
class CycleData:
    """A cycle's responses: one row of ``answers`` per response, one column per scored item.

    ``answers`` holds raw answer codes (``MISSING`` when not answered); ``unit`` is the unit
    each respondent is attached to directly; ``attributes`` maps each dimension's name to one
    code per respondent. ``response_ids`` (random, int64 or 16 bytes each) let a later release
    of the same cycle be checked against this one.
    """

    answers: NDArray[np.uint8]
    unit: NDArray[np.int64]
    attributes: Mapping[str, NDArray[np.int64]]
    response_ids: NDArray[np.generic] | None = None
    comments: Sequence[Comment] = field(default_factory=tuple)

    @property
    def respondents(self) -> int:
        return int(self.answers.shape[0])


def validate(
    data: CycleData, tree: UnitTree, dimensions: Sequence[Dimension], instrument: InstrumentMeta
) -> None:
    """Raise :class:`InsightsInputError` unless the pieces fit together."""
    answers = data.answers
    if answers.dtype != np.uint8 or answers.ndim != 2:
        raise InsightsInputError("answers must be a 2-D uint8 array (respondents x items)")
    count, items = answers.shape
    if items != len(instrument.items):
        raise InsightsInputError(
            f"answers have {items} item columns; the instrument has {len(instrument.items)}"
        )
    if np.shape(data.unit) != (count,):
        raise InsightsInputError("unit must hold one unit index per respondent")
    if count and (np.min(data.unit) < 0 or np.max(data.unit) >= len(tree)):
        raise InsightsInputError("a respondent's unit is not in the unit tree")
    names = [dimension.name for dimension in dimensions]
    if len(set(names)) != len(names):
        raise InsightsInputError("dimension names must be unique")
    if set(data.attributes) != set(names):
        raise InsightsInputError(
            f"attributes are given for {sorted(data.attributes)}; the dimensions are {names}"
        )
    for dimension in dimensions:
        codes = data.attributes[dimension.name]
        if np.shape(codes) != (count,):
            raise InsightsInputError(f"{dimension.name}: one code per respondent is needed")
        if count and (np.min(codes) < 0 or np.max(codes) >= len(dimension.labels)):
            raise InsightsInputError(f"{dimension.name}: a code has no label")
    if data.response_ids is not None:
        ids = np.asarray(data.response_ids)
        if ids.shape[0] != count:
            raise InsightsInputError("response_ids must hold one id per respondent")
        ordered = np.sort(ids)
        if count > 1 and (ordered[1:] == ordered[:-1]).any():
            raise InsightsInputError("response_ids must be unique")
    for item in instrument.items:
        if not item.codes or max(item.codes) >= MISSING or min(item.codes) < 0:
            raise InsightsInputError(f"item {item.id!r}: answer codes must be 0 to 254")
        if len(item.scores) != len(item.codes):
            raise InsightsInputError(f"item {item.id!r}: one score per answer code is needed")
        if not set(item.favourable) <= set(item.codes):
            raise InsightsInputError(f"item {item.id!r}: a favourable code is not on its scale")
    item_ids = {item.id for item in instrument.items}
    for comment in data.comments:
        if not 0 <= comment.unit < len(tree):
            raise InsightsInputError("a comment's unit is not in the unit tree")
        if set(comment.attributes) != set(names):
            raise InsightsInputError("a comment needs one code per dimension")
        if comment.item in item_ids:
            raise InsightsInputError(f"item {comment.item!r} is scored, not an open question")
