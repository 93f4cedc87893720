"""What the closure keeps: big top-level breakdowns survive whenever a safe choice exists.

The perception gap (clinicians vs administrators of the same scope) matters most at the top of
the tree. A system-wide breakdown splits every class below it, so a team with only two
support workers becomes a class of two; the closure must then hide something. These tests
show that it hides the small thing (the team, a small filter value) rather than the big
top-level figures, that nothing it hides could be shown on its own, and — with the
linear-algebra auditor and an independent person-by-person class count — that the guarantee
holds throughout.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accord.insights import Dimension
from accord.insights.engine import PROTECTS_SMALLER_GROUP
from tests.insights.factories import Org, shown

ROLE = Dimension("role_group", ("clinician", "administrator", "other", "not recorded"))
TENURES = ("under 2 years", "2 to 5 years", "over 5 years")
TENURE = Dimension("tenure", (*TENURES, "not recorded"))
TOP_ROLES = ("clinician", "administrator")


def mixed(org: Org, rng: np.random.Generator, unit: int, count: int, **values: str) -> None:
    """``count`` people of one role and profession, their tenure bands drawn at random."""
    for tenure, n in zip(TENURES, rng.multinomial(count, [0.3, 0.3, 0.4]), strict=True):
        if n:
            org.add(unit, int(n), tenure=tenure, **values)


def health_system(teams: int = 3, seed: int = 3) -> tuple[Org, int, list[int], list[int]]:
    """Two hospitals with leaders attached to the hospital itself, clinical departments of
    teams (clinicians and support workers; every third team has only two support workers)
    and an administration department. Returns the org, the system, hospitals, small teams."""
    rng = np.random.default_rng(seed)
    org = Org()
    system = org.unit("Riverside Health")
    mixed(org, rng, system, 6, role_group="administrator", profession="manager")
    hospitals, thin = [], []
    for name in ("North", "South"):
        hospital = org.unit(f"{name} Hospital", system)
        hospitals.append(hospital)
        mixed(org, rng, hospital, 2, role_group="administrator", profession="manager")
        for department_name in ("Emergency", "Medicine"):
            department = org.unit(f"{name} {department_name}", hospital)
            for t in range(teams):
                team = org.unit(f"{name} {department_name} team {t + 1}", department)
                mixed(org, rng, team, 10, role_group="clinician", profession="nurse")
                mixed(org, rng, team, 4, role_group="clinician", profession="physician")
                support = 2 if t % 3 == 2 else 6
                mixed(org, rng, team, support, role_group="other", profession="support")
                if support < 5:
                    thin.append(team)
        administration = org.unit(f"{name} Administration", hospital)
        mixed(org, rng, administration, 14, role_group="administrator", profession="manager")
    return org, system, hospitals, thin


def test_top_level_clinicians_and_administrators_are_released_in_a_health_system() -> None:
    org, system, hospitals, thin = health_system()
    report = org.release()
    for scope in (system, *hospitals):
        assert shown(report, scope)
        for role in TOP_ROLES:
            assert shown(report, scope, "role_group", role), (org.names[scope], role)
    # The class rule's price: the teams whose two support workers a system-wide breakdown
    # splits off. The exact rule shows them: no combination of numbers isolates the pair.
    by_class = org.release(exact=False)
    for team in thin:
        assert by_class.group(team).reason_code == PROTECTS_SMALLER_GROUP
        assert shown(report, team)
    assert org.attack(report).safe
    # The same breakdowns without the closure let the auditor work out the pairs.
    assert not org.attack(org.release(complementary=False)).safe


def test_a_not_recorded_remainder_hides_the_smallest_offered_value() -> None:
    # Two nurses whose role group was not recorded: with every value shown on their chain
    # they would be a class of two. The cheapest safe choice joins them to the support
    # workers (the smallest value) — not to the clinicians, whose figures stay.
    org = Org(dimensions=(ROLE, TENURE))
    system = org.unit("Riverside Health")
    org.add(system, 6, role_group="administrator")
    hospitals = []
    for name in ("North", "South"):
        hospital = org.unit(f"{name} Hospital", system)
        hospitals.append(hospital)
        for w in range(3):
            ward = org.unit(f"{name} ward {w + 1}", hospital)
            org.add(ward, 14, role_group="clinician")
            org.add(ward, 5, role_group="other")
        office = org.unit(f"{name} Office", hospital)
        org.add(office, 9, role_group="administrator")
    ward = org.names.index("North ward 3")
    org.add(ward, 2, role_group="not recorded")
    report = org.release()
    for scope in (system, *hospitals):
        for role in TOP_ROLES:
            assert shown(report, scope, "role_group", role), (org.names[scope], role)
    assert shown(report, ward) and shown(report, ward, "role_group", "clinician")
    for scope in (system, hospitals[0], ward):
        assert report.group(scope, "role_group", "other").reason_code == PROTECTS_SMALLER_GROUP
    assert shown(report, hospitals[1], "role_group", "other")  # no remainder there
    assert org.attack(report).safe


def demo_health_system(people: int, seed: int = 7) -> Org:
    """The demo generator's health system, 80% answering, as in bench/insights.py."""
    from accord.demo.generator import generate_demo_roster

    rows = generate_demo_roster(people=people, seed=seed).rows
    professions = sorted({row["profession"] for row in rows})
    dimensions = (
        ROLE,
        Dimension("profession", (*professions, "not recorded")),
        Dimension("tenure", ("under 1 year", "1 to 5 years", "over 5 years", "not recorded")),
    )
    org = Org(dimensions=dimensions, seed=seed)
    index: dict[str, int] = {}
    for row in rows:
        parts = row["unit_path"].split("/")
        for depth in range(1, len(parts) + 1):
            path = "/".join(parts[:depth])
            if path not in index:
                parent = index["/".join(parts[: depth - 1])] if depth > 1 else None
                index[path] = org.unit(path, parent)
    direct = np.bincount([index[row["unit_path"]] for row in rows], minlength=len(index))
    rng = np.random.default_rng(seed)
    today = dt.date(2026, 6, 30)
    for row in rows:
        unit = index[row["unit_path"]]
        while 0 < direct[unit] < 3 and org.parents[unit] >= 0:  # tiny units roll up
            unit = org.parents[unit]
        if rng.random() >= 0.8:
            org.invited[unit] += 1
            continue
        years = (today - dt.date.fromisoformat(row["hire_date"])).days / 365.25
        tenure = dimensions[2].labels[int(np.searchsorted([1.0, 5.0], years, side="right"))]
        org.add(unit, role_group=row["role_group"], profession=row["profession"], tenure=tenure)
    return org


def test_the_demo_health_system_shows_the_perception_gap_at_the_top() -> None:
    org = demo_health_system(6000)
    report = org.release()
    depth = {0: 0}
    for unit, parent in enumerate(org.parents):
        if parent >= 0:
            depth[unit] = depth[parent] + 1
    scopes = [u for u in range(len(org.names)) if depth[u] <= 1 and report.group(u).respondents]
    assert len(scopes) >= 3  # the system and its hospitals
    for scope in scopes:
        for role in TOP_ROLES:
            assert shown(report, scope, "role_group", role), (org.names[scope], role)
    assert org.attack(report).safe


def test_the_demo_shows_its_intensive_care_units_and_the_system_by_tenure() -> None:
    # The class rule hides both ICUs of the demo's default size (89 and 72 respondents, in
    # teams of 27 to 36) and every tenure band at the top, for classes of a few people that
    # no combination of the released numbers isolates.
    org = demo_health_system(2000)
    report, by_class = org.release(), org.release(exact=False)
    units = [
        u for u, name in enumerate(org.names) if name.endswith(("Medical ICU", "Surgical ICU"))
    ]
    assert len(units) == 2
    for unit in units:
        assert not shown(by_class, unit) and shown(report, unit), org.names[unit]
    system = org.names.index("Riverside Health")
    for band in ("under 1 year", "1 to 5 years", "over 5 years"):
        assert shown(report, system, "tenure", band) and not shown(by_class, system, "tenure", band)
    assert org.attack(report).safe


@st.composite
def organisations(draw: st.DrawFn) -> Org:
    dimensions = (
        Dimension("role_group", ("clinician", "administrator", "not recorded")),
        Dimension("tenure", ("under 2 years", "over 2 years", "not recorded")),
    )
    org = Org(dimensions=dimensions, seed=draw(st.integers(0, 2**16)))
    units = draw(st.integers(1, 8))
    for u in range(units):
        org.unit(f"u{u}", None if u == 0 else draw(st.integers(0, u - 1)))
    for u in range(units):
        for _ in range(draw(st.integers(0, 3))):
            values = {d.name: d.labels[draw(st.integers(0, len(d.labels) - 1))] for d in dimensions}
            org.add(u, draw(st.integers(1, 9)), **values)
    return org


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(organisations(), st.integers(3, 5))
def test_nothing_hidden_could_be_shown_on_its_own(org: Org, k: int) -> None:
    """Under the class rule, every group hidden to protect others would, shown alone, leave a
    class below k."""
    if not org.people:
        return
    report = org.release(k=k, exact=False)
    assert all(size >= k for size in org.class_sizes(report))
    for group in report.groups:
        if group.reason_code != PROTECTS_SMALLER_GROUP:
            continue
        sizes = org.class_sizes(report, also=((group.unit, group.dimension, group.value),))
        assert any(size < k for size in sizes), f"{group} could have been shown"


def test_a_small_breakdown_is_given_up_to_show_the_systems_clinicians() -> None:
    # k = 3. The system holds four administrators and four newcomer clinicians of its own;
    # its ward two administrators, two clinicians whose tenure is not recorded and three
    # newcomer clinicians. The class rule shows the newcomers (system and ward) and cannot
    # show the role groups. Both together would isolate the ward's two clinicians of
    # unrecorded tenure (the system's clinicians less its newcomers). The exact rule trades:
    # the tenure breakdowns speak for fewer people, of a less valued dimension.
    tenure = Dimension("tenure", ("under 2 years", "over 2 years", "not recorded"))
    org = Org(dimensions=(ROLE, tenure))
    system = org.unit("system")
    ward = org.unit("ward", system)
    org.add(system, 4, role_group="administrator", tenure="not recorded")
    org.add(system, 4, role_group="clinician", tenure="under 2 years")
    org.add(ward, 2, role_group="administrator", tenure="not recorded")
    org.add(ward, 2, role_group="clinician", tenure="not recorded")
    org.add(ward, 3, role_group="clinician", tenure="under 2 years")
    by_class, exact = org.release(k=3, exact=False), org.release(k=3)
    assert shown(by_class, system, "tenure", "under 2 years")
    assert not shown(by_class, system, "role_group", "clinician")
    assert shown(exact, system, "role_group", "clinician")
    assert shown(exact, system, "role_group", "administrator")
    assert not shown(exact, system, "tenure", "under 2 years")
    assert shown(exact, system) and shown(exact, ward)
    assert org.attack(exact, k=3).safe


def test_the_perception_gap_is_not_traded_for_a_tenure_band() -> None:
    # k = 3. Showing the system's long-serving people (13, priced 13) would take hiding the
    # clinicians of the system and of its first department (3 each, priced 12): cheaper, but
    # the role groups the perception gap needs are not given up for a less valued dimension.
    tenure = Dimension("tenure", ("under 2 years", "over 2 years", "not recorded"))
    org = Org(dimensions=(ROLE, tenure))
    system = org.unit("system")
    first, second, _, fourth = (org.unit(name, system) for name in ("a", "b", "c", "d"))
    org.add(first, 3, role_group="clinician", tenure="under 2 years")
    org.add(first, 4, role_group="not recorded", tenure="over 2 years")
    org.add(first, 1, role_group="administrator", tenure="under 2 years")
    org.add(second, 1, role_group="not recorded", tenure="not recorded")
    org.add(second, 2, role_group="administrator", tenure="over 2 years")
    org.add(fourth, 4, role_group="administrator", tenure="not recorded")
    org.add(fourth, 7, role_group="not recorded", tenure="over 2 years")
    exact = org.release(k=3)
    assert shown(exact, system, "role_group", "clinician")
    assert shown(exact, first, "role_group", "clinician")
    assert not shown(exact, system, "tenure", "over 2 years")
    assert org.attack(exact, k=3).safe
