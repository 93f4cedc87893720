"""A leader sees the subtree of the unit they lead and their reporting line, nothing more."""

from __future__ import annotations

from accord.access.models import Role
from accord.access.services import grant_membership
from tests.access.seen import people_seen, riverside_scope, units_seen
from tests.cast import Cast


def test_nurse_manager_sees_her_unit_and_its_people(cast: Cast) -> None:
    scope = riverside_scope(cast.nurse_manager)
    assert people_seen(scope) == {"nora", "sam", "nina", "ned"}
    assert units_seen(scope) == {"ED Nursing"}


def test_chair_sees_a_cross_line_report_in_surgery_but_not_that_reports_colleagues(
    cast: Cast,
) -> None:
    scope = riverside_scope(cast.chair)
    assert people_seen(scope) == {
        "chad", "nora", "sam", "nina", "ned", "paula", "peter", "oscar_r",
    }  # fmt: skip
    assert units_seen(scope) == {"Emergency", "ED Nursing", "ED Physicians", "Perioperative"}


def test_chair_does_not_see_his_own_boss_or_peers(cast: Cast) -> None:
    assert people_seen(riverside_scope(cast.chair)).isdisjoint({"ceo", "sue", "pia", "alice"})


def test_a_leader_without_the_leader_flag_sees_only_their_reporting_line(cast: Cast) -> None:
    sue = cast.person("sue")
    user = grant_membership(
        organisation=cast.riverside, email="sue@riverside.example", role=Role.LEADER, person=sue
    ).user
    # Flagged, Sue leads Surgery, which includes oscar_r, who reports to the chair.
    assert people_seen(riverside_scope(user)) == {"sue", "olga", "omar", "oscar_r"}

    sue.is_leader = False
    sue.save()
    scope = riverside_scope(user)
    assert people_seen(scope) == {"sue", "olga", "omar"}
    assert units_seen(scope) == {"Surgery", "Perioperative"}


def test_an_inactive_leader_loses_their_subtree_and_reporting_line(cast: Cast) -> None:
    chad = cast.person("chad")
    chad.is_active = False
    chad.save()
    scope = riverside_scope(cast.chair)
    assert people_seen(scope) == {"chad"}
    assert units_seen(scope) == {"Emergency"}
    client = cast.client_for(cast.chair)
    sam = cast.person("sam")
    assert client.get(f"/o/riverside/people/{sam.pk}/").status_code == 404
    assert client.get(f"/o/riverside/units/{sam.unit_id}/").status_code == 404


def test_a_report_who_has_left_no_longer_brings_their_unit_into_view(cast: Cast) -> None:
    oscar = cast.person("oscar_r")
    oscar.is_active = False
    oscar.save()
    scope = riverside_scope(cast.chair)
    assert "Perioperative" not in units_seen(scope)
    # Still findable among inactive people, as the rest of his former team is.
    assert "oscar_r" in people_seen(scope)
