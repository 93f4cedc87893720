"""Small organisations for attacking the insights engine, built person by person."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from accord.insights import (
    Comment,
    CycleData,
    Dimension,
    InstrumentMeta,
    ItemMeta,
    OutcomeMeta,
    ReleasePolicy,
    ReleaseRecord,
    Report,
    UnitTree,
)
from accord.insights.engine import _release
from tests.insights.auditor import Audit, Record, audit

ROLE = Dimension("role_group", ("clinician", "administrator", "other", "not recorded"))
PROFESSION = Dimension(
    "profession", ("nurse", "physician", "pharmacist", "manager", "support", "not recorded")
)
TENURE = Dimension("tenure", ("under 2 years", "2 to 5 years", "over 5 years", "not recorded"))
DIMENSIONS = (ROLE, PROFESSION, TENURE)

AGREE = (1, 2, 3, 4, 5)
SMALL_INSTRUMENT = InstrumentMeta(
    items=(
        ItemMeta("trust_senior_leaders", "trust", "driver", AGREE, (4, 5), AGREE),
        ItemMeta("intent_to_leave", "intent_to_leave", "outcome", AGREE, (1, 2), (5, 4, 3, 2, 1)),
        ItemMeta("recommend", "recommend", "outcome", tuple(range(11)), (9, 10), tuple(range(11))),
    ),
    outcomes=(
        OutcomeMeta("intent_to_leave_rate", 1, (4, 5)),
        OutcomeMeta("enps", 2, (9, 10), tuple(range(7))),
    ),
)


@dataclass
class Person:
    unit: int
    attributes: tuple[int, ...]
    answers: tuple[int, ...]
    response_id: int


@dataclass
class Org:
    """An org chart and its respondents; ``release`` runs the engine, ``attack`` audits it."""

    dimensions: Sequence[Dimension] = DIMENSIONS
    instrument: InstrumentMeta = SMALL_INSTRUMENT
    names: list[str] = field(default_factory=list)
    parents: list[int] = field(default_factory=list)
    invited: list[int] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    seed: int = 7

    def __post_init__(self) -> None:
        self.rng = np.random.default_rng(self.seed)
        self.next_id = 1000

    def unit(self, name: str, parent: int | None = None) -> int:
        self.names.append(name)
        self.parents.append(-1 if parent is None else parent)
        self.invited.append(0)
        return len(self.names) - 1

    def add(self, unit: int, count: int = 1, **values: str) -> list[Person]:
        """``count`` respondents attached directly to ``unit``; unnamed values: the first label."""
        attributes = tuple(
            d.labels.index(values[d.name]) if d.name in values else 0 for d in self.dimensions
        )
        added = []
        for _ in range(count):
            answers = tuple(int(self.rng.choice(item.codes)) for item in self.instrument.items)
            person = Person(unit, attributes, answers, self.next_id)
            self.next_id += 1
            self.people.append(person)
            self.invited[unit] += 1
            added.append(person)
        return added

    def comment(self, unit: int, count: int = 1, item: str = "change_first", **values: str) -> None:
        attributes = {
            d.name: d.labels.index(values[d.name]) if d.name in values else 0
            for d in self.dimensions
        }
        for _ in range(count):
            self.comments.append(
                Comment(unit, attributes, item, f"comment {len(self.comments) + 1}")
            )

    def tree(self) -> UnitTree:
        return UnitTree(
            tuple(self.names), np.array(self.parents), np.array(self.invited, dtype=np.int64)
        )

    def data(self) -> CycleData:
        n = len(self.people)
        answers = np.array([p.answers for p in self.people], dtype=np.uint8).reshape(
            n, len(self.instrument.items)
        )
        return CycleData(
            answers=answers,
            unit=np.array([p.unit for p in self.people], dtype=np.int64),
            attributes={
                d.name: np.array([p.attributes[i] for p in self.people], dtype=np.int64)
                for i, d in enumerate(self.dimensions)
            },
            response_ids=np.array([p.response_id for p in self.people], dtype=np.int64),
            comments=tuple(self.comments),
        )

    def release(
        self,
        k: int = 5,
        comment_minimum: int = 10,
        previous: Sequence[ReleaseRecord] = (),
        complementary: bool = True,
        seed: int | None = 1,
        exact: bool = True,
    ) -> Report:
        return _release(
            self.data(),
            self.tree(),
            self.dimensions,
            self.instrument,
            ReleasePolicy(k, comment_minimum),
            previous,
            seed,
            complementary=complementary,
            exact=exact,
        )

    def records(self, release: int = 0) -> list[Record]:
        return [Record(p.unit, p.attributes, frozenset({release})) for p in self.people]

    def attack(self, report: Report, k: int = 5) -> Audit:
        answers = np.array([p.answers for p in self.people], dtype=np.int64)
        return audit(
            self.tree(), self.dimensions, k, self.records(), [(0, report)], answers={0: answers}
        )

    def class_sizes(
        self, report: Report, also: tuple[tuple[int, str | None, str | None], ...] = ()
    ) -> list[int]:
        """The sizes of the classes: respondents grouped by the released groups holding them.

        Counted person by person from the report's groups (``also`` adds groups as if they
        were released), independently of how the engine computes classes.
        """
        parents = self.parents
        names = [d.name for d in self.dimensions]
        shown = [(g.unit, g.dimension, g.value) for g in report.groups if g.released]
        shown += list(also)
        chains = []
        for unit in range(len(parents)):
            chain = set()
            while unit >= 0:
                chain.add(unit)
                unit = parents[unit]
            chains.append(chain)
        classes: dict[frozenset[int], int] = {}
        for person in self.people:
            label = {
                name: self.dimensions[i].labels[person.attributes[i]]
                for i, name in enumerate(names)
            }
            key = frozenset(
                i
                for i, (unit, dimension, value) in enumerate(shown)
                if unit in chains[person.unit] and (dimension is None or label[dimension] == value)
            )
            if key:
                classes[key] = classes.get(key, 0) + 1
        return sorted(classes.values())

    def attack_comments(self, report: Report, k: int = 10, item: str = "change_first") -> Audit:
        records = [
            Record(c.unit, tuple(c.attributes[d.name] for d in self.dimensions), frozenset({0}))
            for c in self.comments
            if c.item == item
        ]
        return audit(self.tree(), self.dimensions, k, records, [(0, report)], comment_item=item)


def shown(
    report: Report, unit: int, dimension: str | None = None, value: str | None = None
) -> bool:
    return report.group(unit, dimension, value).released
