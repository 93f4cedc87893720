"""A charter for an interprofessional team of six at Riverside's Emergency department, run
through the services as the pages and the API run them: Nora (nurse manager) facilitates;
Sam, Nina and Ned (nurses), Paula and Peter (physicians) and Nora herself are the members."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from accord.access.models import User
from accord.access.scopes import Scope
from accord.charters import services
from accord.charters.models import Charter, TeamKind
from accord.charters.rules import Draft, GoalDraft, NormDraft, RoleDraft
from accord.charters.visibility import CharterScope
from tests.cast import Cast

TEAM = ("nora", "sam", "nina", "ned", "paula", "peter")
VALUES = {
    "sam": {"matters": "Patients and families feel listened to", "need": "Help when the board fills up and backup on breaks", "patients": "They were kind and explained everything"},
    "nina": {"matters": "Safe care and few errors", "need": "Clear handoffs and honest feedback", "patients": "Kind staff who listened to my family"},
    "ned": {"matters": "Respect between nurses and doctors", "need": "Support when it gets busy", "patients": "Everyone was kind"},
    "paula": {"matters": "Learning something every shift", "need": "Clear communication at handoff", "patients": "They listened to me"},
    "peter": {"matters": "Respect for everyone's time", "need": "Help with teaching residents", "patients": "Quick and kind"},
}  # fmt: skip


def cscope_of(cast: Cast, user: User) -> CharterScope:
    return CharterScope(Scope(cast.membership(user)))


def user_of(cast: Cast, external_id: str) -> User:
    """A login for anyone on the team who has none in the cast (a member login)."""
    from accord.access.models import Membership, Role

    person = cast.person(external_id)
    membership = Membership.objects.filter(person=person).select_related("user").first()
    if membership is not None:
        return membership.user
    user = User.objects.create_user(email=f"{external_id}@riverside.example", password=None)
    Membership.objects.create(
        user=user, organisation=cast.riverside, person=person, role=Role.MEMBER
    )
    return user


def started(cast: Cast, *, people: tuple[str, ...] = TEAM, rule: str = "all_but_one") -> Charter:
    return services.start_charter(
        cscope=cscope_of(cast, cast.nurse_manager), actor=cast.nurse_manager,
        name="ED interprofessional team", kind=TeamKind.GROUP,
        people=[cast.person(p) for p in people], rule=rule,
    )  # fmt: skip


def answered_values(cast: Cast, charter: Charter, who: tuple[str, ...] = tuple(VALUES)) -> None:
    for pid in who:
        user = user_of(cast, pid)
        services.answer_values(
            cscope=cscope_of(cast, user), actor=user, charter=charter, answers=VALUES[pid]
        )


def full_draft(cast: Cast, people: tuple[str, ...] = TEAM) -> Draft:
    roles = [RoleDraft(f"Runs the {n} huddle", cast.person(p).pk) for n, p in enumerate(people, 1)]
    return Draft(
        vision="We give every patient in the ED safe, kind care, and look after each other.",
        norms=[
            NormDraft("We hand over face to face, with the plan said out loud.", "The receiving nurse repeats the plan back"),
            NormDraft("We ask for help before we are drowning.", "Anyone says 'I need a hand' at the board and someone answers"),
        ],
        roles=roles,
        goals=[GoalDraft(None, "Fewer patients leaving without being seen")],
    )  # fmt: skip


def drafted(cast: Cast, charter: Charter, draft: Draft | None = None) -> None:
    services.save_draft(
        cscope=cscope_of(cast, cast.nurse_manager), actor=cast.nurse_manager, charter=charter,
        draft=draft or full_draft(cast),
    )  # fmt: skip


def proposed(cast: Cast, charter: Charter) -> None:
    services.propose(
        cscope=cscope_of(cast, cast.nurse_manager), actor=cast.nurse_manager, charter=charter
    )


def endorsed_by(cast: Cast, charter: Charter, who: tuple[str, ...], number: int = 1) -> None:
    for pid in who:
        user = user_of(cast, pid)
        services.endorse(
            cscope=cscope_of(cast, user), actor=user, charter=charter, version_number=number,
            decision="endorsed",
        )  # fmt: skip


def adopted(cast: Cast) -> Charter:
    charter = started(cast)
    answered_values(cast, charter)
    drafted(cast, charter)
    proposed(cast, charter)
    endorsed_by(cast, charter, TEAM)
    charter.refresh_from_db()
    return charter


def later(days: int) -> dt.datetime:
    return timezone.now() + dt.timedelta(days=days)
