"""A plan starts from a figure the release shows, and keeps that figure as it was released."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from accord.actions import findings
from accord.actions.errors import ActionsError
from accord.actions.models import ActionPlan, PlanAuditEntry
from accord.insights.selectors import whole_release
from tests.actions.world import EMERGENCY, SURGERY, THEATRE, LoopWorld
from tests.cast import local_today

pytestmark = pytest.mark.django_db


def test_a_leader_plans_from_a_proposed_focus_area_and_the_figure_is_frozen(
    loop_world: LoopWorld,
) -> None:
    w = loop_world
    leader = w.leader(EMERGENCY)
    client = w.client(leader)
    page = client.get(w.new_plan_url(w.first, EMERGENCY)).content.decode()
    focus = page.split('id="focus-heading"', 1)[1].split("</section>", 1)[0]
    # Emergency's voice in decisions was answered far below the organisation's.
    assert "Voice in operational decisions" in focus
    link = re.search(r'href="(\?[^"]*finding=construct%3Avoice[^"]*)"', focus)
    assert link is not None
    url = reverse("action-plan-new", args=[w.slug]) + link.group(1).replace("&amp;", "&")
    form = client.get(url).content.decode()
    assert "Ideas to start from" in form
    due = local_today() + dt.timedelta(days=45)
    response = client.post(url, {"title": "Ask before deciding rotas", "due_on": due.isoformat(),
                                 "owners": [str(w.person_of(leader).pk)],
                                 "steps": "Invite two nurses\nReport back"})  # fmt: skip
    assert response.status_code == 302
    plan = ActionPlan.objects.get(title="Ask before deciding rotas")
    view = whole_release(w.first)
    report = view.report
    group = report.group(view.index_of_pk[w.unit(EMERGENCY)])
    released = report.construct_index[group.row, report.constructs.index("voice")]
    assert plan.finding_figure == pytest.approx(released)
    assert plan.finding_respondents == group.respondents
    assert [s.title for s in plan.steps.all()] == ["Invite two nurses", "Report back"]
    assert PlanAuditEntry.objects.filter(plan=plan, action="plan.create").exists()
    detail = client.get(response["Location"]).content.decode()
    assert f"{released:.0f}%" in detail


def test_bad_plan_input_names_each_field_and_writes_nothing(loop_world: LoopWorld) -> None:
    w = loop_world
    client = w.client(w.leader(EMERGENCY))
    url = w.new_plan_url(w.first, EMERGENCY, finding="outcome:burnout_rate")
    response = client.post(url, {"title": "  ", "due_on": "2001-01-01",
                                 "more_owners": "nobody-here"})  # fmt: skip
    assert response.status_code == 200
    html = response.content.decode()
    assert "This field is required." in html or "Give the plan a title." in html
    assert "No one you can name has the HR id(s): nobody-here." in html
    response = client.post(url, {"title": "Fine", "due_on": "2001-01-01"})
    html = response.content.decode()
    assert "has passed" in html
    assert "Name at least one owner" in html
    assert not ActionPlan.objects.exists()
    assert not PlanAuditEntry.objects.exists()


def test_a_hidden_group_cannot_be_chosen_on_the_page_or_through_the_api(
    loop_world: LoopWorld,
) -> None:
    w = loop_world
    leader = w.leader(SURGERY)
    client = w.client(leader)
    theatre = client.get(w.new_plan_url(w.first, THEATRE, finding="outcome:burnout_rate"))
    assert theatre.status_code == 200
    assert "not shown, so a plan cannot start from them" in theatre.content.decode()
    assert "Make the plan" not in theatre.content.decode()
    posted = client.post(
        w.new_plan_url(w.first, THEATRE, finding="outcome:burnout_rate"),
        {"title": "x", "due_on": (local_today() + dt.timedelta(days=9)).isoformat()},
    )
    assert posted.status_code == 200
    # Surgery has no administrators: that filter group is empty, so hidden.
    empty = client.get(w.new_plan_url(w.first, SURGERY, finding="outcome:burnout_rate",
                                      filter="role_group:administrator"))  # fmt: skip
    assert "not shown" in empty.content.decode()
    made_up = client.get(w.new_plan_url(w.first, SURGERY, filter="profession:Astronaut"))
    assert "There is no filter" in made_up.content.decode()
    assert not ActionPlan.objects.exists()


def test_no_spec_and_filter_reach_a_hidden_group_of_any_unit(loop_world: LoopWorld) -> None:
    """Whatever is typed, ``find`` either refuses or returns a figure of a released group."""
    view = whole_release(loop_world.first)
    report = view.report
    specs = ([f"outcome:{k}" for k in report.outcomes] + [f"construct:{k}" for k in report.constructs]
             + [f"item:{k}" for k in report.items[:5]] + ["driver:voice:burnout_rate", "bogus"])  # fmt: skip
    filters = [None] + [f"{d.name}:{v}" for d in report.dimensions for v in d.values]
    hidden = 0
    for unit in range(len(report.tree)):
        for filter_text in filters:
            dimension, _, value = (filter_text or "").partition(":")
            group = report.group(unit, dimension or None, value or None)
            for spec in specs:
                try:
                    finding = findings.find(view, unit, spec, filter_text)
                except ActionsError:
                    hidden += not group.released
                    continue
                assert group.released, (unit, filter_text, spec)
                assert finding.respondents == group.respondents
    assert hidden > 0  # the world has hidden groups, and each was refused


def test_a_leader_cannot_plan_outside_the_units_they_lead(loop_world: LoopWorld) -> None:
    w = loop_world
    client = w.client(w.leader(SURGERY))
    assert client.get(w.new_plan_url(w.first, EMERGENCY)).status_code == 404
    assert w.client(w.nurse).get(w.new_plan_url(w.first, EMERGENCY)).status_code == 403
