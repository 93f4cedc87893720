"""Leadership 360 benchmark: `make bench`, or `python bench/leadership.py --subjects 500`.

Builds a 60,000-person organisation (the demo generator, seed 7, imported as an admin
imports it; about 2,100 of its people lead) and a cohort of 2,000 of its leaders whose
raters have answered and whose rounds have closed, written with the rows the services write:
the cohort, a review per leader (collecting), its approved nominations — 15 distinct raters:
the leader's manager, then peers (the manager's other reports), direct reports, clinical
partners from the leader's unit and others from anywhere, in mixes that leave some groups
below the minimum so they are pooled — and its round, a surveys cycle (leadership-360,
``about`` the leader) with an invitation per rater carrying the rater group: the rows
``open_named_round`` writes, with ``bulk_create`` for the 2,000 rounds at once and without
the pending invitation emails (closing deletes them; no mail is queued). About 90% of the
raters answer, through ``submit_in_bulk`` (receipts, the mixing pool, flushed into responses
and comments): some behaviours not observed (code 0) or skipped, some raters who did not see
a whole competency, comments on the two open questions from many (one to three sentences
each, a few naming a colleague, for the redactor). Most leaders rated themselves. Every
round is then closed by ``close_cycle``, which flushes the pool.

It then times releasing the cohort — ``closing.finish_reviews`` over the 2,000 reviews, read
as ``finish_closed_reviews`` reads them: every answer and comment loaded from the surveys
tables, the reports computed and each review's report and status written, 500 at a time —
resetting the reviews between runs outside the timed part. It prints the median and 90th
percentile over --repeat runs (after one to warm up), the queries one run makes, and beside
it, measured in the same run:

* the raw scan: reading the same surveys responses (cycle, rater group, answers), the least
  any release has to read;
* the computation alone: ``report.build_reports`` over rounds already loaded;
* the loading alone (``loading.rounds_of``), without a target.

It checks that a run released every review with a report of four competencies and that
releasing again finishes none, fails (exit code 1) when the median is 2 s or more, and stops
by itself (--timeout). BENCH_SHOW_QUERIES=1 prints the slowest queries of a run,
BENCH_PROFILE=1 a profile of one.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import random
import statistics
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from typing import Any

from bench_support import start_accord

TARGET_MS = 2000.0
RATERS = 15
# Comments are put together from these, one to three sentences, so that few are the same.
STRENGTHS = (
    "Calm on the worst nights.", "Explains the why before the what.",
    "Backs the team in front of administration.", "Keeps their word.",
    "Very clear about priorities.", "Makes time for new starters.",
    "Notices when someone is struggling and does something about it.",
    "Turns a bad shift into something we learn from.", "Knows every patient on the board.",
    "Answers the phone at 3 a.m. without a sigh.", "Fair with the rota.",
    "Gets us the equipment we ask for.", "Runs the safety huddle well.",
)  # fmt: skip
DEVELOP = (
    "Ask the nurses before deciding on staffing changes.",
    "Let others finish in meetings; the same voices decide every time.",
    "Share the budget picture earlier so the team can help.",
    "Delegate more. The rota should not wait for one person.", "Be on the floor more often.",
    "Follow up on incident reports; we rarely hear back.", "Say no to more projects.",
    "Explain decisions made upstairs.", "Give feedback in private, not at the desk.",
    "Plan the summer leave earlier.", "Recognise the night shift too.",
)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=60_000)
    parser.add_argument("--subjects", type=int, default=2_000, help="leaders in the cohort")
    parser.add_argument("--repeat", type=int, default=5, help="timed releases (median kept)")
    parser.add_argument("--database-url", default="", help="a throwaway PostgreSQL database")
    parser.add_argument("--timeout", type=int, default=1200, help="stop after this many seconds")
    args = parser.parse_args()
    start_accord(name="leadership", database_url=args.database_url, timeout=args.timeout)
    cohort = build(args)
    sys.exit(1 if release(cohort, args.repeat) else 0)


def build(args: argparse.Namespace) -> Any:
    from django.db import transaction
    from django.utils import timezone

    from accord.demo.generator import generate_demo_roster
    from accord.leadership.models import (
        GROUP_MINIMUM,
        Cohort,
        Nomination,
        NominationStatus,
        Review,
        ReviewStatus,
        SelfAssessment,
    )  # fmt: skip
    from accord.org.importing import plan_org_import
    from accord.org.models import Person
    from accord.org.services import apply_org_import, create_organisation
    from accord.surveys.answers import ParsedAnswers, pack, scored_items
    from accord.surveys.instruments import LEADERSHIP_FRAMEWORK_ID
    from accord.surveys.models import Cycle, Invitation
    from accord.surveys.selectors import organisation_instruments
    from accord.surveys.services import close_cycle, submit_in_bulk
    from accord.surveys.tokens import key_check

    started = time.perf_counter()
    print(f"Building {args.people:,} people and a cohort of {args.subjects:,} leaders with "
          f"{RATERS} raters each…", flush=True)  # fmt: skip
    organisation = create_organisation(
        name="Bench Health", slug="bench", time_zone="America/Chicago"
    )
    roster = generate_demo_roster(people=args.people, seed=7)
    apply_org_import(
        plan=plan_org_import(organisation=organisation, filename="r.csv",
                             content=roster.to_csv())
    )  # fmt: skip
    imported = time.perf_counter() - started
    started = time.perf_counter()
    rng = random.Random(7)
    now = timezone.now()
    opened = now - dt.timedelta(days=20)
    closes = opened + dt.timedelta(days=14)
    instrument = organisation_instruments(organisation).latest(LEADERSHIP_FRAMEWORK_ID)
    items = scored_items(instrument)
    behaviours = [item.id for item in items]
    competency_of = [item.construct for item in items]

    # The org chart, in memory: who reports to whom, who works in which unit.
    people = {
        pk: (manager, unit, name, email, (attributes or {}).get("language", ""))
        for pk, manager, unit, name, email, attributes in Person.objects.filter(
            organisation=organisation, is_active=True
        ).values_list("pk", "manager_id", "unit_id", "name", "email", "attributes")
    }  # fmt: skip
    reports: dict[int, list[int]] = defaultdict(list)
    in_unit: dict[int, list[int]] = defaultdict(list)
    for pk, (manager, unit, *_rest) in people.items():
        if manager is not None:
            reports[manager].append(pk)
        in_unit[unit].append(pk)
    everyone = list(people)
    leaders = list(Person.objects.filter(organisation=organisation, is_active=True,
                                         is_leader=True, manager__isnull=False)
                   .order_by("pk").values_list("pk", flat=True))  # fmt: skip
    if len(leaders) < args.subjects:
        raise SystemExit(f"Only {len(leaders)} leaders with a manager: raise --people.")
    subjects = sorted(rng.sample(leaders, args.subjects))

    def raters_of(subject: int) -> list[tuple[int, str]]:
        """The manager, then peers, direct reports and partners as the mix asks and the org
        chart allows, then partners from the unit or others from anywhere up to fifteen."""
        manager, unit = people[subject][0], people[subject][1]
        assert manager is not None
        chosen = {subject, manager}
        raters = [(manager, "manager")]
        nearby = in_unit[unit] + in_unit[people[manager][1]]
        wanted = (
            ("peer", rng.choice((2, 3, 4, 5)), reports[manager]),
            ("direct_report", rng.choice((0, 2, 3, 4, 5, 6)), reports[subject]),
            ("partner", rng.choice((0, 1, 2, 3)), nearby),
        )
        for group, count, pool in wanted:
            for pk in rng.sample(pool, len(pool)) if count else ():
                if count and pk not in chosen:
                    chosen.add(pk)
                    raters.append((pk, group))
                    count -= 1
        partners = [pk for pk in nearby if pk not in chosen]
        while len(raters) < RATERS:
            partner = partners and rng.random() < 0.4
            pk = partners.pop(rng.randrange(len(partners))) if partner else rng.choice(everyone)
            if pk not in chosen:
                chosen.add(pk)
                raters.append((pk, "partner" if partner else "other"))
        return raters

    def answers_of(level: list[float], group: str) -> ParsedAnswers:
        shift = {"manager": -0.2, "direct_report": 0.2, "other": -0.1}.get(group, 0.0)
        unseen = rng.choice(competency_of) if group != "manager" and rng.random() < 0.1 else None
        scores = {}
        for b, behaviour in enumerate(behaviours):
            draw = rng.random()
            if draw < 0.03:
                continue  # skipped
            if draw < 0.08 or competency_of[b] == unseen:
                scores[behaviour] = 0  # not observed
            else:
                scores[behaviour] = min(5, max(1, round(rng.gauss(level[b] + shift, 0.8))))
        comments = {}
        if rng.random() < 0.65:
            comments["strengths"] = " ".join(rng.sample(STRENGTHS, rng.randint(1, 3)))
            if rng.random() < 0.05:
                colleague = people[rng.choice(everyone)][2]
                comments["strengths"] += f" She and {colleague} turned the night shift around."
        if rng.random() < 0.45:
            comments["develop"] = " ".join(rng.sample(DEVELOP, rng.randint(1, 3)))
        return ParsedAnswers(scores=scores, comments=comments)

    answered = comments = 0
    with transaction.atomic():
        cohort = Cohort.objects.create(
            organisation=organisation, name="Leaders 2027", instrument_id=instrument.id,
            instrument_version=instrument.version, min_group_size=GROUP_MINIMUM,
            answer_by=closes, created_at=opened - dt.timedelta(days=10),
        )  # fmt: skip
        # The rounds, as open_named_round opens them.
        cycles = Cycle.objects.bulk_create(
            (Cycle(organisation=organisation, name=f"360 feedback for {people[s][2]}"[:200],
                   purpose=Cycle.Purpose.LEADERSHIP_360, about_id=s,
                   instrument_id=instrument.id, instrument_version=instrument.version,
                   instrument_digest=instrument.content_digest(), status=Cycle.Status.OPEN,
                   opens_at=opened, closes_at=closes, min_group_size=GROUP_MINIMUM,
                   min_comment_group_size=GROUP_MINIMUM, reminder_days=[4, 9],
                   opened_at=opened, invited_count=RATERS)
             for s in subjects), batch_size=1000,
        )  # fmt: skip
        for cycle in cycles:
            cycle.receipt_key_check = key_check(cycle.pk)
        Cycle.objects.bulk_update(cycles, ["receipt_key_check"], batch_size=1000)
        reviews = Review.objects.bulk_create(
            (Review(organisation=organisation, cohort=cohort, subject_id=s,
                    status=ReviewStatus.COLLECTING, instrument_id=instrument.id,
                    instrument_version=instrument.version, min_group_size=GROUP_MINIMUM,
                    answer_by=closes, cycle=cycle, submitted_at=opened - dt.timedelta(days=2),
                    approved_at=opened, created_at=opened - dt.timedelta(days=10))
             for s, cycle in zip(subjects, cycles, strict=True)), batch_size=1000,
        )  # fmt: skip
        raters = {s: raters_of(s) for s in subjects}
        Nomination.objects.bulk_create(
            (Nomination(review=review, person_id=pk, group=group,
                        status=NominationStatus.APPROVED)
             for review in reviews for pk, group in raters[review.subject_id]), batch_size=5000,
        )  # fmt: skip
        invitations = Invitation.objects.bulk_create(
            (Invitation(cycle=cycle, person_id=pk,
                        channel=Invitation.Channel.EMAIL if people[pk][3]
                        else Invitation.Channel.CODE,
                        language=people[pk][4] or "en", reporting_unit_id=people[s][1],
                        rater_group=group)
             for s, cycle in zip(subjects, cycles, strict=True) for pk, group in raters[s]),
            batch_size=5000,
        )  # fmt: skip
        by_cycle: dict[int, list[Any]] = defaultdict(list)
        for invitation in invitations:
            by_cycle[invitation.cycle_id].append(invitation)
        own = []
        for review, cycle in zip(reviews, cycles, strict=True):
            level = [rng.uniform(2.8, 4.6) for _ in behaviours]
            submissions = [
                (opened + dt.timedelta(days=rng.uniform(0.5, 13)), invitation,
                 answers_of(level, invitation.rater_group))
                for invitation in by_cycle[cycle.pk]
                if rng.random() < (0.95 if invitation.rater_group == "manager" else 0.9)
            ]  # fmt: skip
            submissions.sort(key=lambda s: s[0])
            submit_in_bulk(cycle=cycle, submissions=submissions)
            answered += len(submissions)
            comments += sum(len(a.comments) for _, _, a in submissions)
            if rng.random() < 0.85:
                mine = {b: min(5, max(1, round(x + rng.choice((-1, 0, 0.4, 1)))))
                        for b, x in zip(behaviours, level, strict=True) if rng.random() > 0.03}  # fmt: skip
                own.append(SelfAssessment(
                    review=review, answers=pack(instrument, mine),
                    comments={"strengths": "I make sure everyone is heard."}
                    if rng.random() < 0.5 else {},
                    submitted_at=opened + dt.timedelta(days=1),
                ))  # fmt: skip
        SelfAssessment.objects.bulk_create(own, batch_size=2000)
        for cycle in cycles:
            close_cycle(cycle=cycle, now=closes)
    written = time.perf_counter() - started
    groups = Counter(group for s in subjects for _pk, group in raters[s])
    print(f"  import {imported:.1f} s, cohort written {written:.1f} s: {len(reviews):,} reviews, "
          f"{len(invitations):,} raters asked ({', '.join(f'{n:,} {g}' for g, n in groups.items())}), "
          f"{answered:,} answers, {comments:,} comments, {len(own):,} self-assessments",
          flush=True)  # fmt: skip
    return cohort


def release(cohort: Any, repeat: int) -> bool:
    """Time releasing the cohort beside its references; whether it missed its target."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accord.leadership import loading
    from accord.leadership.closing import finish_reviews
    from accord.leadership.models import Review, ReviewStatus
    from accord.leadership.report import build_reports
    from accord.surveys.models import Response

    in_cohort = Review.objects.filter(cohort=cohort)

    def waiting() -> list[Review]:
        """The cohort collecting again, read as ``finish_closed_reviews`` reads it."""
        in_cohort.update(
            status=ReviewStatus.COLLECTING, report=None, closed_at=None, released_at=None
        )
        return list(in_cohort.select_related("cycle", "organisation", "self_assessment"))

    reviews = waiting()
    cycle_ids = [r.cycle_id for r in reviews]
    framework = loading.framework_of(loading.instrument_of(reviews[0]))

    def raw_scan() -> object:
        return list(
            Response.objects.filter(cycle_id__in=cycle_ids).values_list(
                "cycle_id", "rater_group", "answers"
            )
        )

    def loaded() -> object:
        return loading.rounds_of(reviews, len(framework.behaviours))

    rounds = loading.rounds_of(reviews, len(framework.behaviours))

    def computed() -> object:
        return build_reports(framework, rounds, random.Random(7))

    def finish(collecting: list[Review]) -> float:
        gc.collect()
        started = time.perf_counter()
        finished = finish_reviews(collecting)
        elapsed = (time.perf_counter() - started) * 1000
        assert finished == [r.pk for r in collecting], "not every review was finished"
        return elapsed

    finish(waiting())  # to warm up
    times = []
    for _ in range(repeat):
        stale = waiting()
        times.append(finish(stale))
    times.sort()
    hidden, pooled = check(in_cohort, len(reviews))
    # Safe to run again: reviews read before they were finished (still collecting, as far
    # as these objects know) and read again now are finished once only.
    assert not finish_reviews(stale), "a review was finished twice"
    assert not finish_reviews(list(in_cohort.select_related("cycle", "organisation")))
    again = waiting()
    with CaptureQueriesContext(connection) as queries:
        finish_reviews(again)
    if os.environ.get("BENCH_SHOW_QUERIES"):
        for query in sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:5]:
            print(f"    {float(query['time']) * 1000:7.1f} ms  {query['sql'][:200]}")
    if os.environ.get("BENCH_PROFILE"):
        import cProfile
        import pstats

        again = waiting()
        profile = cProfile.Profile()
        profile.runcall(finish_reviews, again)
        pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
    scan, load, compute = (median_ms(call, repeat) for call in (raw_scan, loaded, computed))
    median, p90 = statistics.median(times), times[int(0.9 * (len(times) - 1))]
    failed = median >= TARGET_MS
    responses = sum(len(r.groups) for r in rounds)
    print(f"  reports: {pooled:,} rater groups pooled with the others; cells hidden: "
          f"{', '.join(f'{n:,} {why}' for why, n in sorted(hidden.items()))}")  # fmt: skip
    print(f"  releasing {len(reviews):,} reviews ({responses:,} responses), finish_reviews: "
          f"median {median:7.1f} ms, p90 {p90:7.1f} ms, {len(queries.captured_queries)} queries  "
          f"{'FAIL' if failed else 'PASS'} (target {TARGET_MS:.0f} ms)\n"
          f"    reference: raw scan of the responses {scan:7.1f} ms  (release {median / scan:5.1f}x)\n"
          f"    reference: computation alone         {compute:7.1f} ms  (release {median / compute:5.1f}x)\n"
          f"    loading alone (rounds_of)            {load:7.1f} ms  (release {median / load:5.1f}x)",
          flush=True)  # fmt: skip
    return failed


def check(in_cohort: Any, expected: int) -> tuple[Counter[str], int]:
    """Every review released, with a report of four competencies and a behaviour each; the
    cells hidden, by reason, and the groups pooled."""
    from accord.leadership.models import ReviewStatus

    rows = list(in_cohort.values_list("status", "report", "closed_at", "released_at"))
    assert len(rows) == expected, (len(rows), expected)
    hidden: Counter[str] = Counter()
    pooled = 0
    for status, report, closed_at, released_at in rows:
        assert status == ReviewStatus.RELEASED, status
        assert closed_at is not None and released_at is not None
        assert len(report["competencies"]) == 4, report
        assert all(c["behaviours"] for c in report["competencies"]), report
        pooled += sum(group["pooled"] for group in report["groups"])
        for competency in report["competencies"]:
            for cells in [competency["cells"], *(b["cells"] for b in competency["behaviours"])]:
                hidden.update(cell["hidden"] for cell in cells.values() if cell.get("hidden"))
    return hidden, pooled


def median_ms(call: Callable[[], object], repeat: int) -> float:
    call()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


if __name__ == "__main__":
    main()
