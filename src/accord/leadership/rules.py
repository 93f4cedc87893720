"""What a 360's nominations must hold, and what Accord warns about before they are approved.

Plain checks on plain values, shared by the pages, the API and the command line."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from accord.leadership.models import (
    ALL_OTHERS_MINIMUM,
    MAX_RATERS,
    RATER_GROUP_SINGULAR,
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
