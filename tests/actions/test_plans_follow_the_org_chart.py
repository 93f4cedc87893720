"""A plan stays with its unit: a removed unit hands its plans to its parent, and says so."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accord.actions import selectors, services
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


def test_a_plan_follows_its_unit_row_through_a_rename(loop_world: LoopWorld) -> None:
    """Plans hang on the unit's row, not its name: renamed, the unit keeps them, its people
    still read their updates, and the finding is still re-measured for the same group."""
    w = loop_world
    leader = w.leader(EMERGENCY)
    plan = w.plan(leader, EMERGENCY, "outcome:burnout_rate")
    services.add_update(ascope=w.ascope(leader), actor=leader, plan=plan, text="Floats on nights.",
                        publish=True)  # fmt: skip
    Unit.objects.filter(full_name=EMERGENCY).update(
        name="Emergency Medicine", full_name="Harbor/Emergency Medicine"
    )
    moved = ActionPlan.objects.get(pk=plan.pk)
    assert moved.unit.name == "Emergency Medicine" and moved.handed_from == ""
    page = w.client(leader).get(reverse("action-plan", args=[w.slug, plan.pk])).content.decode()
    assert "Plan for Emergency Medicine" in page
    feed = w.client(w.nurse).get(reverse("you-said-we-did", args=[w.slug])).content.decode()
    assert "Floats on nights." in feed and "Emergency Medicine" in feed
    assert selectors.remeasure(moved).verdict == "better"
