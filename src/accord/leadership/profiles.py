"""A cohort's competency profile from its leaders' reports: for executives and admins, who
never read one leader's report, only averages over at least ``PROFILE_MINIMUM`` leaders.

Each leader contributes a competency (or behaviour) when their report shows "all others" for
it; the profile gives the mean of those leaders' all-others means, the mean of their own
ratings, and how many leaders it is over — nothing per leader, no spread that would name one.
It is computed once, when the cohort is finished (services.cohort_profile), so two profiles
never differ by one leader."""

from __future__ import annotations

from collections.abc import Sequence
from statistics import fmean
from typing import Any

from accord.leadership.models import PROFILE_MINIMUM


def _figures(cells_list: Sequence[dict[str, Any]]) -> dict[str, Any]:
    others = [
        c["all_others"]["mean"]
        for c in cells_list
        if c.get("all_others", {}).get("mean") is not None
    ]
    if len(others) < PROFILE_MINIMUM:
        return {"leaders": len(others), "hidden": True}
    own = [c["self"]["mean"] for c in cells_list if c.get("self", {}).get("mean") is not None
           and c.get("all_others", {}).get("mean") is not None]  # fmt: skip
    figures: dict[str, Any] = {"leaders": len(others), "others": round(fmean(others), 2)}
    if len(own) >= PROFILE_MINIMUM:
        figures["self"] = round(fmean(own), 2)
    return figures


def cohort_profile(reports: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The profile of these reports: per competency and behaviour, in the framework's order."""
    competencies: dict[str, list[dict[str, Any]]] = {}
    behaviours: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for report in reports:
        for competency in report.get("competencies", []):
            competencies.setdefault(competency["id"], []).append(competency["cells"])
            mine = behaviours.setdefault(competency["id"], {})
            for behaviour in competency["behaviours"]:
                mine.setdefault(behaviour["id"], []).append(behaviour["cells"])
    return {
        "reports": len(reports),
        "minimum": PROFILE_MINIMUM,
        "competencies": [
            {"id": cid, **_figures(cells),
             "behaviours": [{"id": bid, **_figures(b)} for bid, b in behaviours[cid].items()]}
            for cid, cells in competencies.items()
        ],
    }  # fmt: skip
