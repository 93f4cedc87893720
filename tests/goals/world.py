"""Goals for the shared cast, and the teams that own them.

The cast's chief executive (ceo) leads the executive team: the chairs chad (Emergency), sue
(Surgery) and pia (Pediatrics), and eve the chief nursing officer. Chad leads the Emergency
leadership team with nora (nurse manager) and oscar_r. Chad plays the leader of the story:
held to his own numbers, not knowing his peers' goals.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.urls import reverse

from accord.goals import services
from accord.goals.models import Goal, Team
from accord.org.models import Person
from tests.cast import Cast

PERIOD = "FY2026"
DUE = dt.date(2026, 12, 31)


def person(cast: Cast, external_id: str) -> Person:
    return cast.person(external_id)


def goal(
    cast: Cast,
    owner: str | None,
    title: str,
    *,
    metric: str = "",
    direction: str = "decrease",
    baseline: str = "10",
    target: str = "8",
    target_upper: str | None = None,
    weight: str = "0",
    team: Team | None = None,
    **extra: Any,
) -> Goal:
    return services.create_goal(
        organisation=cast.riverside,
        actor=None,
        via="test",
        owner=cast.person(owner) if owner else None,
        team=team,
        title=title,
        period=extra.pop("period", PERIOD),
        metric_name=metric or title,
        metric_unit=extra.pop("metric_unit", ""),
        direction=direction,
        baseline=Decimal(baseline),
        target=Decimal(target),
        target_upper=Decimal(target_upper) if target_upper is not None else None,
        due_date=extra.pop("due_date", DUE),
        incentive_weight=Decimal(weight),
        **extra,
    )


def executive_team(cast: Cast, *, share_weights: bool = False) -> Team:
    return services.create_team(
        organisation=cast.riverside,
        actor=None,
        via="test",
        name="Executive team",
        leader=cast.person("ceo"),
        members=[cast.person(x) for x in ("chad", "sue", "pia", "eve")],
        share_incentive_weights=share_weights,
    )


def emergency_team(cast: Cast) -> Team:
    return services.create_team(
        organisation=cast.riverside,
        actor=None,
        via="test",
        name="Emergency leadership",
        leader=cast.person("chad"),
        members=[cast.person("nora"), cast.person("oscar_r")],
    )


SLUG = "riverside"


def url(name: str, *args: object) -> str:
    """The address of one of the cast organisation's pages."""
    return reverse(name, args=[SLUG, *args])


def form_data(target: Goal, **changes: str) -> dict[str, str]:
    """The goal form as its edit page fills it in, with ``changes``."""
    data = {
        "title": target.title, "period": target.period, "due_date": "2026-12-31",
        "metric_name": target.metric_name, "direction": target.direction,
        "baseline": str(target.baseline), "target": str(target.target), "visibility": "team",
    }  # fmt: skip
    return {**data, **changes}
