"""What the closure does not promise, pinned down: uniform answers and bounds from counts.

docs/privacy.md ("What this does not protect") says how Accord treats a released group in
which everyone gave the same answer and the ranges that non-negative counts leave for a
hidden class. These tests hold the engine to those words.
"""

from __future__ import annotations

import dataclasses
import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from accord.insights import Report
from tests.insights.factories import DIMENSIONS, Org
from tests.insights.test_engine_counts import chains
from tests.insights.test_properties import organisations

ITEM = 0  # trust_senior_leaders, answered 1..5


def ward() -> tuple[Org, int]:
    """A hospital whose ward is broken down by role group and by tenure: the exact rule
    shows both, and the three clinicians with under two years form a class of 3 inside."""
    org = Org()
    hospital = org.unit("Hospital")
    ward = org.unit("Ward", hospital)
    office = org.unit("Office", hospital)
    org.add(ward, 3, role_group="clinician", tenure="under 2 years")
    org.add(ward, 6, role_group="clinician", tenure="over 5 years")
    org.add(ward, 6, role_group="administrator", tenure="under 2 years")
    org.add(ward, 6, role_group="administrator", tenure="over 5 years")
    org.add(office, 12, role_group="administrator", tenure="over 5 years")
    return org, ward


def matches(org: Org, attributes: tuple[int, ...], values: dict[str, str]) -> bool:
    """Do these attribute codes carry every named value?"""
    labels = {d.name: d.labels[code] for d, code in zip(org.dimensions, attributes, strict=True)}
    return all(labels[name] == value for name, value in values.items())


def answer(org: Org, code: int, **values: str) -> None:
    """Everyone matching ``values`` gives ``code`` to the item."""
    for person in org.people:
        if matches(org, person.attributes, values):
            answers = list(person.answers)
            answers[ITEM] = code
            person.answers = tuple(answers)


def what_is_shown(report: Report) -> list[tuple[object, ...]]:
    return [(g.unit, g.dimension, g.value, g.released, g.reason_code) for g in report.groups]


def possible_counts(org: Org, report: Report, code: int, **target: str) -> set[int]:
    """Every count of ``code`` among the people matching ``target`` (in the ward) that some
    filling of the cells agrees with: each cell (unit and attributes) holding between 0 and
    all of its people choosing ``code``, and every released group's count of it as released.
    Brute force over the cells, independent of the engine."""
    people: dict[tuple[int, tuple[int, ...]], int] = {}  # per cell: unit and attributes
    for person in org.people:
        cell = (person.unit, person.attributes)
        people[cell] = people.get(cell, 0) + 1
    cells = list(people)
    unit_chains = chains(org)
    constraints = []
    for group in report.released_groups():
        released = report.item_results(group)[ITEM].option_counts[code]
        value = {} if group.dimension is None else {group.dimension: str(group.value)}
        members = [
            i
            for i, (unit, attributes) in enumerate(cells)
            if group.unit in unit_chains[unit] and matches(org, attributes, value)
        ]
        constraints.append((members, released))
    wanted = [i for i, (_, attributes) in enumerate(cells) if matches(org, attributes, target)]
    found = set()
    for filling in itertools.product(*(range(people[cell] + 1) for cell in cells)):
        if all(sum(filling[i] for i in members) == released for members, released in constraints):
            found.add(sum(filling[i] for i in wanted))
    return found


def test_the_ward_has_a_class_of_three_inside_released_groups_and_nothing_derivable() -> None:
    org, _ = ward()
    report = org.release()
    assert 3 in org.class_sizes(report)
    assert not org.attack(report).leaks


def test_mixed_answers_leave_the_small_class_a_range() -> None:
    org, _ = ward()
    answer(org, 2)
    for person in org.people[:2] + org.people[3:5] + org.people[9:11] + org.people[15:17]:
        person.answers = (1, *person.answers[1:])  # two strongly-disagree in each ward cell
    report = org.release()
    counts = possible_counts(org, report, 1, role_group="clinician", tenure="under 2 years")
    assert 2 in counts  # the truth
    assert len(counts) > 1 and min(counts) == 0 and max(counts) == 3


def test_a_released_group_that_answered_as_one_tells_each_members_answer() -> None:
    # The documented limit: every ward clinician chose 5, so the three newcomers did too —
    # a 100% cell. Accord shows it as it is, and the same release as for mixed answers.
    org, ward_unit = ward()
    mixed = what_is_shown(org.release())
    answer(org, 3)
    answer(org, 5, role_group="clinician")
    report = org.release()
    assert what_is_shown(report) == mixed
    clinicians = report.group(ward_unit, "role_group", "clinician")
    assert report.item_results(clinicians)[ITEM].option_counts[5] == 9
    assert possible_counts(org, report, 5, role_group="clinician", tenure="under 2 years") == {3}
    # And a 0% cell: nobody among the ward's clinicians chose 1, so no newcomer did.
    assert possible_counts(org, report, 1, role_group="clinician", tenure="under 2 years") == {0}


@settings(max_examples=60, deadline=None)
@given(organisations(DIMENSIONS, max_units=5), st.integers(1, 5))
def test_what_is_shown_never_depends_on_the_answers(org: Org, code: int) -> None:
    # Hiding uniform cells would itself say the answers were uniform: the decision reads
    # only who answered, never what they answered.
    before = what_is_shown(org.release())
    org.people = [dataclasses.replace(p, answers=(code, code, 2 * code)) for p in org.people]
    assert what_is_shown(org.release()) == before
