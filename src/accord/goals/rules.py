"""The checks a goal's own fields must pass, shared by the forms, the API, the CLI and the
import so that all of them refuse the same things with the same words.

Each check returns every problem it finds as ``(field, message)`` pairs rather than stopping
at the first, so an import can report a whole row at once.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from accord.goals.models import Direction, Goal, TeamMember, Visibility
from accord.org.models import Person

PERIOD_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._/-]{0,19}$")
LARGEST_VALUE = Decimal("9999999999.9999")  # 14 digits, 4 after the point: the column
Problem = tuple[str, str]


def parse_number(text: object) -> Decimal:
    """A metric value from a form, a file or the command line: "12.5", "1,200", "85%"."""
    if isinstance(text, Decimal):
        value = text
    elif isinstance(text, int | float) and not isinstance(text, bool):
        value = Decimal(str(text))
    else:
        cleaned = str(text).strip().replace(",", "").removesuffix("%").strip()
        if not cleaned:
            raise ValueError("is empty")
        try:
            value = Decimal(cleaned)
        except InvalidOperation:
            raise ValueError(f"{str(text).strip()!r} is not a number") from None
    if not value.is_finite():
        raise ValueError("must be a number")
    if abs(value) < LARGEST_VALUE + 1:  # quantizing a larger one can pass Decimal's precision
        value = value.quantize(Decimal("0.0001"))
    if abs(value) > LARGEST_VALUE:
        raise ValueError("is too large (at most 9,999,999,999.9999)")
    return value


def period_problems(period: str) -> list[Problem]:
    if not period:
        return [("period", "Give the period the goal belongs to, such as FY2026.")]
    if not PERIOD_PATTERN.match(period):
        return [
            (
                "period",
                f"{period!r} is not a period name: use up to 20 letters, digits, spaces, "
                "dots, dashes or slashes, such as FY2026 or 2026-H1.",
            )
        ]
    return []


EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_DATE = dt.date(2100, 12, 31)


def goal_problems(
    *,
    title: str,
    metric_name: str,
    period: str,
    direction: str,
    baseline: Decimal | None,
    target: Decimal | None,
    target_upper: Decimal | None,
    incentive_weight: Decimal | None,
    visibility: str,
    due_date: dt.date | None,
    owned_by_person: bool,
) -> list[Problem]:
    """Everything wrong with a goal's fields, each with the field it is about."""
    problems: list[Problem] = []
    if not title.strip():
        problems.append(("title", "Give the goal a title."))
    elif len(title) > 200:
        problems.append(("title", "A title can be at most 200 characters."))
    if not metric_name.strip():
        problems.append(("metric_name", "Name the metric that shows progress."))
    elif len(metric_name) > 120:
        problems.append(("metric_name", "A metric name can be at most 120 characters."))
    problems += period_problems(period)
    if direction not in Direction.values:
        problems.append(
            ("direction", f"{direction!r} is not a direction: use increase, decrease or range.")
        )
    if visibility not in Visibility.values:
        problems.append(
            ("visibility", f"{visibility!r} is not a visibility: use team or organisation.")
        )
    if due_date is None:
        problems.append(("due_date", "Give the date the target is due."))
    elif not EARLIEST_DATE <= due_date <= LATEST_DATE:
        problems.append(("due_date", "Give a due date between 1900 and 2100."))
    if baseline is None:
        problems.append(("baseline", "Give the baseline: where the metric stands now."))
    if target is None:
        problems.append(("target", "Give the target."))
    if baseline is not None and target is not None:
        if direction == Direction.INCREASE and target <= baseline:
            problems.append(
                ("target", "To increase the metric, the target must be above the baseline.")
            )
        if direction == Direction.DECREASE and target >= baseline:
            problems.append(
                ("target", "To decrease the metric, the target must be below the baseline.")
            )
    if direction == Direction.RANGE:
        if target_upper is None:
            problems.append(("target_upper", "A range needs an upper bound as well as a lower."))
        elif target is not None and target_upper < target:
            problems.append(("target_upper", "The upper bound must not be below the lower bound."))
    elif target_upper is not None and direction in Direction.values:
        problems.append(
            ("target_upper", "Only a goal that stays within a range has an upper bound.")
        )
    if incentive_weight is not None:
        if not Decimal(0) <= incentive_weight <= Decimal(100):
            problems.append(("incentive_weight", "The incentive weight is a percentage, 0 to 100."))
        elif incentive_weight and not owned_by_person:
            problems.append(
                ("incentive_weight", "Only a person's own goal carries an incentive weight.")
            )
    return problems


def weight_problem(*, already: Decimal, adding: Decimal, owner_name: str, period: str) -> str:
    """The message when a person's weights in a period would pass 100%, or ''."""
    total = already + adding
    if total <= 100:
        return ""
    return (
        f"{owner_name}'s incentive weights for {period} would add up to {_percent(total)}; "
        f"at most 100% of a bonus can be tied to goals ({_percent(already)} is already "
        "tied to other goals)."
    )


def _percent(value: Decimal) -> str:
    return f"{value.normalize():f}%"


SIDEWAYS_LINKS_JOIN_PEOPLE = (
    "Sideways links join two people's own goals; a team's or the organisation's goal is served "
    "from below instead."
)


def accountable_person(goal: Goal) -> Person | None:
    """Whose goal it is for the up-and-down rules: its owner, or a team's leader."""
    if goal.owner is not None:
        return goal.owner
    return goal.team.leader if goal.team is not None else None


def serve_problem(goal: Goal, serves: Goal) -> str:
    """Why ``goal`` may not serve ``serves``, or '' when it may: a goal serves its owner's
    managers' goals, a shared goal of a team its owner belongs to, or an organisation goal."""
    if serves.owner_kind == "organisation":
        return ""
    person = accountable_person(goal)
    if person is None:
        return "The organisation's own goals can only serve other organisation goals."
    if serves.owner is not None:
        managers = set(person.manager_ids)
        if serves.owner.pk in managers:
            return ""
        return (
            f"A goal serves the goals of its owner's managers, a team or the organisation; "
            f"{serves.owner.name} is not above {person.name}. Declare a sideways link instead."
        )
    assert serves.team is not None
    if goal.team_id == serves.team_id:
        return "A team's shared goal cannot serve another shared goal of the same team."
    if TeamMember.objects.filter(team=serves.team, person=person).exists():
        return ""
    return f"{person.name} is not a member of {serves.team.name}."


def normalise_metric(name: str) -> str:
    """Metric names compared for suggestions: case, spacing and punctuation do not count."""
    return re.sub(r"[^a-z0-9%]+", " ", name.lower()).strip()
