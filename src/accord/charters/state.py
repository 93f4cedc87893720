"""Where a charter stands, read alike by the services (before they change it) and the
selectors (to show it): the version being worked on and the one in force, the open revisit,
the current members, Accord's reading of a draft and how many members endorsed a version."""

from __future__ import annotations

import datetime as dt

from accord.access.models import Membership, Role
from accord.access.scopes import Scope
from accord.charters import rules
from accord.charters.models import (
    Charter,
    CharterMember,
    Decision,
    Endorsement,
    Revisit,
    Version,
    VersionStatus,
)
from accord.charters.rules import Draft
from accord.goals.visibility import GoalScope
from accord.org.models import Person


def working_version(charter: Charter) -> Version | None:
    return charter.versions.filter(status__in=(VersionStatus.DRAFT, VersionStatus.PROPOSED)).first()


def version_in_force(charter: Charter) -> Version | None:
    return charter.versions.filter(status=VersionStatus.ADOPTED).first()


def open_revisit_of(charter: Charter) -> Revisit | None:
    return charter.revisits.filter(closed_at__isnull=True).select_related("version").first()


def member_ids(charter: Charter) -> frozenset[int]:
    return frozenset(
        CharterMember.objects.filter(charter=charter, left_at__isnull=True).values_list(
            "person_id", flat=True
        )
    )


def draft_of(version: Version) -> Draft:
    """A stored version as the rules read a draft."""
    return Draft(
        vision=version.vision,
        norms=[rules.NormDraft(n.text, n.signs) for n in version.norms.all()],
        roles=[rules.RoleDraft(r.what, r.owner_id) for r in version.roles.all()],
        goals=[rules.GoalDraft(g.goal_id, g.text) for g in version.goals.all()],
    )


def gaps_of(version: Version) -> list[rules.Gap]:
    charter = version.charter
    ids = member_ids(charter)
    names = dict(Person.objects.filter(pk__in=ids).values_list("pk", "name"))
    unmeasured = [g.text for g in version.goals.all() if g.goal_id is None]
    found = rules.gaps(draft_of(version), names, unmeasured)
    for title, people in goals_hidden_from_members(version, names).items():
        found.append(rules.Gap(
            f"“{title}” is a goal {', '.join(people)} cannot open in Goals: they will see it "
            "unnamed. Share it more widely there, or name it in words."
        ))  # fmt: skip
    return found


def goals_hidden_from_members(version: Version, names: dict[int, str]) -> dict[str, list[str]]:
    """The linked goals some members may not open in Goals, with those members' names — read
    through each member's own goal visibility (a member with no login as a plain member)."""
    links = [g for g in version.goals.select_related("goal") if g.goal is not None]
    if not links:
        return {}
    organisation = version.charter.organisation
    logins = {
        m.person_id: m
        for m in Membership.objects.filter(organisation=organisation, person_id__in=list(names))
    }
    hidden: dict[str, list[str]] = {}
    wanted = [g.goal_id for g in links]
    for person in Person.objects.filter(pk__in=list(names)).order_by("name"):
        membership = logins.get(person.pk) or Membership(
            organisation=organisation, person=person, role=Role.MEMBER
        )
        seen = set(
            GoalScope(Scope(membership)).goals().filter(pk__in=wanted).values_list("pk", flat=True)
        )
        for link in links:
            if link.goal_id not in seen:
                assert link.goal is not None
                hidden.setdefault(link.goal.title, []).append(person.name)
    return hidden


def agreement_of(charter: Charter, version: Version) -> tuple[int, int]:
    """(members who endorsed, members) for the version, among the team as it is now."""
    members = member_ids(charter)
    endorsed = Endorsement.objects.filter(
        version=version, person_id__in=members, decision=Decision.ENDORSED
    ).count()
    return endorsed, len(members)


def joined_after(charter: Charter, person: Person, moment: dt.datetime) -> bool:
    """A member who joined after ``moment``: a revisit opened before they came is not theirs."""
    return CharterMember.objects.filter(
        charter=charter, person=person, left_at__isnull=True, joined_at__gt=moment
    ).exists()
