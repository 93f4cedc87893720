"""Named attacks on released results, k = 5: each would expose a group of fewer than five."""

from __future__ import annotations

import numpy as np

from accord.insights.engine import BELOW_MINIMUM, CHANGED_SINCE_RELEASE, PROTECTS_SMALLER_GROUP
from tests.insights.auditor import Record, audit
from tests.insights.factories import Org, shown


def siblings(*sizes: int) -> tuple[Org, int, list[int]]:
    org = Org()
    parent = org.unit("Medicine")
    children = []
    for position, size in enumerate(sizes):
        child = org.unit(f"Ward {position + 1}", parent)
        org.add(child, size)
        children.append(child)
    return org, parent, children


def test_siblings_7_6_3_hide_the_3_and_one_more() -> None:
    org, parent, (seven, six, three) = siblings(7, 6, 3)
    report = org.release()
    assert shown(report, parent)
    assert report.group(three).reason_code == BELOW_MINIMUM
    assert not (shown(report, seven) and shown(report, six))
    hidden_partner = seven if not shown(report, seven) else six
    assert report.group(hidden_partner).reason_code == PROTECTS_SMALLER_GROUP
    assert org.attack(report).safe


def test_siblings_7_6_3_without_the_complementary_pass_expose_the_3() -> None:
    org, _, _ = siblings(7, 6, 3)
    leaks = org.attack(org.release(complementary=False)).leaks
    assert any(leak.people == 3 for leak in leaks)


def test_siblings_8_2_2_hiding_only_the_two_small_ones_is_not_enough() -> None:
    org, parent, (eight, two_a, two_b) = siblings(8, 2, 2)
    unsafe = org.release(complementary=False)
    assert shown(unsafe, eight) and not shown(unsafe, two_a) and not shown(unsafe, two_b)
    assert any(leak.people == 4 for leak in org.attack(unsafe).leaks)  # 12 - 8: both small wards

    report = org.release()
    assert shown(report, parent)
    assert not shown(report, eight)
    assert org.attack(report).safe


def test_a_single_child_and_two_people_attached_to_the_parent() -> None:
    org = Org()
    parent = org.unit("Surgery")
    org.add(parent, 2)
    child = org.unit("Operating theatres", parent)
    org.add(child, 8)
    unsafe = org.release(complementary=False)
    assert any(leak.people == 2 for leak in org.attack(unsafe).leaks)

    report = org.release()
    assert not (shown(report, parent) and shown(report, child))
    assert org.attack(report).safe


def test_no_leak_through_the_grandparent_after_hiding_at_the_parent_level() -> None:
    org = Org()
    hospital = org.unit("North Hospital")
    medicine = org.unit("Medicine", hospital)
    ward_a = org.unit("Ward A", medicine)
    ward_b = org.unit("Ward B", medicine)
    surgery = org.unit("Surgery", hospital)
    org.add(ward_a, 6)
    org.add(ward_b, 3)
    org.add(surgery, 7)
    report = org.release()
    assert shown(report, hospital)
    if not shown(report, medicine):
        # Hospital - Surgery would give Medicine back, and Medicine - Ward A gives Ward B.
        assert not shown(report, surgery) or not shown(report, ward_a)
    assert org.attack(report).safe
    assert not org.attack(org.release(complementary=False)).safe


def test_a_department_of_20_does_not_release_its_17_clinicians() -> None:
    org = Org()
    department = org.unit("Emergency")
    org.add(department, 17, role_group="clinician", profession="nurse")
    org.add(department, 3, role_group="administrator", profession="manager")
    unsafe = org.release(complementary=False)
    assert shown(unsafe, department, "role_group", "clinician")
    assert any(leak.people == 3 for leak in org.attack(unsafe).leaks)

    report = org.release()
    assert shown(report, department)
    assert not shown(report, department, "role_group", "clinician")
    assert not shown(report, department, "profession", "nurse")
    assert org.attack(report).safe


def test_hierarchy_and_filters_cannot_be_subtracted_across_each_other() -> None:
    # Medicine - Ward A's clinicians - Ward B ... any chain through units and role values.
    org = Org()
    medicine = org.unit("Medicine")
    ward_a = org.unit("Ward A", medicine)
    ward_b = org.unit("Ward B", medicine)
    org.add(ward_a, 6, role_group="clinician", tenure="over 5 years")
    org.add(ward_b, 5, role_group="clinician", tenure="under 2 years")
    org.add(ward_b, 4, role_group="administrator", profession="manager", tenure="over 5 years")
    org.add(medicine, 6, role_group="administrator", profession="manager")
    unsafe = org.release(complementary=False)
    assert not org.attack(unsafe).safe
    report = org.release()
    assert org.attack(report).safe
    assert shown(report, medicine)


def test_comment_lists_cannot_be_subtracted() -> None:
    org = Org()
    unit = org.unit("Pharmacy")
    team = org.unit("Night team", unit)
    org.add(unit, 3)
    org.add(team, 12)
    org.comment(unit, 2)  # two comments by people attached to the pharmacy itself
    org.comment(team, 10)
    unsafe = org.release(complementary=False)
    assert any(leak.people == 2 for leak in org.attack_comments(unsafe).leaks)

    report = org.release()
    listed = [c for c in report.comments if c.released]
    assert listed, "some comment list should still be shown"
    # The pharmacy's list (and its breakdowns, which hold the same 12 comments); never the
    # night team's 10, which would leave the 2 on their own.
    assert all(len(c.texts or ()) == 12 for c in listed)
    assert all(report.groups[c.group].unit == unit for c in listed)
    assert org.attack_comments(report).safe


def test_comments_need_the_comment_minimum_not_the_group_minimum() -> None:
    org = Org()
    unit = org.unit("Laboratory")
    org.add(unit, 30)
    org.comment(unit, 9)
    report = org.release()
    assert shown(report, unit)
    (whole,) = [c for c in report.comments if report.groups[c.group].dimension is None]
    assert not whole.released and whole.texts is None
    assert whole.reason_code == "too_few_comments"


def test_comment_order_is_unrelated_to_submission_order() -> None:
    org = Org()
    unit = org.unit("Emergency")
    org.add(unit, 300)
    org.comment(unit, 200)
    submitted = [c.text for c in org.comments]
    first = org.release(seed=1)
    second = org.release(seed=2)
    (listed,) = [
        c for c in first.comments if c.released and first.groups[c.group].dimension is None
    ]
    (again,) = [
        c for c in second.comments if c.released and second.groups[c.group].dimension is None
    ]
    assert listed.texts is not None and again.texts is not None
    assert sorted(listed.texts) == sorted(submitted)
    assert list(listed.texts) != submitted and list(listed.texts) != submitted[::-1]
    assert listed.texts != again.texts
    position = {text: i for i, text in enumerate(submitted)}
    shown_rank = np.array([position[text] for text in listed.texts])
    correlation = np.corrcoef(shown_rank, np.arange(len(shown_rank)))[0, 1]
    assert abs(correlation) < 0.25


def test_hidden_groups_show_no_counts_at_all() -> None:
    org, _, _ = siblings(7, 6, 3)
    report = org.release()
    hidden = [g for g in report.groups if not g.released]
    assert hidden
    for group in hidden:
        assert group.respondents is None and group.invited is None
        assert group.response_rate is None and group.row is None
        assert group.reason and group.reason_code
        assert "3" not in group.reason  # no count in the words either
    assert len(report.answered) == len(report.released_groups())


def test_response_rates_need_enough_invitees() -> None:
    org = Org()
    hospital = org.unit("Hospital")
    clinic = org.unit("Clinic", hospital)
    org.add(clinic, 6)
    org.add(hospital, 8)
    org.invited[hospital] += 10
    report = org.release()
    whole = report.group(hospital)
    assert whole.released and whole.response_rate == 14 / 24
    org_small = Org()
    unit = org_small.unit("Tiny")
    org_small.add(unit, 5)
    small = org_small.release().group(unit)
    assert small.released and small.response_rate == 1.0
    org_small.invited[unit] = 4  # inconsistent input: fewer invitees than the minimum
    assert org_small.release().group(unit).response_rate is None


def test_a_re_release_after_one_deleted_response_hides_the_change() -> None:
    org = Org()
    hospital = org.unit("Hospital")
    ward = org.unit("Ward", hospital)
    clinic = org.unit("Clinic", hospital)
    org.add(ward, 12)
    org.add(clinic, 10)
    first = org.release()
    assert shown(first, ward) and first.group(ward).respondents == 12
    assert first.ledger_entry is not None
    everyone = list(org.people)
    deleted = everyone[0]
    org.people.remove(deleted)

    # Without the ledger, the second release would show 11 and expose the deleted answers.
    careless = org.release()
    assert careless.group(ward).respondents == 11
    records = [
        Record(p.unit, p.attributes, frozenset({0, 1}) if p is not deleted else frozenset({0}))
        for p in everyone
    ]
    tree = org.tree()
    dims = org.dimensions
    assert not audit(tree, dims, 5, records, [(0, first), (1, careless)]).safe

    record = first.ledger_entry.to_json()  # what the caller stores, and reads back
    from accord.insights import ReleaseRecord

    second = org.release(previous=[ReleaseRecord.from_json(record)])
    assert not shown(second, ward)
    assert second.group(ward).reason_code == CHANGED_SINCE_RELEASE
    assert not shown(second, hospital)  # the hospital total would give the difference too
    assert audit(tree, dims, 5, records, [(0, first), (1, second)]).safe


def test_a_re_release_with_enough_late_responses_shows_new_figures() -> None:
    org = Org()
    hospital = org.unit("Hospital")
    ward = org.unit("Ward", hospital)
    clinic = org.unit("Clinic", hospital)
    org.add(ward, 12)
    org.add(clinic, 10)
    first = org.release()
    assert first.ledger_entry is not None
    before = list(org.people)
    org.add(ward, 6)
    second = org.release(previous=[first.ledger_entry])
    assert shown(second, ward) and second.group(ward).respondents == 18
    records = [
        Record(p.unit, p.attributes, frozenset({0, 1}) if p in before else frozenset({1}))
        for p in org.people
    ]
    assert audit(org.tree(), org.dimensions, 5, records, [(0, first), (1, second)]).safe
