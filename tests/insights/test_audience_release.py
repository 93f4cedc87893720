"""A survey of part of the organisation reports that part as a survey of everyone would.

The same people give the same answers twice: once invited with the whole organisation, once
invited as a cycle whose audience is one or more subtrees of it. Each invitee's reporting
attributes come from the audience generaliser and the results from the release engine, as
when a cycle opens and publishes. Every unit the organisation-wide release shows must be
shown by the scoped one: a department's own survey must not hide its teams.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter

import numpy as np
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from accord.insights import CycleData, Dimension, ReleasePolicy, UnitTree, release_results
from accord.insights.engine import PROTECTS_SMALLER_GROUP
from accord.surveys.audience import NOT_RECORDED, Invitee, ReportingAttributes, generalise
from tests.insights.factories import SMALL_INSTRUMENT

ON = dt.date(2026, 11, 1)
GROUPS = {"clinician": ("Nurse", "Physician", "Pharmacist"), "administrator": ("Manager",)}
NOT_RECORDED_LABEL = "not recorded"


def inside(unit: int, tops: list[int], parents: dict[int, int | None]) -> bool:
    node: int | None = unit
    while node is not None:
        if node in tops:
            return True
        node = parents[node]
    return False


def branch_of(unit: int, parents: dict[int, int | None]) -> int:
    """The child of the root whose subtree holds ``unit``."""
    while parents[parents[unit]] is not None:  # type: ignore[index]
        unit = parents[unit]  # type: ignore[assignment]
    return unit


def released_units(
    invitees: list[Invitee],
    respondents: set[int],
    parents: dict[int, int | None],
    k: int,
    answers: dict[int, tuple[int, ...]],
) -> dict[int, str]:
    """Per unit, "released" or why the engine hides it, for these invitees and respondents."""
    attributes = generalise(invitees, parents=parents, k=k, on=ON)
    units = sorted(parents)
    index = {unit: i for i, unit in enumerate(units)}
    invited = np.zeros(len(units), dtype=np.int64)
    for attrs in attributes.values():
        invited[index[attrs.unit_id]] += 1
    tree = UnitTree(
        ids=tuple(str(unit) for unit in units),
        parent=np.array([-1 if parents[u] is None else index[parents[u]] for u in units]),  # type: ignore[index]
        direct_invited=invited,
    )
    answered = [pid for pid in sorted(attributes) if pid in respondents]

    def labels(field: str) -> tuple[str, ...]:
        values = {getattr(attributes[pid], field) for pid in attributes} - {NOT_RECORDED}
        return (*sorted(values), NOT_RECORDED_LABEL)

    fields = {"role_group": "role_group", "profession": "profession", "tenure": "tenure_band"}
    dimensions = tuple(Dimension(name, labels(field)) for name, field in fields.items())

    def code(attrs: ReportingAttributes, dimension: Dimension, field: str) -> int:
        value = getattr(attrs, field) or NOT_RECORDED_LABEL
        return dimension.labels.index(value)

    data = CycleData(
        answers=np.array([answers[pid] for pid in answered], dtype=np.uint8).reshape(
            len(answered), len(SMALL_INSTRUMENT.items)
        ),
        unit=np.array([index[attributes[pid].unit_id] for pid in answered], dtype=np.int64),
        attributes={
            dimension.name: np.array(
                [code(attributes[pid], dimension, field) for pid in answered], dtype=np.int64
            )
            for dimension, field in zip(dimensions, fields.values(), strict=True)
        },
    )
    report = release_results(data, tree, dimensions, SMALL_INSTRUMENT, ReleasePolicy(k, 10), (), 1)
    return {
        units[g.unit]: "released" if g.released else str(g.reason_code)
        for g in report.groups
        if g.dimension is None
    }


@st.composite
def scoped_surveys(draw: st.DrawFn) -> tuple:
    size = draw(st.integers(2, 10))
    parents: dict[int, int | None] = {0: None}
    for unit in range(1, size):
        parents[unit] = draw(st.integers(0, unit - 1))
    k = draw(st.integers(3, 5))
    rng = random.Random(draw(st.integers(0, 2**32)))
    invitees = []
    for unit in range(size):
        for _ in range(draw(st.sampled_from((0, 1, 2, 4, 8, 15)))):
            group = rng.choice(sorted(GROUPS))
            hired = rng.choice((None, dt.date(2024, 5, 1), dt.date(2012, 1, 1)))
            invitees.append(Invitee(len(invitees), unit, group, rng.choice(GROUPS[group]), hired))
    tops = draw(st.lists(st.integers(1, size - 1), min_size=1, max_size=2, unique=True))
    share = draw(st.sampled_from((0.5, 0.8, 1.0)))
    respondents = {i.person_id for i in invitees if rng.random() < share}
    answers = {
        i.person_id: tuple(rng.choice(item.codes) for item in SMALL_INSTRUMENT.items)
        for i in invitees
    }
    return parents, invitees, k, tops, respondents, answers


def department_with_a_lone_chair() -> tuple:
    """Riverside's Emergency department on its own: the chair is alone at its top."""
    parents = {0: None, 1: 0, 2: 1, 3: 2, 4: 2}  # system, hospital, department, two teams
    invitees = [Invitee(0, 0, "administrator", "Manager", None)]
    invitees += [Invitee(1, 1, "administrator", "Manager", None)]
    invitees += [Invitee(2, 2, "clinician", "Physician", None)]  # the chair
    invitees += [Invitee(10 + i, 3, "clinician", "Nurse", None) for i in range(12)]
    invitees += [Invitee(30 + i, 4, "clinician", "Physician", None) for i in range(7)]
    answers = {i.person_id: (3, 3, 5) for i in invitees}
    respondents = {i.person_id for i in invitees}
    return parents, invitees, 5, [2], respondents, answers


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@example(department_with_a_lone_chair())
@given(scoped_surveys())
def test_a_scoped_cycle_shows_every_unit_an_organisation_wide_cycle_shows(case: tuple) -> None:
    parents, invitees, k, tops, respondents, answers = case
    audience = [i for i in invitees if inside(i.unit_id, tops, parents)]
    if len(audience) < k:
        return  # too small to open
    branches = Counter(branch_of(i.unit_id, parents) for i in audience)
    if min(branches.values()) < k:
        # A branch of the organisation holding fewer than k of the audience has no one to be
        # counted with but the people of another branch; they are counted at the top, not
        # inside another branch's results (see the test below), which hides that branch.
        return
    answered = respondents & {i.person_id for i in audience}
    event("compared")
    everyone = released_units(invitees, answered, parents, k, answers)
    scoped = released_units(audience, answered, parents, k, answers)
    # Complementary suppression may pick another group to hide (the two releases differ in
    # detail: professions and tenure bands are pooled over who is invited), but no unit may
    # lose the people it had, so none is hidden for having too few.
    missing = {
        unit
        for unit, state in everyone.items()
        if state == "released" and scoped[unit] not in ("released", PROTECTS_SMALLER_GROUP)
    }
    assert not missing, f"units shown org-wide but with too few in the scoped cycle: {missing}"


def test_a_branch_below_the_minimum_is_counted_at_the_top_not_inside_another_branch() -> None:
    # Two departments side by side under the system; the first holds one person of the
    # audience. Counting her inside the second department would put her answers in its
    # results; she is counted at the top with the smallest other part instead.
    parents = {0: None, 1: 0, 2: 0, 3: 0}
    invitees = [Invitee(1, 1, "administrator", "Manager", None)]
    invitees += [Invitee(10 + i, 2, "clinician", "Nurse", None) for i in range(4)]
    invitees += [Invitee(20 + i, 3, "clinician", "Nurse", None) for i in range(9)]
    attributes = generalise(invitees, parents=parents, k=3, on=ON)
    assert attributes[1].unit_id == 0
    assert {attributes[10 + i].unit_id for i in range(4)} == {0}  # the smaller part joins her
    assert {attributes[20 + i].unit_id for i in range(9)} == {3}
