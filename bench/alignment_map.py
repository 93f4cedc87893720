"""Alignment map benchmark: `make bench`, or `python bench/alignment_map.py --repeat 50`.

Builds a leadership team of 12 members with 60 goals (five each) in a fresh SQLite database —
with check-ins, goals serving the team's shared goals, sideways links in every state,
conversations inside and outside the window — then requests the team's alignment map page
through Django's test client as a signed-in executive and reports the median server time
(the whole request: middleware, scope, queries, suggestions, the template with its matrix,
network picture and pair table). The selector alone is timed too, and the number of queries
one page makes. The target is under 200 ms.

``--database-url postgres://...`` runs against that PostgreSQL database instead; it must be
a throwaway database (the run adds an organisation to it and leaves it there).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
sys.path.insert(0, str(ROOT / "src"))
TARGET_MS = 200.0
MEMBERS = 12
GOALS_EACH = 5


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=30, help="timed requests (median kept)")
    parser.add_argument("--database-url", default="", help="a throwaway PostgreSQL database")
    args = parser.parse_args()
    os.environ["ACCORD_DATA_DIR"] = tempfile.mkdtemp(prefix="accord-bench-map-")
    os.environ["ACCORD_TESTING"] = "1"  # test-speed password hashing; no HTTPS redirect
    os.environ.pop("DEBUG", None)
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "accord.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    setup_test_environment()
    call_command("migrate", interactive=False, verbosity=0)
    team, user = build_team()

    from accord.goals.selectors import alignment_map, team_members

    client = Client()
    client.force_login(user)
    url = f"/o/{team.organisation.slug}/goals/teams/{team.pk}/map/"
    for _ in range(3):  # warm up: templates compiled, connections open
        assert client.get(url).status_code == 200
    page_ms = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        response = client.get(url)
        page_ms.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    selector_ms = []
    people = team_members(team)
    for _ in range(args.repeat):
        started = time.perf_counter()
        alignment = alignment_map(people, team=team)
        selector_ms.append((time.perf_counter() - started) * 1000)
    result = {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "database": connection.vendor,
        "members": len(people),
        "goals": alignment.goal_count,
        "pairs": len(alignment.pairs),
        "repeat": args.repeat,
        "page_median_ms": round(statistics.median(page_ms), 1),
        "page_p90_ms": round(sorted(page_ms)[int(len(page_ms) * 0.9) - 1], 1),
        "selector_median_ms": round(statistics.median(selector_ms), 1),
        "queries_per_page": len(queries),
        "target_ms": TARGET_MS,
    }
    print(
        f"Alignment map, {result['members']} members, {result['goals']} goals, "
        f"{result['pairs']} pairs ({result['database']}):\n"
        f"  page (server time)  median {result['page_median_ms']} ms, "
        f"p90 {result['page_p90_ms']} ms over {args.repeat} requests; "
        f"{result['queries_per_page']} queries\n"
        f"  selector alone      median {result['selector_median_ms']} ms\n"
        f"  target              under {TARGET_MS:.0f} ms: "
        f"{'met' if result['page_median_ms'] < TARGET_MS else 'MISSED'}"
    )
    RESULTS_DIR.mkdir(exist_ok=True)
    (RESULTS_DIR / f"alignment-map-{connection.vendor}.json").write_text(
        json.dumps(result, indent=2)
    )
    if result["page_median_ms"] >= TARGET_MS:
        sys.exit(1)


def build_team():  # type: ignore[no-untyped-def]
    """An organisation, a 12-member leadership team, 60 goals and everything around them."""
    import secrets

    from django.utils import timezone

    from accord.access.services import grant_membership
    from accord.goals import services
    from accord.goals.models import Conversation, GoalsSeen
    from accord.org.importing import plan_org_import
    from accord.org.services import apply_org_import, create_organisation

    slug = f"bench-{secrets.token_hex(3)}"
    organisation = create_organisation(name=f"Bench Health {slug}", slug=slug)
    rows = ["external_id,name,email,unit_path,manager_external_id,role_group,profession,leader"]
    rows.append("L0,Lee Leader,l0@bench.example,Bench/Office,,administrator,Executive,yes")
    metrics = ["ED length of stay", "30-day readmissions", "Nursing hours per patient day",
               "Inpatient occupancy", "Staff turnover", "Operating margin",
               "Likelihood to recommend", "Clinician engagement index"]  # fmt: skip
    for i in range(1, MEMBERS):
        rows.append(f"L{i},Member {i:02d},l{i}@bench.example,Bench/Unit {i},L0,administrator,"
                    "Manager,yes")  # fmt: skip
    apply_org_import(plan=plan_org_import(organisation=organisation, filename="bench.csv",
                                          content="\n".join(rows).encode()))  # fmt: skip
    people = list(organisation.people.order_by("external_id"))
    team = services.create_team(organisation=organisation, actor=None, via="bench",
                                name="Bench executive team", leader=people[0],
                                members=people[1:])  # fmt: skip
    due = dt.date(2026, 12, 31)

    def new_goal(owner, team_owner, n: int, metric: str):  # type: ignore[no-untyped-def]
        direction = ("increase", "decrease", "range")[n % 3]
        return services.create_goal(
            organisation=organisation, actor=None, via="bench", owner=owner, team=team_owner,
            title=f"Goal {n}", period="FY2026", metric_name=metric, direction=direction,
            baseline=Decimal(50), target=Decimal(60 if direction == "increase" else 40),
            target_upper=Decimal(55) if direction == "range" else None, due_date=due,
            incentive_weight=Decimal(10) if owner else Decimal(0),
        )  # fmt: skip

    shared = [new_goal(None, team, 1000 + i, metrics[i]) for i in range(3)]
    goals = []
    n = 0
    for person in people:
        for _ in range(GOALS_EACH):
            n += 1
            goal = new_goal(person, None, n, metrics[n % len(metrics)])
            goals.append(goal)
            for month in range(3):
                services.record_check_in(
                    goal=goal, actor=None, via="bench", value=Decimal(50 + month),
                    confidence="on_track", recorded_on=timezone.localdate() - dt.timedelta(days=30 * month),
                )  # fmt: skip
            if n % 2:
                services.add_contribution(goal=goal, serves=shared[n % 3], actor=None, via="bench")
    kinds = ("supports", "conflicts", "depends")
    for i in range(0, len(goals) - GOALS_EACH, 4):
        link = services.declare_link(from_goal=goals[i], to_goal=goals[i + GOALS_EACH],
                                     kind=kinds[i % 3], note="bench", actor=None, via="bench")  # fmt: skip
        if i % 8 == 0:
            services.respond_to_link(link=link, agree=True, actor=None, via="bench")
    for i in range(0, MEMBERS - 1, 2):
        conversation = services.schedule_conversation(
            organisation=organisation, actor=None, via="bench", people=(people[i], people[i + 1]),
            starts_at=timezone.now() + dt.timedelta(days=2), team=team, notify=False,
        )  # fmt: skip
        services.record_conversation(conversation=conversation, actor=None, via="bench",
                                     held_on=timezone.localdate() - dt.timedelta(days=10 * i))  # fmt: skip
    for i in range(MEMBERS - 2):
        GoalsSeen.objects.create(owner=people[i], viewer=people[i + 1])
    assert Conversation.objects.filter(organisation=organisation).count() == MEMBERS // 2
    user = grant_membership(organisation=organisation, email="exec@bench.example",
                            role="executive", person=None, password="bench-password-1").user  # noqa: S106  # fmt: skip
    return team, user


if __name__ == "__main__":
    main()
