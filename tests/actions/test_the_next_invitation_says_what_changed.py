"""The next survey's invitation email lists what was done since the last survey for the
invitee's own units — the plans "You said, we did" shows them — in the invitee's language,
and nothing from other units."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone
from huey import Huey

from accord.actions import services
from accord.actions.models import PlanUpdate
from accord.org.models import Person
from accord.surveys.models import Cycle
from accord.surveys.services import CycleSettings, create_cycle, open_now, schedule_cycle
from tests.actions.world import EMERGENCY, SURGERY, LoopWorld

pytestmark = pytest.mark.django_db


def published_update(w: LoopWorld, path: str, title: str, *, status: str = "in_progress") -> None:
    leader = w.leader(path)
    ascope = w.ascope(leader)
    plan = w.plan(leader, path, "outcome:burnout_rate", cycle=w.second, title=title)
    services.set_status(ascope=ascope, actor=leader, plan=plan, status=status)
    services.add_update(ascope=ascope, actor=leader, plan=plan, text="Under way.", publish=True)


def open_pulse(w: LoopWorld, capture: Callable[..., AbstractContextManager[Any]]) -> None:
    now = timezone.now()
    cycle = create_cycle(
        organisation=w.world.organisation,
        settings=CycleSettings(
            name="Spring pulse", instrument_id="accord-core", instrument_version=1,
            opens_at=now, closes_at=now + dt.timedelta(days=14), min_group_size=5,
            min_comment_group_size=10, reminder_days=(), role_groups=(), units=(),
        ),
        created_by=w.world.admin,
    )  # fmt: skip
    schedule_cycle(cycle=cycle)
    mail.outbox.clear()
    with capture(execute=True):
        open_now(cycle=cycle)
    assert Cycle.objects.get(pk=cycle.pk).status == Cycle.Status.OPEN


def test_each_invitee_reads_what_was_done_in_their_own_units(
    loop_world: LoopWorld, immediate_queue: Huey, django_capture_on_commit_callbacks: Any
) -> None:
    w = loop_world
    published_update(w, EMERGENCY, "Protect breaks", status="done")
    published_update(w, SURGERY, "Fix the theatre rota")
    # A draft, and an update published before the last survey's results: neither is news.
    leader = w.leader(EMERGENCY)
    draft = w.plan(leader, EMERGENCY, "outcome:burnout_rate", cycle=w.second, title="Draft plan")
    services.add_update(ascope=w.ascope(leader), actor=leader, plan=draft, text="Not yet.")
    old = w.plan(leader, EMERGENCY, "outcome:burnout_rate", title="Old news")
    services.add_update(
        ascope=w.ascope(leader), actor=leader, plan=old, text="Long ago.", publish=True
    )
    assert w.second.published_at is not None
    PlanUpdate.objects.filter(plan=old).update(
        published_at=w.second.published_at - dt.timedelta(days=1)
    )
    nurse = w.person_of(w.nurse)
    Person.objects.filter(pk=nurse.pk).update(attributes={"language": "es"})

    open_pulse(w, django_capture_on_commit_callbacks)

    by_person = {message.to[0]: message.body for message in mail.outbox}
    emergency_nurse = by_person[nurse.email]
    assert "Desde la última encuesta, en su parte de Harbor:" in emergency_nurse
    assert "- Emergency: Protect breaks (hecho)" in emergency_nurse
    for elsewhere in ("Fix the theatre rota", "Draft plan", "Old news"):
        assert elsewhere not in emergency_nurse
    surgery_nurse = by_person[w.person_of(w.surgery_nurse).email]
    assert "Since the last survey, in your part of Harbor:" in surgery_nurse
    assert "- Surgery: Fix the theatre rota (in progress)" in surgery_nurse
    assert "Protect breaks" not in surgery_nurse
    # The organisation's top unit has no plan: its people hear of nothing.
    top = Person.objects.filter(organisation=w.world.organisation, unit__parent__isnull=True)
    for person in top:
        assert "Since the last survey" not in by_person[person.email]


def test_the_feedback_pulse_invitation_is_short_and_carries_no_news(
    loop_world: LoopWorld, immediate_queue: Huey, django_capture_on_commit_callbacks: Any
) -> None:
    w = loop_world
    leader = w.leader(EMERGENCY)
    published_update(w, EMERGENCY, "Protect breaks", status="done")
    plan = w.plan(leader, EMERGENCY, "outcome:burnout_rate", cycle=w.second, title="Two questions")
    services.set_status(ascope=w.ascope(leader), actor=leader, plan=plan, status="done")
    plan.refresh_from_db()
    type(plan).objects.filter(pk=plan.pk).update(
        done_on=timezone.localdate() - dt.timedelta(days=40)
    )
    plan.refresh_from_db()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.run_feedback_pulse(ascope=w.ascope(leader), actor=leader, plan=plan)
    assert len(mail.outbox) == 19
    body = mail.outbox[0].body
    assert "Harbor is asking 2 short questions. It takes a\nminute" in body
    assert "Since the last survey" not in body and "five minutes" not in body
