"""The home page tells each person what is waiting for them, and every step's link opens."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accord.access.models import User
from accord.goals import services as goal_services
from accord.goals.models import LinkKind, Resolution
from accord.org.services import preview_org_import
from accord.surveys.models import Cycle
from accord.surveys.services import create_cycle
from tests.cast import Cast, roster_csv
from tests.goals.world import goal
from tests.insights.survey_world import Group, build_organisation, run_cycle
from tests.surveys.conftest import cycle_settings

pytestmark = pytest.mark.django_db


def home(client: Client, slug: str = "riverside") -> str:
    response = client.get(reverse("org-home", args=[slug]))
    assert response.status_code == 200
    return response.content.decode()


def next_steps(html: str) -> list[tuple[str, str]]:
    """(title, link) of each step in the page's "What to do next" list."""
    section = (
        html.split('id="next-heading"', 1)[1].split("</section>", 1)[0]
        if 'id="next-heading"' in html
        else ""
    )
    titles = re.findall(r'<h3 class="card__title">(.*?)</h3>', section)
    links = re.findall(r'<p><a href="([^"]+)">', section)
    return list(zip(titles, links, strict=True))


def assert_links_open(client: Client, steps: list[tuple[str, str]]) -> None:
    for title, url in steps:
        assert client.get(url.split("#")[0]).status_code == 200, (title, url)


def test_a_goal_link_waits_for_the_other_owner_and_a_conflict_until_it_is_resolved(
    cast: Cast,
) -> None:
    mine = goal(cast, "nora", "Fewer agency shifts")
    theirs = goal(cast, "chad", "Lower ED labour cost")
    link = goal_services.declare_link(
        from_goal=theirs, to_goal=mine, kind=LinkKind.CONFLICTS,
        note="Cutting hours pushes agency shifts up.", actor=cast.chair,
    )  # fmt: skip
    manager = cast.client_for(cast.nurse_manager)
    steps = next_steps(home(manager))
    assert [title for title, _ in steps] == ["1 goal link waiting for your answer"]
    assert_links_open(manager, steps)
    assert next_steps(home(cast.client_for(cast.chair))) == []  # he declared it: nothing waits

    goal_services.respond_to_link(link=link, agree=True, actor=cast.nurse_manager)
    for user, own in ((cast.nurse_manager, mine), (cast.chair, theirs)):
        client = cast.client_for(user)
        steps = next_steps(home(client))
        assert steps == [
            (
                f"Unresolved conflict: “{own.title}”",
                reverse("goal-detail", args=["riverside", own.pk]),
            )
        ]
        assert_links_open(client, steps)
    assert next_steps(home(cast.client_for(cast.staff_nurse))) == []

    goal_services.resolve_link(
        link=link, resolution=Resolution.RESOLVED, note="Agency cap agreed.", actor=cast.chair
    )
    assert next_steps(home(cast.client_for(cast.nurse_manager))) == []


def test_a_conversation_shows_in_the_fortnight_before_it(cast: Cast) -> None:
    now = timezone.now()
    people = (cast.person("chad"), cast.person("sue"))
    for days in (3, 20):
        goal_services.schedule_conversation(
            organisation=cast.riverside, actor=cast.chair, people=people,
            starts_at=now + dt.timedelta(days=days), notify=False,
        )  # fmt: skip
    client = cast.client_for(cast.chair)
    steps = next_steps(home(client))
    assert [title for title, _ in steps] == ["Goals conversation with Sue Surgeon"]
    assert_links_open(client, steps)
    assert next_steps(home(cast.client_for(cast.nurse_manager))) == []


def test_the_admin_is_told_of_drafts_cycles_to_publish_and_imports_to_confirm(
    cast: Cast,
) -> None:
    create_cycle(
        organisation=cast.riverside,
        settings=cycle_settings(cast.riverside, name="Spring pulse"),
        created_by=cast.admin,
    )
    preview_org_import(
        organisation=cast.riverside, filename="update.csv", content=roster_csv(),
        deactivate_missing=False, uploaded_by=cast.admin,
    )  # fmt: skip
    admin = cast.client_for(cast.admin)
    steps = next_steps(home(admin))
    assert [title for title, _ in steps] == [
        "Org chart import waiting: update.csv",
        "Draft survey: Spring pulse",
    ]
    assert_links_open(admin, steps)
    for user in (cast.executive, cast.chair, cast.staff_nurse):
        assert next_steps(home(cast.client_for(user))) == []

    Cycle.objects.filter(name="Spring pulse").update(status=Cycle.Status.CLOSED)
    assert "Closed, not published: Spring pulse" in dict(next_steps(home(admin)))


def test_new_results_show_to_those_who_may_read_them_for_sixty_days() -> None:
    world = build_organisation(
        "harbor",
        [Group("Harbor/Emergency", 8), Group("Harbor/Emergency", 6, "administrator", "Manager"),
         Group("Harbor/Surgery", 8)],
        leaders=["Harbor/Emergency", "Harbor/Surgery"],
    )  # fmt: skip
    whole = run_cycle(world, days_ago=30)
    department = run_cycle(world, days_ago=20, units=["Harbor/Emergency"])
    heatmap = {
        cycle.pk: reverse("results-heatmap", args=["harbor", cycle.pk])
        for cycle in (whole, department)
    }

    def titled(user: User) -> dict[str, str]:
        client = Client()
        client.force_login(user)
        steps = next_steps(home(client, "harbor"))
        assert_links_open(client, steps)
        return dict(steps)

    def results(user: User) -> dict[str, str]:
        return {k: v for k, v in titled(user).items() if k.startswith("New results")}

    def discussions(user: User) -> list[str]:
        return sorted(k for k in titled(user) if k.startswith("Talk "))

    both = {f"New results: {c.name}": heatmap[c.pk] for c in (whole, department)}
    assert titled(world.executive) == both
    assert results(world.leaders["Harbor/Emergency"]) == both
    # Leaders are asked to talk each new cycle through with their team, until they have.
    assert discussions(world.leaders["Harbor/Emergency"]) == sorted(
        f"Talk “{c.name}” through with Emergency" for c in (whole, department)
    )
    # Surgery was not asked in the department's own pulse: its leader hears of the other.
    assert results(world.leaders["Harbor/Surgery"]) == {
        f"New results: {whole.name}": heatmap[whole.pk]
    }
    assert discussions(world.leaders["Harbor/Surgery"]) == [
        f"Talk “{whole.name}” through with Surgery"
    ]

    Cycle.objects.filter(pk=whole.pk).update(published_at=timezone.now() - dt.timedelta(days=61))
    assert list(titled(world.executive)) == [f"New results: {department.name}"]
