"""Reading agreements through the viewer's ``ExpectationScope``: their list, one agreement's
page (every version, what changed between them, the concerns with their age in working
days) and, for its author only, the preparation."""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from accord.access.scopes import Scope
from accord.expectations.models import (
    Agreement,
    AgreementStatus,
    Concern,
    ExpectationSettings,
    FollowUp,
    FollowUpAnswer,
    Item,
    Meeting,
    MeetingNote,
    MeetingStatus,
    Preparation,
    Side,
    Version,
    VersionStatus,
)
from accord.expectations.rules import (
    PART_NAMES,
    Readiness,
    describe_cadence,
    readiness,
    why_not_drafted,
)
from accord.expectations.visibility import ExpectationScope
from accord.goals.models import Goal
from accord.goals.visibility import GoalScope

# A concern should be addressed the same or the next working day.
CONCERN_TARGET_DAYS = 1


def goals_both_see(escope: ExpectationScope, agreement: Agreement) -> QuerySet[Goal]:
    """Goals the viewer and the other person of the agreement can both see (the leader's, the
    colleague's, their teams' and the organisation's): what its context may link to."""
    other = agreement.colleague if escope.side(agreement) == Side.LEADER else agreement.leader
    membership = getattr(other, "membership", None)
    if membership is None:
        return Goal.objects.none()
    theirs = GoalScope(Scope(membership)).goals().values("pk")
    return GoalScope(escope.scope).goals().filter(pk__in=theirs)


@dataclass(frozen=True)
class Listed:
    agreement: Agreement
    side: str
    other_name: str
    waiting_on_me: bool


def waiting_on(agreement: Agreement) -> str:
    """Whose move it is: the side that must act next."""
    if agreement.status == AgreementStatus.PROPOSED:
        return Side.COLLEAGUE
    if agreement.status in (AgreementStatus.PREPARING, AgreementStatus.CHANGES_PROPOSED):
        return Side.LEADER
    return ""


def my_agreements(escope: ExpectationScope) -> list[Listed]:
    found = escope.agreements().select_related("leader", "colleague").order_by("-updated_at", "-pk")
    listed = []
    for agreement in found:
        side = escope.side(agreement)
        other = agreement.colleague if side == Side.LEADER else agreement.leader
        listed.append(Listed(agreement, side, other.name, waiting_on(agreement) == side))
    return listed


def working_days_since(moment: dt.datetime, zone: str, now: dt.datetime | None = None) -> int:
    """Whole working days (Monday to Friday, in the organisation's time zone) since ``moment``."""
    tz = ZoneInfo(zone)
    start = moment.astimezone(tz).date()
    end = (now or timezone.now()).astimezone(tz).date()
    return int(np.busday_count(start, end)) if end > start else 0


@dataclass(frozen=True)
class ConcernRow:
    concern: Concern
    age_days: int  # working days open, or taken to address it
    overdue: bool


def concern_rows(concerns: list[Concern], zone: str) -> list[ConcernRow]:
    rows = []
    for concern in concerns:
        age = working_days_since(concern.raised_at, zone, concern.addressed_at)
        rows.append(
            ConcernRow(concern, age, concern.addressed_at is None and age > CONCERN_TARGET_DAYS)
        )
    return rows


def open_concerns(escope: ExpectationScope) -> list[ConcernRow]:
    """Open concerns across the viewer's agreements, oldest first."""
    concerns = list(
        Concern.objects.filter(agreement__in=escope.agreements(), addressed_at__isnull=True)
        .select_related("agreement__leader", "agreement__colleague", "raised_by")
        .order_by("raised_at", "pk")
    )
    return concern_rows(concerns, escope.organisation.time_zone)


def _lines(version: Version) -> list[str]:
    lines = []
    for n, item in enumerate(version.items.all(), start=1):
        support = f"; support: {item.support}" if item.support else ""
        lines.append(f"{n}. {item.what} — measured by {item.measure}; "
                     f"{item.get_owner_display().lower()}, due {item.due_on:%-d %B %Y}{support}")  # fmt: skip
    return lines


@dataclass(frozen=True)
class VersionView:
    version: Version
    lines: list[str]
    changes: list[tuple[str, str]]  # ("added" | "removed", line) against the version before


@dataclass(frozen=True)
class FollowUpRow:
    follow_up: FollowUp
    state: str  # see follow_up_state
    mine_to_answer: bool  # the earliest one the viewer has yet to answer, once it is due


def follow_up_state(follow_up: FollowUp, now: dt.datetime) -> str:
    """One of: upcoming, due, missed (unanswered past its time), done (both answered in time)
    or late (both answered, one of them after its time)."""
    leader, colleague = follow_up.leader_answered_at, follow_up.colleague_answered_at
    if leader is not None and colleague is not None:
        return "late" if max(leader, colleague) > follow_up.answer_by else "done"
    if now < follow_up.due_at:
        return "upcoming"
    return "missed" if now > follow_up.answer_by else "due"


def follow_up_rows(agreement: Agreement, side: str, version: Version | None) -> list[FollowUpRow]:
    """The follow-ups of the accepted version in force."""
    if version is None:
        return []
    now = timezone.now()
    rows, offered = [], False
    for follow_up in agreement.follow_ups.filter(version=version):
        state = follow_up_state(follow_up, now)
        mine = not offered and state in ("due", "missed") and not follow_up.answered_by(side)
        offered = offered or mine
        rows.append(FollowUpRow(follow_up, state, mine))
    return rows


def follow_ups_due(escope: ExpectationScope) -> list[tuple[FollowUp, str]]:
    """The viewer's follow-ups that have fallen due and wait for their answer, with their
    state ("due" or "missed"), oldest first."""
    now = timezone.now()
    found = []
    for follow_up in (
        FollowUp.objects.filter(agreement__in=escope.agreements(), due_at__lte=now)
        .select_related("agreement")
        .order_by("due_at", "pk")
    ):
        if not follow_up.answered_by(escope.side(follow_up.agreement)):
            found.append((follow_up, follow_up_state(follow_up, now)))
    return found


def answer_within_days(organisation_id: int) -> int:
    """The organisation's working days for answering a proposal before it shows as waiting."""
    found = ExpectationSettings.objects.filter(organisation_id=organisation_id).first()
    return found.answer_within_days if found else ExpectationSettings().answer_within_days


def waiting_days(agreement: Agreement, version: Version) -> int | None:
    """Working days a proposal has waited for its answer; None when nothing waits."""
    if version.status != VersionStatus.PROPOSED or version.proposed_at is None:
        return None
    return working_days_since(version.proposed_at, agreement.organisation.time_zone)


# What was agreed last time --------------------------------------------------------------


@dataclass(frozen=True)
class CarriedItem:
    item: Item
    state: str  # "open" (not yet due), "met" (due, both said on track) or "missed"
    leader_on_track: bool | None  # each side's latest answer, None before any
    colleague_on_track: bool | None


@dataclass(frozen=True)
class CarryForward:
    version: Version
    same_agreement: bool  # an earlier round of this agreement, or the pair's last agreement
    items: list[CarriedItem]
    follow_ups_missed: int

    @property
    def still_open(self) -> list[CarriedItem]:
        return [c for c in self.items if c.state != "met"]


def last_agreed(agreement: Agreement) -> Version | None:
    """The version the two agreed last before the current round: an earlier accepted version
    of this agreement, or else the latest accepted version of another agreement between them."""
    versions = list(agreement.versions.order_by("-number"))
    earlier = next((v for v in versions[1:] if v.status == VersionStatus.ACCEPTED), None)
    if earlier is not None:
        return earlier
    pair = (
        Agreement.objects.filter(organisation=agreement.organisation_id)
        .filter(
            Q(leader=agreement.leader_id, colleague=agreement.colleague_id)
            | Q(leader=agreement.colleague_id, colleague=agreement.leader_id)
        )
        .exclude(pk=agreement.pk)
    )
    return (
        Version.objects.filter(agreement__in=pair, status=VersionStatus.ACCEPTED)
        .select_related("agreement")
        .order_by("-accepted_at", "-pk")
        .first()
    )


def carry_forward(agreement: Agreement) -> CarryForward | None:
    version = last_agreed(agreement)
    if version is None:
        return None
    latest: dict[tuple[int, str], bool] = {}
    for item_id, side, on_track in (
        FollowUpAnswer.objects.filter(follow_up__version=version)
        .order_by("follow_up__due_at", "pk")
        .values_list("item_id", "side", "on_track")
    ):
        latest[(item_id, side)] = on_track
    today = timezone.localdate()
    carried = []
    for item in version.items.all():
        lead, coll = latest.get((item.pk, Side.LEADER)), latest.get((item.pk, Side.COLLEAGUE))
        state = "open" if item.due_on >= today else "met" if lead and coll else "missed"
        carried.append(CarriedItem(item, state, lead, coll))
    now = timezone.now()
    missed = sum(
        follow_up_state(f, now) == "missed" for f in FollowUp.objects.filter(version=version)
    )
    return CarryForward(version, version.agreement_id == agreement.pk, carried, missed)


# Meetings ------------------------------------------------------------------------------


@dataclass(frozen=True)
class MeetingView:
    meeting: Meeting
    notes: list[MeetingNote]
    mine_to_record: bool  # held or under way, and the viewer has not written their note


def meeting_views(agreement: Agreement, side: str) -> list[MeetingView]:
    now = timezone.now()
    views = []
    for meeting in agreement.meetings.prefetch_related("notes").order_by("-starts_at", "-pk"):
        notes = list(meeting.notes.all())
        started = meeting.status != MeetingStatus.CANCELLED and meeting.starts_at <= now
        views.append(MeetingView(meeting, notes, started and all(n.side != side for n in notes)))
    return views


@dataclass(frozen=True)
class GoalRow:
    item: Item
    mine_to_make: bool  # accepted, not yet a goal, and the viewer's (or both people's)


def goal_rows(accepted: Version | None, side: str) -> list[GoalRow]:
    """The accepted version's expectations, with their goals or whether the viewer may make
    one a goal of their own."""
    if accepted is None:
        return []
    return [
        GoalRow(item, item.goal_id is None and item.owner in (side, "both"))
        for item in accepted.items.select_related("goal")
    ]


@dataclass(frozen=True)
class AgreementPage:
    agreement: Agreement
    side: str
    versions: list[VersionView]  # newest first
    current: Version
    accepted: Version | None
    concerns: list[ConcernRow]
    follow_ups: list[FollowUpRow]
    can_edit_draft: bool
    can_propose: bool
    can_answer: bool  # accept or propose changes: a version proposed by the other side
    history: list[str]
    meetings: list[MeetingView]
    can_schedule: bool  # the leader, no meeting scheduled yet, the agreement still open
    carried: CarryForward | None
    cadence: str
    waiting_days: int | None  # working days the current proposal has waited
    answer_within_days: int
    review_due: bool  # every follow-up of the accepted version answered: time to review
    goal_rows: list[GoalRow]

    @property
    def scheduled(self) -> Meeting | None:
        return next(
            (m.meeting for m in self.meetings if m.meeting.status == MeetingStatus.SCHEDULED),
            None,
        )

    @property
    def waiting_too_long(self) -> bool:
        return self.waiting_days is not None and self.waiting_days > self.answer_within_days


def agreement_page(escope: ExpectationScope, agreement: Agreement) -> AgreementPage:
    side = escope.side(agreement)
    versions = list(agreement.versions.prefetch_related("items", "goals").order_by("number"))
    views: list[VersionView] = []
    previous: list[str] = []
    for version in versions:
        lines = _lines(version)
        changes = [
            ("added" if line.startswith("+") else "removed", line[2:])
            for line in difflib.ndiff(previous, lines)
            if line[:1] in "+-" and version.number > 1
        ]
        views.append(VersionView(version, lines, changes))
        previous = lines
    current = versions[-1]
    concerns = concern_rows(
        list(agreement.concerns.select_related("raised_by")), escope.organisation.time_zone
    )
    mine_to_draft = side == Side.LEADER and why_not_drafted(agreement) is None
    accepted = next((v for v in reversed(versions) if v.status == VersionStatus.ACCEPTED), None)
    follow_ups = follow_up_rows(agreement, side, accepted)
    meetings = meeting_views(agreement, side)
    return AgreementPage(
        agreement=agreement,
        side=side,
        versions=list(reversed(views)),
        current=current,
        accepted=accepted,
        concerns=concerns,
        follow_ups=follow_ups,
        can_edit_draft=mine_to_draft,
        can_propose=side == Side.LEADER and current.status == VersionStatus.DRAFT,
        can_answer=current.status == VersionStatus.PROPOSED and current.author_side != side,
        history=[str(entry) for entry in agreement.audit_entries.all()[:50]],
        meetings=meetings,
        can_schedule=side == Side.LEADER
        and agreement.status != AgreementStatus.CLOSED
        and all(m.meeting.status != MeetingStatus.SCHEDULED for m in meetings),
        carried=carry_forward(agreement),
        cadence=describe_cadence(agreement.cadence_hours),
        waiting_days=waiting_days(agreement, current),
        answer_within_days=answer_within_days(agreement.organisation_id),
        review_due=agreement.status == AgreementStatus.ACCEPTED
        and bool(follow_ups)
        and all(r.state in ("done", "late", "missed") for r in follow_ups),
        goal_rows=goal_rows(accepted, side),
    )


@dataclass(frozen=True)
class PreparationPage:
    preparation: Preparation | None
    readiness: Readiness


def preparation_page(escope: ExpectationScope, agreement: Agreement) -> PreparationPage:
    """The author's own preparation; callers have checked that the viewer leads it."""
    preparation = Preparation.objects.filter(agreement=agreement, author=escope.user).first()
    if preparation is None:
        return PreparationPage(None, readiness({}, {}))
    ratings = {name: getattr(preparation, name) for name in PART_NAMES}
    notes = {name: getattr(preparation, f"{name}_note") for name in PART_NAMES}
    return PreparationPage(preparation, readiness(ratings, notes))


# For leaders of leaders and admins: numbers, never content --------------------------------


@dataclass(frozen=True)
class Aggregates:
    people: int  # active people in the viewer's scope
    with_accepted: int  # of them, those with a current accepted agreement (either side)
    follow_ups_due: int  # follow-ups fallen due in their agreements, past their grace time
    follow_ups_on_time: int  # of those, answered by both within it
    concerns_open: int
    concern_median_age_days: float | None  # working days

    @property
    def share_with_accepted(self) -> float | None:
        return 100 * self.with_accepted / self.people if self.people else None

    @property
    def share_on_time(self) -> float | None:
        return 100 * self.follow_ups_on_time / self.follow_ups_due if self.follow_ups_due else None


def aggregates(scope: Scope) -> Aggregates:
    """How the agreements of the people in the viewer's scope are going, as counts: who has
    one, whether follow-ups happen on time, how long concerns wait. Never a name, a topic or
    a word of what was written.

    Read as a few narrow queries and counted here: the organisation's agreements as id pairs,
    its follow-ups counted per agreement by the database, its open concerns' dates — rather
    than joins against every person in the scope, which cost seconds at 300,000 people."""
    organisation = scope.organisation
    people = scope.people().filter(is_active=True)
    everyone = scope.sees_whole_organisation
    in_scope = set() if everyone else set(people.order_by().values_list("pk", flat=True))
    count = people.count() if everyone else len(in_scope)
    involved: set[int] = set()
    with_accepted: set[int] = set()
    for pk, leader, colleague, status in (
        Agreement.objects.filter(organisation=organisation)
        .order_by()
        .values_list("pk", "leader_id", "colleague_id", "status")
    ):
        mine = [p for p in (leader, colleague) if everyone or p in in_scope]
        if mine:
            involved.add(pk)
            if status == AgreementStatus.ACCEPTED:
                with_accepted.update(mine)
    now = timezone.now()
    late_by = F("answer_by")
    due = on_time = 0
    for agreement_id, fell_due, answered_in_time in (
        FollowUp.objects.filter(agreement__organisation=organisation, answer_by__lte=now)
        .values("agreement_id")
        .annotate(
            fell_due=Count("pk"),
            in_time=Count(
                "pk", filter=Q(leader_answered_at__lte=late_by, colleague_answered_at__lte=late_by)
            ),
        )
        .values_list("agreement_id", "fell_due", "in_time")
    ):
        if agreement_id in involved:
            due += fell_due
            on_time += answered_in_time
    zone = organisation.time_zone
    ages = [
        working_days_since(raised_at, zone, now)
        for agreement_id, raised_at in Concern.objects.filter(
            agreement__organisation=organisation, addressed_at__isnull=True
        ).values_list("agreement_id", "raised_at")
        if agreement_id in involved
    ]
    return Aggregates(
        people=count, with_accepted=len(with_accepted), follow_ups_due=due,
        follow_ups_on_time=on_time, concerns_open=len(ages),
        concern_median_age_days=float(np.median(ages)) if ages else None,
    )  # fmt: skip
