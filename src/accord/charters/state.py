"""Where a charter stands, read alike by the services (before they change it) and the
selectors (to show it): the version being worked on and the one in force, the open revisit,
the current members, Accord's reading of a draft and how many members endorsed a version."""

from __future__ import annotations

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
    return rules.gaps(draft_of(version), names, unmeasured)


def agreement_of(charter: Charter, version: Version) -> tuple[int, int]:
    """(members who endorsed, members) for the version, among the team as it is now."""
    members = member_ids(charter)
    endorsed = Endorsement.objects.filter(
        version=version, person_id__in=members, decision=Decision.ENDORSED
    ).count()
    return endorsed, len(members)
