"""The demo's loop: the chair's plans in every state on both system-wide pulses, one
re-measured better and one not clearly changed, the finished plan's unit asked whether it
made a difference, and updates the staff nurse reads on her home page."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accord.actions import selectors
from accord.actions.models import ActionPlan, PlanStatus
from accord.demo.services import DEMO_PASSWORD, seed_demo

pytestmark = pytest.mark.django_db


def test_the_demo_chair_closed_the_loop_and_the_staff_nurse_hears_of_it() -> None:
    logins = seed_demo()
    plans = list(ActionPlan.objects.select_related("cycle", "unit").order_by("pk"))
    assert {plan.status for plan in plans} == set(PlanStatus.values)
    assert len({plan.cycle_id for plan in plans}) == 2
    verdicts = [selectors.remeasure(plan).verdict for plan in plans]
    assert "better" in verdicts and "not clearly changed" in verdicts
    done = next(plan for plan in plans if plan.status == PlanStatus.DONE)
    assert selectors.remeasure(done).verdict == "better"
    feedback = selectors.feedback_of(done)
    assert feedback.state == "published" and feedback.respondents >= 5
    assert feedback.words.endswith("who answered say it made a difference.")

    nurse = next(login for login in logins if login.role_label == "Staff nurse")
    client = Client()
    signed_in = client.post(reverse("login"), {"username": nurse.email, "password": DEMO_PASSWORD})
    assert signed_in.status_code == 302
    home = client.get(reverse("home"), follow=True).content.decode()
    published = [plan for plan in plans if plan.updates.filter(published_at__isnull=False)]
    assert published and all(plan.title in home for plan in published[:3])
