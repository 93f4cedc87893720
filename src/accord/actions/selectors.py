"""Reading action plans through the viewer's ``ActionScope``: a plan's page, lists, the
re-measurement of a plan's finding at the next published cycle, and when a unit will be
measured again.

Every figure shown comes from a release: a plan's starting figure only while the cycle's
latest release still shows its group, a re-measured figure only when the later release shows
the same group (``insights.trends`` compares only groups released in both).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from accord.actions.findings import shown_figure, what_it_counts
from accord.actions.models import OPEN_STATUSES, ActionPlan, ActionStep, PlanStatus, PlanUpdate
from accord.actions.services import feedback_due_on
from accord.actions.visibility import ActionScope
from accord.insights.presenting import OUTCOME_LABELS
from accord.insights.selectors import ReleaseView, trends_between, whole_release
from accord.insights.trends import Change, Trends
from accord.org.models import ids_on_path
from accord.surveys.models import Cycle

PLANS_PER_PAGE = 50


def plans(
    ascope: ActionScope,
    *,
    status: str | None = None,
    overdue: bool = False,
    cycle_id: int | None = None,
) -> QuerySet[ActionPlan]:
    """The plans the viewer sees, narrowed, with their steps counted."""
    found = ascope.plans()
    if status:
        found = found.filter(status=status)
    if overdue:
        found = found.filter(status__in=OPEN_STATUSES, due_on__lt=timezone.localdate())
    if cycle_id is not None:
        found = found.filter(cycle_id=cycle_id)
    return (
        found.select_related("unit", "cycle")
        .prefetch_related("owners")
        .annotate(
            step_count=Count("steps", distinct=True),
            steps_done=Count("steps", filter=Q(steps__done_on__isnull=False), distinct=True),
        )
        .order_by("due_on", "pk")
    )


def percent_done(plan: ActionPlan, steps: int, done: int) -> int:
    """Derived from the steps; a plan without steps is 0% until it is done."""
    if plan.status == PlanStatus.DONE:
        return 100
    return round(100 * done / steps) if steps else 0


def plan_percent_done(plan: ActionPlan) -> int:
    """% done of a plan from ``plans()`` (its steps counted there) or of any other plan."""
    if hasattr(plan, "step_count"):
        return percent_done(plan, plan.step_count, plan.steps_done)  # type: ignore[attr-defined]
    steps = plan.steps.aggregate(
        total=Count("pk"), done=Count("pk", filter=Q(done_on__isnull=False))
    )
    return percent_done(plan, steps["total"], steps["done"])


def is_overdue(plan: ActionPlan, today: dt.date | None = None) -> bool:
    return plan.is_open and plan.due_on < (today or timezone.localdate())


# The finding then and now ----------------------------------------------------------------


def release_of(cycle: Cycle) -> ReleaseView | None:
    try:
        return whole_release(cycle)
    except Http404:
        return None


def _group_shown(view: ReleaseView, unit_id: int, dimension: str, value: str) -> bool:
    index = view.index_of_pk.get(unit_id)
    if index is None:
        return False
    try:
        return view.report.group(index, dimension or None, value or None).released
    except KeyError:  # a filter value the release does not offer
        return False


def starting_figure(plan: ActionPlan, view: ReleaseView | None = None) -> str | None:
    """The plan's frozen figure while the cycle's latest release still shows its group; None
    once a later release of the same cycle hides it (the figure is then not shown at all)."""
    view = view or release_of(plan.cycle)
    if view is None or not _group_shown(
        view, plan.finding_unit_id, plan.finding_dimension, plan.finding_value
    ):
        return None
    return shown_figure(plan.finding_key, plan.finding_figure)


@dataclass(frozen=True)
class Remeasure:
    """The finding at the next published cycle: ``state`` is "waiting" (no later results
    yet), "not released" (the group is not shown both times) or "compared"."""

    state: str
    cycle: Cycle | None = None
    then: str = ""
    now: str = ""
    change: float | None = None
    verdict: str = ""  # "better", "worse" or "not clearly changed"

    @property
    def words(self) -> str:
        if self.state == "waiting":
            return "Not measured again yet."
        assert self.cycle is not None
        if self.state == "not released":
            return f"Not released for this group in “{self.cycle.name}”."
        return f"“{self.cycle.name}”: {self.then} then, {self.now} now — {self.verdict}."


def next_published_cycle(cycle: Cycle) -> Cycle | None:
    """The first published cycle of the same instrument that closed after ``cycle``: where
    its plans are re-measured."""
    return (
        Cycle.objects.pulses()
        .filter(
            organisation_id=cycle.organisation_id,
            instrument_id=cycle.instrument_id,
            status=Cycle.Status.PUBLISHED,
            releases__isnull=False,
            closes_at__gt=cycle.closes_at,
        )
        .order_by("closes_at", "pk")
        .first()
    )


def remeasure(plan: ActionPlan) -> Remeasure:
    """The plan's finding then and now, with the trends page's test of chance."""
    return Releases().remeasure(plan)


def compare(plan: ActionPlan, later: Cycle, now_view: ReleaseView, trends: Trends) -> Remeasure:
    """``remeasure`` with the later release and its trends at hand (one per cycle pair)."""
    change = finding_change(
        now_view, trends, plan.finding_unit_id, plan.finding_dimension, plan.finding_value,
        plan.finding_key,
    )  # fmt: skip
    verdict = verdict_of(change, plan.finding_kind, plan.finding_key)
    if change is None or not verdict:
        return Remeasure("not released", later)
    return Remeasure(
        "compared", later, shown_figure(plan.finding_key, change.previous),
        shown_figure(plan.finding_key, change.current), change.change, verdict,
    )  # fmt: skip


def finding_change(
    now_view: ReleaseView, trends: Trends, unit_id: int, dimension: str, value: str, key: str
) -> Change | None:
    """A finding's figure then and now, for its group in the later release."""
    unit = now_view.index_of_pk.get(unit_id)
    return trends.change(unit, dimension or None, value or None, key) if unit is not None else None


def verdict_of(change: Change | None, kind: str, key: str) -> str:
    """ "better", "worse" or "not clearly changed" by the trends test; "" when the figure is
    not there both times."""
    if change is None or change.change is None:
        return ""
    if not change.real:
        return "not clearly changed"
    lower_is_better = kind == "outcome" and OUTCOME_LABELS.get(key, ("", "", False))[2]
    improved = change.change < 0 if lower_is_better else change.change > 0
    return "better" if improved else "worse"


class Releases:
    """What plans are read against — each cycle's release, the published cycle after it, the
    pulses coming after it — looked up once per cycle, so that a page of many plans reads each
    release once rather than once per plan."""

    def __init__(self) -> None:
        self._views: dict[int, ReleaseView | None] = {}
        self._later: dict[int, Cycle | None] = {}
        self._coming: dict[int, list[tuple[Cycle, set[int]]]] = {}

    def view(self, cycle: Cycle) -> ReleaseView | None:
        if cycle.pk not in self._views:
            self._views[cycle.pk] = release_of(cycle)
        return self._views[cycle.pk]

    def later(self, cycle: Cycle) -> Cycle | None:
        if cycle.pk not in self._later:
            self._later[cycle.pk] = next_published_cycle(cycle)
        return self._later[cycle.pk]

    def starting_figure(self, plan: ActionPlan) -> str | None:
        view = self.view(plan.cycle)
        return starting_figure(plan, view) if view is not None else None

    def remeasure(self, plan: ActionPlan) -> Remeasure:
        """The plan's finding then and now, with the trends page's test of chance."""
        later = self.later(plan.cycle)
        if later is None:
            return Remeasure("waiting")
        now_view, then_view = self.view(later), self.view(plan.cycle)
        if now_view is None or then_view is None:
            return Remeasure("waiting")
        return compare(plan, later, now_view, trends_between(now_view, then_view))

    def next_pulse(self, plan: ActionPlan) -> Cycle | None:
        """The coming cycle of the plan's instrument that will ask the plan's unit again:
        scheduled or open, opening after the plan's cycle closed, with an audience that
        covers the unit."""
        cycle = plan.cycle
        if cycle.pk not in self._coming:
            coming = (
                Cycle.objects.pulses()
                .filter(
                    organisation_id=plan.organisation_id,
                    instrument_id=cycle.instrument_id,
                    status__in=(Cycle.Status.SCHEDULED, Cycle.Status.OPEN),
                    opens_at__gt=cycle.closes_at,
                )
                .prefetch_related("audience_units")
                .order_by("opens_at", "pk")
            )
            self._coming[cycle.pk] = [
                (found, {unit.pk for unit in found.audience_units.all()}) for found in coming
            ]
        above = set(ids_on_path(plan.unit.path))
        for found, audience in self._coming[cycle.pk]:
            if not audience or audience & above:
                return found
        return None

    def measured_again_words(self, plan: ActionPlan, found: Remeasure | None = None) -> str:
        """The re-measurement in words, or when the plan's unit will be measured again."""
        found = found or self.remeasure(plan)
        if found.state != "waiting":
            return found.words
        coming = self.next_pulse(plan)
        if coming is None:
            return "To be measured again at the next pulse."
        opens = timezone.localtime(coming.opens_at)
        return f"To be measured again in “{coming.name}”, opening {opens:%-d %B %Y}."


# The action-feedback pulse ---------------------------------------------------------------

FEEDBACK_ITEM = "action_made_a_difference"


@dataclass(frozen=True)
class Feedback:
    """Whether the plan's unit said it made a difference. ``state``: "cancelled" (never
    asked), "not done", "waiting"
    (done, not yet due), "due", "asking" (the pulse is open), "closed" (answers not yet
    published), "published" (``figure`` of ``respondents`` agree) or "not released"."""

    state: str
    unit_name: str
    due_on: dt.date | None = None
    cycle: Cycle | None = None
    figure: str = ""
    respondents: int = 0

    @property
    def words(self) -> str:
        unit_name = self.unit_name
        if self.state == "cancelled":
            return ""
        if self.state == "not done":
            return "Once the plan is done, Accord can ask the unit whether it made a difference."
        if self.state == "waiting":
            assert self.due_on is not None
            return f"{unit_name} can be asked whether it made a difference from {self.due_on:%-d %B %Y}."
        if self.state == "due":
            return f"{unit_name} can now be asked whether it made a difference."
        assert self.cycle is not None
        if self.state == "asking":
            closes = timezone.localtime(self.cycle.closes_at)
            return f"{unit_name} is being asked until {closes:%-d %B %Y}."
        if self.state == "closed":
            return f"{unit_name} has answered; the answers are shown once they are published."
        if self.state == "not released":
            return (
                f"Too few answered for the answers to be shown (at least "
                f"{self.cycle.min_group_size} are needed)."
            )
        return f"{self.figure} of the {self.respondents} who answered say it made a difference."


def feedback_of(plan: ActionPlan, today: dt.date | None = None) -> Feedback:
    cycle, name = plan.feedback_cycle, plan.unit.name
    if cycle is None and plan.status == PlanStatus.CANCELLED:
        return Feedback("cancelled", name)
    if cycle is None:
        due_on = feedback_due_on(plan)
        if due_on is None:
            return Feedback("not done", name)
        due = due_on <= (today or timezone.localdate())
        return Feedback("due" if due else "waiting", name, due_on)
    if cycle.status in (Cycle.Status.SCHEDULED, Cycle.Status.OPEN):
        return Feedback("asking", name, cycle=cycle)
    view = release_of(cycle) if cycle.status == Cycle.Status.PUBLISHED else None
    if view is None:
        return Feedback("closed", name, cycle=cycle)
    index = view.index_of_pk.get(plan.unit_id)
    group = view.report.group(index) if index is not None else None
    if group is None or not group.released or group.row is None:
        return Feedback("not released", name, cycle=cycle)
    report = view.report
    figure = float(report.favourable_pct[group.row, report.items.index(FEEDBACK_ITEM)])
    if math.isnan(figure):
        return Feedback("not released", name, cycle=cycle)
    return Feedback(
        "published", name, cycle=cycle, figure=shown_figure(FEEDBACK_ITEM, figure),
        respondents=group.respondents or 0,
    )  # fmt: skip


# A plan's page ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanPage:
    plan: ActionPlan
    steps: list[ActionStep]
    updates: list[PlanUpdate]  # published, and the drafts for those who may change the plan
    percent_done: int
    overdue: bool
    starting_figure: str | None
    figure_counts: str  # what the figure counts: "favourable", "reporting burnout"
    organisation_figure: str | None
    remeasure: Remeasure
    measured_again: str
    feedback: Feedback
    feedback_results_url: str  # the answers' comments, for those who read the unit's results
    can_edit: bool
    can_publish: bool
    audit: list[str]


def _feedback_results_url(ascope: ActionScope, plan: ActionPlan, feedback: Feedback) -> str:
    if feedback.state != "published" or feedback.cycle is None:
        return ""
    if not ascope.plannable_units().filter(pk=plan.unit_id).exists():
        return ""
    url = reverse("results-comments", args=[ascope.organisation.slug, feedback.cycle.pk])
    return f"{url}?unit={plan.unit_id}"


def plan_page(ascope: ActionScope, plan: ActionPlan) -> PlanPage:
    steps = list(plan.steps.select_related("owner"))
    can_edit = ascope.can_edit(plan)
    updates = plan.updates.all()
    if not can_edit:
        updates = updates.filter(published_at__isnull=False)
    releases = Releases()
    figure = releases.starting_figure(plan)
    reference = (
        shown_figure(plan.finding_key, plan.finding_organisation_figure)
        if figure is not None and plan.finding_organisation_figure is not None
        else None
    )
    found = releases.remeasure(plan)
    feedback = feedback_of(plan)
    return PlanPage(
        plan=plan,
        steps=steps,
        updates=list(updates),
        percent_done=percent_done(plan, len(steps), sum(s.done_on is not None for s in steps)),
        overdue=is_overdue(plan),
        starting_figure=figure,
        figure_counts=what_it_counts(plan.finding_kind, plan.finding_key),
        organisation_figure=reference,
        remeasure=found,
        measured_again=releases.measured_again_words(plan, found),
        feedback=feedback,
        feedback_results_url=_feedback_results_url(ascope, plan, feedback),
        can_edit=can_edit,
        can_publish=ascope.can_publish(plan),
        audit=[str(entry) for entry in plan.audit_entries.all()[:50]] if can_edit else [],
    )
