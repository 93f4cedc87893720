"""Create the demo health system: an organisation, its roster, and demo logins."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from accord.access.models import Role
from accord.access.services import grant_membership
from accord.demo.actions import seed_demo_plans
from accord.demo.charters import seed_demo_charters
from accord.demo.expectations import seed_demo_agreements
from accord.demo.generator import generate_demo_roster
from accord.demo.goals import seed_demo_goals
from accord.demo.leadership import seed_demo_leadership
from accord.demo.shadowing import seed_demo_shadowing
from accord.demo.surveys import seed_demo_surveys
from accord.org.importing import ProgressCallback, plan_org_import
from accord.org.models import Organisation, Person
from accord.org.services import apply_org_import, create_organisation

DEMO_PASSWORD = "accord-demo"  # noqa: S105 — printed for the demo; never used in production
COACH_EMAIL = "rosa.marin@coaching.example"
COACH_NAME = "Rosa Marín"


@dataclass(frozen=True)
class DemoLogin:
    role_label: str
    email: str
    name: str
    title: str


def seed_demo(
    *,
    slug: str = "riverside",
    name: str = "Riverside Health",
    people: int = 2000,
    seed: int = 7,
    password: str = DEMO_PASSWORD,
    progress: ProgressCallback | None = None,
) -> list[DemoLogin]:
    """Generate the demo organisation through the real import, then give six people logins,
    and an external coach a seventh; then every capability's demo data."""
    roster = generate_demo_roster(people=people, seed=seed, system_name=name)
    with transaction.atomic():
        organisation = create_organisation(name=name, slug=slug, time_zone="America/Chicago")
        plan = plan_org_import(
            organisation=organisation,
            filename="demo.csv",
            content=roster.to_csv(),
            progress=progress,
        )
        apply_org_import(plan=plan, progress=progress)
        cast = (
            ("Program admin", roster.logins.admin, Role.ADMIN),
            ("Executive", roster.logins.executive, Role.EXECUTIVE),
            ("Chief executive", roster.logins.chief_executive, Role.EXECUTIVE),
            ("Department chair", roster.logins.chair, Role.LEADER),
            ("Unit nurse manager", roster.logins.nurse_manager, Role.LEADER),
            ("Staff nurse", roster.logins.staff_nurse, Role.MEMBER),
        )
        logins = []
        for label, external_id, role in cast:
            person = Person.objects.get(organisation=organisation, external_id=external_id)
            grant_membership(
                organisation=organisation,
                email=person.email,
                role=role,
                person=person,
                password=password,
                full_name=person.name,
            )
            logins.append(
                DemoLogin(label, person.email, person.name, person.attributes.get("job_title", ""))
            )
        # An external coach: no person in the org chart, sees only the 360s she coaches.
        grant_membership(organisation=organisation, email=COACH_EMAIL, role=Role.COACH,
                         password=password, full_name=COACH_NAME)  # fmt: skip
        logins.append(DemoLogin("External coach", COACH_EMAIL, COACH_NAME, "Leadership coach"))
        seed_demo_surveys(organisation=organisation, seed=seed)
        teams = seed_demo_goals(organisation=organisation)
        seed_demo_plans(organisation=organisation)
        seed_demo_agreements(organisation=organisation)
        seed_demo_shadowing(organisation=organisation)
        seed_demo_leadership(organisation=organisation)
        seed_demo_charters(organisation=organisation, teams=teams)
    return logins


def demo_logins(slug: str = "riverside") -> list[DemoLogin]:
    """The demo logins of an already seeded organisation, for printing again."""
    organisation = Organisation.objects.get(slug=slug)
    labels: dict[str, str] = {
        Role.ADMIN: "Program admin",
        Role.EXECUTIVE: "Executive",
        Role.MEMBER: "Staff nurse",
        Role.COACH: "External coach",
    }
    logins = []
    for membership in organisation.memberships.select_related("user", "person").order_by("pk"):
        person = membership.person
        title = person.attributes.get("job_title", "") if person else ""
        if membership.role == Role.COACH:
            title = "Leadership coach"
        if title == "Chief Executive Officer":
            label = "Chief executive"
        else:
            label = labels.get(
                membership.role,
                "Unit nurse manager" if "Nurse Manager" in title else "Department chair",
            )
        logins.append(DemoLogin(label, membership.user.email, str(membership.user), title))
    return logins
