"""What a charter's fields must hold, and Accord's reading of a draft: what is missing before
the team is asked to endorse it. Shared by the pages, the API and the command line."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from accord.charters.models import LONGEST_CADENCE_MONTHS
from accord.text import text_problems

MAX_NORMS = 12
MAX_ROLES = 80  # every member of the largest team has a part, with room for shared ones
MAX_GOALS = 10
VISION_LONGEST = 2000
ANSWER_LONGEST = 1000
COMMENT_LONGEST = 2000
# "How we notice" needs a few words to describe something a person could see or hear.
FEWEST_WORDS_TO_OBSERVE = 3


@dataclass(frozen=True)
class NormDraft:
    text: str
    signs: str = ""


@dataclass(frozen=True)
class RoleDraft:
    what: str
    owner_id: int | None


@dataclass(frozen=True)
class GoalDraft:
    """A goal of the charter: a goal of the goals app by id, or words only."""

    goal_id: int | None = None
    text: str = ""


@dataclass(frozen=True)
class Draft:
    vision: str
    norms: Sequence[NormDraft] = ()
    roles: Sequence[RoleDraft] = ()
    goals: Sequence[GoalDraft] = ()


@dataclass(frozen=True)
class Gap:
    """Something the draft is missing; ``blocks`` when it cannot be proposed without it."""

    message: str
    blocks: bool = False


def _words(text: str) -> int:
    return len(re.findall(r"\w+", text))


def _fold(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))


def draft_problems(draft: Draft, member_ids: frozenset[int]) -> list[tuple[str, str]]:
    """The draft's fields that cannot be saved, each with its field's name."""
    problems = text_problems(
        "vision", draft.vision, limit=VISION_LONGEST, what="the vision", required=False,
        multiline=True,
    )  # fmt: skip
    if len(draft.norms) > MAX_NORMS:
        problems.append(("norms", f"Agree at most {MAX_NORMS} norms: a team keeps a few."))
    if len(draft.roles) > MAX_ROLES:
        problems.append(("roles", f"List at most {MAX_ROLES} responsibilities."))
    if len(draft.goals) > MAX_GOALS:
        problems.append(("goals", f"Name at most {MAX_GOALS} goals."))
    seen: set[str] = set()
    for n, norm in enumerate(draft.norms, start=1):
        field = f"norms.{n}"
        found = text_problems(field, norm.text, limit=300, what=f"norm {n} its words")
        found += text_problems(
            field, norm.signs, limit=300, what=f"norm {n}'s signs", required=False
        )
        if not found and _fold(norm.text) in seen:
            found.append((field, f"Norm {n} repeats an earlier norm."))
        seen.add(_fold(norm.text))
        problems += found
    for n, role in enumerate(draft.roles, start=1):
        field = f"roles.{n}"
        found = text_problems(field, role.what, limit=200, what=f"responsibility {n} its words")
        if not found and role.owner_id is None:
            found.append((field, f"Responsibility {n}: choose the member who owns it."))
        elif not found and role.owner_id not in member_ids:
            found.append((field, f"Responsibility {n}: its owner must be on the team."))
        problems += found
    for n, goal in enumerate(draft.goals, start=1):
        field = f"goals.{n}"
        if goal.goal_id is None:
            problems += text_problems(field, goal.text, limit=200, what=f"goal {n} its words")
    return problems


def gaps(draft: Draft, members: dict[int, str], goals_without_measure: Sequence[str]) -> list[Gap]:
    """Accord's reading of a draft: what is missing, in the order a facilitator would fix it.

    ``members`` maps each member's person id to their name; ``goals_without_measure`` are
    the goals named in words only (a goal of the goals app always has its measure)."""
    found: list[Gap] = []
    if not draft.vision.strip():
        found.append(Gap("Write the vision: why the team exists, in a sentence or two.", True))
    if not draft.norms:
        found.append(Gap("Agree at least one norm: how you behave with each other.", True))
    if not draft.roles:
        found.append(Gap("Say who is responsible for what.", True))
    for norm in draft.norms:
        if not _fold(norm.text).startswith("we "):
            found.append(Gap(f"“{norm.text}” — write it as something you all do: “We …”."))
        if _words(norm.signs) < FEWEST_WORDS_TO_OBSERVE:
            found.append(
                Gap(f"“{norm.text}” — nobody could observe it yet: say what someone would see "
                    "or hear when it is kept, or broken.")
            )  # fmt: skip
    owners = {role.owner_id for role in draft.roles}
    for person_id, name in sorted(members.items(), key=lambda item: item[1]):
        if person_id not in owners:
            found.append(Gap(f"{name} has no responsibility yet: every member has a part."))
    for text in goals_without_measure:
        found.append(
            Gap(f"“{text}” has no measure: link it to a goal with a target, or create one.")
        )
    if not draft.goals:
        found.append(Gap("Name at least one goal the team is working towards."))
    return found


def cadence_problem(months: int) -> str | None:
    if not 1 <= months <= LONGEST_CADENCE_MONTHS:
        return f"Revisit every 1 to {LONGEST_CADENCE_MONTHS} months."
    return None
