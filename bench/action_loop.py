"""Loop at a glance benchmark: `make bench`, or `python bench/action_loop.py --people 20000`.

Builds the demo health system (300,000 people by default, `accord.demo.generator` with a fixed
seed) in a fresh SQLite database, surveys it twice and publishes both cycles, then makes
10,000 action plans on the first cycle's released results and requests the loop at a glance
page of that cycle through Django's test client as a signed-in executive, who sees the whole
organisation. Each plan is re-measured against the second cycle, the page's most expensive
path. It reports the median and 90th-percentile server time of the page, the selector
`loop_at_a_glance` alone, the queries one page makes, the first request after a restart (the
two releases read from the database and compared), a reference (the plain query that reads
the plans' rows) and how long the setup took. The target is under 200 ms.

How the data is made:

* the org chart is imported with `plan_org_import` and `apply_org_import`;
* each cycle is created, scheduled and opened through the survey services (invitations with
  generalised attributes, no email); about 80% of the invitees answer, written as Accord
  stores responses (one row each, the answers packed one byte per scored item, the
  invitation's generalised attributes), from a small model in which units differ and change
  between the two cycles; then the cycle is closed and published (`publish_cycle`, the real
  release: engine, suppression, drivers, snapshot);
* plans are written with `bulk_create`, with the rows `actions.services.create_plan` writes:
  the finding chosen with `actions.findings.find` on the release, its fields copied from it,
  an owner and the audit entry; statuses, due dates (some passed) and creation dates vary,
  and a share of the units recorded a team discussion.

``--database-url postgres://...`` runs against that PostgreSQL database instead; it must be
a throwaway database (the run adds an organisation to it and leaves it there).
"""

from __future__ import annotations

import argparse
import atexit
import cProfile
import datetime as dt
import gc
import io
import json
import os
import pstats
import random
import secrets
import shutil
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
sys.path.insert(0, str(ROOT / "src"))
TARGET_MS = 200.0
RESPONSE_RATE = 0.8
# (finding spec, weight): what the plans answer; a spec a unit's results cannot give is
# replaced by the next one that works.
SPECS = (
    ("outcome:burnout_rate", 4), ("outcome:intent_to_leave_rate", 2),
    ("outcome:feeling_valued_pct", 1), ("outcome:enps", 1), ("construct:voice", 3),
    ("construct:communication", 2), ("construct:trust_senior_leaders", 2),
    ("construct:practice_efficiency", 2), ("item:say_in_operational_decisions", 1),
    ("item:staffing_enough", 1), ("driver:voice:burnout_rate", 1),
)  # fmt: skip
FILTERS = ("role_group:clinician", "role_group:administrator", "profession:Nurse")
# The reference reads these fields of every plan of the cycle, the loop's raw material.
PLAN_FIELDS = (
    "unit_id", "status", "due_on", "created_at",
    "finding_unit_id", "finding_kind", "finding_key", "finding_dimension", "finding_value",
)  # fmt: skip
STATUSES = (
    ("not_started", 25), ("in_progress", 35), ("on_hold", 5), ("done", 25), ("cancelled", 10)
)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=300_000, help="employees (default 300,000)")
    parser.add_argument("--plans", type=int, default=10_000, help="action plans (default 10,000)")
    parser.add_argument("--seed", type=int, default=7, help="generator seed (default 7)")
    parser.add_argument("--repeat", type=int, default=20, help="timed requests (median kept)")
    parser.add_argument("--database-url", default="", help="a throwaway PostgreSQL database")
    parser.add_argument("--profile", action="store_true", help="also cProfile one page request")
    parser.add_argument(
        "--timeout", type=int, default=1800, help="stop the run after this many seconds"
    )
    args = parser.parse_args()
    signal.signal(signal.SIGALRM, _out_of_time)
    signal.alarm(args.timeout)  # the run stops by itself, whatever happens
    data_dir = tempfile.mkdtemp(prefix="accord-bench-loop-")
    atexit.register(shutil.rmtree, data_dir, True)  # the SQLite file is large: gone at exit
    os.environ["ACCORD_DATA_DIR"] = data_dir
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
    from django.urls import reverse

    from accord.access.models import Membership
    from accord.access.scopes import Scope
    from accord.actions.loop import loop_at_a_glance
    from accord.actions.models import ActionPlan
    from accord.actions.visibility import ActionScope
    from accord.insights import selectors as insights_selectors

    setup_test_environment()
    call_command("migrate", interactive=False, verbosity=0)
    setup_started = time.perf_counter()
    world = build_world(args)
    setup_seconds = time.perf_counter() - setup_started
    organisation, first, user = world["organisation"], world["first"], world["user"]

    client = Client()
    client.force_login(user)
    url = reverse("action-loop", args=[organisation.slug, first.pk])
    # The first request after a restart: both releases read from the database and decoded,
    # and compared (each process keeps a few of them).
    insights_selectors._load_snapshot.cache_clear()
    insights_selectors._TRENDS.clear()
    started = time.perf_counter()
    response = client.get(url)
    first_request_ms = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, response.status_code
    check_page(response.content.decode(), world)
    for _ in range(3):  # warm up
        assert client.get(url).status_code == 200
    page_ms, collected = [], []
    full_collections = [0]  # Python's full garbage collections (generation 2) so far

    def count_full_collections(phase: str, info: dict[str, int]) -> None:
        if phase == "start" and info["generation"] == 2:
            full_collections[0] += 1

    gc.callbacks.append(count_full_collections)
    for _ in range(args.repeat):
        before = full_collections[0]
        started = time.perf_counter()
        response = client.get(url)
        page_ms.append((time.perf_counter() - started) * 1000)
        collected.append(full_collections[0] > before)
        assert response.status_code == 200
    gc.callbacks.remove(count_full_collections)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    query_count = len(queries)  # now: each request empties the connection's query log

    membership = Membership.objects.get(user=user, organisation=organisation)
    ascope = ActionScope(Scope(membership))
    view = insights_selectors.release_view(ascope.scope, first.pk)
    selector_ms = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        found = loop_at_a_glance(ascope, view)
        selector_ms.append((time.perf_counter() - started) * 1000)
    # The reference: the plain query that reads the fields of the cycle's plans the loop needs.
    reference_ms = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        rows = list(
            ActionPlan.objects.filter(organisation=organisation, cycle=first).values_list(
                *PLAN_FIELDS
            )
        )
        reference_ms.append((time.perf_counter() - started) * 1000)
    assert len(rows) == args.plans

    check_counts(found, first)  # the loop's figures, worked out plan by plan
    profile_text = profile_page(client, url) if args.profile else ""
    page_median = statistics.median(page_ms)
    reference_median = statistics.median(reference_ms)
    result = {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "database": connection.vendor,
        "people": args.people,
        "seed": args.seed,
        "units": world["units"],
        "respondents": world["respondents"],
        "units_in_loop": found.units,
        "plans": found.total_plans,
        "plans_done": found.total_done,
        "plans_overdue": found.total_overdue,
        "remeasured_better_same_worse": [found.total_better, found.total_same, found.total_worse],
        "units_discussed_in_time": found.units_discussed_in_time,
        "units_planned_in_time": found.units_planned_in_time,
        "repeat": args.repeat,
        "page_median_ms": round(page_median, 1),
        "page_p90_ms": round(_p90(page_ms), 1),
        "page_runs_ms": [round(ms, 1) for ms in page_ms],
        "requests_with_a_full_gc": sum(collected),
        "page_runs_full_gc": collected,
        "selector_median_ms": round(statistics.median(selector_ms), 1),
        "first_request_ms": round(first_request_ms, 1),
        "queries_per_page": query_count,
        "reference_plan_rows_median_ms": round(reference_median, 1),
        "page_over_reference": round(page_median / reference_median, 1),
        "setup_seconds": round(setup_seconds, 1),
        "setup_steps_seconds": {k: round(v, 1) for k, v in world["steps"].items()},
        "target_ms": TARGET_MS,
    }
    print(
        f"\nLoop at a glance, {args.people:,} people, {result['units']:,} units, "
        f"{result['respondents']:,} respondents in the plans' cycle ({result['database']}):\n"
        f"  {found.units:,} units with released results, {found.total_plans:,} plans "
        f"({found.total_done:,} done, {found.total_overdue:,} overdue), re-measured: "
        f"{found.total_better:,} better, {found.total_same:,} not clearly changed, "
        f"{found.total_worse:,} worse\n"
        f"  page (server time)   median {result['page_median_ms']} ms, "
        f"p90 {result['page_p90_ms']} ms over {args.repeat} requests; "
        f"{result['queries_per_page']} queries per page; a full garbage collection "
        f"during {sum(collected)} of the requests\n"
        f"  selector alone       median {result['selector_median_ms']} ms\n"
        f"  first request        {result['first_request_ms']} ms (releases read and compared)\n"
        f"  reference            {result['reference_plan_rows_median_ms']} ms to read the "
        f"plans' rows (page / reference {result['page_over_reference']}x)\n"
        f"  setup                {result['setup_seconds']} s ("
        + ", ".join(f"{k} {v} s" for k, v in result["setup_steps_seconds"].items())
        + ")\n"
        f"  target               under {TARGET_MS:.0f} ms: "
        f"{'PASS' if page_median < TARGET_MS else 'FAIL'}"
    )
    if profile_text:
        print("\nOne page request, cProfile (cumulative):\n" + profile_text)
    RESULTS_DIR.mkdir(exist_ok=True)
    out = RESULTS_DIR / f"action-loop-{connection.vendor}-{args.people}.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"Results written to {out.relative_to(ROOT)}")
    signal.alarm(0)
    if page_median >= TARGET_MS:
        sys.exit(1)


def _out_of_time(signum: int, frame: Any) -> None:
    raise SystemExit("Stopped: the run took longer than --timeout seconds.")


def _p90(values: list[float]) -> float:
    return sorted(values)[max(0, int(len(values) * 0.9) - 1)]


def check_page(html: str, world: dict[str, Any]) -> None:
    """The page shows the cycle and counts every plan."""
    if "made a plan within 8 weeks" not in html or f"{world['plans']}</p>" not in html:
        raise SystemExit("The loop page does not show the plans made")


def check_counts(found: Any, cycle: Any) -> None:
    """Each unit's counts are those worked out plan by plan from the plans' model instances,
    the re-measured verdicts with ``actions.selectors.compare`` (a plan's own page)."""
    from collections import Counter

    from django.utils import timezone

    from accord.actions import selectors
    from accord.actions.models import ActionPlan
    from accord.insights.selectors import trends_between, whole_release

    later = selectors.next_published_cycle(cycle)
    assert later is not None
    now_view, then_view = whole_release(later), whole_release(cycle)
    trends = trends_between(now_view, then_view)
    today = timezone.localdate()
    expected: Counter[tuple[int, str]] = Counter()
    for plan in ActionPlan.objects.filter(cycle=cycle):
        unit = plan.unit_id
        expected[(unit, "plans")] += 1
        expected[(unit, "planned_in_time")] |= timezone.localdate(plan.created_at) <= (
            found.plan_deadline
        )
        expected[(unit, "overdue")] += plan.is_open and plan.due_on < today
        expected[(unit, "done")] += plan.status == "done"
        verdict = selectors.compare(plan, later, now_view, trends).verdict
        expected[(unit, {"not clearly changed": "same"}.get(verdict, verdict))] += 1
    names = ("plans", "planned_in_time", "overdue", "done", "better", "same", "worse")
    for row in found.rows:
        counted = tuple(int(getattr(row, name)) for name in names)
        wanted = tuple(expected[(row.unit_pk, name)] for name in names)
        if counted != wanted:
            raise SystemExit(
                f"unit {row.unit_pk}: the loop counts {counted}, plan by plan {wanted}"
            )


def profile_page(client: Any, url: str) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    client.get(url)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(30)
    stats.sort_stats("tottime").print_stats(15)
    return out.getvalue()


# --- the world --------------------------------------------------------------------------


def build_world(args: argparse.Namespace) -> dict[str, Any]:
    from django.utils import timezone

    from accord.access.services import grant_membership
    from accord.demo.generator import generate_demo_roster
    from accord.org.importing import plan_org_import
    from accord.org.models import Unit
    from accord.org.services import apply_org_import, create_organisation

    steps: dict[str, float] = {}

    def step(name: str, started: float) -> None:
        steps[name] = time.perf_counter() - started
        print(f"  {name}: {steps[name]:.1f} s", flush=True)

    print(f"Building {args.people:,} people (seed {args.seed}), two cycles and "
          f"{args.plans:,} plans…", flush=True)  # fmt: skip
    started = time.perf_counter()
    content = generate_demo_roster(people=args.people, seed=args.seed).to_csv()
    step("roster", started)
    started = time.perf_counter()
    slug = f"bench-loop-{secrets.token_hex(3)}"
    organisation = create_organisation(
        name=f"Bench Health {slug}", slug=slug, time_zone="America/Chicago"
    )
    apply_org_import(
        plan=plan_org_import(organisation=organisation, filename="roster.csv", content=content)
    )
    step("org chart import", started)
    admin = grant_membership(organisation=organisation, email="admin@bench.example", role="admin",
                             person=None, password="bench-password-1").user  # noqa: S106  # fmt: skip
    executive = grant_membership(organisation=organisation, email="exec@bench.example",
                                 role="executive", person=None,
                                 password="bench-password-1").user  # noqa: S106  # fmt: skip
    now = timezone.now()
    rng = np.random.default_rng(args.seed)
    # In an order every database gives alike, so both draw the same answers.
    unit_pks = list(
        Unit.objects.filter(organisation=organisation)
        .order_by("full_name", "pk")
        .values_list("pk", flat=True)
    )
    mood = dict(zip(unit_pks, rng.normal(0, 0.8, len(unit_pks)).tolist(), strict=True))
    started = time.perf_counter()
    first, respondents = surveyed_cycle(organisation, admin, now - dt.timedelta(days=150),
                                        "Winter pulse", mood, rng)  # fmt: skip
    step("first cycle (open, answers, close, publish)", started)
    # Units change between the pulses, some clearly: the re-measure finds better and worse.
    moved = dict(zip(unit_pks, rng.normal(0, 0.5, len(unit_pks)).tolist(), strict=True))
    started = time.perf_counter()
    second, _ = surveyed_cycle(organisation, admin, now - dt.timedelta(days=40), "Summer pulse",
                               {pk: mood[pk] + moved[pk] for pk in unit_pks}, rng)  # fmt: skip
    step("second cycle (open, answers, close, publish)", started)
    started = time.perf_counter()
    write_plans(organisation, admin, first, args.plans, random.Random(args.seed))
    step("plans and discussions", started)
    return {
        "organisation": organisation,
        "first": first,
        "second": second,
        "user": executive,
        "units": len(unit_pks),
        "respondents": respondents,
        "plans": args.plans,
        "steps": steps,
    }


def surveyed_cycle(
    organisation: Any,
    admin: Any,
    opens_at: dt.datetime,
    name: str,
    mood: dict[int, float],
    rng: np.random.Generator,
) -> tuple[Any, int]:
    """A cycle opened through the services, answered, closed and published; (cycle, answers)."""
    from django.db import transaction

    from accord.insights.adapters import instrument_meta
    from accord.insights.publishing import publish_cycle
    from accord.surveys.answers import SKIPPED
    from accord.surveys.models import Invitation, Response
    from accord.surveys.selectors import instrument_for
    from accord.surveys.services import (
        CycleSettings,
        close_cycle,
        create_cycle,
        open_cycle,
        schedule_cycle,
    )

    closes_at = opens_at + dt.timedelta(days=14)
    with transaction.atomic():
        cycle = create_cycle(
            organisation=organisation,
            settings=CycleSettings(
                name=name, instrument_id="accord-core", instrument_version=1, opens_at=opens_at,
                closes_at=closes_at, min_group_size=organisation.survey_min_group_size,
                min_comment_group_size=organisation.survey_min_comment_group_size,
                reminder_days=(), role_groups=(), units=(),
            ),
            created_by=admin,
        )  # fmt: skip
        schedule_cycle(cycle=cycle, now=opens_at - dt.timedelta(days=7))
        cycle = open_cycle(cycle=cycle, now=opens_at, notify=False)
        invitations = list(
            Invitation.objects.filter(cycle=cycle)
            .order_by("person__external_id")
            .values_list("reporting_unit_id", "role_group", "profession", "tenure_band")
        )
        units = np.array([row[0] for row in invitations], dtype=np.int64)
        unit_mood = np.array([mood[pk] for pk in units.tolist()])
        # Units answer at different rates around 80%.
        rate = dict(zip(mood, rng.normal(RESPONSE_RATE, 0.08, len(mood)).tolist(), strict=True))
        responds = rng.random(len(units)) < np.array([rate[pk] for pk in units.tolist()])
        chosen = np.flatnonzero(responds)
        items = instrument_meta(instrument_for(cycle)).items
        outlook = rng.normal(0, 0.6, len(chosen))
        answers = np.empty((len(chosen), len(items)), dtype=np.uint8)
        for j, item in enumerate(items):
            codes = np.array(item.codes)
            # Burnout and intent to leave go the other way: a good climate lowers them.
            sign = -1 if item.id in ("burnout", "intent_to_leave") else 1
            centre = (len(codes) - 1) / 2 + sign * (unit_mood[chosen] + outlook) * len(codes) / 5
            picked = np.clip(np.rint(rng.normal(centre, len(codes) / 4)), 0, len(codes) - 1)
            answers[:, j] = codes[picked.astype(int)]
        answers[rng.random(answers.shape) < 0.03] = SKIPPED
        submitted_on = (opens_at + dt.timedelta(days=2)).date()
        responses = []
        for n, i in enumerate(chosen.tolist()):
            unit_pk, role_group, profession, tenure_band = invitations[i]
            responses.append(
                Response(
                    cycle_id=cycle.pk, submitted_on=submitted_on, reporting_unit_id=unit_pk,
                    role_group=role_group, profession=profession, tenure_band=tenure_band,
                    answers=answers[n].tobytes(),
                )
            )  # fmt: skip
        Response.objects.bulk_create(responses, batch_size=5_000)
        cycle = close_cycle(cycle=cycle, now=closes_at)
    cycle = publish_cycle(cycle=cycle, now=closes_at + dt.timedelta(days=3), by=admin)
    return cycle, len(chosen)


def write_plans(organisation: Any, admin: Any, cycle: Any, count: int, rng: random.Random) -> None:
    """``count`` plans on the cycle's released units, as ``create_plan`` writes them, and the
    team discussions of about 45% of those units."""
    from django.db import transaction
    from django.utils import timezone

    from accord.actions import findings
    from accord.actions.errors import ActionsError
    from accord.actions.models import ActionPlan, PlanAuditEntry, PlanStatus, TeamDiscussion
    from accord.insights.selectors import whole_release
    from accord.org.models import Person

    view = whole_release(cycle)
    table = view.report.table
    released = table.unit[(table.dimension < 0) & table.released].tolist()
    # Each plan's owner: the unit's leader, else someone of the unit.
    owner_of: dict[int, int] = {}
    leader_of: dict[int, int] = {}
    for unit_id, person_id, leader in (
        Person.objects.filter(organisation=organisation)
        .order_by("external_id")
        .values_list("unit_id", "pk", "is_leader")
    ):
        owner_of.setdefault(unit_id, person_id)
        if leader:
            leader_of.setdefault(unit_id, person_id)
    owner_of.update(leader_of)
    fallback_owner = next(iter(owner_of.values()))
    published = cycle.published_at
    today = timezone.localdate()
    specs = [spec for spec, weight in SPECS for _ in range(weight)]
    statuses = [status for status, weight in STATUSES for _ in range(weight)]
    plans: list[ActionPlan] = []
    owners: list[int] = []
    # Every released unit has its turn before any has a second plan, so the plans spread
    # over the units; most units of a large organisation get one, a few get two.
    order = released * (count // len(released) + 1)
    rng.shuffle(order)
    for n in range(count):
        index = order[n]
        unit_pk = view.pk(index)
        filter_text = rng.choice(FILTERS) if rng.random() < 0.2 else None
        wanted = rng.choice(specs)
        finding = None
        for spec in (wanted, *(s for s, _ in SPECS if s != wanted)):
            for chosen_filter in (filter_text, None) if filter_text else (None,):
                try:
                    finding = findings.find(view, index, spec, chosen_filter)
                except ActionsError:
                    continue
                break
            if finding is not None:
                break
        assert finding is not None, "a released unit always has a figure to start from"
        status = rng.choice(statuses)
        created_at = min(published + dt.timedelta(days=rng.uniform(1, 80)), timezone.now())
        made_on = timezone.localdate(created_at)
        due_on = made_on + dt.timedelta(days=rng.randint(30, 300))
        plans.append(
            ActionPlan(
                organisation=organisation, unit_id=unit_pk, title=f"Plan {n + 1}: {finding.label}"[:200],
                description="", cycle=cycle, release_number=view.release.number,
                finding_unit_id=unit_pk, finding_kind=finding.kind, finding_key=finding.key,
                finding_label=finding.label[:300], finding_outcome=finding.outcome,
                finding_dimension=finding.dimension or "", finding_value=finding.value or "",
                finding_figure=finding.figure,
                finding_organisation_figure=finding.organisation_figure,
                finding_respondents=finding.respondents, due_on=due_on, status=status,
                cancel_reason="Folded into the hospital's own programme."
                if status == PlanStatus.CANCELLED else "",
                done_on=min(today, made_on + dt.timedelta(days=rng.randint(7, 120)))
                if status == PlanStatus.DONE else None,
                created_by=admin, created_at=created_at,
            )
        )  # fmt: skip
        owners.append(owner_of.get(unit_pk, fallback_owner))
    discussed = [view.pk(u) for u in released if rng.random() < 0.45]
    published_on = timezone.localdate(published)
    with transaction.atomic():
        made = ActionPlan.objects.bulk_create(plans, batch_size=2_000)
        through = ActionPlan.owners.through
        through.objects.bulk_create(
            [through(actionplan_id=plan.pk, person_id=owner) for plan, owner in zip(made, owners,
                                                                                     strict=True)],
            batch_size=5_000,
        )  # fmt: skip
        PlanAuditEntry.objects.bulk_create(
            [
                PlanAuditEntry(
                    organisation=organisation, actor=admin, actor_label=admin.email,
                    action="plan.create", plan=plan, target_type="ActionPlan", target_id=plan.pk,
                    summary=f"Made the plan “{plan.title}”"[:500],
                    changes={"title": plan.title, "due_on": plan.due_on.isoformat()},
                )
                for plan in made
            ],
            batch_size=2_000,
        )  # fmt: skip
        TeamDiscussion.objects.bulk_create(
            [
                TeamDiscussion(
                    organisation=organisation, unit_id=unit_pk, cycle=cycle,
                    held_on=min(today, published_on + dt.timedelta(days=rng.randint(2, 50))),
                    attended=rng.randint(3, 40), what_mattered="Breaks, staffing and being asked first.",
                    recorded_by=admin,
                )
                for unit_pk in discussed
            ],
            batch_size=5_000,
        )  # fmt: skip


if __name__ == "__main__":
    main()
