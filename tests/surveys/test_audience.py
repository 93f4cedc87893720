"""Generalising invitees' attributes: every full combination shared by at least k people,
on generated org charts with many tiny units and rare professions."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from accord.surveys.audience import (
    NOT_RECORDED,
    AudienceTooSmall,
    Invitee,
    generalise,
    tenure_band,
)

ON = dt.date(2026, 11, 1)
PROFESSIONS = {"clinician": ["Nurse", "Physician", "Pharmacist", "Therapist"],
               "administrator": ["Manager", "Analyst"], "other": ["Porter"]}  # fmt: skip


@st.composite
def org_charts(draw: st.DrawFn) -> tuple[dict[int, int | None], list[Invitee], int]:
    units = draw(st.integers(min_value=1, max_value=25))
    parents: dict[int, int | None] = {0: None}
    for unit in range(1, units):
        parents[unit] = draw(st.integers(min_value=0, max_value=unit - 1))
    k = draw(st.integers(min_value=3, max_value=8))
    size = draw(st.integers(min_value=k, max_value=120))
    invitees = []
    for person in range(size):
        group = draw(st.sampled_from(sorted(PROFESSIONS)))
        hired = draw(st.none() | st.dates(dt.date(1980, 1, 1), ON))
        invitees.append(Invitee(person, draw(st.integers(0, units - 1)), group,
                                draw(st.sampled_from(PROFESSIONS[group])), hired))  # fmt: skip
    return parents, invitees, k


@settings(max_examples=300, deadline=None)
@given(org_charts())
def test_every_combination_is_shared_by_k_invitees(chart: tuple) -> None:
    parents, invitees, k = chart
    attributes = generalise(invitees, parents=parents, k=k, on=ON)
    assert set(attributes) == {invitee.person_id for invitee in invitees}
    combinations = Counter(a.combination() for a in attributes.values())
    assert min(combinations.values()) >= k
    for invitee in invitees:
        reported = attributes[invitee.person_id]

        # Reported under their own unit or one above it, or (with nobody above to be counted
        # with) under a unit of the same branch of the root; never another branch's.
        def chain(unit: int | None) -> list[int]:
            units = []
            while unit is not None:
                units.append(unit)
                unit = parents[unit]
            return units

        mine, theirs = chain(invitee.unit_id), chain(reported.unit_id)
        assert reported.unit_id in mine or len(theirs) == 1 or mine[-2:] == theirs[-2:]
        # Generalised, never changed: a role group is kept or dropped, not swapped.
        assert reported.role_group in (invitee.role_group, NOT_RECORDED)


def test_a_large_unit_keeps_its_detail() -> None:
    parents = {1: None, 2: 1}
    invitees = [Invitee(i, 2, "clinician", "Nurse", dt.date(2020, 1, 1)) for i in range(12)]
    invitees += [
        Invitee(100 + i, 2, "administrator", "Manager", dt.date(2015, 1, 1)) for i in range(6)
    ]
    attributes = generalise(invitees, parents=parents, k=5, on=ON)
    assert attributes[0].combination() == (2, "clinician", "Nurse", "5 to 10 years")
    assert attributes[100].combination() == (2, "administrator", "Manager", "10 years or more")


def test_a_rare_profession_is_pooled_and_a_tiny_unit_rolls_up() -> None:
    parents = {1: None, 2: 1, 3: 1}
    invitees = [Invitee(i, 2, "clinician", "Nurse", None) for i in range(8)]
    invitees += [Invitee(50 + i, 2, "clinician", "Physician", None) for i in range(3)]
    invitees += [Invitee(60 + i, 2, "clinician", "Pharmacist", None) for i in range(2)]
    invitees += [Invitee(70 + i, 3, "clinician", "Nurse", None) for i in range(2)]
    attributes = generalise(invitees, parents=parents, k=5, on=ON)
    assert {attributes[50].profession, attributes[60].profession} == {"Other clinician"}
    assert attributes[0].profession == "Nurse"
    assert attributes[70].unit_id == 1  # two people cannot be a unit of their own


def test_too_small_an_audience_is_refused() -> None:
    try:
        generalise([Invitee(1, 1, "clinician", "Nurse", None)], parents={1: None}, k=5, on=ON)
    except AudienceTooSmall as error:
        assert "at least 5" in str(error)
    else:
        raise AssertionError("an audience of one was accepted")


def test_tenure_bands() -> None:
    assert tenure_band(dt.date(2025, 11, 2), ON) == "Under 2 years"
    assert tenure_band(dt.date(2024, 11, 1), ON) == "2 to 5 years"
    assert tenure_band(dt.date(2000, 1, 1), ON) == "10 years or more"
    assert tenure_band(None, ON) == tenure_band(dt.date(2030, 1, 1), ON) == NOT_RECORDED


def test_a_teams_lone_manager_is_reported_with_the_unit_above() -> None:
    parents = {1: None, 2: 1}
    invitees = [Invitee(i, 2, "clinician", "Nurse", None) for i in range(8)]
    invitees.append(Invitee(99, 2, "administrator", "Manager", None))
    invitees += [Invitee(200 + i, 1, "administrator", "Manager", None) for i in range(5)]
    attributes = generalise(invitees, parents=parents, k=5, on=ON)
    # The team keeps its role group; its manager counts with the unit above.
    assert attributes[0].combination() == (2, "clinician", "Nurse", NOT_RECORDED)
    assert attributes[99].combination() == (1, "administrator", "Manager", NOT_RECORDED)


def test_only_the_people_of_a_rare_value_lose_it() -> None:
    # Twelve nurses: six newcomers, then 3 + 2 + 1 spread over the older bands. The
    # newcomers keep their band; only the six others are recorded without theirs. (Another
    # unit holds enough of each band for every band to be kept across the organisation.)
    parents = {1: None, 2: 1}
    hired = [dt.date(2025, 6, 1)] * 6 + [dt.date(2022, 1, 1)] * 3 + [dt.date(2018, 1, 1)] * 2
    hired.append(dt.date(2001, 1, 1))
    invitees = [Invitee(i, 1, "clinician", "Nurse", day) for i, day in enumerate(hired)]
    # Five physicians (all newcomers) and two pharmacists: the pharmacists cannot stand alone,
    # so the smallest profession that can joins them as "Other clinician".
    invitees += [
        Invitee(20 + i, 1, "clinician", "Physician", dt.date(2025, 6, 1)) for i in range(5)
    ]
    invitees += [
        Invitee(30 + i, 1, "clinician", "Pharmacist", dt.date(2025, 6, 1)) for i in range(2)
    ]
    invitees += [
        Invitee(100 + 10 * b + i, 2, "administrator", "Manager", dt.date(year, 1, 1))
        for b, year in enumerate((2022, 2018, 2001))
        for i in range(5)
    ]
    attributes = generalise(invitees, parents=parents, k=5, on=ON)
    reported = Counter(a.combination()[1:] for a in attributes.values() if a.unit_id == 1)
    assert reported == {
        ("clinician", "Nurse", "Under 2 years"): 6,
        ("clinician", "Nurse", NOT_RECORDED): 6,
        ("clinician", "Other clinician", "Under 2 years"): 7,
    }


def test_a_value_nobody_can_keep_is_not_recorded_rather_than_pooled() -> None:
    # Two of each of three professions: no pool of "Other clinician" could leave anyone a
    # profession of their own, so none is recorded.
    invitees = [
        Invitee(10 * p + i, 1, "clinician", name, None)
        for p, name in enumerate(("Nurse", "Physician", "Therapist"))
        for i in range(2)
    ]
    attributes = generalise(invitees, parents={1: None}, k=5, on=ON)
    assert {a.combination() for a in attributes.values()} == {
        (1, "clinician", NOT_RECORDED, NOT_RECORDED)
    }
