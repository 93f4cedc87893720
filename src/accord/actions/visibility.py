"""Who may see and change which action plans: the actions part of the permission model.

It starts from the viewer's :class:`~accord.access.scopes.Scope` and follows results: a plan
answers a released figure, so whoever reads a unit's results may plan for it and follow its
plans.

* Program admins and executives read every unit's results, so they see every plan and may
  plan for any unit.
* A leader sees the plans of the subtree they lead, and may plan for it.
* Anyone named on a plan (an owner, a step's owner) or who made it sees it, wherever it is.
* Whoever may plan for the plan's unit, its owners and its maker may change it; only its
  owners publish its updates to the people who answered.

Everyone, members included, reads the *published* updates of their own unit, the units above
it and the organisation's ("You said, we did"); nothing there names who answered.

The ``*_to_*`` methods fetch and check in one call: the object, a 404 for an id the viewer may
not see, or :class:`~accord.access.scopes.NotAllowed` with the message.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404

from accord.access.scopes import CapabilityScope, NotAllowed
from accord.actions.models import ActionPlan, ActionStep, PlanUpdate
from accord.org.models import Person, Unit, ids_on_path

LARGEST_ID = 2**63


@dataclass(frozen=True)
class ActionScope(CapabilityScope):
    @property
    def plans_anywhere(self) -> bool:
        return self.scope.sees_whole_organisation

    def plannable_units(self) -> QuerySet[Unit]:
        """The units whose results the viewer reads, and so may plan for."""
        base = Unit.objects.filter(organisation=self.organisation)
        if self.plans_anywhere:
            return base
        in_led = Q(pk__in=[])
        for path in self.scope.led_unit_paths:
            in_led |= Q(path__startswith=path)
        return base.filter(in_led)

    @property
    def may_plan(self) -> bool:
        return self.scope.sees_survey_results

    def _named_on(self) -> Q:
        named = Q(created_by=self.user)
        if self.person is not None:
            named |= Q(owners=self.person) | Q(steps__owner=self.person)
        return named

    def plans(self) -> QuerySet[ActionPlan]:
        base = ActionPlan.objects.filter(organisation=self.organisation)
        if self.plans_anywhere:
            return base
        mine = base.filter(self._named_on()).values("pk")
        return base.filter(Q(unit__in=self.plannable_units()) | Q(pk__in=mine))

    def get_plan(self, plan_id: int) -> ActionPlan:
        if not 0 < plan_id < LARGEST_ID:
            raise Http404("No such plan.")
        plan = (
            self.plans()
            .filter(pk=plan_id)
            .select_related("unit", "cycle", "feedback_cycle")
            .first()
        )
        if plan is None:
            raise Http404("No such plan.")
        return plan

    def unit_to_plan(self, unit_id: int) -> Unit:
        """A unit the viewer may plan for; a 404 for any other id."""
        unit = (
            self.plannable_units().filter(pk=unit_id).first() if 0 < unit_id < LARGEST_ID else None
        )
        if unit is None:
            raise Http404("No such unit in your results.")
        return unit

    def is_owner(self, plan: ActionPlan) -> bool:
        return self.person is not None and plan.owners.filter(pk=self.person.pk).exists()

    def can_edit(self, plan: ActionPlan) -> bool:
        if self.plans_anywhere or plan.created_by_id == self.user.pk or self.is_owner(plan):
            return True
        return self.plannable_units().filter(pk=plan.unit_id).exists()

    def can_publish(self, plan: ActionPlan) -> bool:
        return self.is_owner(plan)

    def plan_to_edit(self, plan_id: int) -> ActionPlan:
        plan = self.get_plan(plan_id)
        if not self.can_edit(plan):
            raise NotAllowed(
                "Only the plan's owners, whoever made it and the leaders of its unit can change it."
            )
        return plan

    def step_to_edit(self, step_id: int) -> ActionStep:
        step = (
            ActionStep.objects.filter(pk=step_id, plan__in=self.plans()).first()
            if 0 < step_id < LARGEST_ID
            else None
        )
        if step is None:
            raise Http404("No such step.")
        if not self.can_edit(step.plan) and not (
            self.person is not None and step.owner_id == self.person.pk
        ):
            raise NotAllowed("Only the step's owner and those who may change the plan can.")
        return step

    def update_to_publish(self, update_id: int) -> PlanUpdate:
        update = (
            PlanUpdate.objects.filter(pk=update_id, plan__in=self.plans())
            .select_related("plan")
            .first()
            if 0 < update_id < LARGEST_ID
            else None
        )
        if update is None:
            raise Http404("No such update.")
        if not self.can_publish(update.plan):
            raise NotAllowed("Only the plan's owners publish its updates.")
        return update

    def people_to_name(self) -> QuerySet[Person]:
        """Whom the viewer may name as an owner: active people they can see, themselves too."""
        return self.scope.people().filter(is_active=True)

    def feed_plans(self) -> QuerySet[ActionPlan]:
        """The plans whose published updates the viewer reads: those of their own unit and
        the units above it, of the subtree they lead and of the organisation's top (every
        plan for admins and executives), and any plan they may open."""
        base = ActionPlan.objects.filter(organisation=self.organisation)
        if self.plans_anywhere:
            return base
        units = Unit.objects.filter(organisation=self.organisation)
        ids = set(units.filter(parent__isnull=True).values_list("pk", flat=True))
        if self.person is not None:
            ids.update(ids_on_path(self.person.unit.path))
        return base.filter(Q(unit_id__in=ids) | Q(pk__in=self.plans().values("pk")))
