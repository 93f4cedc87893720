"""The demo's loop: the department chair's plans on the two published system-wide pulses,
made from the findings Accord proposes, in every state; the team's discussion; updates the
staff nurse reads on her home page. The winter plans are re-measured by the summer pulse.

Everything goes through the services, as the chair would; only the dates are moved back."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from accord.access.models import Membership, Role
from accord.access.scopes import Scope
from accord.actions import findings, services
from accord.actions.errors import ActionsError
from accord.actions.models import ActionPlan, PlanStatus
from accord.actions.visibility import ActionScope
from accord.insights.selectors import whole_release
from accord.org.models import Organisation, Unit
from accord.surveys.answers import ParsedAnswers
from accord.surveys.models import Cycle, Invitation
from accord.surveys.services import close_cycle, submit_in_bulk

# How long after they were made the older pulse's plans were due, and the done one finished;
# what its unit said should come next.
DUE_AFTER = dt.timedelta(days=60)
DONE_AFTER = dt.timedelta(days=21)
WHAT_NEXT = (
    "Keep the float nurse on nights too; that is when breaks disappear first.",
    "Do the same for the physicians' breaks.",
    "Tell us when the float nurse is pulled to another unit, so we can plan around it.",
    "Now look at the handover at seven; it still runs late every day.",
)
# (status, title, update published, step titles) for each proposed finding, in order.
Plan = tuple[str, str, bool, tuple[str, ...]]
WINTER = (
    (PlanStatus.DONE, "Protect breaks on every shift with a float nurse", True,
     ("Agree the float rota", "Track missed breaks for a month")),
    (PlanStatus.ON_HOLD, "Report back within a month on every idea staff raise", True, ()),
    (PlanStatus.CANCELLED, "Weekly leadership walk-round", False, ()),
)  # fmt: skip
SUMMER = (
    (PlanStatus.IN_PROGRESS, "Ask front-line staff before deciding the next rota change", True,
     ("Invite two nurses and a physician to the rota group", "Share the draft with the unit")),
    (PlanStatus.NOT_STARTED, "Explain the reasons behind this year's hardest decision", False, ()),
)  # fmt: skip


def seed_demo_plans(*, organisation: Organisation) -> None:
    chair = (
        Membership.objects.filter(organisation=organisation, role=Role.LEADER, person__isnull=False)
        .select_related("person__unit", "user")
        .order_by("pk")
        .first()
    )
    if chair is None or chair.person is None:
        return
    ascope = ActionScope(Scope(chair))
    unit = chair.person.unit
    published = (
        Cycle.objects.pulses()
        .filter(
            organisation=organisation, status=Cycle.Status.PUBLISHED, audience_units__isnull=True
        )
        .order_by("closes_at")
    )
    for cycle, plans, due in zip(published, (WINTER, SUMMER), (DUE_AFTER, None), strict=False):
        _plans_for(ascope, chair, cycle, unit, plans, due)


@transaction.atomic
def _plans_for(
    ascope: ActionScope,
    chair: Membership,
    cycle: Cycle,
    unit: Unit,
    plans: tuple[Plan, ...],
    due_after: dt.timedelta | None,
) -> None:
    """The plans, made through the services, then their dates moved back: made 12 days after
    publishing, steps done two weeks later, updates published a week after that, due
    ``due_after`` the making (or in 40 days, for plans still running)."""
    view = whole_release(cycle)
    focus = view.index_of_pk.get(unit.pk)
    if focus is None:
        return
    proposals = findings.focus_areas(view, focus)
    assert chair.person_id is not None
    unit_person = chair.person_id
    assert cycle.published_at is not None
    made_on = cycle.published_at + dt.timedelta(days=12)
    services.record_discussion(
        ascope=ascope, actor=chair.user, unit=unit, cycle=cycle,
        held_on=timezone.localdate(cycle.published_at + dt.timedelta(days=9)), attended=14,
        what_mattered="Breaks that never happen, and changes that arrive without warning.",
        via="demo",
    )  # fmt: skip
    for (status, title, publish, steps), finding in zip(plans, proposals, strict=False):
        try:
            plan = services.create_plan(
                ascope=ascope, actor=chair.user, view=view, unit=unit, finding=finding,
                title=title, due_on=timezone.localdate() + dt.timedelta(days=40),
                owner_ids=[unit_person], steps=steps, via="demo",
            )  # fmt: skip
        except ActionsError:
            continue
        for step in plan.steps.all()[: 2 if status == PlanStatus.DONE else 1]:
            services.mark_step(ascope=ascope, actor=chair.user, step=step, done=True, via="demo")
        reason = (
            "Folded into the hospital's own rounding programme." if status == "cancelled" else ""
        )
        plan = services.set_status(ascope=ascope, actor=chair.user, plan=plan, status=status,
                                   cancel_reason=reason, via="demo")  # fmt: skip
        if publish:
            doing = "done" if status == PlanStatus.DONE else "under way"
            services.add_update(
                ascope=ascope, actor=chair.user, plan=plan, publish=True, via="demo",
                text=f"{title}: {doing} since the team's discussion. We will check at the next "
                "pulse whether it made a difference.",
            )  # fmt: skip
        made = timezone.localdate(made_on)
        moved: dict[str, object] = {"created_at": made_on}
        if due_after is not None:
            moved["due_on"] = made + due_after
        ActionPlan.objects.filter(pk=plan.pk).update(**moved)
        plan.steps.filter(done_on__isnull=False).update(done_on=made + dt.timedelta(days=14))
        plan.updates.update(written_at=made_on + dt.timedelta(days=21),
                            published_at=made_on + dt.timedelta(days=21))  # fmt: skip
        if status == PlanStatus.DONE:
            _asked_whether_it_helped(ascope, chair, plan, made_on + DONE_AFTER)


def _asked_whether_it_helped(
    ascope: ActionScope, chair: Membership, plan: ActionPlan, done_at: dt.datetime
) -> None:
    """The plan done on ``done_at``; a month later the unit is asked whether it made a
    difference; most of those who answer say it did, and the answers are published."""
    ActionPlan.objects.filter(pk=plan.pk).update(done_on=timezone.localdate(done_at))
    plan.refresh_from_db()
    asked_at = done_at + dt.timedelta(
        days=services.loop_settings(plan.organisation).feedback_after_days + 1
    )
    cycle = services.run_feedback_pulse(
        ascope=ascope, actor=chair.user, plan=plan, now=asked_at, notify=False, via="demo"
    )
    rng = random.Random(f"demo feedback on {plan.title}")
    submissions = []
    for invitation in Invitation.objects.filter(cycle=cycle).order_by("pk"):
        if rng.random() >= 0.7:
            continue
        said = rng.choices((5, 4, 3, 2), (3, 5, 2, 1))[0]
        comment = rng.choice(WHAT_NEXT) if rng.random() < 0.3 else ""
        answers = ParsedAnswers(
            scores={"action_made_a_difference": said},
            comments={"action_what_next": comment} if comment else {},
        )
        submissions.append(
            (asked_at + dt.timedelta(hours=rng.randint(1, 100)), invitation, answers)
        )
    submit_in_bulk(cycle=cycle, submissions=submissions)
    close_cycle(cycle=cycle, now=cycle.closes_at)
    plan.refresh_from_db()
    services.publish_feedback(
        ascope=ascope, actor=chair.user, plan=plan, now=cycle.closes_at + dt.timedelta(days=1),
        via="demo",
    )  # fmt: skip
