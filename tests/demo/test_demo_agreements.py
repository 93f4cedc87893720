"""The demo's agreements: one being prepared, one waiting for the nurse manager, one accepted
after the chair proposed changes, with follow-ups done on time, one missed and one due, and a
concern answered and one open."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accord.demo.services import DEMO_PASSWORD, seed_demo
from accord.expectations.models import Agreement, Concern, FollowUp
from accord.expectations.selectors import follow_up_state

pytestmark = pytest.mark.django_db


def test_the_demo_has_agreements_in_several_states() -> None:
    logins = seed_demo()
    assert {a.status for a in Agreement.objects.all()} == {"preparing", "proposed", "accepted"}
    states = [follow_up_state(f, timezone.now()) for f in FollowUp.objects.order_by("due_at")]
    assert states == ["done", "done", "missed", "due", "upcoming"]
    assert Concern.objects.filter(addressed_at__isnull=True).count() == 1
    manager = next(login for login in logins if login.role_label == "Unit nurse manager")
    client = Client()
    client.post(reverse("login"), {"username": manager.email, "password": DEMO_PASSWORD})
    home = client.get(reverse("home"), follow=True).content.decode()
    assert "waits for your answer: Running the night shift" in home
