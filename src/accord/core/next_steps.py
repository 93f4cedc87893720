"""What each person should do next, gathered from every capability for their home page.

Each step says what is waiting and links to the page where it is done. Every read goes
through the capability's own scope (``Scope``, ``GoalScope``), so a step never names or links
to something the viewer may not open. Surveys to answer are listed on the home page by the
surveys app itself (only the person is ever told that they have not answered).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accord.access.scopes import Scope
from accord.actions.models import OPEN_STATUSES, PlanStatus, TeamDiscussion
from accord.actions.services import loop_settings
from accord.actions.visibility import ActionScope
from accord.charters import selectors as charter_selectors
from accord.charters.visibility import CharterScope
from accord.expectations import selectors as expectation_selectors
from accord.expectations.visibility import ExpectationScope
from accord.goals.models import ConversationStatus, GoalLink, LinkKind, LinkStatus, Resolution
from accord.goals.visibility import GoalScope
from accord.insights.selectors import released_cycles
from accord.leadership import selectors as leadership_selectors
from accord.leadership.models import ReviewStatus
from accord.leadership.visibility import LeadershipScope
from accord.org.models import OrgImport, Unit
from accord.shadowing import selectors as shadowing_selectors
from accord.shadowing.models import CommitmentStatus
from accord.shadowing.visibility import ShadowingScope
from accord.surveys.instruments import ACTION_FEEDBACK_ID
from accord.surveys.models import Cycle

# How long newly published results stay on the home page, and how far ahead conversations
# and plans due show.
RESULTS_ARE_NEW_FOR = dt.timedelta(days=60)
CONVERSATIONS_AHEAD = dt.timedelta(days=14)
PLANS_AHEAD = dt.timedelta(days=14)
# How long a shadowing commitment done or given up stays news for the unit visited.
NEWS_FOR = dt.timedelta(days=14)


@dataclass(frozen=True)
class NextStep:
    title: str
    detail: str
    url: str
    action: str  # the link's words


def next_steps(scope: Scope) -> list[NextStep]:
    """The viewer's next steps, most pressing first: what others wait for, then what is new."""
    gscope = GoalScope(scope)
    steps = _links_waiting(scope, gscope) + _conflicts_to_resolve(scope, gscope)
    steps += _conversations_coming_up(scope, gscope)
    if scope.is_admin:
        steps += _imports_waiting(scope) + _cycles_to_run(scope)
    steps += _agreements_waiting(scope) + _shadowing_waiting(scope) + _leadership_waiting(scope)
    steps += _charters_waiting(scope)
    steps += _plans_due(scope) + _feedback_to_ask(scope)
    if scope.sees_survey_results:
        steps += _new_results(scope) + _discussions_due(scope)
    return steps


def _slug(scope: Scope) -> str:
    return scope.organisation.slug


def _links_waiting(scope: Scope, gscope: GoalScope) -> list[NextStep]:
    if scope.person is None:
        return []
    waiting = GoalLink.objects.filter(
        to_goal__owner=scope.person, status=LinkStatus.PROPOSED, from_goal__in=gscope.goals()
    ).count()
    if not waiting:
        return []
    return [
        NextStep(
            f"{waiting} goal link{'s' if waiting > 1 else ''} waiting for your answer",
            "A colleague says their goal supports, depends on or conflicts with yours: "
            "confirm or dispute it.",
            reverse("goal-home", args=[_slug(scope)]) + "#waiting-heading",
            "Answer on your goals page",
        )
    ]


def _conflicts_to_resolve(scope: Scope, gscope: GoalScope) -> list[NextStep]:
    if scope.person is None:
        return []
    visible = gscope.goals()
    mine = Q(from_goal__owner=scope.person) | Q(to_goal__owner=scope.person)
    conflicts = (
        GoalLink.objects.filter(mine, kind=LinkKind.CONFLICTS, status=LinkStatus.CONFIRMED)
        .filter(resolution=Resolution.OPEN, from_goal__in=visible, to_goal__in=visible)
        .select_related("from_goal__owner", "to_goal__owner")
        .order_by("declared_at")[:5]
    )
    steps = []
    for link in conflicts:
        own, other = (
            (link.from_goal, link.to_goal)
            if link.from_goal.owner_id == scope.person.pk
            else (link.to_goal, link.from_goal)
        )
        assert other.owner is not None  # declare_link joins two people's goals only
        steps.append(
            NextStep(
                f"Unresolved conflict: “{own.title}”",
                f"It conflicts with {other.owner.name}'s goal “{other.title}”. "
                "Agree how to resolve it.",
                reverse("goal-detail", args=[_slug(scope), own.pk]),
                f"Open “{own.title}”",
            )
        )
    return steps


def _conversations_coming_up(scope: Scope, gscope: GoalScope) -> list[NextStep]:
    if scope.person is None:
        return []
    now = timezone.now()
    mine = Q(person_a=scope.person) | Q(person_b=scope.person)
    upcoming = (
        gscope.conversations()
        .filter(mine, status=ConversationStatus.SCHEDULED)
        .filter(starts_at__gte=now, starts_at__lt=now + CONVERSATIONS_AHEAD)
        .select_related("person_a", "person_b")
        .order_by("starts_at")[:5]
    )
    steps = []
    for conversation in upcoming:
        other = (
            conversation.person_b
            if conversation.person_a_id == scope.person.pk
            else conversation.person_a
        )
        when = timezone.localtime(conversation.starts_at)
        steps.append(
            NextStep(
                f"Goals conversation with {other.name}",
                f"{when:%A %-d %B, %H:%M}: look at each other's goals before you meet.",
                reverse("conversation-detail", args=[_slug(scope), conversation.pk]),
                f"See the agenda with {other.name}",
            )
        )
    return steps


def _imports_waiting(scope: Scope) -> list[NextStep]:
    previewed = OrgImport.objects.filter(
        organisation=scope.organisation, status=OrgImport.Status.PREVIEWED
    ).order_by("-pk")[:3]
    return [
        NextStep(
            f"Org chart import waiting: {upload.filename}",
            "Checked and previewed, not applied yet: confirm it or discard it.",
            reverse("import-preview", args=[_slug(scope), upload.pk]),
            f"Review {upload.filename}",
        )
        for upload in previewed
    ]


def _cycles_to_run(scope: Scope) -> list[NextStep]:
    """Survey cycles that wait for the admin: drafts to schedule, closed ones to publish."""
    cycles = (
        Cycle.objects.pulses()
        .filter(
            organisation=scope.organisation, status__in=[Cycle.Status.DRAFT, Cycle.Status.CLOSED]
        )
        .order_by("opens_at", "pk")[:5]
    )
    steps = []
    for cycle in cycles:
        url = reverse("survey-cycle", args=[_slug(scope), cycle.pk])
        if cycle.status == Cycle.Status.DRAFT:
            steps.append(
                NextStep(
                    f"Draft survey: {cycle.name}",
                    "Check its audience and questions, then schedule it to open.",
                    url,
                    f"Finish {cycle.name}",
                )
            )
        else:
            steps.append(
                NextStep(
                    f"Closed, not published: {cycle.name}",
                    "Publish the results so leaders see them and the people who answered "
                    "hear back.",
                    url,
                    f"Publish {cycle.name}",
                )
            )
    return steps


def _new_results(scope: Scope) -> list[NextStep]:
    """Cycles published lately that asked someone in the viewer's results scope, newest first."""
    since = timezone.now() - RESULTS_ARE_NEW_FOR
    cycles = released_cycles(scope).filter(published_at__gte=since)
    steps = []
    for cycle in cycles.order_by("-published_at").prefetch_related("audience_units")[:3]:
        if not _includes_viewers_units(scope, list(cycle.audience_units.all())):
            continue
        assert cycle.published_at is not None  # filtered above
        where = "the organisation" if scope.sees_whole_organisation else "the units you lead"
        steps.append(
            NextStep(
                f"New results: {cycle.name}",
                f"Published {timezone.localtime(cycle.published_at):%-d %B %Y}. See how {where} "
                "answered, and what moves burnout and intent to leave.",
                reverse("results-heatmap", args=[_slug(scope), cycle.pk]),
                f"Read the results of {cycle.name}",
            )
        )
    return steps


def _includes_viewers_units(scope: Scope, audience: list[Unit]) -> bool:
    """Did the cycle ask anyone in the viewer's results scope? (No audience units: everyone.)"""
    if scope.sees_whole_organisation or not audience:
        return True
    return any(
        unit.path.startswith(led) or led.startswith(unit.path)
        for unit in audience
        for led in scope.led_unit_paths
    )


def _agreements_waiting(scope: Scope) -> list[NextStep]:
    """Agreements whose next move is the viewer's, and concerns the other person raised that
    wait for the viewer's answer."""
    escope = ExpectationScope(scope)
    steps = []
    for row in expectation_selectors.my_agreements(escope):
        if row.waiting_on_me and row.agreement.status != "preparing":
            steps.append(NextStep(
                f"{row.other_name} waits for your answer: {row.agreement.topic}",
                "Read the proposed expectations; accept them, or propose changes.",
                reverse("agreement", args=[_slug(scope), row.agreement.pk]),
                f"Open the agreement “{row.agreement.topic}”",
            ))  # fmt: skip
    for follow_up, state in expectation_selectors.follow_ups_due(escope)[:5]:
        topic = follow_up.agreement.topic
        steps.append(NextStep(
            f"{'Missed' if state == 'missed' else 'Due'}: the follow-up on {topic}",
            "A minute: is each expectation still on track, and still fair?",
            reverse("agreement", args=[_slug(scope), follow_up.agreement_id]),
            f"Open the agreement “{topic}”",
        ))  # fmt: skip
    for open_concern in expectation_selectors.open_concerns(escope):
        concern, age = open_concern.concern, open_concern.age_days
        if concern.raised_by_id != (escope.person.pk if escope.person else None):
            steps.append(NextStep(
                f"{concern.raised_by.name} raised a concern: {concern.agreement.topic}",
                f"Open {age} working day{'s' if age != 1 else ''}; answer it "
                "the same or the next working day.",
                reverse("agreement", args=[_slug(scope), concern.agreement_id]),
                f"Answer the concern on “{concern.agreement.topic}”",
            ))  # fmt: skip
    return steps


def _shadowing_waiting(scope: Scope) -> list[NextStep]:
    """Visits the viewer hosts that wait for their answer, reflections to write (and overdue
    ones), and shadowing commitments the viewer owns that are overdue."""
    sscope = ShadowingScope(scope)
    if sscope.person is None:
        return []
    slug, steps = _slug(scope), []
    now = timezone.now()
    hosting = sscope.my_host() if sscope.may_host else None
    for visit in shadowing_selectors.requests_to_answer(hosting, now)[:5] if hosting else []:
        steps.append(NextStep(
            f"{visit.visitor.name} asks to shadow you",
            f"{visit.get_kind_display()} shift, {timezone.localtime(visit.starts_at):%A %-d %B, %H:%M}. "
            "Confirm, or decline: they read “not this time”.",
            reverse("shadowing-visit", args=[slug, visit.pk]), "Answer the request",
        ))  # fmt: skip
    past = shadowing_selectors.past_visits(sscope, sscope.person, now)
    for row in [row for row in past if row.reflection_due is not None][:5]:
        host = row.visit.host.person.name
        steps.append(NextStep(
            f"{'Overdue' if row.reflection_overdue else 'To write'}: your reflection on "
            f"shadowing {host}",
            "What you saw, the barriers you noticed, and what you will do about them.",
            reverse("shadowing-visit", args=[slug, row.visit.pk]),
            f"Write your reflection on shadowing {host}",
        ))  # fmt: skip
    overdue = sscope.commitments().filter(
        owner=sscope.person, status=CommitmentStatus.IN_PROGRESS, due_on__lt=timezone.localdate()
    )[:5]  # fmt: skip
    changed = (
        sscope.commitments()
        .filter(visit__unit=sscope.person.unit_id, updated_at__gte=now - NEWS_FOR,
                status__in=(CommitmentStatus.DONE, CommitmentStatus.CANT_DO))
        .exclude(owner=sscope.person).exclude(visit__visitor=sscope.person)
        .select_related("visit__visitor")[:5]
    )  # fmt: skip
    for commitment in changed:
        steps.append(NextStep(
            f"From shadowing in your unit: “{commitment.what}” is {commitment.get_status_display().lower()}",
            f"Committed by {commitment.visit.visitor.name} after shadowing here"
            + (f"; why not: {commitment.reason}" if commitment.reason else "."),
            reverse("shadowing-commitments", args=[slug]), "See the commitments",
        ))  # fmt: skip
    for commitment in overdue:
        steps.append(NextStep(
            f"Overdue: {commitment.what}",
            f"Committed after shadowing, due {commitment.due_on:%-d %B %Y}. Mark it done, or "
            "say why it can't be done: the unit visited follows it.",
            reverse("shadowing-commitments", args=[slug]), "Update your commitment",
        ))  # fmt: skip
    return steps


def _plans_due(scope: Scope) -> list[NextStep]:
    """Open plans the viewer owns that are overdue or due within a fortnight."""
    ascope = ActionScope(scope)
    if ascope.person is None:
        return []
    today = timezone.localdate()
    due = (
        ascope.plans()
        .filter(owners=ascope.person, status__in=OPEN_STATUSES, due_on__lte=today + PLANS_AHEAD)
        .order_by("due_on", "pk")[:5]
    )
    return [
        NextStep(
            f"{'Overdue' if plan.due_on < today else 'Due soon'}: {plan.title}",
            f"Due {plan.due_on:%-d %B %Y}. Record its progress, and publish an update so the "
            "people who answered hear what was done.",
            reverse("action-plan", args=[_slug(scope), plan.pk]),
            f"Open the plan “{plan.title}”",
        )
        for plan in due
    ]


def _feedback_to_ask(scope: Scope) -> list[NextStep]:
    """Done plans the viewer owns whose unit can now be asked whether they made a difference,
    and answers to such a question waiting to be published."""
    ascope = ActionScope(scope)
    if ascope.person is None:
        return []
    days = loop_settings(scope.organisation).feedback_after_days
    owned = ascope.plans().filter(owners=ascope.person, status=PlanStatus.DONE)
    due = owned.filter(
        feedback_cycle__isnull=True, done_on__lte=timezone.localdate() - dt.timedelta(days=days)
    )
    answered = owned.filter(feedback_cycle__status=Cycle.Status.CLOSED)
    steps = []
    for plan in answered.select_related("unit").order_by("pk")[:3]:
        steps.append(NextStep(
            f"{plan.unit.name} answered: {plan.title}",
            "Publish what they said about the plan: whether it made a difference, and what to "
            "do next.",
            reverse("action-plan", args=[_slug(scope), plan.pk]), f"Open the plan “{plan.title}”",
        ))  # fmt: skip
    for plan in due.select_related("unit").order_by("done_on", "pk")[:3]:
        steps.append(NextStep(
            f"Did it make a difference? {plan.title}",
            f"Done {days} days or more ago: ask {plan.unit.name} two anonymous questions — did "
            "it help, and what next.",
            reverse("action-plan", args=[_slug(scope), plan.pk]), f"Open the plan “{plan.title}”",
        ))  # fmt: skip
    return steps


def _discussions_due(scope: Scope) -> list[NextStep]:
    """For a leader: results of their unit published lately and not yet discussed with the
    team (admins and executives see the whole picture on the loop page instead)."""
    person = scope.person
    if scope.sees_whole_organisation or person is None or not scope.led_unit_paths:
        return []
    since = timezone.now() - RESULTS_ARE_NEW_FOR
    window = dt.timedelta(days=loop_settings(scope.organisation).discussion_window_days)
    steps = []
    recent = (
        released_cycles(scope)
        .filter(published_at__gte=since)
        .exclude(instrument_id=ACTION_FEEDBACK_ID)  # a plan's own two questions
        .prefetch_related("audience_units")
    )
    for cycle in recent[:3]:
        if not _includes_viewers_units(scope, list(cycle.audience_units.all())):
            continue
        discussed = TeamDiscussion.objects.filter(cycle=cycle, unit_id=person.unit_id).exists()
        if discussed or cycle.published_at is None:
            continue
        by = timezone.localtime(cycle.published_at + window)
        steps.append(
            NextStep(
                f"Talk “{cycle.name}” through with {person.unit.name}",
                f"Discuss the results with your team by {by:%-d %B %Y}, then plan what to do.",
                reverse("team-discussion-new", args=[_slug(scope)])
                + f"?cycle={cycle.pk}&unit={person.unit_id}",
                f"Record {person.unit.name}'s discussion of {cycle.name}",
            )
        )
    return steps


def _leadership_waiting(scope: Scope) -> list[NextStep]:
    """A leader's 360 steps (raters to choose, their own ratings, a report to read), raters to
    approve, and coached reports to go through. Feedback to give is listed with the surveys."""
    lscope = LeadershipScope(scope)
    slug, steps = _slug(scope), []
    for review in leadership_selectors.my_reviews(lscope).filter(
        status__in=(ReviewStatus.NOMINATING, ReviewStatus.RELEASED)
    )[:3]:  # fmt: skip
        if review.status == ReviewStatus.NOMINATING:
            steps.append(NextStep(
                "Choose the raters for your 360",
                f"Raters answer by {timezone.localtime(review.answer_by):%-d %B}: choose them "
                "and send them to your manager for approval.",
                reverse("leadership-raters", args=[slug, review.pk]), "Choose your raters",
            ))  # fmt: skip
        elif not hasattr(review, "plan"):
            steps.append(NextStep(
                "Your 360 report is ready",
                "Read it, then choose one to three behaviours to work on.",
                reverse("leadership-report", args=[slug, review.pk]), "Read your report",
            ))  # fmt: skip
    for review in leadership_selectors.to_approve(lscope)[:3]:
        steps.append(NextStep(
            f"Approve {review.subject.name}'s raters",
            "Keep, remove or add raters; approving sends each their one-time link.",
            reverse("leadership-approve", args=[slug, review.pk]), "Review the raters",
        ))  # fmt: skip
    for review in leadership_selectors.coaching(lscope).filter(
        status=ReviewStatus.WITH_COACH
    )[:3]:  # fmt: skip
        steps.append(NextStep(
            f"{review.subject.name}'s 360 report is with you",
            "Go through it with them, then release it to them.",
            reverse("leadership-report", args=[slug, review.pk]), "Read the report",
        ))  # fmt: skip
    return steps


CHARTER_STEP_DETAIL = {
    "charter-values": "Three short questions, answered privately: the team sees them only "
    "pooled with others'.",
    "charter-draft": "Read the draft charter, then endorse it or say what should change.",
    "charter-revisit": "Say, privately, how well each norm of the charter is being kept.",
    "charter": "Read your team's charter and endorse it, or say what you would change.",
}


def _charters_waiting(scope: Scope) -> list[NextStep]:
    """What a team's charter waits for from the viewer: values, an endorsement, a revisit —
    and for its facilitator, the draft or a re-charter."""
    cscope = CharterScope(scope)
    slug, steps = _slug(scope), []
    for row in charter_selectors.my_charters(cscope):
        for step in row.steps[:1]:
            steps.append(NextStep(
                f"{row.charter.name}: {step.label[0].lower()}{step.label[1:]}",
                CHARTER_STEP_DETAIL.get(step.page, ""),
                reverse(step.page, args=[slug, row.charter.pk]), step.label,
            ))  # fmt: skip
        if len(steps) >= 3:
            break
    return steps
