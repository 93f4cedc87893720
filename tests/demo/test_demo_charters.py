"""The demo's team charters: an interprofessional team with a charter adopted twice, the demo
nurse manager's unit with its revisit open and waiting for the staff nurse, and a department
leadership team drafting — each visible as its members and overseers should see it."""

from __future__ import annotations

import pytest
from django.test import Client

from accord.access.models import User
from accord.charters import selectors
from accord.charters.models import Charter, TeamKind, VersionStatus
from accord.charters.state import open_revisit_of
from accord.demo.services import seed_demo

pytestmark = pytest.mark.django_db


def signed_in(email: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(email=email))
    return client


def test_the_demo_has_a_charter_in_each_state() -> None:
    logins = {login.role_label: login for login in seed_demo(people=600, seed=7)}
    charters = {c.kind: c for c in Charter.objects.all()}
    assert set(charters) == {TeamKind.GROUP, TeamKind.UNIT, TeamKind.LEADERSHIP_TEAM}
    transitions = charters[TeamKind.GROUP]
    statuses = list(transitions.versions.order_by("number").values_list("status", flat=True))
    assert statuses == [VersionStatus.SUPERSEDED, VersionStatus.ADOPTED]
    last = transitions.revisits.get()
    pooled = selectors.pooled_ratings(last)
    assert pooled.shown and min(n.mean for n in pooled.norms if n.mean) < 2.5
    unit = charters[TeamKind.UNIT]
    assert open_revisit_of(unit) is not None
    drafting = charters[TeamKind.LEADERSHIP_TEAM]
    assert drafting.versions.get().status == VersionStatus.DRAFT
    values = selectors.pooled_values(drafting.versions.get())
    assert not values.shown and values.answered == 2

    slug = transitions.organisation.slug
    nurse = signed_in(logins["Staff nurse"].email)
    home = nurse.get(f"/o/{slug}/charters/").content.decode()
    assert "Transitions to primary care team" in home
    assert "Say how well the norms are kept" in home
    assert "Say how well the norms are kept" in nurse.get(f"/o/{slug}/").content.decode()
    history = nurse.get(f"/o/{slug}/charters/{transitions.pk}/versions/").content.decode()
    assert "We reconcile medicines together" in history  # the difference, 1 → 2
    executive = signed_in(logins["Executive"].email)
    overseen = executive.get(f"/o/{slug}/charters/").content.decode()
    assert "Teams you oversee" in overseen and drafting.name in overseen
    assert executive.get(f"/o/{slug}/charters/{transitions.pk}/draft/").status_code == 403

    # The transitions team's norms wait in the next pulse, drafted half a year on.
    (line,) = selectors.pulses_of(transitions)
    assert line.waiting and line.pulse.cycle.status == "draft"
    assert line.pulse.questions.statements == [n.text for n in line.pulse.version.norms.all()]
    pulse = nurse.get(f"/o/{slug}/charters/{transitions.pk}/pulse/").content.decode()
    assert "Waiting to open" in pulse and line.pulse.cycle.name in pulse
    assert executive.get(f"/o/{slug}/charters/{transitions.pk}/pulse/").status_code == 403
