"""Read queries for 360s: the viewer's own, those they approve or coach, the raters they may
suggest, a review's page as each person may see it, a cohort's progress, and the report
worded for the page. Nothing here reads who answered: only how many, and only from the
minimum up."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any

from django.db.models import Count, Q, QuerySet

from accord.access.scopes import NotAllowed
from accord.leadership.loading import instrument_of
from accord.leadership.models import (
    RATER_GROUP_SINGULAR,
    Cohort,
    DevelopmentAction,
    DevelopmentPlan,
    Nomination,
    PlanCheckIn,
    Progress,
    RaterGroup,
    Review,
    ReviewStatus,
)
from accord.leadership.report import COLUMNS
from accord.leadership.rules import Rater, nomination_warnings
from accord.leadership.visibility import LeadershipScope
from accord.org.models import Person, RoleGroup
from accord.surveys.answers import NOT_OBSERVED, unpack
from accord.surveys.form import Question, question
from accord.surveys.instruments import SCALES, Instrument
from accord.surveys.models import Cycle, Invitation
from accord.surveys.selectors import (
    accepting_answers,
    has_answered,
    organisation_instruments,
    responses_received,
    responses_received_by_cycle,
)

SUGGESTIONS_PER_GROUP = 12


def my_reviews(lscope: LeadershipScope) -> QuerySet[Review]:
    if lscope.person is None:
        return Review.objects.none()
    return lscope.readable().filter(subject=lscope.person)


def to_approve(lscope: LeadershipScope) -> QuerySet[Review]:
    """The raters waiting for the viewer's approval: as the leader's manager, or as a program
    admin when the leader has no manager who can sign in (``LeadershipScope.is_approver``)."""
    mine = Q(approver=lscope.person) if lscope.person is not None else Q(pk__in=[])
    if lscope.is_admin:
        mine |= Q(approver__isnull=True)
    return lscope.readable().filter(mine, status=ReviewStatus.AWAITING_APPROVAL)


def coaching(lscope: LeadershipScope) -> QuerySet[Review]:
    return lscope.readable().filter(coach=lscope.user).exclude(status=ReviewStatus.CANCELLED)


@dataclass(frozen=True)
class FeedbackRequest:
    review_id: int
    cycle_id: int
    leader: str
    answer_by: Any
    answered: bool


def feedback_requests(lscope: LeadershipScope) -> list[FeedbackRequest]:
    """The 360s the viewer is asked to rate, open now. Only the person themselves is told
    whether they have answered."""
    if lscope.person is None:
        return []
    invitations = Invitation.objects.filter(
        person=lscope.person,
        cycle__purpose=Cycle.Purpose.LEADERSHIP_360,
        cycle__organisation=lscope.organisation,
        cycle__status=Cycle.Status.OPEN,
    ).select_related("cycle__about")
    reviews = dict(
        Review.objects.filter(cycle__in=[i.cycle_id for i in invitations]).values_list(
            "cycle_id", "pk"
        )
    )
    return [
        FeedbackRequest(
            reviews[inv.cycle_id],
            inv.cycle_id,
            inv.cycle.about.name if inv.cycle.about else "",
            inv.cycle.closes_at,
            has_answered(inv),
        )
        for inv in invitations
        if inv.cycle_id in reviews and accepting_answers(inv.cycle)
    ]


def suggestions(review: Review) -> dict[str, list[Person]]:
    """People the org chart suggests per group: the manager, peers (who share the manager),
    direct reports, and clinicians of the leader's units as clinical partners."""
    subject = review.subject
    people = (
        Person.objects.filter(organisation_id=subject.organisation_id, is_active=True)
        .exclude(pk=subject.pk)
        .exclude(email="")
        .select_related("unit")
        .order_by("name")
    )
    found: dict[str, list[Person]] = {}
    if subject.manager_id:
        found[RaterGroup.MANAGER] = list(people.filter(pk=subject.manager_id))
        found[RaterGroup.PEER] = list(
            people.filter(manager_id=subject.manager_id)[:SUGGESTIONS_PER_GROUP]
        )
    reports = list(people.filter(manager=subject)[:SUGGESTIONS_PER_GROUP])
    found[RaterGroup.DIRECT_REPORT] = reports
    taken = {p.pk for group in found.values() for p in group}
    partners = people.filter(
        unit__path__startswith=subject.unit.path, role_group=RoleGroup.CLINICIAN
    ).exclude(pk__in=taken)
    found[RaterGroup.PARTNER] = list(partners[:SUGGESTIONS_PER_GROUP])
    return {group: found.get(group, []) for group in RaterGroup.values if found.get(group)}


@dataclass
class NominationLine:
    nomination: Nomination
    declined: bool

    @property
    def group_word(self) -> str:
        return RATER_GROUP_SINGULAR[RaterGroup(self.nomination.group)]


@dataclass
class ReviewPage:
    review: Review
    is_subject: bool
    is_approver: bool
    is_coach: bool
    is_admin: bool
    # Who was asked: the leader, the approver and the coach; an admin sees counts only.
    nominations: list[NominationLine] = field(default_factory=list)
    asked: int = 0
    declined: int = 0
    answered: int | None = None  # None: fewer than the minimum so far (or nothing open)
    warnings: list[str] = field(default_factory=list)
    self_assessed: bool = False
    sees_report: bool = False
    follows_plan: bool = False


def review_page(lscope: LeadershipScope, review: Review) -> ReviewPage:
    page = ReviewPage(
        review=review,
        is_subject=lscope.is_subject(review),
        is_approver=lscope.is_approver(review),
        is_coach=lscope.is_coach(review),
        is_admin=lscope.is_admin,
        sees_report=lscope.sees_report(review),
        follows_plan=lscope.follows_plan(review) and review.status == ReviewStatus.RELEASED,
    )
    order = {group: n for n, group in enumerate(RaterGroup.values)}
    nominations = sorted(
        review.nominations.select_related("person__unit"),
        key=lambda n: (order.get(n.group, 99), n.person.name),
    )
    invited: set[int] = set()
    if review.cycle_id is not None:
        invited = set(
            Invitation.objects.filter(cycle_id=review.cycle_id).values_list("person_id", flat=True)
        )
    lines = [
        NominationLine(n, review.cycle_id is not None and n.person_id not in invited)
        for n in nominations
    ]
    page.asked = sum(not line.declined for line in lines)
    page.declined = sum(line.declined for line in lines)
    if page.is_subject:
        page.nominations = lines
    elif page.is_approver and review.status == ReviewStatus.AWAITING_APPROVAL:
        # The approver (the manager, or an admin when there is none) reads who was asked
        # while approving, never afterwards: who declined is the leader's to know.
        page.nominations = lines
    if nominations and review.status in (ReviewStatus.NOMINATING, ReviewStatus.AWAITING_APPROVAL):
        page.warnings = nomination_warnings(
            [Rater(n.person, n.group) for n in nominations], review.min_group_size
        )
    if review.cycle is not None:
        received = responses_received(review.cycle)
        page.answered = received if received >= review.min_group_size else None
    page.self_assessed = bool(
        getattr(review, "self_assessment", None) and review.self_assessment.submitted_at
    ) if page.is_subject else False  # fmt: skip
    return page


@dataclass(frozen=True)
class CohortLine:
    review: Review
    asked: int
    answered: int | None


def cohorts(lscope: LeadershipScope) -> QuerySet[Cohort]:
    """The organisation's cohorts with counts, for admins and (for their profiles) executives."""
    if not lscope.sees_cohort_profiles:
        raise NotAllowed("Executives and program admins follow cohorts.")
    return (
        Cohort.objects.filter(organisation=lscope.organisation)
        .annotate(
            leaders=Count("reviews"),
            released=Count("reviews", filter=Q(reviews__status=ReviewStatus.RELEASED)),
        )
        .order_by("-created_at")
    )


def cohort_progress(lscope: LeadershipScope, cohort: Cohort) -> list[CohortLine]:
    """Each leader's step, how many raters were asked and — from the minimum up — how many
    have answered. Never who."""
    lscope.require_admin()
    reviews = list(
        cohort.reviews.select_related("subject__unit", "cycle", "coach")
        .annotate(asked=Count("nominations"))
        .order_by("subject__name")
    )
    received = responses_received_by_cycle(r.cycle_id for r in reviews if r.cycle_id)
    lines = []
    for review in reviews:
        answered = None
        if review.cycle is not None:
            count = received[review.cycle.pk]
            answered = count if count >= review.min_group_size else None
            asked = review.cycle.invited_count
        else:
            asked = review.asked
        lines.append(CohortLine(review, asked, answered))
    return lines


# The self-assessment form ------------------------------------------------------------------


def self_questions(
    review: Review, language: str
) -> tuple[Instrument, list[tuple[str, list[Question]]]]:
    """The framework's behaviours by competency, and the open questions, as form questions."""
    instrument = instrument_of(review)
    asked = set(review.behaviours)
    sections: list[tuple[str, list[Question]]] = []
    for construct in instrument.constructs:
        items = [
            q for q in instrument.items
            if q.construct == construct.id
            and (not asked or q.id in asked or SCALES[q.scale].is_open_text)
        ]  # fmt: skip
        if items:
            # "Not observed" is a rater's answer: the leader rates how often they do it.
            questions = [question(item, language) for item in items]
            sections.append((getattr(construct.name, language), [
                replace(q, options=tuple(o for o in q.options if o.code != NOT_OBSERVED))
                for q in questions
            ]))  # fmt: skip
    return instrument, sections


def self_values(review: Review) -> dict[str, str]:
    found = getattr(review, "self_assessment", None)
    if found is None or not found.submitted_at:
        return {}
    instrument = instrument_of(review)
    values = {
        f"q_{item}": str(code) for item, code in unpack(instrument, bytes(found.answers)).items()
    }
    values.update({f"q_{item}": text for item, text in found.comments.items()})
    return values


# The report as a page ----------------------------------------------------------------------

COLUMN_LABELS = {
    "self": "Self",
    "manager": "Manager",
    "peer": "Peers",
    "direct_report": "Direct reports",
    "partner": "Clinical partners",
    "others": "Others (pooled)",
    "all_others": "All others",
}
HIDDEN_WORDS = {
    "none": "—",
    "few": "Too few raters",
    "protect": "Hidden to protect a smaller group",
}
FREQUENCY = ("Never", "Rarely", "Sometimes", "Often", "Always")


@dataclass
class ReportCell:
    column: str
    n: int | None
    mean: float | None
    hidden: str
    counts: str  # "sometimes 2, often 1"
    segments: list[tuple[int, int]]  # (answer 1-5, tenths of the bar), summing to ten
    not_observed: int


def tenths(counts: list[int]) -> list[int]:
    """Each count's share of ten, rounded so the shares add up to ten (largest remainder)."""
    total = sum(counts)
    if not total:
        return [0] * len(counts)
    exact = [10 * c / total for c in counts]
    shares = [int(x) for x in exact]
    by_remainder = sorted(range(len(counts)), key=lambda i: exact[i] - shares[i], reverse=True)
    for i in by_remainder[: 10 - sum(shares)]:
        shares[i] += 1
    return shares


@dataclass
class ReportRow:
    id: str
    text: str
    cells: list[ReportCell]
    flag: str = ""


@dataclass
class ReportSection:
    name: str
    summary: ReportRow
    behaviours: list[ReportRow]


@dataclass
class ReportView:
    review: Review
    columns: list[tuple[str, str]]
    sections: list[ReportSection]
    groups: list[dict[str, Any]]
    comments: list[tuple[str, int | None, list[str]]]
    self_comments: list[tuple[str, str]]
    blind_spots: list[ReportRow]
    hidden_strengths: list[ReportRow]
    minimum: int
    all_others_minimum: int
    gap: float


def _cell(column: str, raw: dict[str, Any]) -> ReportCell:
    dist = raw.get("dist") or []
    return ReportCell(
        column=column,
        n=raw.get("n"),
        mean=raw.get("mean"),
        hidden=HIDDEN_WORDS.get(raw.get("hidden", ""), "") if raw.get("hidden") else "",
        counts=", ".join(
            f"{FREQUENCY[i].lower()} {count}" for i, count in enumerate(dist) if count
        ),
        segments=[(i + 1, share) for i, share in enumerate(tenths(dist)) if share],
        not_observed=int(raw.get("not_observed", 0)),
    )


def report_view(review: Review, language: str = "en") -> ReportView:
    report = review.report or {}
    instrument = instrument_of(review)
    texts = {item.id: getattr(item.text, language) for item in instrument.items}
    names = {c.id: getattr(c.name, language) for c in instrument.constructs}
    columns = [c for c in COLUMNS if c in report.get("columns", [])]
    sections = []
    spots: list[ReportRow] = []
    strengths: list[ReportRow] = []
    for competency in report.get("competencies", []):
        summary = ReportRow(
            competency["id"], names[competency["id"]],
            [_cell(c, competency["cells"].get(c, {"hidden": "none"})) for c in columns],
        )  # fmt: skip
        rows = []
        for behaviour in competency["behaviours"]:
            row = ReportRow(
                behaviour["id"], texts[behaviour["id"]],
                [_cell(c, behaviour["cells"].get(c, {"hidden": "none"})) for c in columns],
                behaviour["flag"],
            )  # fmt: skip
            rows.append(row)
            if row.flag == "blind_spot":
                spots.append(row)
            elif row.flag == "hidden_strength":
                strengths.append(row)
        sections.append(ReportSection(names[competency["id"]], summary, rows))
    comments = [
        (texts[c["question"]], c["writers"], c["sentences"]) for c in report.get("comments", [])
    ]
    own = report.get("self_comments", {})
    return ReportView(
        review=review,
        columns=[(c, COLUMN_LABELS[c]) for c in columns],
        sections=sections,
        groups=[
            {
                **g,
                "label": RaterGroup(g["group"]).label,
                "one": RATER_GROUP_SINGULAR[RaterGroup(g["group"])],
            }
            for g in report.get("groups", [])
        ],
        comments=comments,
        self_comments=[(texts[q], text) for q, text in own.items() if q in texts],
        blind_spots=spots,
        hidden_strengths=strengths,
        minimum=report.get("minimum", review.min_group_size),
        all_others_minimum=report.get("all_others_minimum", 4),
        gap=report.get("gap", 1.0),
    )


# The development plan ------------------------------------------------------------------------


def behaviour_cells(report: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    """Per behaviour id, its cells in a stored report."""
    found: dict[str, dict[str, Any]] = {}
    for competency in (report or {}).get("competencies", []):
        for behaviour in competency["behaviours"]:
            found[behaviour["id"]] = {**behaviour["cells"], "flag": behaviour["flag"]}
    return found


@dataclass
class PlanFocus:
    behaviour: str
    text: str
    why: str
    actions: list[DevelopmentAction]
    # The behaviour in the 360 and in each re-assessment since: (label, self, all others).
    over_time: list[tuple[str, float | None, float | None]]
    progress: str  # the latest check-in's word for it


@dataclass(frozen=True)
class CheckInLine:
    held_on: dt.date
    author_name: str
    note: str
    progress: dict[str, str]
    progress_words: list[tuple[str, str]]  # (the behaviour, "Some progress")


@dataclass
class PlanPage:
    review: Review
    plan: DevelopmentPlan | None
    focus: list[PlanFocus]
    check_ins: list[CheckInLine]
    may_edit: bool
    suggestions: list[tuple[str, str, str]]  # (behaviour id, text, why it is suggested)
    behaviours: list[tuple[str, str]]  # every behaviour of the framework, for the form
    reassessments: list[Review]
    reassess_due: dt.date | None
    sees_figures: bool = False  # the report's figures beside each behaviour


def plan_page(lscope: LeadershipScope, review: Review, language: str = "en") -> PlanPage:
    instrument = instrument_of(review)
    texts = {i.id: getattr(i.text, language) for i in instrument.items}
    scored = [i.id for i in instrument.items if not SCALES[i.scale].is_open_text]
    plan = DevelopmentPlan.objects.filter(review=review).select_related("mentor").first()
    reassessments = list(review.follow_ups.exclude(status=ReviewStatus.CANCELLED).order_by("pk"))
    # Report figures only for those who read the report (not a mentor it was not shared with).
    first = behaviour_cells(review.report) if lscope.sees_report(review) else {}
    later = [(f"Re-assessment, {r.closed_at:%b %Y}", behaviour_cells(r.report))
             for r in reassessments
             if r.report and r.status == ReviewStatus.RELEASED and lscope.sees_report(r)]  # fmt: skip
    check_ins: list[PlanCheckIn] = list(plan.check_ins.all()) if plan else []
    latest: dict[str, str] = {}
    for check_in in reversed(check_ins):  # oldest first, so the newest word wins
        latest.update(check_in.progress)
    focus = []
    for item in plan.focus.prefetch_related("actions") if plan else []:
        over_time = [("Your 360", _mean(first, item.behaviour, "self"),
                      _mean(first, item.behaviour, "all_others"))]  # fmt: skip
        over_time += [(label, _mean(cells, item.behaviour, "self"),
                       _mean(cells, item.behaviour, "all_others")) for label, cells in later]  # fmt: skip
        focus.append(PlanFocus(
            item.behaviour, texts.get(item.behaviour, item.behaviour), item.why,
            list(item.actions.all()), over_time,
            Progress(latest[item.behaviour]).label if item.behaviour in latest else "",
        ))  # fmt: skip
    suggestions = [(b, texts[b], "A blind spot: others see it less often than you do")
                   for b in scored if first.get(b, {}).get("flag") == "blind_spot"]  # fmt: skip
    rated = sorted(
        (cells["all_others"]["mean"], b) for b, cells in first.items()
        if cells.get("all_others", {}).get("mean") is not None
    )  # fmt: skip
    for _, b in rated[:3]:
        if all(b != s[0] for s in suggestions):
            suggestions.append((b, texts[b], "Among the behaviours others see least often"))
    due = None
    if plan is not None and plan.reassess_after_months:
        due = _add_months(plan.starts_on, plan.reassess_after_months)
    lines = [
        CheckInLine(
            c.held_on,
            c.author_name,
            c.note,
            dict(c.progress),
            [
                (texts.get(b, b), Progress(v).label)
                for b, v in c.progress.items()
                if v in Progress.values
            ],
        )
        for c in check_ins
    ]
    return PlanPage(
        review=review, plan=plan, focus=focus, check_ins=lines,
        may_edit=lscope.is_subject(review) and review.status == ReviewStatus.RELEASED,
        suggestions=suggestions, behaviours=[(b, texts[b]) for b in scored],
        reassessments=reassessments, reassess_due=due, sees_figures=lscope.sees_report(review),
    )  # fmt: skip


def _mean(cells: dict[str, dict[str, Any]], behaviour: str, column: str) -> float | None:
    value = cells.get(behaviour, {}).get(column, {})
    return value.get("mean") if isinstance(value, dict) else None


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, 28))


@dataclass
class ProfileRow:
    text: str
    leaders: int
    others: float | None
    own: float | None


@dataclass
class ProfileSection:
    summary: ProfileRow
    behaviours: list[ProfileRow]


def profile_view(
    cohort: Cohort, profile: dict[str, Any], language: str = "en"
) -> list[ProfileSection]:
    registry_key = (cohort.instrument_id, cohort.instrument_version)
    instrument = organisation_instruments(cohort.organisation).get(*registry_key)
    texts = {i.id: getattr(i.text, language) for i in instrument.items}
    texts.update({c.id: getattr(c.name, language) for c in instrument.constructs})

    def row(figures: dict[str, Any]) -> ProfileRow:
        return ProfileRow(texts.get(figures["id"], figures["id"]), figures["leaders"],
                          figures.get("others"), figures.get("self"))  # fmt: skip

    return [
        ProfileSection(row(c), [row(b) for b in c["behaviours"]])
        for c in profile.get("competencies", [])
    ]
