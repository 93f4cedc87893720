""" "You said, we did": what was done about what the survey said, for everyone.

Every person reads, on their home page and on a page of its own, the published updates of the
plans of their own unit, the units above it and the organisation (``ActionScope.feed_plans``):
what the survey said (the released figure — never a hidden group's), what was done, where it
stands and when it will be measured again. Nothing in an entry says who answered.

Other capabilities add entries through ``settings.ACCORD_FEED_SOURCES``: each source is a
function taking the viewer's ``Scope`` and a limit and returning ``FeedEntry`` objects, so a
capability that sits below this app adds to the page without importing it.

The next survey's invitation email lists the same plans of the invitee's units that had an
update published since the last survey (``invitation_news``, an ``ACCORD_INVITATION_NEWS``
source the surveys app calls without importing this app).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Max
from django.urls import reverse
from django.utils.module_loading import import_string

from accord.access.scopes import Scope
from accord.actions import selectors
from accord.actions.findings import what_it_counts
from accord.actions.models import ActionPlan, PlanStatus, PlanUpdate
from accord.actions.visibility import ActionScope
from accord.org.models import ids_on_path
from accord.surveys.instruments import ACTION_FEEDBACK_ID
from accord.surveys.models import Cycle, Invitation


@dataclass(frozen=True)
class FeedEntry:
    when: dt.datetime
    source: str  # what kind of entry: "Action plan"
    unit: str  # whose it is
    title: str
    survey_said: str  # "" when the entry does not start from a survey result
    we_did: str
    status: str
    measured_again: str
    url: str  # "" when the viewer may not open what the entry comes from


FeedSource = Callable[[Scope, int], list[FeedEntry]]


def you_said_we_did(scope: Scope, limit: int = 20) -> list[FeedEntry]:
    """The newest entries from every source, newest first."""
    entries: list[FeedEntry] = []
    for path in settings.ACCORD_FEED_SOURCES:
        source: FeedSource = import_string(path)
        entries += source(scope, limit)
    return sorted(entries, key=lambda entry: entry.when, reverse=True)[:limit]


def survey_said(plan: ActionPlan, releases: selectors.Releases) -> str:
    """The plan's finding in words, with its figure only while the release still shows it."""
    figure = releases.starting_figure(plan)
    group = plan.unit.name + (f", {plan.finding_value}" if plan.finding_value else "")
    if figure is None:
        return f"{plan.finding_label} in {group}, from “{plan.cycle.name}”."
    counts = what_it_counts(plan.finding_kind, plan.finding_key)
    return f"{plan.finding_label} in {group}: {figure} {counts} in “{plan.cycle.name}”."


def published_plan_updates(scope: Scope, limit: int) -> list[FeedEntry]:
    """Each plan with a published update, once, with its latest published update."""
    ascope = ActionScope(scope)
    latest = (
        ascope.feed_plans()
        .filter(updates__published_at__isnull=False)
        .annotate(last_published=Max("updates__published_at"))
        .order_by("-last_published", "-pk")[:limit]
    )
    found = list(latest.select_related("unit", "cycle"))
    ids = [plan.pk for plan in found]
    openable = set(ascope.plans().filter(pk__in=ids).values_list("pk", flat=True))
    newest: dict[int, PlanUpdate] = {}
    for update in PlanUpdate.objects.filter(plan_id__in=ids, published_at__isnull=False).order_by(
        "plan_id", "-published_at", "-pk"
    ):
        newest.setdefault(update.plan_id, update)
    releases = selectors.Releases()
    entries = []
    for plan in found:
        update = newest[plan.pk]
        assert update.published_at is not None
        entries.append(
            FeedEntry(
                when=update.published_at,
                source="Action plan",
                unit=plan.unit.name,
                title=plan.title,
                survey_said=survey_said(plan, releases),
                we_did=update.text,
                status=PlanStatus(plan.status).label,
                measured_again=releases.measured_again_words(plan),
                url=reverse("action-plan", args=[scope.organisation.slug, plan.pk])
                if plan.pk in openable
                else "",
            )
        )
    return entries


# What changed since the last survey, for the invitation email ------------------------------

NEWS_LINES = 5
STATUS_WORDS: dict[str, dict[str, str]] = {
    "es": {
        PlanStatus.NOT_STARTED: "sin empezar", PlanStatus.IN_PROGRESS: "en curso",
        PlanStatus.ON_HOLD: "en pausa", PlanStatus.DONE: "hecho", PlanStatus.CANCELLED: "cancelado",
    },
}  # fmt: skip


def invitation_news(cycle: Cycle, invitations: Sequence[Invitation]) -> dict[int, list[str]]:
    """For a batch of a survey's invitations (an ``ACCORD_INVITATION_NEWS`` source): the plans
    of each invitee's unit, the units above it and the organisation's top with an update
    published since the last survey of the same instrument — the same plans "You said, we
    did" shows them — newest first, as "Unit: title (status)" in the invitee's language."""
    if cycle.instrument_id == ACTION_FEEDBACK_ID:
        return {}  # a plan's own two questions
    previous = (
        Cycle.objects.pulses()
        .filter(
            organisation_id=cycle.organisation_id,
            instrument_id=cycle.instrument_id,
            status=Cycle.Status.PUBLISHED,
            closes_at__lt=cycle.opens_at,
        )
        .order_by("-closes_at", "-pk")
        .first()
    )
    if previous is None:
        return {}
    since = previous.published_at or previous.closes_at
    paths = {invitation.pk: ids_on_path(invitation.person.unit.path) for invitation in invitations}
    by_unit: dict[int, list[ActionPlan]] = {}
    for plan in (
        ActionPlan.objects.filter(
            organisation_id=cycle.organisation_id,
            unit_id__in=set().union(*paths.values()),
            updates__published_at__gte=since,
        )
        .annotate(last_published=Max("updates__published_at"))
        .select_related("unit")
        .only("pk", "title", "status", "unit__name")
    ):
        by_unit.setdefault(plan.unit_id, []).append(plan)
    news = {}
    for invitation in invitations:
        plans = [plan for unit in paths[invitation.pk] for plan in by_unit.get(unit, ())]
        plans.sort(key=lambda plan: plan.last_published, reverse=True)  # type: ignore[attr-defined]
        if plans:
            news[invitation.pk] = [
                f"{plan.unit.name}: {plan.title} ({_status_words(plan, invitation.language)})"
                for plan in plans[:NEWS_LINES]
            ]
    return news


def _status_words(plan: ActionPlan, language: str) -> str:
    english = PlanStatus(plan.status).label.lower()
    return STATUS_WORDS.get(language, {}).get(plan.status, english)
