"""The checks the loop's own fields must pass, shared by the forms, the API and the command
line so that all of them refuse the same things with the same words. Each returns every
problem at once, as ``(field, message)`` pairs."""

from __future__ import annotations

import datetime as dt

from accord.actions.models import PlanStatus
from accord.refusals import Problem
from accord.text import text_problems

TITLE_LIMIT = 200
TEXT_LIMIT = 4000
REASON_LIMIT = 500
# A plan is due within two years of being made: a loop measured pulse by pulse, not a strategy.
LONGEST_PLAN = dt.timedelta(days=730)
LARGEST_ATTENDANCE = 100_000


def due_date_problems(field: str, due_on: dt.date | None, *, today: dt.date,
                      required: bool = True) -> list[Problem]:  # fmt: skip
    if due_on is None:
        return [(field, "Give the date it is due.")] if required else []
    if due_on < today:
        return [(field, f"The due date {due_on:%d %B %Y} has passed: give today or a later day.")]
    if due_on > today + LONGEST_PLAN:
        return [(field, "Give a due date within two years: re-measure it at a coming pulse.")]
    return []


def plan_problems(*, title: str, description: str, due_on: dt.date | None, today: dt.date,
                  owner_count: int) -> list[Problem]:  # fmt: skip
    problems = text_problems("title", title, limit=TITLE_LIMIT, what="the plan a title")
    problems += text_problems(
        "description", description, limit=TEXT_LIMIT, what="the description", required=False,
        multiline=True,
    )  # fmt: skip
    problems += due_date_problems("due_on", due_on, today=today)
    if owner_count == 0:
        problems.append(("owners", "Name at least one owner: who makes sure this happens."))
    return problems


def status_problems(*, status: str, cancel_reason: str) -> list[Problem]:
    if status not in PlanStatus.values:
        choices = ", ".join(PlanStatus.values)
        return [("status", f"{status!r} is not a status: use one of {choices}.")]
    if status == PlanStatus.CANCELLED:
        return text_problems(
            "cancel_reason", cancel_reason, limit=REASON_LIMIT,
            what="the reason the plan is cancelled", multiline=True,
        )  # fmt: skip
    return []


def discussion_problems(*, held_on: dt.date | None, attended: int | None, what_mattered: str,
                        published_on: dt.date, today: dt.date) -> list[Problem]:  # fmt: skip
    problems: list[Problem] = []
    if held_on is None:
        problems.append(("held_on", "Give the day the team discussed the results."))
    elif held_on > today:
        problems.append(("held_on", "Record a discussion once it has taken place."))
    elif held_on < published_on:
        problems.append(
            ("held_on", f"The results were published on {published_on:%d %B %Y}: a discussion "
                        "of them comes after that day.")
        )  # fmt: skip
    if attended is None:
        problems.append(("attended", "Give how many people took part."))
    elif not 1 <= attended <= LARGEST_ATTENDANCE:
        problems.append(("attended", "Give the number of people who took part, at least 1."))
    problems += text_problems(
        "what_mattered", what_mattered, limit=TEXT_LIMIT,
        what="what the team said mattered most", multiline=True,
    )  # fmt: skip
    return problems
