"""Each plan's finding is measured again when the next cycle is published, with the trends
page's test of chance."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accord.actions import selectors
from tests.actions.world import EMERGENCY, SURGERY, LoopWorld, build_loop_world

pytestmark = pytest.mark.django_db


def test_better_where_burnout_fell_and_not_clearly_changed_where_it_did_not(
    loop_world: LoopWorld,
) -> None:
    w = loop_world
    emergency = w.plan(w.leader(EMERGENCY), EMERGENCY, "outcome:burnout_rate")
    surgery = w.plan(w.leader(SURGERY), SURGERY, "outcome:burnout_rate")
    better = selectors.remeasure(emergency)
    assert better.state == "compared" and better.cycle == w.second
    assert better.verdict == "better"
    assert better.change is not None and better.change < 0
    assert selectors.remeasure(surgery).verdict == "not clearly changed"
    page = w.client(w.leader(EMERGENCY)).get(reverse("action-plan", args=[w.slug, emergency.pk]))
    assert (
        f"“{w.second.name}”: {better.then} then, {better.now} now — better."
        in page.content.decode()
    )


def test_a_plan_on_the_latest_results_waits_for_the_next_pulse(db: None) -> None:
    w = build_loop_world(second=False)
    plan = w.plan(w.leader(EMERGENCY), EMERGENCY, "outcome:burnout_rate")
    assert selectors.remeasure(plan).state == "waiting"
    assert (
        selectors.Releases().measured_again_words(plan) == "To be measured again at the next pulse."
    )
