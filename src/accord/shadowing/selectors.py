"""Reading the shadowing programme through the viewer's ``ShadowingScope``: the host's page,
the visitor's, one visit, the shifts open to book with Accord's suggestions, and the
programme's coverage for executives and program admins — where a host's rating is shown only
pooled over at least three hosts."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, DurationField, ExpressionWrapper, F, Max, Q, QuerySet
from django.utils import timezone

from accord.access.models import Role
from accord.access.scopes import Scope
from accord.org.models import Person, Unit, ids_on_path
from accord.shadowing.models import (
    BOOKED,
    Commitment,
    CommitmentStatus,
    Host,
    HostStatus,
    HostWord,
    Reflection,
    ShiftKind,
    Slot,
    Visit,
    VisitStatus,
)
from accord.shadowing.rules import barrier_choices
from accord.shadowing.visibility import ShadowingScope, programme_settings

# A host's rating is read by anyone but the host only pooled over at least this many hosts.
MIN_HOSTS_FOR_RATINGS = 3
DEPARTMENT = "department"


def departments(organisation_id: int) -> dict[int, Unit]:
    """The organisation's departments by id."""
    found = Unit.objects.filter(organisation_id=organisation_id, kind__name__iexact=DEPARTMENT)
    return {unit.pk: unit for unit in found}


def department_of(path: str, departments: dict[int, Unit]) -> Unit | None:
    """The department a unit (by its path) belongs to: itself, or the nearest above it."""
    return next((departments[pk] for pk in reversed(ids_on_path(path)) if pk in departments), None)


def reflection_due(visit: Visit, hours: int) -> dt.datetime:
    return visit.ends_at + dt.timedelta(hours=hours)


@dataclass(frozen=True)
class Ratings:
    hosts: int
    useful: float | None  # None: fewer than three hosts, so hidden
    engaged: float | None
    would_host_again: float | None  # share, 0-100


@dataclass(frozen=True)
class Coverage:
    months: list[dt.date]  # the first day of each of the last 12 months
    executives: list[VisitorCoverage]
    grid: list[tuple[Unit, list[int]]]  # departments by months: visits
    never_visited: list[Unit]
    by_shift: dict[str, int]
    visits: int
    reflections_on_time: int
    reflections_due: int
    commitments_made: int
    commitments_done: int
    commitments_overdue: int
    median_days_to_done: float | None
    ratings: Ratings


def _months(today: dt.date) -> list[dt.date]:
    first = today.replace(day=1)
    months = [first]
    for _ in range(11):
        months.append((months[-1] - dt.timedelta(days=1)).replace(day=1))
    return list(reversed(months))


def pooled_ratings(words: QuerySet[HostWord]) -> Ratings:
    """Ratings pooled over hosts: shown only when at least three hosts rated."""
    rows = list(words.values_list("visit__host_id", "useful", "engaged", "would_host_again"))
    hosts = len({row[0] for row in rows})
    if hosts < MIN_HOSTS_FOR_RATINGS:
        return Ratings(hosts, None, None, None)
    return Ratings(
        hosts,
        round(statistics.fmean(r[1] for r in rows), 1),
        round(statistics.fmean(r[2] for r in rows), 1),
        round(100 * sum(r[3] for r in rows) / len(rows)),
    )


def own_ratings(sscope: ShadowingScope, person: Person) -> Ratings:
    """What hosts said of the viewer's visits, pooled over three hosts or more — and hidden
    from a viewer who also reads the whole programme's pool when the rest of the programme
    holds one or two hosts: the two pools apart would give those hosts' ratings away."""
    words = HostWord.objects.filter(visit__organisation=sscope.organisation)
    mine = pooled_ratings(words.filter(visit__visitor=person))
    if mine.useful is None or not sscope.sees_programme:
        return mine
    rest = words.exclude(visit__visitor=person).values("visit__host_id").distinct().count()
    if 0 < rest < MIN_HOSTS_FOR_RATINGS:
        return Ratings(mine.hosts, None, None, None)
    return mine


# The host's page ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SlotRow:
    slot: Slot
    visit: Visit | None  # the booking, if any


@dataclass(frozen=True)
class HostPage:
    host: Host | None
    slots: list[SlotRow]  # to come
    requests: list[Visit]  # waiting for my answer
    upcoming: list[Visit]  # confirmed, to come
    to_give_word: list[Visit]  # happened, my word not given yet
    commitments: list[Commitment]  # made on visits to my unit


def requests_to_answer(host: Host, now: dt.datetime) -> list[Visit]:
    """Visits asked of the host, still to come, waiting for their answer."""
    return list(
        host.visits.filter(status=VisitStatus.REQUESTED, starts_at__gt=now).select_related(
            "visitor", "unit"
        )
    )


def host_page(sscope: ShadowingScope) -> HostPage:
    host = sscope.my_host()
    now = timezone.now()
    if host is None:
        return HostPage(None, [], [], [], [], [])
    slots = list(host.slots.filter(ends_at__gt=now).order_by("starts_at")[:60])
    booked = {
        v.slot_id: v
        for v in Visit.objects.filter(slot__in=slots, status__in=BOOKED).select_related("visitor")
    }
    visits = host.visits.select_related("visitor", "unit")
    words = HostWord.objects.filter(visit__host=host).values("visit_id")
    return HostPage(
        host=host,
        slots=[SlotRow(slot, booked.get(slot.pk)) for slot in slots],
        requests=requests_to_answer(host, now),
        upcoming=list(
            visits.filter(status=VisitStatus.CONFIRMED, ends_at__gt=now).order_by("starts_at")
        ),
        to_give_word=list(
            visits.filter(status=VisitStatus.CONFIRMED, ends_at__lte=now).exclude(pk__in=words)[:20]
        ),
        # The unit the host works in now (they may have moved since offering), read
        # through the scope like any commitment.
        commitments=list(
            sscope.commitments()
            .filter(visit__unit=host.person.unit_id)
            .select_related("owner", "visit__visitor")
            .order_by("status", "due_on")[:100]
        ),
    )


# The visitor's page ------------------------------------------------------------------------


@dataclass(frozen=True)
class VisitRow:
    visit: Visit
    reflection_due: dt.datetime | None  # for a visit over and not yet reflected on
    reflection_overdue: bool


@dataclass(frozen=True)
class VisitorPage:
    may_book: bool
    ratings: Ratings
    upcoming: list[Visit]
    past: list[VisitRow]
    commitments: list[Commitment]  # made on my visits, or mine to do

    @property
    def to_reflect(self) -> list[VisitRow]:
        return [row for row in self.past if row.reflection_due is not None]


def past_visits(sscope: ShadowingScope, person: Person, now: dt.datetime) -> list[VisitRow]:
    """The person's visits that took place, latest first, each with when its reflection is
    due if it is not written yet."""
    hours = sscope.settings.reflection_hours
    reflected = set(
        Reflection.objects.filter(visit__visitor=person).values_list("visit", flat=True)
    )
    rows = []
    for visit in (
        Visit.objects.filter(visitor=person, status=VisitStatus.CONFIRMED, ends_at__lte=now)
        .select_related("host__person", "unit")[:50]
    ):  # fmt: skip
        due = None if visit.pk in reflected else reflection_due(visit, hours)
        rows.append(VisitRow(visit, due, due is not None and due < now))
    return rows


def visitor_page(sscope: ShadowingScope) -> VisitorPage:
    person = sscope.person
    if person is None:
        return VisitorPage(False, Ratings(0, None, None, None), [], [], [])
    now = timezone.now()
    mine = Visit.objects.filter(visitor=person).select_related("host__person", "unit")
    past = past_visits(sscope, person, now)
    return VisitorPage(
        may_book=sscope.may_book,
        ratings=own_ratings(sscope, person),
        upcoming=list(mine.filter(status__in=BOOKED, ends_at__gt=now).order_by("starts_at")),
        past=past,
        commitments=list(
            Commitment.objects.filter(Q(visit__visitor=person) | Q(owner=person))
            .select_related("owner", "visit__unit")
            .order_by("status", "due_on")[:100]
        ),
    )


# One visit ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class VisitPage:
    visit: Visit
    as_host: bool
    as_visitor: bool
    reflection: Reflection | None
    barriers: list[tuple[str, str]]  # (the driver's name in the reader's language, the note)
    commitments: list[Commitment]
    word: HostWord | None  # the host's account: the visitor and the host read it
    happened: bool
    reflection_due: dt.datetime
    reflection_overdue: bool
    may_answer: bool
    may_cancel: bool
    may_reflect: bool
    may_give_word: bool


def visit_page(sscope: ShadowingScope, visit: Visit) -> VisitPage:
    now = timezone.now()
    reflection = Reflection.objects.filter(visit=visit).prefetch_related("barriers").first()
    word = HostWord.objects.filter(visit=visit).first()
    happened = visit.happened(now)
    as_host, as_visitor = sscope.is_host(visit), sscope.is_visitor(visit)
    due = reflection_due(visit, sscope.settings.reflection_hours)
    names = dict(barrier_choices(sscope.person.language if sscope.person else "en"))
    barriers = (
        [(names.get(b.driver, b.driver), b.note) for b in reflection.barriers.all()]
        if reflection
        else []
    )
    return VisitPage(
        visit=visit, as_host=as_host, as_visitor=as_visitor, reflection=reflection,
        barriers=barriers,
        commitments=list(visit.commitments.select_related("owner")),
        word=word, happened=happened, reflection_due=due,
        reflection_overdue=happened and reflection is None and due < now,
        may_answer=as_host and visit.status == VisitStatus.REQUESTED and visit.starts_at > now,
        may_cancel=visit.status in BOOKED and visit.starts_at > now,
        may_reflect=as_visitor and happened and reflection is None,
        may_give_word=as_host and happened and word is None,
    )  # fmt: skip


# Booking: open shifts and Accord's suggestions ---------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    slot: Slot
    reasons: list[str] = field(default_factory=list)
    score: int = 0


def open_slots(sscope: ShadowingScope) -> QuerySet[Slot]:
    """Shifts still to come of active hosts, not booked, not the viewer's own."""
    now = timezone.now()
    slots = Slot.objects.filter(
        host__organisation=sscope.organisation, host__status=HostStatus.ACTIVE,
        host__person__is_active=True, starts_at__gt=now,
    ).exclude(visits__status__in=BOOKED)  # fmt: skip
    if sscope.person is not None:
        slots = slots.exclude(host__person=sscope.person)
    return slots.select_related("host__person", "host__unit").order_by("starts_at")


def _full_months(limits: dict[int, int], zone: dt.tzinfo) -> set[tuple[int, int, int]]:
    """(host, year, month) whose hosts' monthly limits (``limits``, by host) are reached."""
    if not limits:
        return set()
    counts: Counter[tuple[int, int, int]] = Counter()
    for host_id, starts_at in Visit.objects.filter(
        host__in=list(limits),
        status__in=BOOKED,
        starts_at__gt=timezone.now() - dt.timedelta(days=31),
    ).values_list("host_id", "starts_at"):
        local = starts_at.astimezone(zone)
        counts[(host_id, local.year, local.month)] += 1
    return {key for key, n in counts.items() if n >= limits[key[0]]}


def suggestions(sscope: ShadowingScope, *, limit: int = 12) -> list[Suggestion]:
    """Open shifts ranked for the viewer: departments they are responsible for (or whose
    results they see) and have never visited; departments no one has visited for longest;
    night and weekend shifts, which fewest visitors see. A host whose month is full is left
    out, so no one is asked beyond their limit; among equals, the host with fewest visits
    comes first, to spread the visits fairly."""
    zone = sscope.organisation.zone
    # The candidates as plain rows (the fields the ranking reads); only the shifts suggested
    # are read as Slot objects, below.
    candidates = list(
        open_slots(sscope).values_list("pk", "host_id", "kind", "starts_at",
                                       "host__unit__path", "host__monthly_limit")[:2000]
    )  # fmt: skip
    full = _full_months({row[1]: row[5] for row in candidates}, zone)
    by_department = departments(sscope.organisation.pk)
    person = sscope.person
    mine_visited: set[int] = set()
    if person is not None:
        for path in Unit.objects.filter(shadowing_visits__visitor=person).values_list(
            "path", flat=True
        ):
            department = department_of(path, by_department)
            if department is not None:
                mine_visited.add(department.pk)
    last_visit: dict[int, dt.datetime] = {}
    for path, last in (
        Visit.objects.filter(organisation=sscope.organisation, status=VisitStatus.CONFIRMED)
        .values("unit__path").annotate(last=Max("starts_at")).values_list("unit__path", "last")
    ):  # fmt: skip
        department = department_of(path, by_department)
        if department is not None and last > last_visit.get(department.pk, last - dt.timedelta(1)):
            last_visit[department.pk] = last
    scope = sscope.scope
    responsible: set[int] = set()
    if scope.sees_whole_organisation:
        # Every unit of the organisation, so every department: no need to read them all.
        responsible = {department.pk for department in by_department.values()}
    elif scope.sees_survey_results:
        responsible = set(scope.units().values_list("pk", flat=True))
    host_load = dict(
        Visit.objects.filter(host__in={row[1] for row in candidates}, status__in=BOOKED)
        .values("host_id").annotate(n=Count("pk")).values_list("host_id", "n")
    )  # fmt: skip
    now = timezone.now()
    kinds = dict(ShiftKind.choices)
    ranked = []
    for slot_id, host_id, kind, starts_at, unit_path, _limit in candidates:
        local = starts_at.astimezone(zone)
        if (host_id, local.year, local.month) in full:
            continue
        department = department_of(unit_path, by_department)
        reasons, score = [], 0
        if department is not None:
            if department.pk in responsible and department.pk not in mine_visited:
                reasons.append(f"{department.name}: yours to know, and you have not been")
                score += 4
            last = last_visit.get(department.pk)
            if last is None:
                reasons.append(f"No one has shadowed in {department.name} yet")
                score += 3
            elif now - last > dt.timedelta(days=180):
                reasons.append(
                    f"No visit to {department.name} for {(now - last).days // 30} months"
                )
                score += 2
        if kind in (ShiftKind.NIGHT, ShiftKind.WEEKEND):
            reasons.append(f"A {kinds.get(kind, kind).lower()} shift: few visitors see these")
            score += 2
        ranked.append((score, -host_load.get(host_id, 0), -starts_at.timestamp(),
                       (slot_id, reasons, score)))  # fmt: skip
    ranked.sort(key=lambda entry: entry[:3], reverse=True)
    chosen = [entry[3] for entry in ranked[:limit]]
    slots = Slot.objects.select_related("host__person", "host__unit").in_bulk(
        [slot_id for slot_id, _reasons, _score in chosen]
    )
    return [Suggestion(slots[slot_id], reasons, score) for slot_id, reasons, score in chosen
            if slot_id in slots]  # fmt: skip


# Coverage, for executives and program admins -------------------------------------------------


@dataclass(frozen=True)
class VisitorCoverage:
    person: Person
    visits: int
    target: int


def coverage(scope: Scope) -> Coverage:
    """The last 12 months of the programme, in counts: who shadowed against the target, which
    departments were visited when, shifts, reflections on time and commitments."""
    organisation = scope.organisation
    zone = organisation.zone
    settings = programme_settings(organisation.pk)
    now = timezone.now()
    months = _months(timezone.localdate())
    since = dt.datetime.combine(months[0], dt.time(), tzinfo=zone)
    counted = Visit.objects.filter(organisation=organisation, status=VisitStatus.CONFIRMED,
                                   starts_at__gte=since, starts_at__lte=now)  # fmt: skip
    visits = list(counted.values_list("visitor_id", "unit_id", "kind", "starts_at"))
    by_department = departments(organisation.pk)
    # The department of each unit visited, once per unit (not per visit, nor for every unit).
    department_of_unit = {
        pk: department_of(path, by_department)
        for pk, path in Unit.objects.filter(
            organisation=organisation, pk__in=counted.values("unit_id")
        ).values_list("pk", "path")
    }
    month_index = {(m.year, m.month): n for n, m in enumerate(months)}
    grid: dict[int, list[int]] = defaultdict(lambda: [0] * len(months))
    per_visitor: Counter[int] = Counter()
    by_shift: Counter[str] = Counter()
    for visitor_id, unit_id, kind, starts_at in visits:
        per_visitor[visitor_id] += 1
        by_shift[kind] += 1
        department = department_of_unit.get(unit_id)
        if department is not None:
            local = starts_at.astimezone(zone)
            grid[department.pk][month_index[(local.year, local.month)]] += 1
    executives = [
        VisitorCoverage(person, per_visitor.get(person.pk, 0), settings.visits_per_executive)
        for person in Person.objects.filter(
            membership__organisation=organisation, membership__role=Role.EXECUTIVE
        )
    ]
    ordered = sorted(by_department.values(), key=lambda u: u.full_name)
    # A reflection is due once the deadline has passed, or once written; on time if written
    # by the deadline. Counted by the database, without reading every visit's times.
    hours = dt.timedelta(hours=settings.reflection_hours)
    reflections = counted.aggregate(
        due=Count("pk", filter=Q(ends_at__lte=now - hours) | Q(reflection__isnull=False)),
        on_time=Count("pk", filter=Q(reflection__written_at__lte=F("ends_at") + hours)),
    )
    recent = Commitment.objects.filter(visit__organisation=organisation, created_at__gte=since)
    today = timezone.localdate()
    # Counted by the database; of the finished ones, only how long each took is read.
    commitments = recent.aggregate(
        made=Count("pk"), done=Count("pk", filter=Q(status=CommitmentStatus.DONE)),
        overdue=Count("pk", filter=Q(status=CommitmentStatus.IN_PROGRESS, due_on__lt=today)),
    )  # fmt: skip
    took = ExpressionWrapper(F("done_at") - F("created_at"), output_field=DurationField())
    days_to_done = [length.total_seconds() / 86400 for length
                    in recent.filter(done_at__isnull=False).values_list(took, flat=True)]  # fmt: skip
    return Coverage(
        months=months,
        executives=sorted(executives, key=lambda e: (e.visits, e.person.name)),
        grid=[(unit, grid.get(unit.pk, [0] * len(months))) for unit in ordered],
        never_visited=[unit for unit in ordered if unit.pk not in grid],
        by_shift={kind.value: by_shift.get(kind.value, 0) for kind in ShiftKind},
        visits=len(visits),
        reflections_on_time=reflections["on_time"],
        reflections_due=reflections["due"],
        commitments_made=commitments["made"],
        commitments_done=commitments["done"],
        commitments_overdue=commitments["overdue"],
        median_days_to_done=round(statistics.median(days_to_done), 1) if days_to_done else None,
        ratings=pooled_ratings(HostWord.objects.filter(visit__organisation=organisation)),
    )  # fmt: skip


# For "You said, we did": what visitors committed to for the units a page covers ------------


@dataclass(frozen=True)
class UnitCommitment:
    """A commitment made after a visit to a unit, as a page about that unit shows it."""

    unit_id: int
    unit_name: str
    visitor_name: str
    visited_on: dt.date
    what: str
    status: str  # in_progress, done or cant_do
    status_label: str
    reason: str
    due_on: dt.date
    updated_at: dt.datetime


def commitments_for_units(organisation_id: int, unit_ids: list[int],
                          since: dt.datetime) -> list[UnitCommitment]:  # fmt: skip
    """Commitments made after visits to exactly these units and changed since ``since``: the
    interface a unit's "You said, we did" reads. The people of a unit visited read them
    already (``ShadowingScope.commitments``); the units above it do not, so a page must ask
    for the units its reader works in, never a leader's whole subtree."""
    if not unit_ids:
        return []
    found = (
        Commitment.objects.filter(visit__organisation=organisation_id, visit__unit__in=unit_ids,
                                  updated_at__gte=since)
        .select_related("visit__visitor", "visit__unit")
        .order_by("-updated_at", "pk")
    )  # fmt: skip
    return [
        UnitCommitment(
            c.visit.unit_id,
            c.visit.unit.name,
            c.visit.visitor.name,
            timezone.localtime(c.visit.starts_at).date(),
            c.what,
            c.status,
            c.get_status_display(),
            c.reason,
            c.due_on,
            c.updated_at,
        )
        for c in found
    ]
