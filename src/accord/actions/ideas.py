"""Accord's idea library: short, concrete starting points for a plan, per theme of the
survey (construct ids of Accord's core pulse) and per headline outcome. A leader picks one
as the plan's title and makes it their own; none is a prescription."""

from __future__ import annotations

IDEAS: dict[str, tuple[str, ...]] = {
    "communication": (
        "Hold a fifteen-minute huddle each week where a leader shares what is changing and why",
        "Tell the unit about every change that touches its work before it takes effect",
        "Answer the unit's three most asked questions in writing, and post the answers",
    ),
    "shared_priorities": (
        "Explain, in the unit, the reasons behind the decision people found hardest to accept",
        "Walk through next year's priorities with the unit and ask where they clash with care",
        "Name one goal the unit and its leaders share, and report on it monthly",
    ),
    "voice": (
        "Ask front-line staff before deciding the next change to rotas, rooms or workflow",
        "Put two front-line clinicians on the committee that plans the unit's changes",
        "Report back within a month on every idea staff raised: taken up, or why not",
    ),
    "trust_senior_leaders": (
        "Have a senior leader spend a shift on the unit, then say what they will change",
        "Publish the commitments senior leaders made to the unit, with dates, and keep to them",
        "Hold an open question session with senior leaders, with answers written up afterwards",
    ),
    "trust_direct_leader": (
        "Hold regular one-to-ones with everyone in the team, including night staff",
        "Share bad news early and in person, with what is known and what is not",
        "Ask the team what one thing their leader should start, stop and keep doing",
    ),
    "psychological_safety": (
        "Open each huddle by asking what nearly went wrong, and thank whoever speaks up",
        "Have the unit's leader talk about a mistake of their own and what they learned",
        "Review incidents for what the system can fix, never to find someone to blame",
    ),
    "practice_efficiency": (
        "Ask the team for the three tasks that waste most time, and remove one",
        "Cut one documentation step that nobody reads, with the records team's agreement",
        "Fix the most frequent equipment or supply delay, and tell the unit when it is fixed",
    ),
    "teamwork": (
        "Start a short daily huddle that brings every profession on the unit together",
        "Agree with the other professions how to ask for help, and when to expect an answer",
        "Run a joint case review each month with physicians, nurses and allied staff",
    ),
    "leader_managing_self": (
        "Agree with a coach one behaviour to keep steady on the busiest days",
        "Ask two trusted colleagues for feedback on how you come across under pressure",
    ),
    "leader_teamwork": (
        "Name the friction the team feels most and run a session to work it out together",
        "Agree with the team how it makes decisions, and write it down",
    ),
    "leader_coaching": (
        "Agree a development goal with each person in the team this quarter",
        "Set aside time each month for feedback that helps people grow",
    ),
    "leader_advocacy": (
        "Take the team's top concern to the next leadership meeting and report back",
        "Tell the team, after each decision made elsewhere, what you argued for",
    ),
    "burnout_rate": (
        "Protect breaks on every shift, with cover planned before the shift starts",
        "Remove one source of after-hours work, such as inbox messages or late notes",
        "Make rota requests easier to make and fairer to settle",
    ),
    "intent_to_leave_rate": (
        "Ask people who stay what keeps them, and people who leave why they go",
        "Give every newcomer a named colleague to turn to in their first three months",
        "Show each person a path to grow here, discussed in their next one-to-one",
    ),
    "feeling_valued_pct": (
        "Thank people by name for specific work, in front of the team",
        "Ask the team how it would like good work to be recognised",
    ),
    "satisfaction": (
        "Ask the team for the one change that would make work here better, and make it",
    ),
    "enps": (
        "Ask promoters what they value here and protect it; ask detractors what to fix first",
    ),
}


def ideas_for(key: str) -> tuple[str, ...]:
    """The ideas for a theme or an outcome (none for one the library does not cover)."""
    return IDEAS.get(key, ())
