"""What a 360's nominations must hold, what Accord warns about before they are approved, and
what a development plan must hold.

Plain checks on plain values, shared by the pages, the API and the command line."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from accord.leadership.models import (
    ALL_OTHERS_MINIMUM,
    MAX_ACTIONS,
    MAX_FOCUS,
    MAX_RATERS,
    RATER_GROUP_SINGULAR,
    ActionKind,
    RaterGroup,
)
from accord.org.models import Person

# Groups that are shown on their own when they reach the minimum.
OWN_COLUMN_GROUPS = (RaterGroup.PEER, RaterGroup.DIRECT_REPORT, RaterGroup.PARTNER)


@dataclass(frozen=True)
class Rater:
    person: Person
    group: str


def nomination_problems(subject: Person, raters: Sequence[Rater]) -> list[tuple[str, str]]:
    """Why a list of raters cannot be used, as (field, message): empty when it can."""
    problems: list[tuple[str, str]] = []
    seen: set[int] = set()
    for rater in raters:
        person = rater.person
        if rater.group not in RaterGroup.values:
            problems.append(("raters", f"{person.name}: unknown rater group {rater.group!r}."))
        if person.pk == subject.pk:
            problems.append(("raters", "You rate yourself in your own assessment, not as a rater."))
        elif person.pk in seen:
            problems.append(("raters", f"{person.name} is named twice; choose one group."))
        elif person.organisation_id != subject.organisation_id or not person.is_active:
            problems.append(("raters", f"{person.name} is not in the organisation's org chart."))
        elif not person.email:
            problems.append(
                ("raters", f"{person.name} has no email address, so the rating form cannot "
                 "reach them; choose someone else or ask an admin to add their email.")
            )  # fmt: skip
        seen.add(person.pk)
    managers = sum(r.group == RaterGroup.MANAGER for r in raters)
    if managers > 1:
        problems.append(("raters", "Only one person rates you as your manager."))
    if len(raters) > MAX_RATERS:
        problems.append(("raters", f"Up to {MAX_RATERS} raters; this list has {len(raters)}."))
    return problems


def nomination_warnings(raters: Sequence[Rater], minimum: int) -> list[str]:
    """What the leader and the approver should know before approving: groups too small to
    be shown on their own (they will be pooled), and too few raters for an "all others"
    score. Counted on those asked; declines and people who do not answer make it fewer."""
    counts = Counter(r.group for r in raters)
    warnings = []
    for group in OWN_COLUMN_GROUPS:
        n = counts[group]
        if 0 < n < minimum:
            one = RATER_GROUP_SINGULAR[group]
            warnings.append(
                f"{n} {one}{'s' if n > 1 else ''} only: their ratings will be pooled with the "
                f"other raters, not shown as {RaterGroup(group).label.lower()}. Add "
                f"{minimum - n} more to show {RaterGroup(group).label.lower()} on their own "
                f"(at least {minimum} must answer)."
            )
    pooled = counts[RaterGroup.OTHER] + sum(
        counts[g] for g in OWN_COLUMN_GROUPS if 0 < counts[g] < minimum
    )
    if 0 < pooled < minimum:
        warnings.append(
            f"The pooled raters number {pooled}: fewer than {minimum}, so their ratings will "
            "be shown only within all others."
        )
    others = sum(n for group, n in counts.items() if group != RaterGroup.MANAGER)
    needed = max(ALL_OTHERS_MINIMUM, minimum)
    if others < needed:
        warnings.append(
            f'{others} rater{"s" if others != 1 else ""} besides the manager: "all others" '
            f"needs at least {needed} answers, so there will be no overall score from others."
        )
    if not counts[RaterGroup.MANAGER]:
        warnings.append("No manager is asked: the report will have no manager's view.")
    return warnings


# Development plans ----------------------------------------------------------------------


@dataclass(frozen=True)
class ActionDraft:
    kind: str
    what: str
    due_on: dt.date | None = None


@dataclass(frozen=True)
class FocusDraft:
    behaviour: str
    why: str
    actions: tuple[ActionDraft, ...]


def plan_problems(
    focus: Sequence[FocusDraft], behaviours: Sequence[str], starts_on: dt.date,
    review_on: dt.date, reassess_after_months: int | None,
) -> list[tuple[str, str]]:  # fmt: skip
    """Why a plan cannot be saved, as (field, message): empty when it can."""
    problems: list[tuple[str, str]] = []
    if not 1 <= len(focus) <= MAX_FOCUS:
        problems.append(("focus", f"Choose one to {MAX_FOCUS} behaviours to work on."))
    seen: set[str] = set()
    for n, item in enumerate(focus, start=1):
        if item.behaviour not in behaviours:
            problems.append((f"focus_{n}", "Choose a behaviour of the framework."))
        elif item.behaviour in seen:
            problems.append((f"focus_{n}", "This behaviour is chosen twice."))
        seen.add(item.behaviour)
        if len(item.why) > 2000:
            problems.append((f"why_{n}", "Keep this to 2,000 characters."))
        if not item.actions:
            problems.append((f"actions_{n}", "Add at least one action for this behaviour."))
        if len(item.actions) > MAX_ACTIONS:
            problems.append((f"actions_{n}", f"Up to {MAX_ACTIONS} actions per behaviour."))
        for action in item.actions:
            if action.kind not in ActionKind.values:
                problems.append((f"actions_{n}", f"Unknown kind of action {action.kind!r}."))
            if not action.what.strip() or len(action.what) > 300:
                problems.append((f"actions_{n}", "Say what you will do, in up to 300 characters."))
            if action.due_on is not None and not starts_on <= action.due_on <= review_on:
                problems.append((f"actions_{n}", f"“{action.what[:40]}” is due outside the "
                                 "plan's dates."))  # fmt: skip
    if review_on <= starts_on:
        problems.append(("review_on", "The review date comes after the start."))
    elif (review_on - starts_on).days > 550:
        problems.append(("review_on", "A plan runs at most eighteen months."))
    if reassess_after_months is not None and not 1 <= reassess_after_months <= 18:
        problems.append(("reassess_after_months", "Re-assess after 1 to 18 months."))
    return problems
