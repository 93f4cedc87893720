"""The demo health system is deterministic, believable and the right size."""

from __future__ import annotations

from collections import Counter

import pytest

from accord.demo.generator import generate_demo_roster


def test_same_seed_gives_the_same_health_system() -> None:
    assert (
        generate_demo_roster(people=500, seed=3).to_csv()
        == generate_demo_roster(people=500, seed=3).to_csv()
    )


def test_another_seed_gives_another_health_system() -> None:
    assert (
        generate_demo_roster(people=500, seed=3).to_csv()
        != generate_demo_roster(people=500, seed=4).to_csv()
    )


@pytest.mark.parametrize("people", [50, 51, 333, 2000, 25_000])
def test_roster_has_exactly_the_requested_number_of_people(people: int) -> None:
    rows = generate_demo_roster(people=people).rows
    assert len(rows) == people
    assert len({row["external_id"] for row in rows}) == people


@pytest.mark.parametrize("people", [49, 0, -5])
def test_sizes_below_fifty_are_refused(people: int) -> None:
    with pytest.raises(ValueError, match="between 50"):
        generate_demo_roster(people=people)


@pytest.mark.parametrize("people", [50, 2000, 25_000])
def test_every_reporting_line_reaches_the_chief_executive(people: int) -> None:
    rows = generate_demo_roster(people=people).rows
    manager = {row["external_id"]: row["manager_external_id"] for row in rows}
    tops = [eid for eid, boss in manager.items() if not boss]
    assert len(tops) == 1
    for external_id in manager:
        seen = set()
        while manager[external_id]:
            assert external_id not in seen
            seen.add(external_id)
            external_id = manager[external_id]
            assert external_id in manager, "manager missing from the roster"
        assert external_id == tops[0]


def test_professions_come_in_believable_proportions() -> None:
    rows = generate_demo_roster(people=25_000).rows
    share = {k: v / len(rows) for k, v in Counter(r["profession"] for r in rows).items()}
    assert 0.30 <= share["Nurse"] <= 0.50  # nurses are the largest workforce
    assert share["Nurse"] == max(share.values())
    assert 0.05 <= share["Physician"] <= 0.15
    assert 0.01 <= share["Advanced practice provider"] <= 0.06
    assert 0.005 <= share["Pharmacist"] <= 0.04
    assert share["Executive"] < 0.01
    clinicians = sum(1 for r in rows if r["role_group"] == "clinician") / len(rows)
    assert 0.55 <= clinicians <= 0.80


def test_large_systems_have_many_hospitals_and_every_unit_has_a_leader() -> None:
    rows = generate_demo_roster(people=25_000).rows
    hospitals = {r["unit_path"].split("/")[1] for r in rows if r["unit_path"].count("/") >= 2}
    assert len(hospitals) >= 5
    units = {r["unit_path"] for r in rows}
    led = {r["unit_path"] for r in rows if r["leader"] == "yes"}
    # Every unit that has people below the department level has its own leader.
    deep_units = {u for u in units if u.count("/") >= 3}
    assert deep_units <= led
    assert any(r["unit_kinds"].endswith("/team") for r in rows), "big units split into teams"


def test_demo_logins_point_at_the_right_people() -> None:
    roster = generate_demo_roster(people=2000)
    by_id = {row["external_id"]: row for row in roster.rows}
    logins = roster.logins
    assert by_id[logins.executive]["job_title"] == "Chief Nursing Officer"
    assert by_id[logins.chief_executive]["job_title"] == "Chief Executive Officer"
    assert by_id[logins.chair]["job_title"] == "Chair of Emergency"
    assert by_id[logins.nurse_manager]["job_title"] == "Nurse Manager"
    assert by_id[logins.nurse_manager]["unit_path"].endswith("/Emergency/ED Nursing")
    nurse = by_id[logins.staff_nurse]
    assert nurse["profession"] == "Nurse" and nurse["leader"] == "no"
    assert nurse["unit_path"].startswith(by_id[logins.nurse_manager]["unit_path"])
    assert all(by_id[eid]["email"] for eid in vars(logins).values())
