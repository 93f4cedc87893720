"""Every change to action plans, steps, updates, team discussions and the loop's settings:
one function per user action, called alike by the pages, the API, the command line and the
demo. Each checks the fields with ``rules``, takes the viewer's ``ActionScope`` to decide what
they may do, and writes its audit entry in the same transaction as the change."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone

from accord.access.audit import actor_label, audit_value
from accord.access.models import User
from accord.actions import rules
from accord.actions.errors import ActionsError, PlanProblems
from accord.actions.findings import Finding
from accord.actions.models import (
    ActionPlan,
    ActionStep,
    LoopSettings,
    PlanAuditEntry,
    PlanStatus,
    PlanUpdate,
    TeamDiscussion,
)
from accord.actions.visibility import ActionScope
from accord.insights.publishing import publish_cycle, publish_now
from accord.insights.selectors import ReleaseView
from accord.insights.services import ReleaseError
from accord.org.models import Organisation, Person, Unit, ids_on_path
from accord.surveys import services as surveys
from accord.surveys.instruments import action_feedback_instrument
from accord.surveys.models import Cycle


def audit(
    *,
    organisation: Organisation,
    actor: User | None,
    via: str = "",
    action: str,
    target: Any,
    summary: str,
    plan: ActionPlan | None = None,
    changes: dict[str, Any] | None = None,
) -> PlanAuditEntry:
    return PlanAuditEntry.objects.create(
        organisation=organisation,
        actor=actor,
        actor_label=actor_label(actor, via),
        action=action,
        plan=plan,
        target_type=type(target).__name__,
        target_id=target.pk,
        summary=summary[:500],
        changes={key: audit_value(value) for key, value in (changes or {}).items()},
    )


def _owners(ascope: ActionScope, owner_ids: Sequence[int], field: str = "owners") -> list[Person]:
    """The people named, each one the viewer may name; a refusal names any other id."""
    wanted = list(dict.fromkeys(owner_ids))
    found = {p.pk: p for p in ascope.people_to_name().filter(pk__in=wanted)}
    missing = [pk for pk in wanted if pk not in found]
    if missing:
        raise ActionsError(
            f"No active person with id {missing[0]} among the people you can see.", field=field
        )
    return [found[pk] for pk in wanted]


def _today() -> dt.date:
    return timezone.localdate()


def create_plan(
    *,
    ascope: ActionScope,
    actor: User | None,
    view: ReleaseView,
    unit: Unit,
    finding: Finding,
    title: str,
    description: str = "",
    due_on: dt.date | None,
    owner_ids: Sequence[int],
    steps: Sequence[str] = (),
    via: str = "",
) -> ActionPlan:
    """A plan for ``unit`` answering ``finding`` (already checked to be released in ``view``)."""
    if not ascope.may_plan or not ascope.plannable_units().filter(pk=unit.pk).exists():
        raise ActionsError("You can plan only for the units whose results you read.", field="unit")
    title, description = title.strip(), description.strip()
    problems = rules.plan_problems(
        title=title, description=description, due_on=due_on, today=_today(),
        owner_count=len(owner_ids),
    )  # fmt: skip
    for position, step in enumerate(steps):
        problems += rules.text_problems(
            f"steps.{position}", step, limit=rules.TITLE_LIMIT, what="each step a title"
        )
    if problems:
        raise PlanProblems(problems)
    owners = _owners(ascope, owner_ids)
    assert due_on is not None
    with transaction.atomic():
        plan = ActionPlan.objects.create(
            organisation=ascope.organisation,
            unit=unit,
            title=title,
            description=description,
            cycle=view.cycle,
            release_number=view.release.number,
            finding_unit_id=unit.pk,
            finding_kind=finding.kind,
            finding_key=finding.key,
            finding_label=finding.label[:300],
            finding_outcome=finding.outcome,
            finding_dimension=finding.dimension or "",
            finding_value=finding.value or "",
            finding_figure=finding.figure,
            finding_organisation_figure=finding.organisation_figure,
            finding_respondents=finding.respondents,
            due_on=due_on,
            created_by=actor,
        )
        plan.owners.set(owners)
        ActionStep.objects.bulk_create(
            ActionStep(plan=plan, title=step.strip(), position=position)
            for position, step in enumerate(steps)
        )
        audit(
            organisation=plan.organisation, actor=actor, via=via, action="plan.create",
            target=plan, plan=plan,
            summary=f"Made the plan “{title}” for {unit.name}, answering {finding.label} "
                    f"at {finding.shown}",
            changes={"title": title, "due_on": due_on, "owners": [str(p) for p in owners],
                     "finding": finding.spec, "filter": finding.filter},
        )  # fmt: skip
    return plan


def update_plan(
    *,
    ascope: ActionScope,
    actor: User | None,
    plan: ActionPlan,
    title: str,
    description: str,
    due_on: dt.date | None,
    owner_ids: Sequence[int],
    via: str = "",
) -> ActionPlan:
    title, description = title.strip(), description.strip()
    # A due date already passed stays acceptable as it is: only a new date must be ahead.
    today = min(_today(), plan.due_on)
    problems = rules.plan_problems(
        title=title, description=description, due_on=due_on, today=today,
        owner_count=len(owner_ids),
    )  # fmt: skip
    if problems:
        raise PlanProblems(problems)
    current = {p.pk for p in plan.owners.all()}
    # An owner the viewer cannot see stays an owner; only new names are checked.
    owners = _owners(ascope, [pk for pk in owner_ids if pk not in current])
    kept = [pk for pk in owner_ids if pk in current]
    with transaction.atomic():
        locked = ActionPlan.objects.select_for_update().get(pk=plan.pk)
        before = {"title": locked.title, "description": locked.description,
                  "due_on": locked.due_on}  # fmt: skip
        after = {"title": title, "description": description, "due_on": due_on}
        changes = {k: [audit_value(before[k]), audit_value(after[k])]
                   for k in before if before[k] != after[k]}  # fmt: skip
        new_owner_ids = set(kept) | {p.pk for p in owners}
        if new_owner_ids != current:
            changes["owners"] = [sorted(current), sorted(new_owner_ids)]
        if not changes:
            return locked
        for name, value in after.items():
            setattr(locked, name, value)
        locked.save()
        locked.owners.set(new_owner_ids)
        audit(
            organisation=locked.organisation, actor=actor, via=via, action="plan.update",
            target=locked, plan=locked, summary=f"Changed the plan “{locked.title}”",
            changes=changes,
        )  # fmt: skip
    return locked


def set_status(
    *,
    ascope: ActionScope,
    actor: User | None,
    plan: ActionPlan,
    status: str,
    cancel_reason: str = "",
    via: str = "",
) -> ActionPlan:
    cancel_reason = cancel_reason.strip()
    problems = rules.status_problems(status=status, cancel_reason=cancel_reason)
    if problems:
        raise PlanProblems(problems)
    with transaction.atomic():
        locked = ActionPlan.objects.select_for_update().get(pk=plan.pk)
        if locked.status == status and locked.cancel_reason == cancel_reason:
            return locked
        before = locked.status
        locked.status = status
        locked.cancel_reason = cancel_reason if status == PlanStatus.CANCELLED else ""
        locked.done_on = (locked.done_on or _today()) if status == PlanStatus.DONE else None
        locked.save()
        words = PlanStatus(status).label.lower()
        audit(
            organisation=locked.organisation, actor=actor, via=via, action="plan.status",
            target=locked, plan=locked,
            summary=f"Marked “{locked.title}” {words}"
                    + (f": {cancel_reason}" if status == PlanStatus.CANCELLED else ""),
            changes={"status": [before, status]},
        )  # fmt: skip
    return locked


def add_step(
    *,
    ascope: ActionScope,
    actor: User | None,
    plan: ActionPlan,
    title: str,
    owner_id: int | None = None,
    due_on: dt.date | None = None,
    via: str = "",
) -> ActionStep:
    title = title.strip()
    problems = rules.text_problems("title", title, limit=rules.TITLE_LIMIT, what="the step a title")
    problems += rules.due_date_problems("due_on", due_on, today=_today(), required=False)
    if problems:
        raise PlanProblems(problems)
    owner = _owners(ascope, [owner_id], field="owner")[0] if owner_id is not None else None
    with transaction.atomic():
        position = plan.steps.count()
        step = ActionStep.objects.create(
            plan=plan, title=title, owner=owner, due_on=due_on, position=position
        )
        audit(
            organisation=plan.organisation, actor=actor, via=via, action="step.create",
            target=step, plan=plan, summary=f"Added the step “{title}” to “{plan.title}”",
            changes={"title": title, "owner": owner, "due_on": due_on},
        )  # fmt: skip
    return step


def mark_step(
    *, ascope: ActionScope, actor: User | None, step: ActionStep, done: bool, via: str = ""
) -> ActionStep:
    with transaction.atomic():
        locked = ActionStep.objects.select_for_update().select_related("plan").get(pk=step.pk)
        if (locked.done_on is not None) == done:
            return locked
        locked.done_on = _today() if done else None
        locked.save(update_fields=["done_on"])
        audit(
            organisation=locked.plan.organisation, actor=actor, via=via, action="step.mark",
            target=locked, plan=locked.plan,
            summary=f"Marked the step “{locked.title}” {'done' if done else 'not done'}",
            changes={"done": [not done, done]},
        )  # fmt: skip
    return locked


def remove_step(
    *, ascope: ActionScope, actor: User | None, step: ActionStep, via: str = ""
) -> None:
    plan = step.plan
    if not ascope.can_edit(plan):
        raise ActionsError("Only those who may change the plan remove its steps.")
    with transaction.atomic():
        audit(
            organisation=plan.organisation, actor=actor, via=via, action="step.remove",
            target=step, plan=plan, summary=f"Removed the step “{step.title}” from “{plan.title}”",
        )  # fmt: skip
        step.delete()


def add_update(
    *,
    ascope: ActionScope,
    actor: User | None,
    plan: ActionPlan,
    text: str,
    publish: bool = False,
    via: str = "",
) -> PlanUpdate:
    """A dated update on the plan; its owners may publish it at once to the people who
    answered, anyone who may change the plan may write it for them to publish."""
    text = text.strip()
    problems = rules.text_problems(
        "text", text, limit=rules.TEXT_LIMIT, what="the update", multiline=True
    )
    if problems:
        raise PlanProblems(problems)
    if publish and not ascope.can_publish(plan):
        raise ActionsError("Only the plan's owners publish its updates.", field="publish")
    with transaction.atomic():
        update = PlanUpdate.objects.create(
            plan=plan, author=actor, author_label=actor_label(actor, via), text=text,
            status=plan.status, published_at=timezone.now() if publish else None,
        )  # fmt: skip
        audit(
            organisation=plan.organisation, actor=actor, via=via,
            action="update.publish" if publish else "update.create", target=update, plan=plan,
            summary=("Published" if publish else "Wrote") + f" an update on “{plan.title}”",
            changes={"text": text},
        )  # fmt: skip
    return update


def publish_update(
    *, ascope: ActionScope, actor: User | None, update: PlanUpdate, via: str = ""
) -> PlanUpdate:
    with transaction.atomic():
        locked = PlanUpdate.objects.select_for_update().select_related("plan").get(pk=update.pk)
        if locked.published_at is not None:
            return locked
        locked.published_at = timezone.now()
        locked.save(update_fields=["published_at"])
        audit(
            organisation=locked.plan.organisation, actor=actor, via=via,
            action="update.publish", target=locked, plan=locked.plan,
            summary=f"Published an update on “{locked.plan.title}”",
        )  # fmt: skip
    return locked


def record_discussion(
    *,
    ascope: ActionScope,
    actor: User | None,
    unit: Unit,
    cycle: Cycle,
    held_on: dt.date | None,
    attended: int | None,
    what_mattered: str,
    via: str = "",
) -> TeamDiscussion:
    """That the unit's team talked the cycle's results through (the viewer plans for it)."""
    if not ascope.plannable_units().filter(pk=unit.pk).exists():
        raise ActionsError("You can record discussions only for units whose results you read.")
    what_mattered = what_mattered.strip()
    published_on = timezone.localdate(cycle.published_at) if cycle.published_at else _today()
    problems = rules.discussion_problems(
        held_on=held_on, attended=attended, what_mattered=what_mattered,
        published_on=published_on, today=_today(),
    )  # fmt: skip
    if problems:
        raise PlanProblems(problems)
    assert held_on is not None and attended is not None
    with transaction.atomic():
        discussion = TeamDiscussion.objects.create(
            organisation=ascope.organisation, unit=unit, cycle=cycle, held_on=held_on,
            attended=attended, what_mattered=what_mattered, recorded_by=actor,
        )  # fmt: skip
        audit(
            organisation=ascope.organisation, actor=actor, via=via, action="discussion.create",
            target=discussion,
            summary=f"Recorded that {unit.name} discussed “{cycle.name}” on {held_on:%Y-%m-%d}",
            changes={"attended": attended, "what_mattered": what_mattered},
        )  # fmt: skip
    return discussion


# The action-feedback pulse ---------------------------------------------------------------

FEEDBACK_OPEN_DAYS = 7
FEEDBACK_REMINDER_DAYS = (3,)


def feedback_due_on(plan: ActionPlan) -> dt.date | None:
    """When the unit may be asked whether the done plan made a difference; None until done."""
    if plan.status != PlanStatus.DONE or plan.done_on is None:
        return None
    days = loop_settings(plan.organisation).feedback_after_days
    return plan.done_on + dt.timedelta(days=days)


def _asked_now(plan: ActionPlan, now: dt.datetime) -> Cycle | None:
    """A cycle open now whose audience takes in some of the plan's unit."""
    above = set(ids_on_path(plan.unit.path))
    open_now = (
        Cycle.objects.pulses()
        .filter(
            organisation_id=plan.organisation_id,
            status=Cycle.Status.OPEN,
            opens_at__lte=now,
            closes_at__gt=now,
        )
        .prefetch_related("audience_units")
    )
    for cycle in open_now:
        audience = list(cycle.audience_units.all())
        if not audience or any(
            unit.pk in above or unit.path.startswith(plan.unit.path) for unit in audience
        ):
            return cycle
    return None


def run_feedback_pulse(
    *,
    ascope: ActionScope,
    actor: User | None,
    plan: ActionPlan,
    now: dt.datetime | None = None,
    notify: bool = True,
    via: str = "",
) -> Cycle:
    """Ask the plan's unit, through the anonymous survey machinery and its minimums, whether
    the done plan made a difference and what to do next: a two-question cycle, open for a
    week from now, invitations sent after the commit. ``now`` and ``notify=False`` build a
    history without email (the demo's), as ``open_cycle`` does."""
    now = now or timezone.now()
    if not ascope.can_edit(plan):
        raise ActionsError("Only those who may change the plan ask whether it made a difference.")
    due_on = feedback_due_on(plan)
    if due_on is None or plan.done_on is None:
        raise ActionsError("Ask whether the plan made a difference once it is done.")
    if plan.feedback_cycle_id is not None:
        raise ActionsError("The unit has already been asked about this plan.")
    if timezone.localdate(now) < due_on:
        raise ActionsError(
            f"The unit can be asked from {due_on:%-d %B %Y}: the organisation waits "
            f"{(due_on - plan.done_on).days} days after a plan is done, so that the change "
            "has had time to show."
        )
    busy = _asked_now(plan, now)
    if busy is not None:
        raise ActionsError(
            f"{plan.unit.name} is being asked in “{busy.name}” until "
            f"{timezone.localtime(busy.closes_at):%-d %B %Y}; ask about the plan after it closes."
        )
    instrument = action_feedback_instrument()
    organisation = ascope.organisation
    settings = surveys.CycleSettings(
        name=f"Did it make a difference? {plan.title}"[:200],
        instrument_id=instrument.id,
        instrument_version=instrument.version,
        opens_at=now,
        closes_at=now + dt.timedelta(days=FEEDBACK_OPEN_DAYS),
        min_group_size=organisation.survey_min_group_size,
        min_comment_group_size=organisation.survey_min_comment_group_size,
        reminder_days=FEEDBACK_REMINDER_DAYS,
        role_groups=(),
        units=(plan.unit,),
    )
    try:
        with transaction.atomic():
            locked = ActionPlan.objects.select_for_update().get(pk=plan.pk)
            if locked.feedback_cycle_id is not None:
                raise ActionsError("The unit has already been asked about this plan.")
            cycle = surveys.create_cycle(
                organisation=organisation, settings=settings, created_by=actor
            )
            surveys.schedule_cycle(cycle=cycle, now=now)
            cycle = (
                surveys.open_now(cycle=cycle, now=now)
                if notify
                else surveys.open_cycle(cycle=cycle, now=now, notify=False)
            )
            locked.feedback_cycle = cycle
            locked.save(update_fields=["feedback_cycle", "updated_at"])
            audit(
                organisation=organisation, actor=actor, via=via, action="plan.feedback",
                target=locked, plan=locked,
                summary=f"Asked {plan.unit.name} whether “{plan.title}” made a difference",
                changes={"cycle": cycle.name},
            )  # fmt: skip
    except surveys.CycleError as error:
        raise ActionsError(str(error)) from None
    return cycle


def publish_feedback(
    *,
    ascope: ActionScope,
    actor: User | None,
    plan: ActionPlan,
    now: dt.datetime | None = None,
    via: str = "",
) -> Cycle:
    """Publish the closed feedback pulse's answers (its minimums apply, as to every cycle);
    ``now`` dates a publication in the demo's history."""
    if not ascope.can_edit(plan):
        raise ActionsError("Only those who may change the plan publish its feedback.")
    cycle = plan.feedback_cycle
    if cycle is None:
        raise ActionsError("The unit has not been asked about this plan yet.")
    if cycle.status == Cycle.Status.PUBLISHED:
        return cycle
    try:
        with transaction.atomic():
            cycle = (
                publish_now(cycle=cycle, by=actor)
                if now is None
                else publish_cycle(cycle=cycle, now=now, by=actor)
            )
            audit(
                organisation=ascope.organisation, actor=actor, via=via,
                action="plan.feedback.publish", target=plan, plan=plan,
                summary=f"Published what {plan.unit.name} said about “{plan.title}”",
            )  # fmt: skip
    except (surveys.CycleError, ReleaseError) as error:
        raise ActionsError(str(error)) from None
    return cycle


def loop_settings(organisation: Organisation) -> LoopSettings:
    """The organisation's settings, with the defaults until an admin changes them."""
    found = LoopSettings.objects.filter(organisation=organisation).first()
    return found or LoopSettings(organisation=organisation)


def change_loop_settings(
    *,
    ascope: ActionScope,
    actor: User | None,
    discussion_window_days: int,
    feedback_after_days: int,
    via: str = "",
) -> LoopSettings:
    ascope.scope.require_admin()
    problems: list[tuple[str, str]] = []
    if not 1 <= discussion_window_days <= 365:
        problems.append(("discussion_window_days", "Give a window of 1 to 365 days."))
    if not 7 <= feedback_after_days <= 365:
        problems.append(("feedback_after_days", "Give 7 to 365 days."))
    if problems:
        raise PlanProblems(problems)
    with transaction.atomic():
        current, _ = LoopSettings.objects.select_for_update().get_or_create(
            organisation=ascope.organisation
        )
        before = (current.discussion_window_days, current.feedback_after_days)
        current.discussion_window_days = discussion_window_days
        current.feedback_after_days = feedback_after_days
        current.save()
        audit(
            organisation=ascope.organisation, actor=actor, via=via, action="settings.change",
            target=current, summary="Changed how the loop runs after results are published",
            changes={"discussion_window_days": [before[0], discussion_window_days],
                     "feedback_after_days": [before[1], feedback_after_days]},
        )  # fmt: skip
    return current
