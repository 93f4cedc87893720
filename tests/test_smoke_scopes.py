from __future__ import annotations

from accord.access.scopes import Scope
from tests.cast import Cast


def names(queryset) -> set[str]:
    return set(queryset.values_list("external_id", flat=True))


def test_nurse_manager_sees_her_unit_only(cast: Cast) -> None:
    scope = Scope(cast.membership(cast.nurse_manager))
    assert names(scope.people()) == {"nora", "sam", "nina", "ned"}


def test_chair_sees_department_and_cross_line_report(cast: Cast) -> None:
    scope = Scope(cast.membership(cast.chair))
    assert names(scope.people()) == {
        "chad", "nora", "sam", "nina", "ned", "paula", "peter", "oscar_r",
    }  # fmt: skip


def test_staff_nurse_sees_only_herself(cast: Cast) -> None:
    scope = Scope(cast.membership(cast.staff_nurse))
    assert names(scope.people()) == {"sam"}
