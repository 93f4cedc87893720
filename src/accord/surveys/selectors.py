"""Read queries for survey cycles: instruments, cycles in view, response rates."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accord.access.models import Role
from accord.access.scopes import Scope
from accord.org.models import Organisation, Unit, ids_on_path
from accord.surveys.instruments import (
    SCALES,
    Instrument,
    InstrumentRegistry,
    default_registry,
    load_instrument,
)
from accord.surveys.models import (
    Cycle,
    InstrumentDefinition,
    Invitation,
    PendingSubmission,
    Receipt,
    Response,
)
from accord.surveys.tokens import receipt_mark


def _nothing_released(cycle: Cycle) -> set[int]:
    return set()


@dataclass
class _ReleasedUnits:
    """Which units a published cycle's latest release shows. The insights app decides that,
    and depends on surveys, so it names its reader here when Django starts
    (``InsightsConfig.ready``) and surveys never imports it. Until then nothing counts as
    released: a page shows fewer counts, never more."""

    reader: Callable[[Cycle], set[int]] = _nothing_released


RELEASED_UNITS = _ReleasedUnits()


def organisation_instruments(organisation: Organisation) -> InstrumentRegistry:
    """The instruments Accord ships plus those the organisation loaded."""
    registry = InstrumentRegistry()
    for instrument in default_registry().all():
        registry.register(instrument)
    for definition in organisation.instrument_definitions.all():
        registry.register(load_instrument(definition.source))
    return registry


def instrument_for(cycle: Cycle) -> Instrument:
    """The instrument a cycle asks, read once per process (published versions never change)."""
    key = (cycle.organisation_id, cycle.instrument_id, cycle.instrument_version)
    instrument = _cycle_instruments.get(key)
    if instrument is None:
        instrument = _load_cycle_instrument(cycle)
        _cycle_instruments[key] = instrument
    if instrument.content_digest() != cycle.instrument_digest:
        # Published versions never change; a mismatch means a definition was edited by hand.
        raise RuntimeError(
            f"The definition of {cycle.instrument_id} version {cycle.instrument_version} "
            "differs from the one this cycle was created with."
        )
    return instrument


_cycle_instruments: dict[tuple[int, str, int], Instrument] = {}


def instrument_asked(cycle: Cycle) -> Instrument:
    """The instrument as the cycle's form asks it: only the scored items it names (with every
    open question) when it names some, else all of them."""
    instrument = instrument_for(cycle)
    if not cycle.asked_items:
        return instrument
    asked = set(cycle.asked_items)
    return replace(
        instrument,
        items=tuple(i for i in instrument.items if i.id in asked or SCALES[i.scale].is_open_text),
    )


def _load_cycle_instrument(cycle: Cycle) -> Instrument:
    shipped = default_registry()
    key = (cycle.instrument_id, cycle.instrument_version)
    if key in shipped:
        return shipped.get(*key)
    definition = InstrumentDefinition.objects.get(
        organisation=cycle.organisation_id,
        instrument_id=cycle.instrument_id,
        version=cycle.instrument_version,
    )
    return load_instrument(definition.source)


def cycles_in_view(scope: Scope) -> QuerySet[Cycle]:
    """Admins, executives and leaders follow cycles; members answer them through their links."""
    if scope.role == Role.MEMBER:
        raise PermissionDenied("Survey cycles are followed by leaders, executives and admins.")
    return Cycle.objects.pulses().filter(organisation=scope.organisation)


def get_cycle(scope: Scope, cycle_id: int) -> Cycle:
    return get_object_or_404(cycles_in_view(scope).select_related("organisation"), pk=cycle_id)


@dataclass(frozen=True)
class UnitRate:
    unit: Unit
    invited: int
    responded: int | None  # None: fewer than the cycle's minimum group size

    @property
    def rate(self) -> float | None:
        return self.responded / self.invited if self.responded is not None else None


def response_rates(scope: Scope, cycle: Cycle) -> list[UnitRate]:
    """Invited and responded per unit subtree in the viewer's scope, only where the subtree
    holds at least the cycle's minimum group size of invitees. Never per person: a count of
    respondents below the minimum is not given (``responded`` is None), so no one learns
    that two of a team's six have answered."""
    invited = _per_reporting_unit(
        Invitation.objects.filter(cycle=cycle).values("reporting_unit_id")
    )
    responded = _per_reporting_unit(
        Response.objects.filter(cycle=cycle).values("reporting_unit_id")
    ) + _per_reporting_unit(
        PendingSubmission.objects.filter(cycle=cycle).values("reporting_unit_id")
    )
    if not invited:
        return []
    paths = dict(Unit.objects.filter(pk__in=set(invited)).values_list("id", "path"))
    subtree_invited: Counter[int] = Counter()
    subtree_responded: Counter[int] = Counter()
    for unit_id, count in invited.items():
        for ancestor in ids_on_path(paths[unit_id]):
            subtree_invited[ancestor] += count
            subtree_responded[ancestor] += responded.get(unit_id, 0)
    eligible = [uid for uid, n in subtree_invited.items() if n >= cycle.min_group_size]
    if cycle.status == Cycle.Status.PUBLISHED:
        # Once results are released, a unit whose results are hidden shows no respondent
        # count either: the release is what stands, here as on the results pages.
        released = RELEASED_UNITS.reader(cycle)
        eligible = [uid for uid in eligible if uid in released]
    units = scope.units().filter(pk__in=eligible).order_by("path")
    k = cycle.min_group_size
    return [
        UnitRate(
            unit,
            subtree_invited[unit.pk],
            subtree_responded[unit.pk] if subtree_responded[unit.pk] >= k else None,
        )
        for unit in units
    ]


def _per_reporting_unit(rows: QuerySet) -> Counter[int]:
    return Counter(
        {row["reporting_unit_id"]: row["n"] for row in rows.order_by().annotate(n=Count("pk"))}
    )


def responses_received(cycle: Cycle) -> int:
    return responses_received_by_cycle([cycle.pk])[cycle.pk]


def responses_received_by_cycle(cycle_ids: Iterable[int]) -> Counter[int]:
    """Answers received per cycle, stored or still in the mixing pool: two queries."""
    ids = list(cycle_ids)
    counts: Counter[int] = Counter()
    for model in (Response, PendingSubmission):
        rows = model.objects.filter(cycle_id__in=ids).values("cycle_id").annotate(n=Count("pk"))
        counts.update({row["cycle_id"]: row["n"] for row in rows.order_by()})
    return counts


def accepting_answers(cycle: Cycle, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return cycle.status == Cycle.Status.OPEN and cycle.opens_at <= now < cycle.closes_at


def has_answered(invitation: Invitation) -> bool:
    """Whether this invitation's receipt exists: for reminders and the person themselves."""
    mark = receipt_mark(invitation.cycle_id, invitation.pk)
    return Receipt.objects.filter(mark=mark).exists()


def surveys_to_answer(scope: Scope) -> list[Invitation]:
    """The viewer's own invitations in cycles open now that have not answered yet. Only the
    person themselves is ever told this."""
    if scope.person is None:
        return []
    invitations = Invitation.objects.filter(
        person=scope.person, cycle__status=Cycle.Status.OPEN
    ).select_related("cycle__organisation")
    return [
        invitation
        for invitation in invitations
        if accepting_answers(invitation.cycle) and not has_answered(invitation)
    ]


def own_invitation(scope: Scope, cycle_id: int) -> Invitation:
    if scope.person is None:
        raise Http404
    return get_object_or_404(
        Invitation.objects.select_related("cycle"),
        cycle_id=cycle_id,
        cycle__organisation=scope.organisation,
        person=scope.person,
    )


def code_invitations(cycle: Cycle) -> QuerySet[Invitation]:
    return Invitation.objects.filter(cycle=cycle, channel=Invitation.Channel.CODE)
