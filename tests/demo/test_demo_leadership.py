"""The demo's 360s: a cohort of the clinical department chairs with a 360 in every state —
the demo chair's report coached, released and showing a blind spot, his plan with two
check-ins; another report with the external coach; a round collecting that the demo nurse
manager and staff nurse are asked to rate; raters waiting for approval; leaders choosing."""

from __future__ import annotations

import pytest
from django.test import Client

from accord.access.models import Membership, Role, User
from accord.demo.services import seed_demo
from accord.leadership.models import Cohort, DevelopmentPlan, ReviewStatus

pytestmark = pytest.mark.django_db


def signed_in(email: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(email=email))
    return client


def test_the_demo_cohort_has_a_360_in_every_state() -> None:
    logins = {login.role_label: login for login in seed_demo(people=600, seed=7)}
    cohort = Cohort.objects.get()
    statuses = set(cohort.reviews.values_list("status", flat=True))
    assert statuses == {ReviewStatus.RELEASED, ReviewStatus.WITH_COACH, ReviewStatus.COLLECTING,
                        ReviewStatus.AWAITING_APPROVAL, ReviewStatus.NOMINATING}  # fmt: skip
    chair = Membership.objects.get(user__email=logins["Department chair"].email)
    mine = cohort.reviews.get(subject=chair.person)
    assert mine.status == ReviewStatus.RELEASED and mine.coach is not None
    assert mine.coach.memberships.get().role == Role.COACH
    flags = [b["flag"] for c in mine.report["competencies"] for b in c["behaviours"]]
    assert "blind_spot" in flags and "hidden_strength" in flags
    plan = DevelopmentPlan.objects.get(review=mine)
    assert plan.focus.count() == 2 and plan.check_ins.count() == 2 and plan.mentor is not None

    report = signed_in(logins["Department chair"].email).get(
        f"/o/{cohort.organisation.slug}/leadership/reviews/{mine.pk}/report/"
    )
    assert report.status_code == 200 and "Blind spots" in report.content.decode()
    coach = signed_in(logins["External coach"].email)
    home = coach.get(f"/o/{cohort.organisation.slug}/leadership/").content.decode()
    assert "Leaders you coach" in home and chair.person.name in home
    for label in ("Unit nurse manager", "Staff nurse"):
        page = signed_in(logins[label].email).get(f"/o/{cohort.organisation.slug}/")
        assert "asks for your feedback" in page.content.decode(), label
