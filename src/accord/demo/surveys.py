"""The demo's survey history: a pulse that closed half a year ago, with synthetic answers,
and one open now for the demo logins to answer.

Everything goes through the real services, as a program admin and the respondents would:
the cycle is created, scheduled and opened (invitations with generalised attributes);
answers are written as ``submit_response`` writes them — a keyed receipt and a pooled
submission each, the pool flushed in shuffled batches — and closing forgets who answered.
Only the clock is moved back.

The answers come from a small latent model, deterministic for a seed, so the reports have
something true to find: clinicians feel further from senior leaders than administrators do,
emergency and intensive care units carry more strain, and people who feel unheard, poorly
informed or distrustful are more often burned out and thinking of leaving.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from accord.access.models import Membership, Role, User
from accord.insights.publishing import publish_cycle
from accord.org.models import Organisation, Person, Unit
from accord.surveys.answers import ParsedAnswers, scored_items
from accord.surveys.models import Cycle, Invitation
from accord.surveys.selectors import instrument_for
from accord.surveys.services import (
    CycleSettings,
    close_cycle,
    create_cycle,
    open_cycle,
    schedule_cycle,
    submit_in_bulk,
)

CORE = ("accord-core", 1)
REMINDER_DAYS = (3, 6)
CYCLE_DAYS = 14
# How the closed cycle's answers spread over its fortnight: most on the first day, a rise
# after each reminder.
DAY_WEIGHTS = (30, 12, 6, 14, 6, 4, 10, 5, 3, 3, 2, 2, 2, 1)

# Unit strain by words in the unit's full name; the first match wins.
STRAIN = (
    ("Emergency", 0.9),
    ("ICU", 0.8),
    ("Critical Care", 0.8),
    ("Labor and Delivery", 0.4),
    ("Surgery", 0.3),
    ("Behavioral Health", 0.3),
    ("Medical-Surgical", 0.3),
    ("Telemetry", 0.2),
    ("Finance", -0.4),
    ("Information Technology", -0.4),
    ("Executive Office", -0.5),
    ("People and Culture", -0.5),
)
# How close each role group feels to senior leadership (communication, voice, shared
# priorities, trust): the perception gap the reports look for.
DISTANCE = {"clinician": -0.55, "administrator": 0.5, "other": -0.15}
PROFESSION_DISTANCE = {"Physician": -0.15, "Nurse": -0.1}

CHANGE_FIRST = {
    "staffing": (
        "We are short on nights most weeks and the float pool cannot cover it. Safe staffing "
        "has to come before new projects.",
        "Stop counting the unit as fully staffed when half the shift is new agency staff.",
        "When someone calls in sick nobody replaces them, and the rest of us skip breaks to cover.",
        "Look at the patient ratios here; we cannot give the care we were trained to give.",
    ),
    "documentation": (
        "Documentation eats the time I should spend with patients. Fewer clicks and fewer "
        "duplicate fields, please.",
        "I finish my charting an hour or two after every shift. The record seems built for "
        "billing, not for care.",
        "Every new form in the electronic record adds work and none is ever taken away. Ask us "
        "which ones we really use.",
        "Inbox messages and unfinished notes follow me home every evening.",
    ),
    "not consulted": (
        "Ask the people who do the work before changing how it is done. The new admission "
        "process arrived by email on the day it started.",
        "Decisions about our unit are made in meetings we are never invited to.",
        "We learned about the new schedule from a poster in the break room. Talk to us first.",
        "Put a bedside nurse and a physician on the committees that redesign our workflows.",
    ),
    "communication": (
        "Come and work a shift beside us; the view from the office is very different.",
        "Explain why decisions are made. Even a short note would help us trust that patient "
        "care was weighed.",
        "Follow through on what was promised after the last survey. We heard a lot and saw "
        "little change.",
    ),
}
KEEP_DOING = (
    "The daily safety huddle works. Keep it short and keep it going.",
    "Our manager listens and then comes back with an answer. Please keep that up.",
    "Leaders visiting the unit on weekends made a real difference; keep doing it.",
    "Keep protecting time for education; the recent skills sessions were excellent.",
    "Fixing the supply room so quickly showed that small changes matter. More of those.",
    "Thank you for being open about the budget; it helped us understand the choices made.",
)


@dataclass(frozen=True)
class DemoSurveys:
    closed: Cycle  # half a year ago, answered, closed and published
    open: Cycle  # open now for two weeks, no answers yet
    invited: int  # in the half-year-old cycle
    non_respondents: int
    year_ago: Cycle | None = None  # the pulse before it, published too, so trends show change
    department: Cycle | None = None  # the first hospital's Emergency on its own, before both
    upcoming: Cycle | None = None  # the next one, half a year on, drafted


# How much better each past pulse's climate is than the demo's baseline: the year-old pulse
# was a little worse, so leaders see trust and voice improving since.
YEAR_AGO_SHIFT = -0.25
# After the winter pulse the first hospital's Emergency protected its breaks (the demo chair's
# finished plan): by the summer pulse its strain had eased this much, so the plan is
# re-measured better while his other plans are not clearly changed.
EASED_STRAIN = 0.6


def seed_demo_surveys(
    *, organisation: Organisation, seed: int, now: dt.datetime | None = None, publish: bool = True
) -> DemoSurveys:
    """Create last year's and last half-year's pulses, answered, closed and (by default)
    published, this one, open now, and the next, drafted."""
    now = now or timezone.now()
    admin = (
        Membership.objects.filter(organisation=organisation, role=Role.ADMIN)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    created_by = admin.user if admin else None
    # One transaction: far fewer commits on SQLite, and a failed seed leaves nothing behind.
    with transaction.atomic():
        # Pulses run twice a year; before them, Emergency ran one of its own.
        year_ago = department = None
        if publish:
            department = _department_pulse(
                organisation, now - dt.timedelta(days=455), created_by,
                random.Random(f"{seed}:demo survey of Emergency"),
            )  # fmt: skip
            year_ago, _, _ = _past_pulse(
                organisation, now - dt.timedelta(days=364), created_by,
                random.Random(f"{seed}:demo survey a year ago"), YEAR_AGO_SHIFT,
            )  # fmt: skip
            year_ago = publish_cycle(cycle=year_ago, now=year_ago.closes_at + dt.timedelta(days=3))
        earlier, invited, answered = _past_pulse(
            organisation, now - dt.timedelta(days=182), created_by,
            random.Random(f"{seed}:demo survey"), 0.0,
            eased=_first_emergency(organisation) if publish else None,
        )  # fmt: skip
        if publish:
            earlier = publish_cycle(cycle=earlier, now=earlier.closes_at + dt.timedelta(days=3))

        current = create_cycle(
            organisation=organisation,
            settings=_settings(
                organisation,
                _pulse_name(now.astimezone(ZoneInfo(organisation.time_zone)).date()),
                now,
                now + dt.timedelta(days=CYCLE_DAYS),
            ),
            created_by=created_by,
        )
        schedule_cycle(cycle=current, now=now)
        current = open_cycle(cycle=current, now=now, notify=False)
        opens = now + dt.timedelta(days=182)
        upcoming = create_cycle(
            organisation=organisation,
            settings=_settings(
                organisation,
                _pulse_name(opens.astimezone(ZoneInfo(organisation.time_zone)).date()),
                opens,
                opens + dt.timedelta(days=CYCLE_DAYS),
            ),
            created_by=created_by,
        )
    return DemoSurveys(
        closed=earlier,
        open=current,
        invited=invited,
        non_respondents=invited - answered,
        year_ago=year_ago,
        department=department,
        upcoming=upcoming,
    )


def _department_pulse(
    organisation: Organisation, opened: dt.datetime, created_by: User | None, rng: random.Random
) -> Cycle | None:
    """The first hospital's Emergency department surveyed on its own, answered and published."""
    emergency = _first_emergency(organisation)
    if emergency is None:
        return None
    cycle, _, _ = _past_pulse(
        organisation, opened, created_by, rng, -0.1, units=(emergency,), name="Emergency"
    )
    return publish_cycle(cycle=cycle, now=cycle.closes_at + dt.timedelta(days=3))


def _first_emergency(organisation: Organisation) -> Unit | None:
    return Unit.objects.filter(organisation=organisation, name="Emergency").order_by("path").first()


def _past_pulse(
    organisation: Organisation,
    opened: dt.datetime,
    created_by: User | None,
    rng: random.Random,
    shift: float,
    *,
    units: tuple[Unit, ...] = (),
    name: str = "",
    eased: Unit | None = None,
) -> tuple[Cycle, int, int]:
    """A pulse that opened on ``opened``'s day, answered and closed; (cycle, invited, answered).

    ``units``: the audience, everyone when empty; ``name`` goes before the season's, as in
    "Emergency spring pulse 2026"; ``eased``: a unit whose strain eased by ``EASED_STRAIN``."""
    zone = ZoneInfo(organisation.time_zone)
    opening_day = opened.astimezone(zone).date()
    opens_at = dt.datetime.combine(opening_day, dt.time(7), tzinfo=zone)
    closes_at = dt.datetime.combine(
        opening_day + dt.timedelta(days=CYCLE_DAYS), dt.time(17), tzinfo=zone
    )
    season = _pulse_name(opening_day)
    title = f"{name} {season[0].lower()}{season[1:]}" if name else season
    cycle = create_cycle(
        organisation=organisation,
        settings=_settings(organisation, title, opens_at, closes_at, units),
        created_by=created_by,
    )
    schedule_cycle(cycle=cycle, now=opens_at - dt.timedelta(days=7))
    cycle = open_cycle(cycle=cycle, now=opens_at, notify=False)
    invited, answered = _answer(cycle, rng, shift, eased)
    return close_cycle(cycle=cycle, now=closes_at), invited, answered


def _pulse_name(day: dt.date) -> str:
    """ "Spring pulse 2026": the season (northern hemisphere, as the demo's Chicago) and year."""
    season = ("Winter", "Spring", "Summer", "Autumn")[day.month % 12 // 3]
    return f"{season} pulse {day.year}"


def _settings(
    organisation: Organisation,
    name: str,
    opens_at: dt.datetime,
    closes_at: dt.datetime,
    units: tuple[Unit, ...] = (),
) -> CycleSettings:
    return CycleSettings(
        name=name,
        instrument_id=CORE[0],
        instrument_version=CORE[1],
        opens_at=opens_at,
        closes_at=closes_at,
        min_group_size=organisation.survey_min_group_size,
        min_comment_group_size=organisation.survey_min_comment_group_size,
        reminder_days=REMINDER_DAYS,
        role_groups=(),
        units=units,
    )


def _answer(
    cycle: Cycle, rng: random.Random, shift: float = 0.0, eased: Unit | None = None
) -> tuple[int, int]:
    """Answer for a share of each unit's invitees; returns (invited, answered).

    ``shift`` moves every unit's climate: negative makes the whole pulse a little worse;
    ``eased``: the people in this unit's subtree work under less strain."""
    invitations = list(
        Invitation.objects.filter(cycle=cycle)
        .select_related("person__unit", "person__profession")
        .order_by("person__external_id")
    )
    units = sorted({inv.person.unit for inv in invitations}, key=lambda unit: unit.full_name)
    climate = {unit.pk: rng.gauss(0, 0.3) + shift for unit in units}
    response_rate = {unit.pk: min(0.95, max(0.5, rng.gauss(0.74, 0.09))) for unit in units}
    instrument = instrument_for(cycle)
    item_ids = {item.id for item in scored_items(instrument)}
    submissions = []
    for invitation in invitations:
        person = invitation.person
        rate = response_rate[person.unit_id] + (0.06 if person.role_group == "administrator" else 0)
        if rng.random() >= rate:
            continue
        relief = (
            EASED_STRAIN if eased is not None and person.unit.path.startswith(eased.path) else 0
        )
        answers = synthetic_answers(person, climate[person.unit_id], rng, relief)
        assert set(answers.scores) <= item_ids, "the demo answers items the instrument has"
        day = rng.choices(range(CYCLE_DAYS), DAY_WEIGHTS)[0]
        when = cycle.opens_at + dt.timedelta(days=day, hours=rng.randint(1, 14))
        submissions.append(
            (min(when, cycle.closes_at - dt.timedelta(hours=1)), invitation, answers)
        )
    submissions.sort(key=lambda submission: submission[0])
    submit_in_bulk(cycle=cycle, submissions=submissions)
    return len(invitations), len(submissions)


def _agree(level: float, rng: random.Random) -> int:
    """A 1 to 5 agreement answer; ``level`` 0 is "neither", 1 is about one step towards agree."""
    return min(5, max(1, round(3.5 + 0.95 * level + rng.gauss(0, 0.55))))


def synthetic_answers(
    person: Person, climate: float, rng: random.Random, relief: float = 0.0
) -> ParsedAnswers:
    """One person's answers to the core pulse, from a few correlated latent traits; ``relief``
    lowers the strain of the person's unit."""
    full_name = person.unit.full_name
    strain = next((value for word, value in STRAIN if word in full_name), 0.0) - relief
    clinician = person.role_group == "clinician"
    outlook = rng.gauss(0, 1)
    distance = (
        0.5 * outlook
        + DISTANCE.get(person.role_group, 0.0)
        + PROFESSION_DISTANCE.get(person.profession.name, 0.0)
        + climate
        + rng.gauss(0, 0.5)
    )  # positive: close to senior leaders
    leader = 0.45 * outlook + 0.8 * climate + rng.gauss(0, 0.7) + 0.25
    safety = 0.35 * outlook + 0.5 * leader + rng.gauss(0, 0.6)
    efficiency = -strain + 0.3 * outlook + rng.gauss(0, 0.6)
    documentation_burden = (0.9 if clinician else -0.4) + 0.3 * strain + rng.gauss(0, 0.6)
    teamwork = 0.35 * outlook + 0.3 * leader + rng.gauss(0, 0.6) + 0.2
    burnout = (
        0.55 * strain
        - 0.45 * distance
        - 0.3 * efficiency
        + 0.2 * documentation_burden
        - 0.2 * safety
        - 0.2 * outlook
        + rng.gauss(0, 0.55)
    )  # positive: more burned out
    leaving = 0.6 * burnout - 0.35 * distance - 0.2 * leader + rng.gauss(0, 0.6) - 1.0
    recommending = 0.4 * outlook - 0.4 * burnout + 0.3 * distance + rng.gauss(0, 0.75)

    scores = {
        "burnout": 1 + sum(burnout > cut for cut in (0.0, 0.75, 1.4, 2.0)),
        "intent_to_leave": _agree(leaving, rng),
        "satisfaction": _agree(0.4 * outlook - 0.45 * burnout + 0.3 * distance, rng),
        "feeling_valued": _agree(0.5 * distance + 0.3 * leader + 0.1 * outlook, rng),
        "recommend_workplace": min(10, max(0, round(7.1 + 1.6 * recommending))),
        "leaders_understand_my_work": _agree(distance - 0.1, rng),
        "hear_about_changes_first": _agree(distance - 0.3, rng),
        "decisions_serve_patient_care": _agree(distance, rng),
        "priorities_explained": _agree(distance - 0.2, rng),
        "say_in_operational_decisions": _agree(distance - 0.35, rng),
        "ideas_taken_seriously": _agree(0.7 * distance + 0.3 * leader - 0.1, rng),
        "trust_senior_leaders": _agree(distance, rng),
        "senior_leaders_follow_through": _agree(distance - 0.15, rng),
        "trust_direct_leader": _agree(leader, rng),
        "safe_to_speak_up": _agree(safety, rng),
        "safe_to_admit_mistakes": _agree(safety - 0.1, rng),
        "staffing_enough": _agree(efficiency - 0.3, rng),
        "documentation_time": _agree(documentation_burden, rng),
        "workflow_works": _agree(efficiency, rng),
        "one_team_across_professions": _agree(teamwork, rng),
        "count_on_other_professions": _agree(teamwork + 0.2, rng),
        "leader_calm_under_pressure": _agree(leader, rng),
        "leader_builds_teamwork": _agree(leader - 0.1, rng),
        "leader_develops_me": _agree(leader - 0.2, rng),
        "leader_advocates_for_team": _agree(leader, rng),
    }
    # Everyone may skip any question; a few do.
    scores = {item: code for item, code in scores.items() if rng.random() >= 0.02}
    comments = {}
    if rng.random() < 0.18 + (0.12 if burnout > 1.4 else 0):
        themes = {
            "staffing": max(0.1, 0.5 - efficiency),
            "documentation": max(0.1, documentation_burden),
            "not consulted": max(0.1, 0.3 - distance),
            "communication": 0.4,
        }
        chosen = rng.choices(list(themes), list(themes.values()), k=2)
        sentences = [rng.choice(CHANGE_FIRST[chosen[0]])]
        if chosen[1] != chosen[0] and rng.random() < 0.3:
            sentences.append(rng.choice(CHANGE_FIRST[chosen[1]]))
        comments["leaders_change_first"] = " ".join(sentences)
    if rng.random() < 0.08 + (0.1 if leader > 0.8 else 0):
        comments["leaders_keep_doing"] = rng.choice(KEEP_DOING)
    return ParsedAnswers(scores=scores, comments=comments)
