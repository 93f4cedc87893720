"""The checks an agreement's fields must pass, shared by the pages, the API and the command
line, and Accord's reading of a preparation. Each check returns every problem it finds as
``(field, message)`` pairs, in plain words, rather than stopping at the first."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from dataclasses import dataclass

from accord.expectations.models import Agreement, AgreementStatus
from accord.text import text_problems

Problem = tuple[str, str]

MAX_ITEMS = 7
TOPIC_LIMIT = 120
LINE_LIMIT = 300
TEXT_LIMIT = 4000
LATEST_DUE = dt.timedelta(days=2 * 366)
# Verbs that name an intention rather than something one can see done. With one of these, the
# measure must carry a number or say when it is done.
VAGUE_VERBS = frozenset({
    "improve", "support", "help", "try", "enhance", "ensure", "work", "focus", "consider",
    "look", "be", "continue", "engage", "strive", "aim", "optimise", "optimize", "increase",
    "reduce", "develop", "grow", "manage", "handle", "address",
})  # fmt: skip
DONE_WHEN = re.compile(r"\bwhen\b|\d", re.IGNORECASE)  # "done when …", or a number


@dataclass(frozen=True)
class ItemDraft:
    what: str
    measure: str
    owner: str
    due_on: dt.date | None
    support: str = ""


@dataclass(frozen=True)
class FollowUpAnswerDraft:
    """One side's answer on one expectation at a follow-up."""

    item_id: int
    on_track: bool | None
    still_fair: bool | None
    note: str = ""


def item_problems(items: list[ItemDraft], *, today: dt.date) -> list[Problem]:
    """Every problem with a draft's expectations, each under ``items.N.field``."""
    problems: list[Problem] = []
    if len(items) > MAX_ITEMS:
        problems.append(
            ("items", f"Agree at most {MAX_ITEMS} expectations; {len(items)} are too many to "
                      "follow up on. Keep the ones that matter most.")
        )  # fmt: skip
    seen: dict[str, int] = {}
    for n, item in enumerate(items):
        field = f"items.{n}"
        problems += text_problems(f"{field}.what", item.what, limit=LINE_LIMIT,
                                  what="what is expected, starting with a verb")  # fmt: skip
        problems += text_problems(f"{field}.measure", item.measure, limit=LINE_LIMIT,
                                  what="how you will both know it is done: a number with a "
                                       "target, or “done when …”")  # fmt: skip
        problems += text_problems(f"{field}.support", item.support, limit=LINE_LIMIT,
                                  what="the support you commit to", required=False)  # fmt: skip
        if item.owner not in ("colleague", "leader", "both"):
            problems.append(
                (f"{field}.owner", "Say who owns it: the colleague, the leader or both.")
            )
        if item.due_on is None:
            problems.append((f"{field}.due_on", "Give the date it is due."))
        elif item.due_on < today:
            problems.append(
                (
                    f"{field}.due_on",
                    f"{item.due_on:%-d %B %Y} has passed; give a date from today on.",
                )
            )
        elif item.due_on > today + LATEST_DUE:
            problems.append(
                (f"{field}.due_on", "Give a date within two years; agree again for longer.")
            )
        words = re.findall(r"[a-zA-Z']+", item.what.lower())
        if words and words[0] in VAGUE_VERBS and not DONE_WHEN.search(item.measure):
            problems.append(
                (f"{field}.measure",
                 f"“{words[0].capitalize()}” says what you hope for, not what will be seen: give "
                 "a measure with a number and a target, or say when it is done.")
            )  # fmt: skip
        key = " ".join(words)
        if key and key in seen:
            problems.append((f"{field}.what", f"The same as expectation {seen[key] + 1}."))
        seen.setdefault(key, n)
    return problems


# The follow-up cadence, written as people say it: "4h, 2d, 1w, 2w, 4w" -----------------

CADENCE_UNITS = {"h": 1, "d": 24, "w": 168}
CADENCE_STEP = re.compile(r"^(\d{1,3})\s*([hdw])$")
MAX_FOLLOW_UPS = 10
LONGEST_CADENCE_HOURS = 52 * 168


def describe_cadence(hours: list[int] | tuple[int, ...]) -> str:
    """Hours after the acceptance as the shortest whole unit: [4, 48, 168] -> "4h, 2d, 1w"."""
    parts = []
    for value in hours:
        unit = next(u for u in ("w", "d", "h") if value % CADENCE_UNITS[u] == 0)
        parts.append(f"{value // CADENCE_UNITS[unit]}{unit}")
    return ", ".join(parts)


def parse_cadence(text: str) -> tuple[list[int], list[Problem]]:
    """The follow-up times in hours after the acceptance, or what is wrong with them."""
    steps = [step.strip().lower() for step in text.replace(";", ",").split(",") if step.strip()]
    if not steps:
        return [], [("cadence", "Give when to follow up, such as “4h, 2d, 1w, 2w, 4w”.")]
    hours: list[int] = []
    for step in steps:
        match = CADENCE_STEP.match(step)
        if match is None:
            return [], [("cadence", f"“{step[:20]}” is not a time after the acceptance: write a "
                                    "number and h, d or w (hours, days, weeks), such as 2d.")]  # fmt: skip
        hours.append(int(match[1]) * CADENCE_UNITS[match[2]])
    if len(hours) > MAX_FOLLOW_UPS:
        return [], [("cadence", f"At most {MAX_FOLLOW_UPS} follow-ups.")]
    if min(hours) < 1 or max(hours) > LONGEST_CADENCE_HOURS:
        return [], [("cadence", "Each follow-up falls 1 hour to 52 weeks after the acceptance.")]
    if any(later <= earlier for earlier, later in itertools.pairwise(hours)):
        return [], [("cadence", "List the follow-ups from the soonest to the latest, each later "
                                "than the one before.")]  # fmt: skip
    return hours, []


def why_not_drafted(agreement: Agreement) -> str | None:
    """Why its leader cannot draft the agreement now; None while it is being prepared or the
    colleague's changes wait for an answer."""
    if agreement.status == AgreementStatus.PROPOSED:
        return "The proposed version waits for your colleague's answer."
    if agreement.status in (AgreementStatus.ACCEPTED, AgreementStatus.CLOSED):
        return f"An {agreement.get_status_display().lower()} agreement is not drafted again."
    return None


# Reading a preparation ------------------------------------------------------------------

PARTS = (
    ("state_of_mind", "My state of mind",
     "How calm and open am I about this conversation? (1: upset or defensive, 5: calm and open)"),
    ("belief", "Do I believe this person can succeed?",
     "Here, or in another role. (1: I do not, 5: fully)"),
    ("own_part", "My own part",
     "How much of where things stand is down to me: what I asked, said or left unsaid? "
     "(1: I cannot see my part yet, 5: I can name it clearly)"),
    ("clarity", "Can I state the roles, goals and measures?",
     "(1: not yet, 5: clearly, with numbers)"),
    ("value_today", "Where does this person add value today?",
     "Worth writing down especially if confidence has been lost. (1: I cannot say, 5: clearly)"),
)  # fmt: skip


PART_NAMES = tuple(name for name, _, _ in PARTS)


@dataclass(frozen=True)
class Readiness:
    ready: bool
    advice: list[str]


def readiness(ratings: dict[str, int | None], notes: dict[str, str]) -> Readiness:
    """Accord's plain reading of a preparation: whether to meet now, and what to do first."""
    advice: list[str] = []
    missing = [label for name, label, _ in PARTS if ratings.get(name) is None]
    if missing:
        advice.append("Answer every part first: " + "; ".join(missing) + ".")
    if (ratings.get("belief") or 5) <= 2:
        advice.append(
            "You doubt that this person can succeed. Talk it through with a coach or mentor "
            "before the meeting: expectations set by someone who expects failure rarely help."
        )
    if (ratings.get("state_of_mind") or 5) <= 2:
        advice.append("Wait until you can come to the meeting calm; book it for another day.")
    if (ratings.get("clarity") or 5) <= 2:
        advice.append(
            "Draft the expectations, with measures and dates, before booking the meeting."
        )
    if (ratings.get("own_part") or 5) <= 2 or not notes.get("own_part", "").strip():
        advice.append(
            "Write down your own part in how things stand: you will open the meeting with it."
        )
    if (ratings.get("belief") or 5) <= 3 and not notes.get("value_today", "").strip():
        advice.append("Note where this person adds value today, so the meeting starts from it.")
    ready = not missing and not any(
        (ratings.get(name) or 0) <= 2 for name in ("belief", "state_of_mind", "clarity")
    )
    return Readiness(ready, advice)
