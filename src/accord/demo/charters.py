"""The demo's team charters, one in each state a team meets:

* an interprofessional team that carries patients from the hospital back to primary care — a
  hospitalist, nurses, a pharmacist, a social worker and a patient-access colleague, facilitated
  by the demo nurse manager, the demo staff nurse a member — with a charter adopted twice (the
  second version after a revisit whose pooled ratings showed one norm slipping), its norms
  added to the next pulse survey, drafted;
* the demo nurse manager's own unit team, whose charter is due for its revisit: the revisit is
  open and waiting for the staff nurse's ratings;
* a department leadership team drafting its first charter, two members' values in (so nothing
  is shown yet).

Made through the services where a login acts; members without a login answer, endorse and rate
as the services write it (receipts apart from the unlinked answers), with dates set back."""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import transaction
from django.utils import timezone

from accord.access.models import Membership, Role
from accord.access.scopes import Scope
from accord.charters import selectors, services
from accord.charters.errors import CharterError
from accord.charters.models import (
    POOLED_MINIMUM,
    Charter,
    CharterMember,
    Decision,
    Endorsement,
    NormRating,
    Revisit,
    RevisitReceipt,
    TeamKind,
    ValuesAnswer,
    ValuesReceipt,
    Version,
)
from accord.charters.rules import Draft, GoalDraft, NormDraft, RoleDraft
from accord.charters.state import member_ids, open_revisit_of, working_version
from accord.charters.visibility import CharterScope
from accord.goals.models import Goal, Team
from accord.org.models import Organisation, Person

VIA = "demo"

VALUES = (
    {"matters": "Patients go home knowing what happens next", "need": "Clear handoffs and honest feedback when something slips", "patients": "They explained my medicines and called me after I got home"},
    {"matters": "Safe care after discharge, not just inside the walls", "need": "Help from the pharmacist before the discharge rush", "patients": "Kind people who listened to my family"},
    {"matters": "Respect between the hospital and the clinic teams", "need": "Support when the discharge list is long", "patients": "Nobody made me repeat my story"},
    {"matters": "Learning from every readmission without blame", "need": "Clear communication about who calls the patient", "patients": "They listened and were kind"},
    {"matters": "Respect for patients' time", "need": "Help finding a follow-up slot quickly", "patients": "Quick, kind and organised"},
    {"matters": "Doing what we say we will do", "need": "Honest updates at the huddle", "patients": "They did what they promised"},
)  # fmt: skip

TRANSITIONS_V1 = Draft(
    vision="Every patient leaves the hospital with a plan they understand and a primary-care "
    "team expecting them, and we look after each other while we do it.",
    norms=[
        NormDraft("We hand over every discharge face to face or by phone, never by note alone.",
                  "The clinic nurse can name the patient's plan before the first visit"),
        NormDraft("We ask for help before the discharge list overwhelms one person.",
                  "Anyone says 'I need a hand' at the 11 o'clock huddle and someone takes a patient"),
        NormDraft("We talk about readmissions to learn, not to blame.",
                  "Each readmission review names what we will change, never who was at fault"),
    ],
    roles=[], goals=[],
)  # fmt: skip
EXTRA_NORM = NormDraft(
    "We reconcile medicines together before the patient leaves.",
    "The pharmacist's check is on the discharge summary before the patient goes",
)
UNIT_NORMS = [
    NormDraft("We start every shift with a two-minute huddle.", "The huddle happens at 7:00 and 19:00 and everyone knows who is in charge"),
    NormDraft("We take our breaks and cover each other's patients.", "Nobody misses a break two shifts running"),
    NormDraft("We say something when staffing is unsafe.", "Concerns are raised at the huddle and logged the same day"),
]  # fmt: skip

ROLE_NAMES = (
    "Leads the discharge huddle",
    "Calls patients two days after discharge",
    "Reconciles medicines at discharge",
    "Arranges community support",
    "Books the first primary-care visit",
    "Keeps the readmissions log",
    "Facilitates the charter revisits",
    "Teaches new colleagues the handoff",
)


def _scope(membership: Membership) -> CharterScope:
    return CharterScope(Scope(membership))


def _answer_values(version: Version, people: list[Person]) -> None:
    shown = len(people) >= POOLED_MINIMUM  # as the services show them: in batches of three
    for person, answers in zip(people, VALUES, strict=False):
        ValuesReceipt.objects.create(version=version, person=person)
        sheet = uuid.uuid4()
        ValuesAnswer.objects.bulk_create(
            ValuesAnswer(version=version, sheet=sheet, prompt=k, text=v, shown=shown)
            for k, v in answers.items()
        )


def _endorse_all(
    charter: Charter, version: Version, at: dt.datetime, *, but: Person | None = None
) -> None:
    members = CharterMember.objects.filter(charter=charter, left_at__isnull=True).select_related(
        "person"
    )
    Endorsement.objects.bulk_create(
        Endorsement(version=version, person=m.person, decision=Decision.ENDORSED, at=at)
        for m in members if m.person != but
    )  # fmt: skip
    with transaction.atomic():
        locked = Charter.objects.select_for_update().get(pk=charter.pk)
        services.adopt_if_agreed(locked, Version.objects.get(pk=version.pk), at)


def _rate(revisit: Revisit, people: list[Person], scores: list[tuple[int, ...]]) -> None:
    norms = list(revisit.version.norms.all())
    for person, given in zip(people, scores, strict=False):
        RevisitReceipt.objects.create(revisit=revisit, person=person)
        sheet = uuid.uuid4()
        NormRating.objects.bulk_create(
            NormRating(revisit=revisit, sheet=sheet, norm=norm, score=score,
                       shown=len(people) >= POOLED_MINIMUM)
            for norm, score in zip(norms, given, strict=False)
        )  # fmt: skip


def _backdate(
    charter: Charter, number: int, *, created: dt.datetime, proposed: dt.datetime | None = None
) -> None:
    Version.objects.filter(charter=charter, number=number).update(
        created_at=created, proposed_at=proposed
    )


def _started_at(charter: Charter, when: dt.datetime) -> None:
    """The charter and its first members as of ``when``: the team was there from the start."""
    Charter.objects.filter(pk=charter.pk).update(created_at=when)
    CharterMember.objects.filter(charter=charter).update(joined_at=when)


def _roles(people: list[Person]) -> list[RoleDraft]:
    return [RoleDraft(ROLE_NAMES[n % len(ROLE_NAMES)], p.pk) for n, p in enumerate(people)]


def _first_of(organisation: Organisation, unit_name: str, profession: str) -> Person | None:
    return (
        Person.objects.filter(organisation=organisation, is_active=True, unit__name=unit_name,
                              profession__name=profession)
        .order_by("pk").first()
    )  # fmt: skip


def seed_demo_charters(*, organisation: Organisation, teams: dict[str, Team]) -> None:
    logins = Membership.objects.filter(organisation=organisation).select_related("person", "user")
    leaders = logins.filter(role=Role.LEADER, person__isnull=False).order_by("pk")
    nurse_manager = leaders[1:2].first()
    staff_nurse = logins.filter(role=Role.MEMBER, person__isnull=False).order_by("pk").first()
    if nurse_manager is None or staff_nurse is None or nurse_manager.person is None:
        return
    now = timezone.now()
    facilitator = _scope(nurse_manager)
    me = nurse_manager.person
    assert staff_nurse.person is not None
    _transitions_team(organisation, facilitator, nurse_manager, me, staff_nurse.person, now)
    _unit_team(organisation, facilitator, nurse_manager, me, staff_nurse.person, now)
    _leadership_team(organisation, teams, now)


def _transitions_team(
    organisation: Organisation, facilitator: CharterScope, login: Membership, me: Person,
    nurse: Person, now: dt.datetime,
) -> None:  # fmt: skip
    found = [
        _first_of(organisation, "Hospitalist Group", "Physician"),
        _first_of(organisation, "Inpatient Pharmacy", "Pharmacist"),
        _first_of(organisation, "Care Coordination", "Social worker"),
        _first_of(organisation, "Patient Access", "Administrative staff"),
        _first_of(organisation, "4 West Medical-Surgical", "Nurse"),
    ]
    others = [p for p in found if p is not None and p not in (me, nurse)]
    if len(others) < 3:
        return
    people = [me, nurse, *others]
    charter = services.start_charter(
        cscope=facilitator, actor=login.user, via=VIA, name="Transitions to primary care team",
        kind=TeamKind.GROUP, people=people,
    )  # fmt: skip
    first = working_version(charter)
    assert first is not None
    _answer_values(first, people)
    draft = Draft(TRANSITIONS_V1.vision, TRANSITIONS_V1.norms, _roles(people),
                  [GoalDraft(None, "Fewer patients readmitted within 30 days")])  # fmt: skip
    services.save_draft(cscope=facilitator, actor=login.user, via=VIA, charter=charter, draft=draft)
    services.propose(cscope=facilitator, actor=login.user, via=VIA, charter=charter)
    adopted_at = now - dt.timedelta(days=150)
    _backdate(
        charter, 1, created=now - dt.timedelta(days=165), proposed=now - dt.timedelta(days=155)
    )
    _endorse_all(charter, first, adopted_at)
    # The revisit three months later: the second norm slipping; a new version adds a norm.
    revisit = services.open_revisit(cscope=None, actor=None, via=VIA, charter=charter,
                                    now=now - dt.timedelta(days=58))  # fmt: skip
    _rate(revisit, people, [(5, 2, 4), (4, 2, 4), (5, 3, 5), (4, 1, 4), (5, 2, 3)])
    services.close_revisit(
        cscope=None, actor=None, via=VIA, charter=charter, now=now - dt.timedelta(days=44)
    )
    draft = Draft(TRANSITIONS_V1.vision, [*TRANSITIONS_V1.norms, EXTRA_NORM], _roles(people),
                  [GoalDraft(None, "Fewer patients readmitted within 30 days")])  # fmt: skip
    services.save_draft(cscope=facilitator, actor=login.user, via=VIA, charter=charter, draft=draft)
    services.propose(cscope=facilitator, actor=login.user, via=VIA, charter=charter)
    _backdate(charter, 2, created=now - dt.timedelta(days=56), proposed=now - dt.timedelta(days=50))
    second = Version.objects.get(charter=charter, number=2)
    _endorse_all(charter, second, now - dt.timedelta(days=42))
    _started_at(charter, now - dt.timedelta(days=165))
    # The next pulse, drafted, will ask the team how well its norms are kept.
    for upcoming in selectors.pulses_to_join(charter)[:1]:
        services.add_norms_to_pulse(
            cscope=facilitator, actor=login.user, via=VIA, charter=charter, cycle_id=upcoming.id
        )


def _unit_team(
    organisation: Organisation, facilitator: CharterScope, login: Membership, me: Person,
    nurse: Person, now: dt.datetime,
) -> None:  # fmt: skip
    unit = me.unit
    try:
        charter = services.start_charter(
            cscope=facilitator, actor=login.user, via=VIA, name=f"{unit.name} team",
            kind=TeamKind.UNIT, unit=unit,
        )  # fmt: skip
    except CharterError:
        return  # a unit too large to charter as one team
    members = list(
        Person.objects.filter(pk__in=member_ids(charter)).exclude(pk=nurse.pk).order_by("pk")
    )
    first = working_version(charter)
    assert first is not None
    _answer_values(first, members[:6])
    draft = Draft(
        f"{unit.name}: safe care on every shift, and a team people want to stay in.",
        UNIT_NORMS, _roles(list(Person.objects.filter(pk__in=member_ids(charter)))), [],
    )  # fmt: skip
    services.save_draft(cscope=facilitator, actor=login.user, via=VIA, charter=charter, draft=draft)
    services.propose(cscope=facilitator, actor=login.user, via=VIA, charter=charter)
    _backdate(
        charter, 1, created=now - dt.timedelta(days=110), proposed=now - dt.timedelta(days=100)
    )
    _endorse_all(charter, first, now - dt.timedelta(days=92), but=nurse)
    _started_at(charter, now - dt.timedelta(days=110))
    # Due: the clock opens the revisit; most have answered, the demo staff nurse has not.
    charter.refresh_from_db()
    Charter.objects.filter(pk=charter.pk).update(next_revisit_on=timezone.localdate())
    charter.refresh_from_db()
    revisit = services.open_revisit(
        cscope=None, actor=None, via=VIA, charter=charter, now=now - dt.timedelta(days=2)
    )
    _rate(revisit, members[:4], [(4, 3, 2), (5, 2, 3), (4, 3, 2), (4, 2, 3)])
    assert open_revisit_of(charter) is not None


def _leadership_team(organisation: Organisation, teams: dict[str, Team], now: dt.datetime) -> None:
    team = teams.get("emergency") or teams.get("surgery")
    if team is None:
        return
    login = Membership.objects.filter(organisation=organisation, person=team.leader).first()
    if login is None:
        return
    charter = services.start_charter(
        cscope=_scope(login), actor=login.user, via=VIA, name=f"{team.name} charter",
        kind=TeamKind.LEADERSHIP_TEAM, team=team,
    )  # fmt: skip
    first = working_version(charter)
    assert first is not None
    members = list(
        Person.objects.filter(pk__in=member_ids(charter)).exclude(pk=team.leader_id).order_by("pk")
    )
    _answer_values(first, members[:2])
    goals = list(Goal.objects.filter(team=team).order_by("pk")[:2])
    draft = Draft(
        "",
        [],
        [],
        [GoalDraft(g.pk) for g in goals],
    )
    services.save_draft(
        cscope=_scope(login), actor=login.user, via=VIA, charter=charter, draft=draft
    )
