"""Agreements benchmark: `make bench`, or `python bench/expectations.py --people 30000`.

Builds a 300,000-person organisation (the demo generator, seed 7, imported as an admin
imports it) with 20,000 agreements between people and their managers — a version with three
expectations each, five follow-ups for every accepted one (past ones answered on time, late
or not at all), concerns open and answered — written with the rows the services write. One
leader has 60 agreements with 300 follow-ups. It then requests, through Django's test client:

* the leader's agreements page (their 60 agreements and their open concerns), signed in as
  that leader;
* one of the leader's agreements (every version, follow-ups and concerns);
* the figures page as a program admin, who sees the whole organisation (20,000 agreements,
  about 60,000 follow-ups), and, without a target, as the leader — the manager with the most
  direct reports, whose reporting line holds about half the organisation.

It prints the median and 90th percentile of each (server time, the whole request), the
queries each makes, and a reference beside each: a plain COUNT of the rows the page reads.
It fails (exit code 1) when a targeted median is 200 ms or more, and stops by itself
(--timeout). BENCH_SHOW_QUERIES=1 prints each page's slowest queries, BENCH_PROFILE=1 a
profile of one request.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from typing import Any

from bench_support import measure, page, report, start_accord


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=300_000)
    parser.add_argument("--agreements", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=20, help="timed requests (median kept)")
    parser.add_argument("--database-url", default="", help="a throwaway PostgreSQL database")
    parser.add_argument("--timeout", type=int, default=1200, help="stop after this many seconds")
    args = parser.parse_args()
    start_accord(name="agreements", database_url=args.database_url, timeout=args.timeout)
    world = build(args)
    failed = False
    for name, user, url, reference, targeted in world["pages"]:
        result = measure(page(user, url), args.repeat, reference)
        failed |= report(name, result, targeted=targeted, width=34)
    sys.exit(1 if failed else 0)


def build(args: argparse.Namespace) -> dict[str, Any]:
    from django.db import transaction
    from django.urls import reverse
    from django.utils import timezone

    from accord.access.models import Role
    from accord.access.services import grant_membership
    from accord.demo.generator import generate_demo_roster
    from accord.expectations.models import (
        DEFAULT_CADENCE_HOURS,
        FOLLOW_UP_GRACE_HOURS,
        Agreement,
        Concern,
        FollowUp,
        Item,
        Side,
        Version,
    )  # fmt: skip
    from accord.org.importing import plan_org_import
    from accord.org.models import Person
    from accord.org.services import apply_org_import, create_organisation

    started = time.perf_counter()
    print(f"Building {args.people:,} people and {args.agreements:,} agreements…", flush=True)
    organisation = create_organisation(
        name="Bench Health", slug="bench", time_zone="America/Chicago"
    )
    content = generate_demo_roster(people=args.people, seed=7).to_csv()
    apply_org_import(
        plan=plan_org_import(organisation=organisation, filename="r.csv", content=content)
    )
    imported = time.perf_counter() - started
    rng = random.Random(7)
    pairs = list(Person.objects.filter(organisation=organisation, manager__isnull=False)
                 .values_list("manager_id", "pk"))  # fmt: skip
    by_manager: dict[int, list[int]] = {}
    for manager, person in pairs:
        by_manager.setdefault(manager, []).append(person)
    focus = max(by_manager, key=lambda m: len(by_manager[m]))
    colleagues = by_manager[focus][:60]
    others = rng.sample(
        [pair for pair in pairs if pair[0] != focus], args.agreements - len(colleagues)
    )
    chosen = [(focus, colleague) for colleague in colleagues] + others
    now = timezone.now()
    started = time.perf_counter()
    with transaction.atomic():
        agreements = Agreement.objects.bulk_create(
            Agreement(organisation=organisation, leader_id=leader, colleague_id=colleague,
                      relationship="direct_report", topic=f"Expectations {n}",
                      status="accepted" if leader == focus or rng.random() < 0.6
                      else rng.choice(("preparing", "proposed", "changes_proposed")),
                      created_at=now - dt.timedelta(days=rng.randint(10, 200)))
            for n, (leader, colleague) in enumerate(chosen)
        )  # fmt: skip
        versions = Version.objects.bulk_create(
            Version(agreement=a, number=1, author_side=Side.LEADER,
                    status="accepted" if a.status == "accepted" else "proposed",
                    why_it_matters="Why it matters", proposed_at=a.created_at,
                    accepted_at=a.created_at if a.status == "accepted" else None)
            for a in agreements
        )  # fmt: skip
        Item.objects.bulk_create(
            (Item(version=v, position=i, what=f"Deliver part {i}", measure="done when shipped",
                  due_on=(now + dt.timedelta(days=30 * (i + 1))).date()) for v in versions
             for i in range(3)), batch_size=5000,
        )  # fmt: skip
        follow_ups = []
        for a, v in zip(agreements, versions, strict=True):
            if a.status != "accepted":
                continue
            for hours in DEFAULT_CADENCE_HOURS:
                due = a.created_at + dt.timedelta(hours=hours)
                roll = rng.random()
                on_time = due + dt.timedelta(hours=4) if roll < 0.6 else None
                late = due + dt.timedelta(days=5) if 0.6 <= roll < 0.8 else on_time
                follow_ups.append(FollowUp(agreement=a, version=v, due_at=due,
                                           answer_by=due + dt.timedelta(hours=FOLLOW_UP_GRACE_HOURS),
                                           leader_answered_at=on_time, colleague_answered_at=late))  # fmt: skip
        FollowUp.objects.bulk_create(follow_ups, batch_size=5000)
        Concern.objects.bulk_create(
            (Concern(agreement=a, raised_by_id=a.colleague_id, text="A concern",
                     raised_at=now - dt.timedelta(days=rng.randint(0, 30)),
                     addressed_at=None if rng.random() < 0.4 else now, addressed_note="Answered")
             for a in rng.sample(agreements, len(agreements) // 4)), batch_size=5000,
        )  # fmt: skip
    written = time.perf_counter() - started
    leader_person = Person.objects.get(pk=focus)
    leader = grant_membership(organisation=organisation, email="leader@bench.example",
                              role=Role.LEADER, person=leader_person,
                              password="bench-password-1").user  # noqa: S106  # fmt: skip
    admin = grant_membership(organisation=organisation, email="admin@bench.example", role=Role.ADMIN,
                             person=None, password="bench-password-1").user  # noqa: S106  # fmt: skip
    mine = Agreement.objects.filter(leader_id=focus)
    print(f"  import {imported:.1f} s, agreements written {written:.1f} s: {len(agreements):,} "
          f"agreements, {len(follow_ups):,} follow-ups; the leader has {mine.count()} agreements "
          f"and {FollowUp.objects.filter(agreement__in=mine).count()} follow-ups", flush=True)  # fmt: skip
    one = mine.order_by("pk").first()
    assert one is not None
    in_org = Agreement.objects.filter(organisation=organisation)
    return {"pages": [
        ("the leader's agreements", leader, reverse("agreements", args=["bench"]),
         lambda: len(list(mine.values_list("pk", "status"))), True),
        ("one of the leader's agreements", leader, reverse("agreement", args=["bench", one.pk]),
         lambda: len(list(FollowUp.objects.filter(agreement=one).values_list("pk"))), True),
        ("the figures, as the admin", admin, reverse("agreements-overview", args=["bench"]),
         lambda: (in_org.count(), FollowUp.objects.filter(agreement__organisation=organisation).count()), True),
        ("the figures, as the leader", leader, reverse("agreements-overview", args=["bench"]),
         lambda: mine.count(), False),
    ]}  # fmt: skip


if __name__ == "__main__":
    main()
