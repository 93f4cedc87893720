"""Owners publish what was done; everyone in the plan's unit reads it, nobody else does."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accord.actions import services
from accord.actions.models import PlanUpdate
from tests.actions.world import EMERGENCY, SURGERY, LoopWorld

pytestmark = pytest.mark.django_db


def test_a_published_update_reaches_the_units_members_and_a_draft_does_not(
    loop_world: LoopWorld,
) -> None:
    w = loop_world
    leader = w.leader(EMERGENCY)
    plan = w.plan(leader, EMERGENCY, "outcome:burnout_rate")
    client = w.client(leader)
    url = reverse("action-update-add", args=[w.slug, plan.pk])
    client.post(url, {"text": "Draft words for the team"})
    client.post(url, {"text": "Breaks are now covered by the float nurse.", "publish": "on"})
    home = reverse("org-home", args=[w.slug])
    feed = reverse("you-said-we-did", args=[w.slug])
    for page in (home, feed):
        html = w.client(w.nurse).get(page).content.decode()
        assert "Breaks are now covered by the float nurse." in html
        assert "Draft words for the team" not in html
        assert f"{plan.finding_figure:.0f}%" in html  # what the survey said, as released
        surgery = w.client(w.surgery_nurse).get(page).content.decode()
        assert "Breaks are now covered" not in surgery


def test_only_an_owner_publishes(loop_world: LoopWorld) -> None:
    w = loop_world
    owner = w.leader(EMERGENCY)
    plan = w.plan(owner, EMERGENCY, "outcome:burnout_rate")
    admin = w.world.admin
    draft = services.add_update(ascope=w.ascope(admin), actor=admin, plan=plan, text="By admin")
    publish = reverse("action-update-publish", args=[w.slug, draft.pk])
    assert w.client(admin).post(publish).status_code == 403
    assert w.client(w.leader(SURGERY)).post(publish).status_code == 404
    assert PlanUpdate.objects.get(pk=draft.pk).published_at is None
    assert w.client(owner).post(publish).status_code == 302
    assert PlanUpdate.objects.get(pk=draft.pk).published_at is not None


def test_plans_are_seen_by_their_units_leaders_and_the_people_named_on_them(
    loop_world: LoopWorld,
) -> None:
    w = loop_world
    plan = w.plan(w.leader(EMERGENCY), EMERGENCY, "outcome:burnout_rate")
    page = reverse("action-plan", args=[w.slug, plan.pk])
    edit = reverse("action-plan-edit", args=[w.slug, plan.pk])
    assert w.client(w.leader(SURGERY)).get(page).status_code == 404
    assert w.client(w.nurse).get(page).status_code == 404
    services.add_step(ascope=w.ascope(w.leader(EMERGENCY)), actor=None, plan=plan,
                      title="Rota", owner_id=w.person_of(w.nurse).pk)  # fmt: skip
    assert w.client(w.nurse).get(page).status_code == 200
    assert w.client(w.nurse).get(edit).status_code == 403
    assert w.client(w.world.executive).get(edit).status_code == 200


def test_the_feed_reads_each_release_once_however_many_entries_it_shows(
    loop_world: LoopWorld,
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accord.access.models import Membership
    from accord.access.scopes import Scope
    from accord.actions.feed import you_said_we_did

    w = loop_world
    leader = w.leader(EMERGENCY)
    scope = Scope(Membership.objects.get(user=w.nurse))

    def publish(count: int) -> int:
        for n in range(count):
            for cycle in (w.first, w.second):
                plan = w.plan(leader, EMERGENCY, "outcome:burnout_rate", cycle=cycle, title=f"P{n}")
                services.add_update(ascope=w.ascope(leader), actor=leader, plan=plan,
                                    text=f"Done {n}", publish=True)  # fmt: skip
        you_said_we_did(scope)  # releases loaded once into the process
        with CaptureQueriesContext(connection) as queries:
            entries = you_said_we_did(scope, limit=100)
        assert len(entries) == PlanUpdate.objects.filter(published_at__isnull=False).count()
        return len(queries.captured_queries)

    few = publish(1)
    assert publish(10) == few  # 2 entries, then 22: the same queries
