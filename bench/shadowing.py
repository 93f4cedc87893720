"""Shadowing benchmark: `make bench`, or `python bench/shadowing.py --people 30000`.

Builds a 300,000-person organisation (the demo generator, seed 7, imported as an admin
imports it) with a year of the shadowing programme, written with the rows the services write:
600 clinicians hosting, spread over the departments of every hospital (each with the kinds of
shift that suit them and about three dated shifts a month, from twelve months ago to three
months ahead), and 5,000 visits booked by the executives and administrators who lead —
mostly confirmed and over, some waiting, declined or cancelled, a few hundred to come — with
a reflection on most past confirmed visits (barriers tagged with the survey's drivers, one to
three commitments in every state, some overdue) and the host's word on many. The demo's
executive (the chief nursing officer) and the rest of the executive team have executive
logins. Through Django's test client, signed in as that executive, it then requests:

* the programme's coverage page (the last 12 months: executives against the target,
  departments by month, shifts, reflections on time, commitments, pooled ratings);
* the booking page, which ranks the open shifts for her (`selectors.suggestions`) and lists
  the others; and `selectors.suggestions` alone.

It prints the median and 90th percentile of each, the queries each makes, and a reference
beside each: a plain COUNT of the rows the page reads. It fails (exit code 1) when a
targeted median is 200 ms or more, and stops by itself (--timeout). BENCH_SHOW_QUERIES=1
prints each one's slowest queries, BENCH_PROFILE=1 a profile of one request.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from collections import Counter, defaultdict
from itertools import zip_longest
from typing import Any

from bench_support import measure, page, report, start_accord

PASSWORD = "bench-password-1"  # noqa: S105 — a throwaway database's logins


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=300_000)
    parser.add_argument("--hosts", type=int, default=600)
    parser.add_argument("--visits", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=20, help="timed requests (median kept)")
    parser.add_argument("--database-url", default="", help="a throwaway PostgreSQL database")
    parser.add_argument("--timeout", type=int, default=1200, help="stop after this many seconds")
    args = parser.parse_args()
    start_accord(name="shadowing", database_url=args.database_url, timeout=args.timeout)
    world = build(args)
    failed = False
    for name, call, reference, targeted in world["timed"]:
        failed |= report(name, measure(call, args.repeat, reference), targeted=targeted)
    sys.exit(1 if failed else 0)


def build(args: argparse.Namespace) -> dict[str, Any]:
    from django.db import transaction
    from django.db.models import Q
    from django.urls import reverse
    from django.utils import timezone

    from accord.access.models import Membership, Role
    from accord.access.scopes import Scope
    from accord.access.services import grant_membership
    from accord.demo.generator import generate_demo_roster
    from accord.notify.calendar import new_uid
    from accord.org.importing import plan_org_import
    from accord.org.models import Person, RoleGroup, Unit
    from accord.org.services import apply_org_import, create_organisation
    from accord.shadowing import selectors
    from accord.shadowing.models import (
        USUAL_TIMES,
        Barrier,
        Commitment,
        CommitmentStatus,
        Host,
        HostShift,
        HostStatus,
        HostWord,
        ProgrammeSettings,
        Reflection,
        ShiftKind,
        Slot,
        Visit,
        VisitStatus,
    )  # fmt: skip
    from accord.shadowing.rules import barrier_choices
    from accord.shadowing.visibility import ShadowingScope

    started = time.perf_counter()
    print(f"Building {args.people:,} people, {args.hosts} hosts and {args.visits:,} visits…",
          flush=True)  # fmt: skip
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
    zone = organisation.zone
    now = timezone.now()
    today = timezone.localdate(now, zone)
    people = Person.objects.filter(organisation=organisation)

    # The executive team gets executive logins, as the demo gives its executive and chief
    # executive; the demo's executive (the chief nursing officer) is the one signed in.
    executive_office = list(people.filter(Q(external_id=roster.logins.chief_executive)
                                          | Q(unit__name="Executive Office")).order_by("pk"))  # fmt: skip
    logins = {}
    for person in executive_office:
        logins[person.external_id] = grant_membership(
            organisation=organisation, email=person.email, role=Role.EXECUTIVE, person=person,
            password=PASSWORD, full_name=person.name,
        ).user  # fmt: skip
    executive = people.get(external_id=roster.logins.executive)
    ProgrammeSettings.objects.create(organisation=organisation)

    # Hosts: clinicians, round robin over the departments of every hospital.
    units = list(Unit.objects.filter(organisation=organisation)
                 .values_list("pk", "path", "parent_id", "kind__name"))  # fmt: skip
    department_ids = {pk for pk, _path, _parent, kind in units if kind.lower() == "department"}
    department_of: dict[int, int] = {}
    for pk, path, _parent, _kind in units:
        above = [int(part) for part in path.split("/") if part]
        found = [unit for unit in above if unit in department_ids]
        if found:
            department_of[pk] = found[-1]
    clinicians: dict[int, list[int]] = defaultdict(list)
    for pk, unit_id in people.filter(role_group=RoleGroup.CLINICIAN, is_active=True,
                                     is_leader=False).values_list("pk", "unit_id"):  # fmt: skip
        if unit_id in department_of:
            clinicians[department_of[unit_id]].append(pk)
    parent_of = {pk: parent for pk, _path, parent, _kind in units}
    by_hospital: dict[int, list[int]] = defaultdict(list)
    for department in sorted(clinicians):
        by_hospital[parent_of[department]].append(department)
    round_robin = [d for row in _one_of_each(list(by_hospital.values())) for d in row]
    chosen: list[int] = []
    while len(chosen) < args.hosts and any(clinicians[d] for d in round_robin):
        for department in round_robin:
            left = clinicians[department]
            if left and len(chosen) < args.hosts:
                chosen.append(left.pop(rng.randrange(len(left))))
    host_people = {p.pk: p for p in people.filter(pk__in=chosen).select_related("unit")}
    created = now - dt.timedelta(days=450)
    with transaction.atomic():
        hosts = Host.objects.bulk_create(
            Host(organisation=organisation, person=host_people[pk],
                 unit_id=host_people[pk].unit_id, service=host_people[pk].unit.name[:120],
                 monthly_limit=rng.choice((1, 2, 2, 2, 3, 3, 4)),
                 visitor_notes="Meet at the charge nurse's desk ten minutes early; closed shoes.",
                 status=rng.choices(
                     (HostStatus.ACTIVE, HostStatus.PAUSED, HostStatus.STOPPED), (92, 5, 3)
                 )[0], created_at=created)
            for pk in chosen
        )  # fmt: skip
        shifts = []
        kinds_of: dict[int, list[str]] = {}
        for host in hosts:
            kinds = rng.sample(ShiftKind.values, rng.randint(1, 3))
            kinds_of[host.pk] = kinds
            for kind in kinds:
                starts, ends = USUAL_TIMES[ShiftKind(kind)]
                shifts.append(HostShift(host=host, kind=kind, starts=starts, ends=ends))
        HostShift.objects.bulk_create(shifts)

        # About three shifts a host a month, twelve months back and three ahead, two days
        # apart at least (a night ends the next morning), none in the months ahead of a host
        # who paused or stopped.
        slots = []
        first = today.replace(day=1)
        months = [_add_months(first, n) for n in range(-12, 4)]
        for host in hosts:
            for month in months:
                if host.status != HostStatus.ACTIVE and month > first:
                    continue
                for day in sorted(rng.sample(range(1, 28, 2), 3)):
                    kind = rng.choice(kinds_of[host.pk])
                    starts, ends = USUAL_TIMES[ShiftKind(kind)]
                    date = month.replace(day=day)
                    starts_at = dt.datetime.combine(date, starts, tzinfo=zone)
                    ends_at = dt.datetime.combine(
                        date + dt.timedelta(days=1) if ends <= starts else date, ends,
                        tzinfo=zone,
                    )  # fmt: skip
                    if starts_at - now > dt.timedelta(days=366):
                        continue
                    slots.append(Slot(host=host, kind=kind, starts_at=starts_at,
                                      ends_at=ends_at, created_at=min(
                                          now, starts_at - dt.timedelta(days=rng.randint(10, 60)))))  # fmt: skip
        slots = Slot.objects.bulk_create(slots, batch_size=5000)

        # Visitors: the executive team, several visits each (the signed-in executive about 20), and
        # administrators who lead, some often, most once or twice.
        leaders = list(people.filter(role_group=RoleGroup.ADMINISTRATOR, is_leader=True,
                                     is_active=True)
                       .exclude(pk__in=[p.pk for p in executive_office])
                       .values_list("pk", flat=True))  # fmt: skip
        pool = rng.sample(leaders, min(len(leaders), 1500))
        visitors = [p.pk for p in executive_office] + pool
        weights = [rng.expovariate(1 / 3) for _ in pool]
        share = sum(weights) / max(1, args.visits - 12 * len(executive_office))
        weights = [share * (20 if p.pk == executive.pk else 12) for p in executive_office] + weights
        host_by_pk = {host.pk: host for host in hosts}
        booked_in: Counter[tuple[int, int, int]] = Counter()  # (host, year, month): booked
        busy: dict[int, list[tuple[dt.datetime, dt.datetime]]] = defaultdict(list)
        past = [
            s for s in slots if s.ends_at <= now and s.starts_at >= now - dt.timedelta(days=365)
        ]
        to_come = [s for s in slots if s.starts_at > now + dt.timedelta(hours=1)
                   and host_by_pk[s.host_id].status == HostStatus.ACTIVE]  # fmt: skip
        rng.shuffle(past)
        rng.shuffle(to_come)
        coming = min(300, args.visits // 15)
        visits = []
        for candidates, wanted, statuses, odds in (
            (past, args.visits - coming, (VisitStatus.CONFIRMED, VisitStatus.DECLINED,
                                          VisitStatus.CANCELLED, VisitStatus.REQUESTED),
             (86, 7, 5, 2)),
            (to_come, coming, (VisitStatus.CONFIRMED, VisitStatus.REQUESTED,
                               VisitStatus.DECLINED, VisitStatus.CANCELLED), (55, 35, 5, 5)),
        ):  # fmt: skip
            placed = 0
            for slot in candidates:
                if placed >= wanted:
                    break
                host = host_by_pk[slot.host_id]
                status = rng.choices(statuses, odds)[0]
                booking = status in (VisitStatus.REQUESTED, VisitStatus.CONFIRMED)
                local = slot.starts_at.astimezone(zone)
                month_key = (host.pk, local.year, local.month)
                if booking and booked_in[month_key] >= host.monthly_limit:
                    continue  # the host's month is full: the service refuses the booking
                for _ in range(10):
                    visitor = rng.choices(visitors, weights)[0]
                    if not booking or not any(s < slot.ends_at and slot.starts_at < e
                                              for s, e in busy[visitor]):  # fmt: skip
                        break
                else:
                    continue  # the visitor has another visit then
                if booking:
                    booked_in[month_key] += 1
                    busy[visitor].append((slot.starts_at, slot.ends_at))
                booked_at = max(slot.created_at,
                                slot.starts_at - dt.timedelta(days=rng.randint(3, 40)))  # fmt: skip
                booked_at = min(booked_at, now - dt.timedelta(hours=1))
                answered = min(now, booked_at + dt.timedelta(hours=rng.randint(2, 60)))
                visits.append(Visit(
                    organisation=organisation, slot=slot, host=host, visitor_id=visitor,
                    unit_id=host.unit_id, kind=slot.kind, starts_at=slot.starts_at,
                    ends_at=slot.ends_at, status=status,
                    decline_reason=rng.choice(("", "Two new starters that night"))
                    if status == VisitStatus.DECLINED else "",
                    uid=new_uid(), sequence=1 if status == VisitStatus.CANCELLED else 0,
                    booked_at=booked_at,
                    answered_at=answered if status in (VisitStatus.CONFIRMED,
                                                       VisitStatus.DECLINED) else None,
                    cancelled_at=min(answered, slot.starts_at - dt.timedelta(hours=2))
                    if status == VisitStatus.CANCELLED else None,
                ))  # fmt: skip
                placed += 1
        visits = Visit.objects.bulk_create(visits, batch_size=2000)

        # After the visits: reflections (most, usually within the deadline), their barriers and
        # commitments, the host's word on many; a reminder when no reflection came within the
        # hour.
        drivers = [key for key, _name in barrier_choices()]
        over = [v for v in visits if v.status == VisitStatus.CONFIRMED and v.ends_at <= now]
        reflections, words, reminded = [], [], []
        for visit in over:
            if rng.random() < 0.85:
                hours = rng.uniform(2, 40) if rng.random() < 0.8 else rng.uniform(49, 240)
                written = visit.ends_at + dt.timedelta(hours=hours)
                if written <= now:
                    reflections.append(Reflection(
                        visit=visit, written_at=written,
                        what_i_saw="Half the night went on finding beds for admitted patients.",
                        surprised=rng.choice(("", "How calm the team stayed.")),
                    ))  # fmt: skip
            if rng.random() < 0.6:
                written = visit.ends_at + dt.timedelta(hours=rng.uniform(3, 72))
                if written <= now:
                    words.append(HostWord(
                        visit=visit, written_at=written, useful=rng.choice((2, 3, 4, 4, 5, 5)),
                        engaged=rng.choice((3, 4, 4, 5, 5)),
                        would_host_again=rng.random() < 0.85,
                        account=rng.choice(("", "Stayed to the end and asked what would help.")),
                    ))  # fmt: skip
        reflections = Reflection.objects.bulk_create(reflections, batch_size=2000)
        written_by_visit = {r.visit_id: r.written_at for r in reflections}
        for visit in over:
            reflected_at = written_by_visit.get(visit.pk)
            if (reflected_at is None or reflected_at > visit.ends_at + dt.timedelta(hours=1)) and (
                visit.ends_at + dt.timedelta(hours=1, minutes=15) <= now
            ):
                visit.reflection_reminded_at = visit.ends_at + dt.timedelta(hours=1, minutes=15)
                reminded.append(visit)
        Visit.objects.bulk_update(reminded, ["reflection_reminded_at"], batch_size=2000)
        HostWord.objects.bulk_create(words, batch_size=2000)
        Barrier.objects.bulk_create(
            (Barrier(reflection=r, driver=rng.choice(drivers), note="Bed requests by phone")
             for r in reflections for _ in range(rng.choice((0, 1, 1, 2, 2, 3)))),
            batch_size=5000,
        )  # fmt: skip
        visitor_of = {v.pk: v.visitor_id for v in visits}
        commitments = []
        for r in reflections:
            made = r.written_at
            for _ in range(rng.randint(1, 3)):
                due = made.astimezone(zone).date() + dt.timedelta(days=rng.randint(7, 90))
                if due < today:
                    state = rng.choices(
                        (CommitmentStatus.DONE, CommitmentStatus.IN_PROGRESS,
                         CommitmentStatus.CANT_DO), (55, 30, 15),
                    )[0]  # fmt: skip
                else:
                    state = rng.choices(
                        (CommitmentStatus.IN_PROGRESS, CommitmentStatus.DONE,
                         CommitmentStatus.CANT_DO), (70, 25, 5),
                    )[0]  # fmt: skip
                changed = min(now, made + dt.timedelta(days=rng.uniform(1, 60)))
                commitments.append(Commitment(
                    visit_id=r.visit_id, what="Bring the night charge nurse into the bed meeting",
                    owner_id=visitor_of[r.visit_id] if rng.random() < 0.8 else rng.choice(pool),
                    due_on=due, status=state,
                    reason="The form is set by the state." if state == CommitmentStatus.CANT_DO
                    else "",
                    created_at=made,
                    updated_at=made if state == CommitmentStatus.IN_PROGRESS else changed,
                    done_at=changed if state == CommitmentStatus.DONE else None,
                ))  # fmt: skip
        Commitment.objects.bulk_create(commitments, batch_size=5000)
    writing = time.perf_counter() - started
    by_status = Counter(v.status for v in visits)
    print(f"  import {imported:.1f} s, programme written {writing:.1f} s: {len(hosts)} hosts in "
          f"{len({department_of[h.unit_id] for h in hosts})} departments, {len(slots):,} slots, "
          f"{len(visits):,} visits ({', '.join(f'{n:,} {s}' for s, n in by_status.items())}; "
          f"{sum(1 for v in visits if v.starts_at > now)} to come), {len(reflections):,} "
          f"reflections, {len(commitments):,} commitments, {len(words):,} host words; the "
          f"executive made {sum(1 for v in visits if v.visitor_id == executive.pk)} visits",
          flush=True)  # fmt: skip

    user = logins[executive.external_id]
    membership = Membership.objects.select_related("organisation", "person__unit").get(user=user)

    def suggestions() -> object:
        sscope = ShadowingScope(Scope(membership))
        with timezone.override(zone):
            found = selectors.suggestions(sscope)
        assert found, "no suggestion"
        return found

    def figures() -> object:
        with timezone.override(zone):
            return selectors.coverage(Scope(membership))

    in_org = Visit.objects.filter(organisation=organisation)
    open_ahead = Slot.objects.filter(host__organisation=organisation, starts_at__gt=timezone.now())

    def figures_read() -> object:  # the rows the coverage page reads, counted
        return (in_org.filter(status=VisitStatus.CONFIRMED).count(),
                Unit.objects.filter(organisation=organisation,
                                    kind__name__iexact="department").count(),
                Commitment.objects.filter(visit__organisation=organisation).count(),
                HostWord.objects.filter(visit__organisation=organisation).count())  # fmt: skip

    def shifts_read() -> object:  # the shifts open ahead and the visits suggestions read
        return open_ahead.count(), in_org.count()

    return {"timed": [
        ("the coverage page, as the executive",
         page(user, reverse("shadowing-coverage", args=["bench"])), figures_read, True),
        ("  its figures (selectors.coverage)", figures, figures_read, False),
        ("the booking page, as the executive",
         page(user, reverse("shadowing-book", args=["bench"])), shifts_read, True),
        ("  suggestions alone", suggestions, shifts_read, True),
    ]}  # fmt: skip


def _one_of_each(rows: list[list[int]]) -> list[list[int]]:
    """[[a1, a2], [b1]] → [[a1, b1], [a2]]: one of each in turn."""
    return [[x for x in column if x is not None] for column in zip_longest(*rows)]


def _add_months(first: dt.date, months: int) -> dt.date:
    index = first.year * 12 + first.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


if __name__ == "__main__":
    main()
