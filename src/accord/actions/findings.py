"""Findings a plan can answer: one released figure of one group in one release.

A finding is named by a short spec — ``outcome:burnout_rate``, ``construct:voice``,
``item:say_in_operational_decisions`` or ``driver:voice:burnout_rate`` (a theme that drives an
outcome) — and a group: a unit the viewer sees in the release, alone or with one filter value
(``profession:Nurse``). Only a figure the release shows can be chosen: a hidden group, or a
figure nobody answered, is refused with the reason, however the spec or the filter was typed.

Focus areas are what Accord proposes for a unit: the drivers marked "act here first" and the
themes and outcomes clearly worse than the organisation's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from accord.actions.errors import ActionsError
from accord.insights.drivers import ACT_FIRST
from accord.insights.engine import GroupResult
from accord.insights.presenting import NOT_A_THEME, NOTABLE_DIFFERENCE, OUTCOME_LABELS
from accord.insights.presenting import parse_filter as parse_release_filter
from accord.insights.selectors import ReleaseView

KINDS = ("outcome", "construct", "item", "driver")


@dataclass(frozen=True)
class Finding:
    kind: str
    key: str
    label: str
    outcome: str  # the outcome a driver drives; "" for the other kinds
    dimension: str | None
    value: str | None
    figure: float
    organisation_figure: float | None
    respondents: int
    lower_is_better: bool
    why: str = ""  # for a focus area: why Accord proposes it

    @property
    def spec(self) -> str:
        return f"{self.kind}:{self.key}" + (f":{self.outcome}" if self.outcome else "")

    @property
    def filter(self) -> str:
        return f"{self.dimension}:{self.value}" if self.dimension else ""

    @property
    def shown(self) -> str:
        return shown_figure(self.key, self.figure)


def shown_figure(key: str, figure: float | None) -> str:
    """A figure as the results pages show it: eNPS as a signed score, the rest as a share."""
    if figure is None:
        return "—"
    return f"{figure:+.0f}" if key == "enps" else f"{figure:.0f}%"


def what_it_counts(kind: str, key: str) -> str:
    """What a finding's figure counts, in words after the figure: "reporting burnout"."""
    if kind == "outcome" and key == "enps":
        return "(promoters minus detractors)"
    if kind == "outcome" and key in OUTCOME_LABELS:
        return OUTCOME_LABELS[key][1].removeprefix("% ")
    return "favourable"


def group_for(view: ReleaseView, unit: int, filter_text: str | None) -> GroupResult:
    """The group of ``unit`` (a visible engine index) and the filter; refused when hidden."""
    try:
        dimension, value = parse_release_filter(view, filter_text)
    except ValueError as error:
        raise ActionsError(str(error), field="filter") from None
    group = view.report.group(unit, dimension, value)
    if not group.released or group.row is None:
        raise ActionsError(
            "This group's results are not shown, so a plan cannot start from them"
            + (f": {group.reason}" if group.reason else "."),
            field="filter",
        )
    return group


def find(view: ReleaseView, unit: int, spec: str, filter_text: str | None = None) -> Finding:
    """The finding ``spec`` names for ``unit`` and the filter, or a refusal saying why not."""
    group = group_for(view, unit, filter_text)
    kind, _, rest = spec.partition(":")
    key, _, outcome = rest.partition(":")
    if kind not in KINDS or not key or (outcome and kind != "driver"):
        raise ActionsError(
            f"{spec!r} is not a finding: name an outcome, a theme, a question or a driver, "
            "such as construct:voice.",
            field="finding",
        )
    if kind == "driver":
        return _driver(view, unit, group, key, outcome)
    figure, reference, label, lower = _figure(view, group, kind, key)
    return Finding(
        kind, key, label, "", group.dimension, group.value, figure, reference,
        group.respondents or 0, lower,
    )  # fmt: skip


def _names(view: ReleaseView) -> tuple[dict[str, str], dict[str, str]]:
    constructs = {c.id: c.name.en for c in view.instrument.constructs}
    items = {i.id: i.text.en for i in view.instrument.items}
    return constructs, items


def _figure(
    view: ReleaseView, group: GroupResult, kind: str, key: str
) -> tuple[float, float | None, str, bool]:
    """(figure, the organisation's, label, lower is better) of one released group."""
    report = view.report
    constructs, items = _names(view)
    if kind == "outcome" and key in report.outcomes:
        column, values = report.outcomes.index(key), report.outcome_values
        label, _, lower = OUTCOME_LABELS.get(key, (key, "", False))
    elif kind == "construct" and key in report.constructs and key not in NOT_A_THEME:
        column, values = report.constructs.index(key), report.construct_index
        label, lower = constructs.get(key, key), False
    elif kind == "item" and key in report.items and key in items:
        column, values = report.items.index(key), report.favourable_pct
        label, lower = items[key], False
    else:
        raise ActionsError(f"These results have no {kind} {key!r}.", field="finding")
    assert group.row is not None  # group_for refuses hidden groups
    figure = float(values[group.row, column])
    if math.isnan(figure):
        raise ActionsError(
            f"Nobody in this group answered for “{label}”, so there is no figure to start from.",
            field="finding",
        )
    root = report.group(_root(view))
    reference = float(values[root.row, column]) if root.row is not None else math.nan
    return figure, None if math.isnan(reference) else reference, label, lower


def _root(view: ReleaseView) -> int:
    parent = view.report.tree.parent
    return next(u for u in range(len(parent)) if parent[u] < 0)


def _driver(
    view: ReleaseView, unit: int, group: GroupResult, construct: str, outcome: str
) -> Finding:
    """A theme that drives an outcome in the unit: the driver analysis covers whole units."""
    if group.dimension is not None:
        raise ActionsError(
            "Drivers are worked out for a whole unit: choose the driver without a filter.",
            field="filter",
        )
    analysis = view.drivers.for_unit(unit)
    drivers = analysis.outcome(outcome) if analysis is not None else None
    weight = (
        next((d for d in drivers.drivers if d.construct == construct), None) if drivers else None
    )
    if weight is None:
        raise ActionsError(
            f"The driver analysis for this unit has no driver {construct!r} of {outcome!r}.",
            field="finding",
        )
    figure, reference, label, _ = _figure(view, group, "construct", construct)
    outcome_label = OUTCOME_LABELS.get(outcome, (outcome,))[0].lower()
    return Finding(
        "driver", construct, f"{label} (a driver of {outcome_label})", outcome, None, None,
        figure, reference, group.respondents or 0, False,
    )  # fmt: skip


def focus_areas(view: ReleaseView, unit: int) -> list[Finding]:
    """What Accord proposes to act on in the unit's whole-unit results: drivers to act on
    first, then the outcomes and themes at least a notable difference worse than the
    organisation's, worst first. Empty when the unit's own results are hidden."""
    group = view.report.group(unit)
    if not group.released:
        return []
    proposals: list[Finding] = []
    analysis = view.drivers.for_unit(unit)
    for outcome in analysis.outcomes if analysis is not None else ():
        for weight in outcome.priority(ACT_FIRST):
            try:
                finding = _driver(view, unit, group, weight.construct, outcome.outcome)
            except ActionsError:
                continue
            proposals.append(_because(finding, f"acts on {weight.share_pct:.0f}% of what "
                                                "explains it here, and scores low"))  # fmt: skip
    worse: list[tuple[float, Finding]] = []
    report = view.report
    candidates = [("outcome", key) for key in report.outcomes] + [
        ("construct", key) for key in report.constructs if key not in NOT_A_THEME
    ]
    for kind, key in candidates:
        try:
            figure, reference, label, lower = _figure(view, group, kind, key)
        except ActionsError:
            continue
        if reference is None:
            continue
        gap = (figure - reference) if lower else (reference - figure)
        if gap >= NOTABLE_DIFFERENCE:
            finding = Finding(
                kind, key, label, "", None, None, figure, reference, group.respondents or 0, lower
            )
            worse.append((gap, _because(finding, f"{gap:.0f} points worse than the organisation")))
    proposals += [finding for _, finding in sorted(worse, key=lambda pair: -pair[0])]
    return proposals


def _because(finding: Finding, why: str) -> Finding:
    return replace(finding, why=why)
