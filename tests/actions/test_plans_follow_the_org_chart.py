"""A plan stays with its unit: a removed unit hands its plans to its parent, and says so."""

from __future__ import annotations

import pytest

from accord.actions import selectors
from accord.actions.models import ActionPlan
from accord.org.models import Person, Unit
from tests.actions.world import EMERGENCY, SURGERY, THEATRE, LoopWorld

pytestmark = pytest.mark.django_db


def test_a_removed_unit_hands_its_plans_to_its_parent(loop_world: LoopWorld) -> None:
    w = loop_world
    plan = w.plan(w.leader(SURGERY), SURGERY, "outcome:burnout_rate")
    theatre = Unit.objects.get(full_name=THEATRE)
    ActionPlan.objects.filter(pk=plan.pk).update(unit=theatre)
    Person.objects.filter(unit=theatre).delete()
    theatre.delete()
    moved = ActionPlan.objects.get(pk=plan.pk)
    assert moved.unit.full_name == SURGERY
    assert moved.handed_from.startswith(f"{THEATRE} (removed ")
    # The finding still names the group it was released for.
    assert selectors.starting_figure(moved) is not None


def test_a_renamed_unit_keeps_its_plans(loop_world: LoopWorld) -> None:
    w = loop_world
    plan = w.plan(w.leader(EMERGENCY), EMERGENCY, "outcome:burnout_rate")
    Unit.objects.filter(full_name=EMERGENCY).update(name="Emergency Medicine",
                                                    full_name="Harbor/Emergency Medicine")  # fmt: skip
    assert ActionPlan.objects.get(pk=plan.pk).unit.name == "Emergency Medicine"
