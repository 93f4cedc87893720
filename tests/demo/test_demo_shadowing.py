"""The demo's shadowing programme: a dozen hosts across hospitals and shifts, visits in every
state, commitments done, in progress, can't do and overdue, three hosts' word on the
executive (so it shows pooled), departments never visited — and the staff nurse hosts."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accord.demo.services import DEMO_PASSWORD, seed_demo
from accord.shadowing.models import Commitment, Host, Reflection, Visit

pytestmark = pytest.mark.django_db


def signed_in(logins: list, label: str) -> Client:
    login = next(login for login in logins if login.role_label == label)
    client = Client()
    client.post(reverse("login"), {"username": login.email, "password": DEMO_PASSWORD})
    return client


def test_the_demo_runs_a_shadowing_programme_in_every_state() -> None:
    logins = seed_demo()
    hosts = Host.objects.select_related("unit")
    assert hosts.count() == 12 and len({h.unit.parent_id for h in hosts}) >= 3
    assert {s for h in hosts for s in h.shifts.values_list("kind", flat=True)} == {
        "day", "evening", "night", "weekend"
    }  # fmt: skip
    assert set(Visit.objects.values_list("status", flat=True)) == {
        "requested", "confirmed", "declined"
    }  # fmt: skip
    assert {c.status for c in Commitment.objects.all()} == {"done", "in_progress", "cant_do"}
    assert any(c.overdue() for c in Commitment.objects.all())
    assert Reflection.objects.count() == 5
    nurse = signed_in(logins, "Staff nurse")
    assert "Your hosting" in nurse.get(reverse("shadowing", args=["riverside"])).content.decode()
    executive = signed_in(logins, "Executive")
    home = executive.get(reverse("org-home", args=["riverside"]), follow=True).content.decode()
    assert "Overdue: your reflection on shadowing" in home
    shadowing = executive.get(reverse("shadowing", args=["riverside"])).content.decode()
    assert "Over 3 hosts: useful" in shadowing
    coverage = executive.get(reverse("shadowing-coverage", args=["riverside"])).content.decode()
    assert "Never visited:" in coverage
