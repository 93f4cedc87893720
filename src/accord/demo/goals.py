"""Goals and alignment for the demo health system.

The executive team (the chief executive and the five chiefs) and two department leadership
teams at the first hospital (Emergency, Surgery) get believable goals, check-ins, links and
conversations — including the tensions health systems live with (throughput against
quality, labour cost against safe staffing) and pairs that have never talked, so the
alignment map has something worth fixing.

Everything is fixed data: the same roster gives the same goals. Dates are counted from the
day the demo is seeded, so "talked 20 days ago" stays true on the map when it is first opened.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone

from accord.goals import services
from accord.goals.models import Goal, GoalsSeen, Team
from accord.org.models import Organisation, Person, Unit

PERIOD = "FY2026"
VIA = "demo"


@dataclass(frozen=True)
class G:
    """A goal to create: title, metric, unit of measure, direction, baseline, target(s), weight."""

    key: str
    title: str
    metric: str
    unit: str
    direction: str
    baseline: str
    target: str
    upper: str | None = None
    weight: str = "0"
    why: str = ""
    measured_in: str = ""  # a unit name at the first hospital
    # Check-ins, oldest first: (value, confidence, note).
    progress: tuple[tuple[str, str, str], ...] = ()


EXECUTIVE_SHARED = (
    G("margin", "Return to a healthy operating margin", "Operating margin", "%", "increase",
      "1.1", "2.5", why="Margin pays for the staff and equipment every other goal depends on.",
      progress=(("1.2", "on_track", ""), ("1.4", "on_track", ""),
                ("1.3", "at_risk", "Agency nursing spend rose again in the winter surge."))),
    G("experience", "Patients would recommend us", "Likelihood to recommend (top box)", "%",
      "increase", "72", "78", progress=(("72.5", "on_track", ""), ("73.8", "on_track", ""))),
    G("engagement", "Clinicians feel heard", "Clinician engagement index", "points",
      "increase", "3.6", "4.0", progress=(("3.6", "at_risk", "Pulse survey: no voice in scheduling decisions."),)),
)  # fmt: skip

# Keyed by job title in the demo roster.
EXECUTIVE_GOALS: dict[str, tuple[G, ...]] = {
    "Chief Executive Officer": (
        G(
            "ceo_experience",
            "Lift patient experience across the system",
            "Likelihood to recommend (top box)",
            "%",
            "increase",
            "72",
            "78",
            weight="40",
            progress=(("72.5", "on_track", ""), ("73.8", "on_track", "")),
        ),
    ),
    "Chief Operating Officer": (
        G(
            "ed_los",
            "Cut ED length of stay",
            "ED length of stay",
            "hours",
            "decrease",
            "6.2",
            "4.5",
            weight="40",
            measured_in="Emergency",
            why="Long ED stays mean boarding, ambulance diversion and patients who leave unseen.",
            progress=(
                ("6.1", "on_track", ""),
                ("5.8", "on_track", ""),
                ("5.9", "at_risk", "Inpatient beds free up too late in the day."),
            ),
        ),
        G(
            "coo_occupancy",
            "Keep beds free for the ED",
            "Inpatient occupancy",
            "%",
            "decrease",
            "93",
            "86",
            weight="20",
            progress=(("92", "at_risk", "Discharges cluster after 3 pm."),),
        ),
    ),
    "Chief Nursing Officer": (
        G(
            "rn_turnover",
            "Keep our nurses",
            "RN turnover",
            "%",
            "decrease",
            "18",
            "12",
            weight="35",
            progress=(("17.5", "on_track", ""), ("16.8", "on_track", "")),
        ),
        G(
            "staffing",
            "Safe nurse staffing on every unit",
            "Nursing hours per patient day",
            "hours",
            "range",
            "9.1",
            "8.8",
            upper="9.6",
            weight="25",
            why="Below the range, falls and missed care rise; above it, costs do.",
            progress=(("9.2", "on_track", ""), ("8.7", "at_risk", "Vacancies on medical units.")),
        ),
    ),
    "Chief Medical Officer": (
        G(
            "readmissions",
            "Fewer avoidable readmissions",
            "30-day readmissions",
            "%",
            "decrease",
            "15.2",
            "13.0",
            weight="40",
            why="Patients sent home too early come back sicker.",
            progress=(
                ("15.0", "on_track", ""),
                ("15.4", "off_track", "Rushed discharges from short-stay beds."),
            ),
        ),
        G(
            "physician_engagement",
            "Physicians have a voice",
            "Clinician engagement index",
            "points",
            "increase",
            "3.5",
            "3.9",
            weight="20",
        ),
    ),
    "Chief Financial Officer": (
        G(
            "cfo_margin",
            "Operating margin",
            "Operating margin",
            "%",
            "increase",
            "1.1",
            "2.5",
            weight="40",
            progress=(("1.2", "on_track", ""), ("1.3", "at_risk", "Labour costs above budget.")),
        ),
        G(
            "labour_hours",
            "Lower labour cost per patient day",
            "Nursing hours per patient day",
            "hours",
            "decrease",
            "9.6",
            "8.7",
            weight="30",
            why="Labour is 60% of our cost; agency hours are the most expensive.",
            progress=(("9.4", "on_track", ""),),
        ),
        G(
            "cfo_occupancy",
            "Fill staffed beds",
            "Inpatient occupancy",
            "%",
            "increase",
            "82",
            "90",
            weight="10",
        ),
    ),
    "Chief People Officer": (
        G(
            "turnover",
            "Lower staff turnover",
            "Staff turnover",
            "%",
            "decrease",
            "19",
            "15",
            weight="40",
            progress=(("18.6", "on_track", ""), ("18.1", "on_track", "")),
        ),
        G(
            "cpo_engagement",
            "Act on what clinicians tell us",
            "Clinician engagement index",
            "points",
            "increase",
            "3.6",
            "4.0",
            weight="20",
        ),
    ),
}

# (unit name at the first hospital, job title) → goals; the first entry leads the team.
EMERGENCY = {
    "name": "Emergency leadership, first hospital",
    "shared": (
        G(
            "ed_flow",
            "ED patient flow",
            "ED length of stay",
            "hours",
            "decrease",
            "6.4",
            "4.8",
            measured_in="Emergency",
            progress=(("6.2", "on_track", ""), ("6.0", "at_risk", "Boarding after 6 pm.")),
        ),
    ),
    "members": {
        ("Emergency", "Chair of Emergency"): (
            G(
                "lwbs",
                "Fewer patients leave without being seen",
                "Left without being seen",
                "%",
                "decrease",
                "4.8",
                "2.5",
                weight="30",
                measured_in="Emergency",
                progress=(("4.1", "on_track", ""),),
            ),
        ),
        ("ED Nursing", "Nurse Manager"): (
            G(
                "ed_nurse_turnover",
                "Keep ED nurses",
                "ED nurse turnover",
                "%",
                "decrease",
                "22",
                "15",
                weight="40",
                measured_in="ED Nursing",
                progress=(("21", "at_risk", "Three resignations after mandatory overtime."),),
            ),
        ),
        ("ED Physicians", "Unit Manager"): (
            G(
                "door_to_provider",
                "See patients sooner",
                "Door to provider",
                "minutes",
                "decrease",
                "38",
                "25",
                weight="30",
                measured_in="Emergency",
                progress=(("34", "on_track", ""),),
            ),
        ),
    },
}
SURGERY = {
    "name": "Surgery leadership, first hospital",
    "shared": (
        G(
            "volume",
            "Grow elective surgery",
            "Elective surgical cases",
            "cases",
            "increase",
            "8200",
            "9000",
            progress=(("8350", "on_track", ""),),
        ),
    ),
    "members": {
        ("Surgery", "Chair of Surgery"): (
            G(
                "on_time",
                "Start first cases on time",
                "First-case on-time starts",
                "%",
                "increase",
                "62",
                "85",
                weight="30",
                progress=(("66", "on_track", ""),),
            ),
        ),
        ("Perioperative Services", "Nurse Manager"): (
            G(
                "periop_turnover",
                "Keep perioperative staff",
                "Perioperative staff turnover",
                "%",
                "decrease",
                "17",
                "12",
                weight="35",
            ),
        ),
        ("Surgeons", "Unit Manager"): (
            G(
                "ssi",
                "Fewer surgical site infections",
                "Surgical site infections",
                "%",
                "decrease",
                "2.1",
                "1.5",
                weight="35",
            ),
        ),
    },
}


def _create(
    organisation: Organisation,
    spec: G,
    *,
    owner: Person | None,
    team: Team | None,
    units: dict[str, Unit],
    today: dt.date,
) -> Goal:
    goal = services.create_goal(
        organisation=organisation, actor=None, via=VIA, owner=owner, team=team, period=PERIOD,
        title=spec.title, why=spec.why, metric_name=spec.metric, metric_unit=spec.unit,
        direction=spec.direction, baseline=Decimal(spec.baseline), target=Decimal(spec.target),
        target_upper=Decimal(spec.upper) if spec.upper else None,
        due_date=dt.date(2026, 12, 31), incentive_weight=Decimal(spec.weight) if owner else 0,
        unit=units.get(spec.measured_in),
    )  # fmt: skip
    count = len(spec.progress)
    for index, (value, confidence, note) in enumerate(spec.progress):
        services.record_check_in(
            goal=goal, actor=None, via=VIA, value=Decimal(value), confidence=confidence,
            note=note, recorded_on=today - dt.timedelta(days=30 * (count - index - 1) + 3),
        )  # fmt: skip
    return goal


def _hospital_units(organisation: Organisation) -> dict[str, Unit]:
    """Units of the first hospital (the one with the demo logins), by name."""
    hospital = (
        Unit.objects.filter(organisation=organisation, depth=1, kind__name="hospital")
        .order_by("pk")
        .first()
    )
    if hospital is None:
        return {}
    return {
        unit.name: unit
        for unit in Unit.objects.filter(organisation=organisation, path__startswith=hospital.path)
    }


def _find(units: dict[str, Unit], unit_name: str, title: str) -> Person | None:
    unit = units.get(unit_name)
    if unit is None:
        return None
    return (
        Person.objects.filter(unit=unit, attributes__job_title=title, is_active=True)
        .order_by("pk")
        .first()
    )


def seed_demo_goals(*, organisation: Organisation) -> dict[str, Team]:
    """The executive team and two department leadership teams, with everything around them.

    Teams whose people the roster lacks (a very small demo) are left out.
    """
    today = timezone.localdate()
    now = timezone.now()
    units = _hospital_units(organisation)
    people = Person.objects.filter(organisation=organisation, is_active=True)
    chiefs = {
        title: people.filter(attributes__job_title=title).order_by("pk").first()
        for title in EXECUTIVE_GOALS
    }
    teams: dict[str, Team] = {}
    if any(person is None for person in chiefs.values()):
        return teams
    chief = {title: person for title, person in chiefs.items() if person is not None}
    ceo = chief["Chief Executive Officer"]
    executive = services.create_team(
        organisation=organisation, actor=None, via=VIA, name="Executive team", leader=ceo,
        members=list(chief.values()),
        purpose="The system's leaders, accountable together for its results.",
    )  # fmt: skip
    teams["executive"] = executive
    goals: dict[str, Goal] = {}
    for spec in EXECUTIVE_SHARED:
        goals[spec.key] = _create(organisation, spec, owner=None, team=executive, units=units,
                                  today=today)  # fmt: skip
    for title, specs in EXECUTIVE_GOALS.items():
        for spec in specs:
            goals[spec.key] = _create(organisation, spec, owner=chief[title], team=None,
                                      units=units, today=today)  # fmt: skip

    def serve(goal: str, above: str) -> None:
        services.add_contribution(goal=goals[goal], serves=goals[above], actor=None, via=VIA)

    def link(
        first: str, kind: str, second: str, note: str, answer: str = "", why: str = ""
    ) -> None:
        declared = services.declare_link(
            from_goal=goals[first], to_goal=goals[second], kind=kind, note=note, actor=None,
            via=VIA,
        )  # fmt: skip
        if answer:
            services.respond_to_link(link=declared, agree=answer == "confirm", note=why,
                                     actor=None, via=VIA)  # fmt: skip

    serve("cfo_margin", "margin")
    serve("labour_hours", "margin")
    serve("ceo_experience", "experience")
    serve("turnover", "engagement")
    serve("cpo_engagement", "engagement")
    serve("rn_turnover", "engagement")
    # Left unlinked on purpose: ED length of stay, readmissions, staffing, occupancy.
    link(
        "readmissions",
        "conflicts",
        "ed_los",
        "Pressure to move patients out of the ED and the wards sends some home too soon.",
        answer="confirm",
        why="Agreed: we need a discharge-readiness check, not a slower ED.",
    )
    link(
        "staffing",
        "conflicts",
        "labour_hours",
        "Cutting nursing hours below 8.8 per patient day puts patients at risk.",
        answer="dispute",
        why="The cut comes from agency hours, not from staffed ratios.",
    )
    link(
        "turnover",
        "supports",
        "rn_turnover",
        "Retention programmes cover nurses first.",
        answer="confirm",
    )
    link("ed_los", "depends", "staffing", "ED flow needs staffed inpatient beds to admit into.")

    def talked(a: str, b: str, days_ago: int) -> None:
        conversation = services.schedule_conversation(
            organisation=organisation, actor=None, via=VIA,
            people=(chief[a], chief[b]),
            starts_at=now + dt.timedelta(days=1), team=executive, period=PERIOD, notify=False,
        )  # fmt: skip
        services.record_conversation(
            conversation=conversation, actor=None, via=VIA,
            held_on=today - dt.timedelta(days=days_ago),
            summary="Walked through both sets of goals and where they meet.",
        )  # fmt: skip

    talked("Chief People Officer", "Chief Nursing Officer", 20)
    talked("Chief Executive Officer", "Chief Financial Officer", 40)
    talked("Chief Executive Officer", "Chief Medical Officer", 200)  # too long ago to count
    services.schedule_conversation(
        organisation=organisation, actor=None, via=VIA,
        people=(chief["Chief Executive Officer"], chief["Chief Operating Officer"]),
        starts_at=(now + dt.timedelta(days=7)).replace(hour=15, minute=0), team=executive,
        period=PERIOD, location="Executive boardroom", notify=False,
    )  # fmt: skip
    for viewer, owner in (("Chief Executive Officer", "Chief Financial Officer"),
                          ("Chief Nursing Officer", "Chief People Officer")):  # fmt: skip
        GoalsSeen.objects.create(viewer=chief[viewer], owner=chief[owner])

    for key, plan in (("emergency", EMERGENCY), ("surgery", SURGERY)):
        team = _department_team(organisation, plan, units, goals, today)
        if team is not None:
            teams[key] = team
    return teams


def _department_team(
    organisation: Organisation,
    plan: dict[str, Any],
    units: dict[str, Unit],
    executive_goals: dict[str, Goal],
    today: dt.date,
) -> Team | None:
    members = {key: _find(units, *key) for key in plan["members"]}
    if any(person is None for person in members.values()):
        return None
    people = [p for p in members.values() if p is not None]
    team = services.create_team(
        organisation=organisation, actor=None, via=VIA, name=plan["name"], leader=people[0],
        members=people[1:],
    )  # fmt: skip
    shared = [
        _create(organisation, spec, owner=None, team=team, units=units, today=today)
        for spec in plan["shared"]
    ]
    if plan is EMERGENCY:
        # The department's flow goal serves the COO's: the chair reports up to the COO.
        # A roster where the chair does not report up to the COO keeps the goal unlinked.
        with contextlib.suppress(services.GoalsError):
            services.add_contribution(
                goal=shared[0], serves=executive_goals["ed_los"], actor=None, via=VIA
            )
    created = []
    for key, specs in plan["members"].items():
        for spec in specs:
            created.append(_create(organisation, spec, owner=members[key], team=None,
                                   units=units, today=today))  # fmt: skip
    # The leader's goal and one member's serve the shared goal; the last member's does not yet.
    for goal in created[:2]:
        services.add_contribution(goal=goal, serves=shared[0], actor=None, via=VIA)
    if len(people) >= 2:
        conversation = services.schedule_conversation(
            organisation=organisation, actor=None, via=VIA, people=(people[0], people[1]),
            starts_at=timezone.now() + dt.timedelta(days=1), team=team, period=PERIOD,
            notify=False,
        )  # fmt: skip
        services.record_conversation(conversation=conversation, actor=None, via=VIA,
                                     held_on=today - dt.timedelta(days=12))  # fmt: skip
    return team
