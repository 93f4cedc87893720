"""The demo's agreements: one being prepared, one waiting for the nurse manager, one accepted
after the chair proposed changes, with follow-ups done on time, one missed and one due, and a
concern answered and one open."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accord.demo.services import DEMO_PASSWORD, seed_demo
from accord.expectations.models import Agreement, Concern, FollowUp, Meeting, MeetingStatus
from accord.expectations.selectors import follow_up_state

pytestmark = pytest.mark.django_db


def test_the_demo_has_agreements_in_several_states() -> None:
    logins = seed_demo()
    assert sorted(a.status for a in Agreement.objects.all()) == [
        "accepted", "preparing", "proposed", "proposed"
    ]  # fmt: skip
    states = [follow_up_state(f, timezone.now()) for f in FollowUp.objects.order_by("due_at")]
    assert states == ["done", "done", "missed", "due", "upcoming"]
    assert Concern.objects.filter(addressed_at__isnull=True).count() == 1
    manager = next(login for login in logins if login.role_label == "Unit nurse manager")
    client = Client()
    client.post(reverse("login"), {"username": manager.email, "password": DEMO_PASSWORD})
    home = client.get(reverse("home"), follow=True).content.decode()
    assert "waits for your answer: Running the night shift" in home
    # Two of the executive team: the chief executive's agreement with the chief nursing
    # officer, sent with the meeting booked; she sees it waiting for her answer.
    staffing = Agreement.objects.get(topic="The nurse staffing plan for the board")
    assert staffing.leader.attributes["job_title"] == "Chief Executive Officer"
    assert staffing.colleague.attributes["job_title"] == "Chief Nursing Officer"
    assert staffing.status == "proposed"
    assert staffing.meetings.get().status == MeetingStatus.SCHEDULED
    executive = next(login for login in logins if login.role_label == "Executive")
    client = Client()
    client.post(reverse("login"), {"username": executive.email, "password": DEMO_PASSWORD})
    home = client.get(reverse("home"), follow=True).content.decode()
    assert "waits for your answer: The nurse staffing plan for the board" in home
    # The executive's agreement with the chair was met about and recorded by both.
    held = Meeting.objects.get(status=MeetingStatus.HELD)
    assert held.agreement.topic == "Patient flow through the emergency department"
    assert sorted(held.notes.values_list("side", flat=True)) == ["colleague", "leader"]
    assert held.starts_at < timezone.now()
