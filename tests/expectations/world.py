"""Chad (chair of Emergency) and Nora (his nurse manager) agree on expectations; a goal of
Chad's that both can see gives the context."""

from __future__ import annotations

import datetime as dt

from accord.access.models import User
from accord.access.scopes import Scope
from accord.expectations import services
from accord.expectations.models import Agreement
from accord.expectations.rules import ItemDraft
from accord.expectations.visibility import ExpectationScope
from accord.goals.models import Goal
from tests.cast import Cast
from tests.goals.world import goal

SECRET = "I am not sure Nora can grow into this role"


def escope(cast: Cast, user: User) -> ExpectationScope:
    return ExpectationScope(Scope(cast.membership(user)))


def in_weeks(weeks: int) -> dt.date:
    return dt.date.today() + dt.timedelta(weeks=weeks)


def good_items() -> list[ItemDraft]:
    return [
        ItemDraft("Run a ten-minute huddle at every shift change", "held on 90% of shifts",
                  "colleague", in_weeks(6), "I cover the first two huddles"),
        ItemDraft("Publish the night rota two weeks ahead", "done when the rota is posted by the 15th",
                  "colleague", in_weeks(4)),
    ]  # fmt: skip


def chads_goal(cast: Cast, topic: str) -> Goal:
    title = "Cut ED length of stay" + ("" if topic == "Running the night shift" else f": {topic}")
    return goal(cast, "chad", title, metric="ED length of stay",
                baseline="6.2", target="4.5", metric_unit="hours")  # fmt: skip


def proposed_agreement(cast: Cast, topic: str = "Running the night shift") -> Agreement:
    """Chad's agreement with Nora, prepared (with a private note), drafted and proposed."""
    chad = escope(cast, cast.chair)
    agreement = services.start_agreement(
        escope=chad, actor=cast.chair, colleague_hr_id="nora", relationship="direct_report",
        topic=topic,
    )  # fmt: skip
    services.save_preparation(
        escope=chad, actor=cast.chair, agreement=agreement,
        ratings={"state_of_mind": 4, "belief": 3, "own_part": 4, "clarity": 4, "value_today": 4},
        notes={"belief": SECRET, "own_part": "I never said the rota was hers."},
    )  # fmt: skip
    services.save_draft(
        escope=chad, actor=cast.chair, agreement=agreement,
        why_it_matters="Nights are where we lose nurses.", how_it_fits="Serves the ED goal.",
        opening="I never made clear the rota was yours to run.",
        goal_ids=[chads_goal(cast, topic).pk], items=good_items(),
    )  # fmt: skip
    services.propose(escope=chad, actor=cast.chair, agreement=agreement)
    agreement.refresh_from_db()
    return agreement
