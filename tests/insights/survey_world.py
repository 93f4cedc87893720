"""Organisations with exactly the group sizes an attack needs, surveyed through the real services.

``survey_world`` imports an org chart built from a compact spec, runs a cycle through the
survey services (open, answers written as ``submit_response`` writes them, close, publish)
and returns what a test needs to attack the release.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.utils import timezone

from accord.access.models import Role, User
from accord.access.services import grant_membership
from accord.insights.publishing import publish_cycle
from accord.org.importing import plan_org_import
from accord.org.models import Organisation, Person
from accord.org.services import apply_org_import, create_organisation
from accord.surveys.answers import ParsedAnswers
from accord.surveys.models import Cycle, Invitation
from accord.surveys.services import (
    CycleSettings,
    close_cycle,
    create_cycle,
    open_cycle,
    schedule_cycle,
    submit_in_bulk,
)

PASSWORD = "correct-horse-battery-staple"
FIRST_NAMES = [
    "Amara",
    "Bruno",
    "Chioma",
    "Dmitri",
    "Elena",
    "Farid",
    "Greta",
    "Hiroshi",
    "Imani",
    "Jonas",
    "Keiko",
    "Lucia",
    "Mateo",
    "Nadia",
    "Oren",
    "Priya",
    "Quentin",
    "Rosa",
    "Soren",
    "Tamsin",
]
LAST_NAMES = [
    "Okafor",
    "Lindqvist",
    "Moreau",
    "Nakamura",
    "Petrov",
    "Quispe",
    "Rahimi",
    "Santoro",
    "Takahashi",
    "Umarov",
    "Varga",
    "Whitcombe",
    "Xiong",
    "Yilmaz",
    "Zeller",
    "Abara",
    "Brennan",
    "Castellano",
    "Dubois",
    "Eriksen",
]


def person_name(serial: int) -> str:
    return f"{FIRST_NAMES[serial % 20]} {LAST_NAMES[serial // 20 % 20]}"


HEADER = (
    "external_id,name,email,unit_path,unit_kinds,manager_external_id,role_group,profession,"
    "hire_date,leader"
)


@dataclass(frozen=True)
class Group:
    """``count`` people attached directly to ``unit_path`` ("Org/Dept/Unit")."""

    unit_path: str
    count: int
    role_group: str = "clinician"
    profession: str = "Nurse"


@dataclass
class World:
    organisation: Organisation
    cycle: Cycle
    executive: User
    admin: User
    leaders: dict[str, User]  # unit path → a leader login for that unit

    def unit_pk(self, path: str) -> int:
        name = path.rsplit("/", 1)[-1]
        return self.organisation.units.get(full_name=path, name=name).pk


def build_organisation(slug: str, groups: Sequence[Group], leaders: Sequence[str] = ()) -> World:
    """Import the org chart; every unit in ``leaders`` gets a leader with a login."""
    organisation = create_organisation(name=slug.title(), slug=slug, time_zone="America/Chicago")
    rows = []
    serial = 0

    def kinds(path: str) -> str:
        return "/".join(("system", "hospital", "department", "unit", "team")[: path.count("/") + 1])

    for unit_path in leaders:
        serial += 1
        rows.append([f"lead{serial}", person_name(serial), f"lead{serial}@{slug}.example",
                     unit_path, kinds(unit_path), "", "administrator", "Manager", "2019-04-01",
                     "yes"])  # fmt: skip
    for group in groups:
        for _ in range(group.count):
            serial += 1
            rows.append([f"p{serial}", person_name(serial), f"p{serial}@{slug}.example",
                         group.unit_path, kinds(group.unit_path), "", group.role_group,
                         group.profession, "2019-04-01", "no"])  # fmt: skip
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER.split(","))
    writer.writerows(rows)
    plan = plan_org_import(
        organisation=organisation, filename="org.csv", content=buffer.getvalue().encode()
    )
    apply_org_import(plan=plan)

    def login(email: str, role: str, person: Person | None) -> User:
        return grant_membership(
            organisation=organisation, email=email, role=role, person=person, password=PASSWORD
        ).user

    leader_logins = {}
    for number, unit_path in enumerate(leaders, start=1):
        person = Person.objects.get(organisation=organisation, external_id=f"lead{number}")
        leader_logins[unit_path] = login(person.email, Role.LEADER, person)
    return World(
        organisation=organisation,
        cycle=None,  # type: ignore[arg-type]
        executive=login(f"exec@{slug}.example", Role.EXECUTIVE, None),
        admin=login(f"admin@{slug}.example", Role.ADMIN, None),
        leaders=leader_logins,
    )


Answerer = Callable[[Invitation, random.Random], ParsedAnswers | None]


def steady_answers(invitation: Invitation, rng: random.Random) -> ParsedAnswers:
    """Everyone answers: agreement around 'agree', burnout low, a comment now and then."""
    scores = {
        "burnout": rng.choice((1, 2, 2, 3)),
        "intent_to_leave": rng.choice((1, 2, 2, 4)),
        "trust_senior_leaders": rng.choice((2, 3, 4, 4, 5)),
        "say_in_operational_decisions": rng.choice((2, 3, 4, 5)),
        "feeling_valued": rng.choice((2, 3, 4, 4, 5)),
    }
    return ParsedAnswers(
        scores=scores, comments={"leaders_change_first": "Fewer meetings, more staff."}
    )


def run_cycle(
    world: World,
    *,
    answer: Answerer = steady_answers,
    min_group_size: int = 5,
    min_comment_group_size: int = 10,
    days_ago: int = 30,
    publish: bool = True,
    seed: int = 1,
    units: Sequence[str] = (),
) -> Cycle:
    organisation = world.organisation
    opens_at = timezone.now() - dt.timedelta(days=days_ago)
    closes_at = opens_at + dt.timedelta(days=14)
    cycle = create_cycle(
        organisation=organisation,
        settings=CycleSettings(
            name=f"Pulse {days_ago} days ago",
            instrument_id="accord-core",
            instrument_version=1,
            opens_at=opens_at,
            closes_at=closes_at,
            min_group_size=min_group_size,
            min_comment_group_size=min_comment_group_size,
            reminder_days=(),
            role_groups=(),
            units=tuple(organisation.units.get(full_name=path) for path in units),
        ),
        created_by=world.admin,
    )
    schedule_cycle(cycle=cycle, now=opens_at - dt.timedelta(days=1))
    cycle = open_cycle(cycle=cycle, now=opens_at, notify=False)
    rng = random.Random(seed)
    submissions = []
    for invitation in Invitation.objects.filter(cycle=cycle).select_related("cycle").order_by("pk"):
        answers = answer(invitation, rng)
        if answers is not None:
            submissions.append((opens_at + dt.timedelta(hours=2), invitation, answers))
    submit_in_bulk(cycle=cycle, submissions=submissions)
    cycle = close_cycle(cycle=cycle, now=closes_at)
    if publish:
        cycle = publish_cycle(cycle=cycle, by=world.admin)
    world.cycle = cycle
    return cycle
