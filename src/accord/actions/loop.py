"""The loop at a glance: for one published cycle, per unit whose results were released, did
the team discuss them within the window, were plans made (in eight weeks: the headline), how
many are overdue or done, and how their findings moved at the next published cycle.

Built from a handful of grouped queries and one comparison of the two releases (kept per
pair of releases by ``insights.selectors.trends_between``), so the page stays quick with
tens of thousands of plans: the plans are read as plain rows (the database tells whether
each is overdue, done, made in time), and each plan's verdict reads only its own figure of
the comparison (``selectors.finding_change``, ``selectors.verdict_of``, as a plan's page
does). ``bench/action_loop.py`` checks the counts against plan-by-plan ``remeasure``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Min, Q
from django.utils import timezone

from accord.actions import selectors
from accord.actions.models import OPEN_STATUSES, ActionPlan, PlanStatus, TeamDiscussion
from accord.actions.services import loop_settings
from accord.actions.visibility import ActionScope
from accord.insights.selectors import ReleaseView, trends_between
from accord.org.models import Unit

# The headline: the share of units with released results that made a plan within this time.
PLANNED_WITHIN = dt.timedelta(weeks=8)
# The row's counter for each re-measured verdict.
VERDICT_COLUMNS = {"better": "better", "not clearly changed": "same", "worse": "worse"}


@dataclass
class LoopRow:
    unit_pk: int
    name: str
    full_name: str
    respondents: int
    discussed_on: dt.date | None = None
    plans: int = 0
    planned_in_time: bool = False
    overdue: int = 0
    done: int = 0
    better: int = 0
    same: int = 0
    worse: int = 0

    def discussed_in_window(self, deadline: dt.date) -> bool:
        return self.discussed_on is not None and self.discussed_on <= deadline

    def flagged(self, deadline: dt.date, today: dt.date) -> bool:
        """Past the window without a discussion, or with plans overdue."""
        return (today > deadline and not self.discussed_in_window(deadline)) or self.overdue > 0


@dataclass
class Loop:
    view: ReleaseView
    published_on: dt.date
    window_days: int
    later_cycle_name: str | None
    rows: list[LoopRow] = field(default_factory=list)

    @property
    def deadline(self) -> dt.date:
        return self.published_on + dt.timedelta(days=self.window_days)

    @property
    def plan_deadline(self) -> dt.date:
        return self.published_on + PLANNED_WITHIN

    def _total(self, name: str) -> int:
        return sum(getattr(row, name) for row in self.rows)

    @property
    def total_plans(self) -> int:
        return self._total("plans")

    @property
    def total_done(self) -> int:
        return self._total("done")

    @property
    def total_overdue(self) -> int:
        return self._total("overdue")

    @property
    def total_better(self) -> int:
        return self._total("better")

    @property
    def total_same(self) -> int:
        return self._total("same")

    @property
    def total_worse(self) -> int:
        return self._total("worse")

    @property
    def units(self) -> int:
        return len(self.rows)

    @property
    def units_planned_in_time(self) -> int:
        return sum(row.planned_in_time for row in self.rows)

    @property
    def units_discussed_in_time(self) -> int:
        return sum(row.discussed_in_window(self.deadline) for row in self.rows)

    @property
    def share_planned_in_time(self) -> float | None:
        return 100 * self.units_planned_in_time / self.units if self.units else None


def loop_at_a_glance(ascope: ActionScope, view: ReleaseView) -> Loop:
    """The loop for one release as the viewer sees it (their units of it)."""
    cycle = view.cycle
    published_on = timezone.localdate(cycle.published_at or view.release.created_at)
    settings = loop_settings(ascope.organisation)
    report = view.report
    table = report.table
    whole = (table.dimension < 0) & table.released & view.visible[table.unit]
    units = table.unit[whole]
    respondents = report.respondents[table.row[whole]]
    names = report.tree.names
    pks = [view.pk(int(u)) for u in units.tolist()]
    units_named = Unit.objects.filter(organisation=ascope.organisation)
    if not view.whole_organisation:  # an executive's list of every unit would only be longer
        units_named = units_named.filter(pk__in=pks)
    full_names = dict(units_named.values_list("pk", "full_name"))
    rows = {
        pk: LoopRow(pk, names[int(u)], full_names.get(pk, names[int(u)]), int(n))
        for pk, u, n in zip(pks, units.tolist(), respondents.tolist(), strict=True)
    }
    loop = Loop(view, published_on, settings.discussion_window_days, None)
    for unit_id, held_on in (
        TeamDiscussion.objects.filter(organisation=ascope.organisation, cycle=cycle)
        .values_list("unit_id")
        .annotate(first=Min("held_on"))
    ):
        if unit_id in rows:
            rows[unit_id].discussed_on = held_on
    plans = ActionPlan.objects.filter(organisation=ascope.organisation, cycle=cycle)
    if not ascope.plans_anywhere:
        plans = plans.filter(unit__in=ascope.plannable_units())
    today = timezone.localdate()
    # Made on or before the plan deadline (a local day): made before the next day starts.
    made_by = timezone.make_aware(
        dt.datetime.combine(loop.plan_deadline + dt.timedelta(days=1), dt.time.min)
    )
    # Plain rows, with the database answering the date questions: a model instance, or a
    # date and a time parsed per plan, would cost more than everything else here.
    plan_rows = list(
        plans.order_by()
        .annotate(
            in_time=Q(created_at__lt=made_by),
            overdue=Q(status__in=OPEN_STATUSES, due_on__lt=today),
            done=Q(status=PlanStatus.DONE),
        )
        .values_list(
            "unit_id", "in_time", "overdue", "done",
            "finding_unit_id", "finding_kind", "finding_key", "finding_dimension", "finding_value",
        )
    )  # fmt: skip
    later = selectors.next_published_cycle(cycle) if plan_rows else None
    now_view = selectors.release_of(later) if later is not None else None
    trends = trends_between(now_view, view) if now_view is not None else None
    if trends is not None:
        assert later is not None
        loop.later_cycle_name = later.name
    for (unit_id, in_time, overdue, done,
         finding_unit_id, kind, key, dimension, value) in plan_rows:  # fmt: skip
        row = rows.get(unit_id)
        if row is None:  # a plan for a unit whose own results were not released
            continue
        row.plans += 1
        if in_time:
            row.planned_in_time = True
        if overdue:
            row.overdue += 1
        if done:
            row.done += 1
        if trends is not None:
            assert now_view is not None
            change = selectors.finding_change(
                now_view, trends, finding_unit_id, dimension, value, key
            )
            counted = VERDICT_COLUMNS.get(selectors.verdict_of(change, kind, key))
            if counted:
                setattr(row, counted, getattr(row, counted) + 1)
    loop.rows = list(rows.values())  # in the report's order: each unit before its children
    return loop


HEADER = [
    "unit_id", "unit", "unit_path", "respondents", "discussed_on", "discussed_within_window", "plans",
    "planned_within_8_weeks", "overdue", "done", "better", "not_clearly_changed", "worse",
]  # fmt: skip


def loop_table(loop: Loop) -> list[list[object]]:
    """The loop as rows for CSV and XLSX."""
    return [_table_row(loop, row) for row in loop.rows]


def _table_row(loop: Loop, row: LoopRow) -> list[object]:
    return [
        row.unit_pk, row.name, row.full_name, row.respondents,
        row.discussed_on.isoformat() if row.discussed_on else "",
        "yes" if row.discussed_in_window(loop.deadline) else "no", row.plans,
        "yes" if row.planned_in_time else "no", row.overdue, row.done, row.better,
        row.same, row.worse,
    ]  # fmt: skip
