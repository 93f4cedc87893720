"""A small health system surveyed twice through the real services, for the loop's tests.

Harbor: Emergency (12 nurses, 6 administrators), Surgery (12 nurses) with a Theatre team of
3 — below the minimum, so its results are hidden — each with a leader login, and a member
login for one Emergency nurse and one Surgery nurse. ``first`` is published 90 days ago;
``second`` 20 days ago, with Emergency's burnout far lower and Surgery's the same.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.test import Client
from django.urls import reverse

from accord.access.models import Membership, Role, User
from accord.access.scopes import Scope
from accord.access.services import grant_membership
from accord.actions import findings, services
from accord.actions.models import ActionPlan
from accord.actions.visibility import ActionScope
from accord.insights.selectors import whole_release
from accord.org.models import Person
from accord.surveys.answers import ParsedAnswers
from accord.surveys.models import Cycle, Invitation
from tests.cast import local_today
from tests.insights.survey_world import PASSWORD, Group, World, build_organisation, run_cycle

EMERGENCY = "Harbor/Emergency"
SURGERY = "Harbor/Surgery"
THEATRE = "Harbor/Surgery/Theatre"


def answers_with_burnout(emergency_burnout: tuple[int, ...]):  # type: ignore[no-untyped-def]
    def answer(invitation: Invitation, rng: random.Random) -> ParsedAnswers:
        in_emergency = invitation.person.unit.full_name.startswith(EMERGENCY)
        burnout = rng.choice(emergency_burnout if in_emergency else (1, 2, 3, 4))
        return ParsedAnswers(
            scores={
                "burnout": burnout,
                "intent_to_leave": rng.choice((1, 2, 4)),
                "say_in_operational_decisions": rng.choice(
                    (1, 2, 2, 3) if in_emergency else (3, 4, 5)
                ),
                "trust_senior_leaders": rng.choice((2, 3, 4)),
                "feeling_valued": rng.choice((2, 3, 4, 5)),
            },
            comments={},
        )

    return answer


@dataclass
class LoopWorld:
    world: World
    first: Cycle
    second: Cycle
    nurse: User  # a member in Emergency
    surgery_nurse: User  # a member in Surgery

    @property
    def slug(self) -> str:
        return self.world.organisation.slug

    def unit(self, path: str) -> int:
        return self.world.unit_pk(path)

    def leader(self, path: str) -> User:
        return self.world.leaders[path]

    def client(self, user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    def ascope(self, user: User) -> ActionScope:
        return ActionScope(
            Scope(Membership.objects.get(user=user, organisation=self.world.organisation))
        )

    def person_of(self, user: User) -> Person:
        person = Membership.objects.get(user=user).person
        assert person is not None
        return person

    def plan(self, user: User, path: str, spec: str, *, cycle: Cycle | None = None,
             filter_text: str | None = None, title: str = "Protect breaks") -> ActionPlan:  # fmt: skip
        view = whole_release(cycle or self.first)
        unit = self.world.organisation.units.get(full_name=path)
        return services.create_plan(
            ascope=self.ascope(user), actor=user, view=view, unit=unit,
            finding=findings.find(view, view.index_of_pk[unit.pk], spec, filter_text),
            title=title, due_on=local_today() + dt.timedelta(days=30),
            owner_ids=[self.person_of(user).pk],
        )  # fmt: skip

    def new_plan_url(self, cycle: Cycle, path: str, **query: str) -> str:
        extra = "".join(f"&{k}={v}" for k, v in query.items())
        return (reverse("action-plan-new", args=[self.slug])
                + f"?cycle={cycle.pk}&unit={self.unit(path)}{extra}")  # fmt: skip


def build_loop_world(*, second: bool = True) -> LoopWorld:
    world = build_organisation(
        "harbor",
        [Group(EMERGENCY, 12), Group(EMERGENCY, 6, "administrator", "Manager"),
         Group(SURGERY, 12), Group(THEATRE, 3)],
        leaders=[EMERGENCY, SURGERY],
    )  # fmt: skip
    first = run_cycle(world, days_ago=104, answer=answers_with_burnout((3, 4, 4, 5)))
    later = (
        run_cycle(world, days_ago=34, answer=answers_with_burnout((1, 1, 2)), seed=2)
        if second
        else first
    )
    organisation = world.organisation

    def member(path: str) -> User:
        person = Person.objects.filter(organisation=organisation, unit__full_name=path,
                                       is_leader=False, role_group="clinician").first()  # fmt: skip
        assert person is not None
        return grant_membership(
            organisation=organisation, email=person.email, role=Role.MEMBER, person=person,
            password=PASSWORD,
        ).user  # fmt: skip

    return LoopWorld(world, first, later, member(EMERGENCY), member(SURGERY))
