"""A month after a plan is done, its unit can be asked two questions — did it make a
difference, what next — through the anonymous survey machinery and its minimums."""

from __future__ import annotations

import datetime as dt
import random
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accord.actions import services
from accord.actions.errors import ActionsError
from accord.actions.models import ActionPlan, PlanAuditEntry
from accord.org.models import Person
from accord.surveys.answers import ParsedAnswers
from accord.surveys.models import Cycle, Invitation
from accord.surveys.services import close_now, issue_token, submit_in_bulk
from tests.actions.world import EMERGENCY, SURGERY, LoopWorld

pytestmark = pytest.mark.django_db


def done_plan(w: LoopWorld, path: str, *, days_ago: int) -> ActionPlan:
    leader = w.leader(path)
    plan = w.plan(leader, path, "outcome:burnout_rate", cycle=w.second)
    services.set_status(ascope=w.ascope(leader), actor=leader, plan=plan, status="done")
    ActionPlan.objects.filter(pk=plan.pk).update(
        done_on=timezone.localdate() - dt.timedelta(days=days_ago)
    )
    plan.refresh_from_db()
    return plan


def plan_page(client: Client, w: LoopWorld, plan: ActionPlan) -> str:
    response = client.get(reverse("action-plan", args=[w.slug, plan.pk]))
    assert response.status_code == 200
    return response.content.decode()


def answer(cycle: Cycle, how_many: int, agree: tuple[int, ...]) -> None:
    rng = random.Random(3)
    invitations = list(Invitation.objects.filter(cycle=cycle).order_by("pk")[:how_many])
    submit_in_bulk(
        cycle=cycle,
        submissions=[
            (cycle.opens_at + dt.timedelta(minutes=5), invitation,
             ParsedAnswers(scores={"action_made_a_difference": rng.choice(agree)},
                           comments={"action_what_next": "Keep the float nurse on nights."}))
            for invitation in invitations
        ],
    )  # fmt: skip


def test_the_unit_is_asked_once_a_month_after_the_plan_is_done(loop_world: LoopWorld) -> None:
    w = loop_world
    chair = w.client(w.leader(EMERGENCY))
    plan = done_plan(w, EMERGENCY, days_ago=10)
    run = reverse("action-feedback-run", args=[w.slug, plan.pk])
    due_on = plan.done_on + dt.timedelta(days=30)  # type: ignore[operator]
    page = plan_page(chair, w, plan)
    assert f"can be asked whether it made a difference from {due_on:%-d %B %Y}" in page
    assert run not in page
    refused = chair.post(run, follow=True).content.decode()
    assert f"The unit can be asked from {due_on:%-d %B %Y}" in refused
    assert not Cycle.objects.filter(instrument_id="accord-action-feedback").exists()

    ActionPlan.objects.filter(pk=plan.pk).update(done_on=timezone.localdate() - dt.timedelta(31))
    assert run in plan_page(chair, w, plan)
    assert chair.post(run).status_code == 302
    plan.refresh_from_db()
    cycle = plan.feedback_cycle
    assert cycle is not None and cycle.status == Cycle.Status.OPEN
    assert (cycle.instrument_id, cycle.name) == (
        "accord-action-feedback",
        f"Did it make a difference? {plan.title}",
    )
    assert [unit.full_name for unit in cycle.audience_units.all()] == [EMERGENCY]
    emergency = w.world.organisation.units.get(full_name=EMERGENCY)
    invited = Invitation.objects.filter(cycle=cycle)
    people = Person.objects.filter(unit__path__startswith=emergency.path, is_active=True)
    assert invited.count() == people.count() == 18 + 1  # with the leader
    assert cycle.min_group_size == w.world.organisation.survey_min_group_size
    assert PlanAuditEntry.objects.filter(plan=plan, action="plan.feedback").count() == 1
    assert "is being asked until" in plan_page(chair, w, plan)

    # A person of the unit follows their link and sees the two questions.
    respondent = Client()
    token = issue_token(invitation=invited.first(), channel="email")  # type: ignore[arg-type]
    form = respondent.get(reverse("survey-link", args=[token]), follow=True).content.decode()
    assert "What should we do next?" in form and "has made a difference to my work" in form

    # Asked once: a second press changes nothing.
    again = chair.post(run, follow=True).content.decode()
    assert "already been asked about this plan" in again
    assert Cycle.objects.filter(instrument_id="accord-action-feedback").count() == 1


def test_the_answers_are_published_by_the_plan_and_shown_only_above_the_minimum(
    loop_world: LoopWorld,
) -> None:
    w = loop_world
    emergency, surgery = (done_plan(w, path, days_ago=40) for path in (EMERGENCY, SURGERY))
    cycles = {}
    for plan, path in ((emergency, EMERGENCY), (surgery, SURGERY)):
        leader = w.leader(path)
        cycles[path] = services.run_feedback_pulse(ascope=w.ascope(leader), actor=leader, plan=plan)
    answer(cycles[EMERGENCY], 12, agree=(4, 4, 5, 5, 2))
    answer(cycles[SURGERY], 3, agree=(4,))
    for cycle in cycles.values():
        close_now(cycle=cycle)

    chair = w.client(w.leader(EMERGENCY))
    publish = reverse("action-feedback-publish", args=[w.slug, emergency.pk])
    assert "answers are shown once they are published" in plan_page(chair, w, emergency)
    assert publish in plan_page(chair, w, emergency)
    assert chair.post(publish).status_code == 302
    emergency.refresh_from_db()
    shown = plan_page(chair, w, emergency)
    assert "of the 12 who answered say it made a difference" in shown
    comments = reverse("results-comments", args=[w.slug, cycles[EMERGENCY].pk])
    assert comments in shown
    assert chair.get(f"{comments}?unit={w.unit(EMERGENCY)}").status_code == 200

    # Three of Surgery's fifteen answered: fewer than the minimum, so nothing is shown.
    surgeon = w.client(w.leader(SURGERY))
    assert (
        surgeon.post(reverse("action-feedback-publish", args=[w.slug, surgery.pk])).status_code
        == 302
    )
    surgery.refresh_from_db()
    hidden = plan_page(surgeon, w, surgery)
    assert "Too few answered for the answers to be shown" in hidden
    assert "who answered say" not in hidden


def test_only_those_who_may_change_the_plan_ask_and_never_over_an_open_survey(
    loop_world: LoopWorld,
) -> None:
    w = loop_world
    plan = done_plan(w, EMERGENCY, days_ago=40)
    run = reverse("action-feedback-run", args=[w.slug, plan.pk])
    # Neither a nurse of the unit nor the leader of another unit can see it to ask.
    assert w.client(w.nurse).post(run).status_code == 404
    assert w.client(w.leader(SURGERY)).post(run).status_code == 404
    # The unit is never asked twice at once; asking a sideways unit does not stop it.
    leader, surgeon = w.leader(EMERGENCY), w.leader(SURGERY)
    asking = services.run_feedback_pulse(ascope=w.ascope(leader), actor=leader, plan=plan)
    other = done_plan(w, SURGERY, days_ago=40)
    services.run_feedback_pulse(ascope=w.ascope(surgeon), actor=surgeon, plan=other)
    third = done_plan(w, EMERGENCY, days_ago=40)
    with pytest.raises(ActionsError, match=re.escape(f"is being asked in “{asking.name}”")):
        services.run_feedback_pulse(ascope=w.ascope(leader), actor=leader, plan=third)
    close_now(cycle=asking)
    whole = Cycle.objects.get(pk=w.second.pk)  # a pulse of the whole organisation, open now
    whole.pk = None
    whole.status, whole.name = Cycle.Status.OPEN, "Spring pulse"
    whole.opens_at, whole.closes_at = timezone.now(), timezone.now() + dt.timedelta(days=14)
    whole.save()
    with pytest.raises(ActionsError, match="is being asked in “Spring pulse”"):
        services.run_feedback_pulse(ascope=w.ascope(leader), actor=leader, plan=third)
    # A plan not done is never asked about.
    assert third.feedback_cycle_id is None
    open_plan = w.plan(leader, EMERGENCY, "outcome:burnout_rate", cycle=w.second)
    with pytest.raises(ActionsError, match="once it is done"):
        services.run_feedback_pulse(ascope=w.ascope(leader), actor=leader, plan=open_plan)
