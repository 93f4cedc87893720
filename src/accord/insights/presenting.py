"""Turn a released report into rows and cells a template can show.

Nothing here decides what is released: a hidden group arrives without numbers and leaves
as "hidden" with its reason.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from accord.insights.drivers import (
    ACT_FIRST,
    KEEP,
    LOWER_PRIORITY,
    MONITOR,
    OutcomeDrivers,
    UnitDrivers,
)
from accord.insights.engine import GroupResult, Report
from accord.insights.gaps import GapLine, perception_gap
from accord.insights.selectors import ReleaseView
from accord.insights.text import THEME_LABELS, themes
from accord.insights.trends import Change, Trends
from accord.org.models import RoleGroup
from accord.surveys.answers import comment_items

# Differences from the organisation smaller than this are shown as "about the same".
NOTABLE_DIFFERENCE = 5.0

OUTCOME_LABELS = {
    "burnout_rate": ("Burnout", "% reporting burnout", True),
    "intent_to_leave_rate": ("Intent to leave", "% who intend to leave", True),
    "feeling_valued_pct": ("Feeling valued", "% who feel valued", False),
    "enps": ("Would recommend (eNPS)", "promoters minus detractors, from -100 to 100", False),
}
# Constructs shown as headline outcomes instead (burnout rate, not "% favourable on burnout"),
# and the open questions, which have no score.
NOT_A_THEME = frozenset({"burnout", "intent_to_leave", "feeling_valued", "recommend", "comments"})
DIMENSION_LABELS = {
    "role_group": "Role group",
    "profession": "Profession",
    "tenure_band": "Time in the organisation",
}
ROLE_GROUP_PLURALS = {
    RoleGroup.CLINICIAN.value: "Clinicians",
    RoleGroup.ADMINISTRATOR.value: "Administrators",
    RoleGroup.OTHER.value: "Other staff",
}


def value_label(dimension: str, value: str) -> str:
    if dimension == "role_group":
        return ROLE_GROUP_PLURALS.get(value, value)
    return value


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: Literal["outcome", "construct"]
    index: int
    lower_is_better: bool
    description: str


def columns(view: ReleaseView) -> list[Column]:
    """Headline outcomes first, then each scored construct's favourable index."""
    report = view.report
    result = []
    for o, name in enumerate(report.outcomes):
        label, description, lower = OUTCOME_LABELS.get(name, (name, name, False))
        result.append(Column(name, label, "outcome", o, lower, description))
    names = {c.id: c.name.en for c in view.instrument.constructs}
    for c, construct in enumerate(report.constructs):
        if construct in NOT_A_THEME:
            continue
        result.append(
            Column(
                construct, names.get(construct, construct), "construct", c, False,
                "% favourable across the construct's questions",
            )
        )  # fmt: skip
    return [c for c in result if _has_any_value(report, c)]


def _has_any_value(report: Report, column: Column) -> bool:
    values = report.outcome_values if column.kind == "outcome" else report.construct_index
    return bool(len(values)) and not all(math.isnan(v) for v in values[:, column.index])


@dataclass(frozen=True)
class Cell:
    column: Column
    value: float | None
    difference: float | None  # from the organisation, in points
    tone: str  # "better", "worse", "same" or "none" — never colour alone: text says it too

    @property
    def display(self) -> str:
        if self.value is None:
            return "—"
        return f"{self.value:+.0f}" if self.column.key == "enps" else f"{self.value:.0f}%"

    @property
    def comparison(self) -> str:
        if self.difference is None:
            return ""
        points = abs(round(self.difference))
        if self.tone == "same":
            return "about the same as the organisation"
        return f"{points} points {self.tone} than the organisation"


@dataclass(frozen=True)
class Row:
    unit: int
    unit_pk: int
    name: str
    level: int  # 0 for the focus unit, 1 for its children
    group: GroupResult
    cells: tuple[Cell, ...]
    has_children: bool


def cell_value(report: Report, group: GroupResult, column: Column) -> float | None:
    if group.row is None:
        return None
    values = report.outcome_values if column.kind == "outcome" else report.construct_index
    value = float(values[group.row, column.index])
    return None if math.isnan(value) else value


def heatmap_rows(
    view: ReleaseView,
    focus: int,
    cols: list[Column],
    dimension: str | None = None,
    value: str | None = None,
) -> tuple[Row, list[Row]]:
    """The focus unit and its children (the rows), plus the organisation's row to compare."""
    report = view.report
    root = next(u for u in range(len(report.tree)) if report.tree.parent[u] < 0)
    org_group = report.group(root)
    organisation = [cell_value(report, org_group, c) for c in cols]

    def row(unit: int, level: int) -> Row:
        group = report.group(unit, dimension, value)
        cells = []
        for c, reference in zip(cols, organisation, strict=True):
            own = cell_value(report, group, c)
            cells.append(_cell(c, own, reference))
        return Row(
            unit, view.pk(unit), report.tree.names[unit], level, group, tuple(cells),
            bool(view.children(unit)),
        )  # fmt: skip

    org_row = Row(
        root, view.pk(root), report.tree.names[root], 0, org_group,
        tuple(_cell(c, v, None) for c, v in zip(cols, organisation, strict=True)),
        True,
    )  # fmt: skip
    rows = [row(focus, 0)] + [row(child, 1) for child in _by_name(view, view.children(focus))]
    return org_row, rows


def _by_name(view: ReleaseView, units: list[int]) -> list[int]:
    return sorted(units, key=lambda u: view.report.tree.names[u].casefold())


def _cell(column: Column, own: float | None, reference: float | None) -> Cell:
    if own is None or reference is None:
        return Cell(column, own, None, "none")
    difference = own - reference
    better = -difference if column.lower_is_better else difference
    tone = "same" if abs(difference) < NOTABLE_DIFFERENCE else "better" if better > 0 else "worse"
    return Cell(column, own, difference, tone)


@dataclass(frozen=True)
class FilterChoice:
    dimension: str
    value: str
    label: str
    released_here: bool  # released for the focus unit


def filter_choices(view: ReleaseView, focus: int) -> list[FilterChoice]:
    """Every filter value, and whether the focus unit's breakdown by it survived."""
    report = view.report
    return [
        FilterChoice(
            d.name,
            v,
            f"{DIMENSION_LABELS.get(d.name, d.name)}: {value_label(d.name, v)}",
            report.group(focus, d.name, v).released,
        )
        for d in report.dimensions
        for v in d.values
    ]


def parse_filter(view: ReleaseView, raw: str | None) -> tuple[str | None, str | None]:
    """``"role_group:clinician"`` → (dimension, value); raises ValueError for anything else."""
    if not raw:
        return None, None
    dimension, _, value = raw.partition(":")
    for d in view.report.dimensions:
        if d.name == dimension and value in d.values:
            return dimension, value
    raise ValueError(f"There is no filter {raw!r} in these results.")


@dataclass(frozen=True)
class ShownComment:
    text: str
    themes: tuple[tuple[str, str], ...]  # (theme id, label)


@dataclass(frozen=True)
class CommentListing:
    questions: list[tuple[str, str]]  # open questions: (item id, wording)
    question: str | None
    shown: bool
    reason: str | None
    comments: list[ShownComment]
    themes: list[tuple[str, str, int]]  # (theme id, label, comments with it) among those shown
    theme: str | None


def comment_listing(
    view: ReleaseView,
    focus: int,
    dimension: str | None,
    value: str | None,
    question: str | None,
    theme: str | None,
) -> CommentListing:
    """The released comments of one group and question, optionally narrowed to a theme.

    Texts stay in the release's own shuffled order; a theme narrows what is shown but never
    reveals anything about a hidden list.
    """
    report = view.report
    open_items = comment_items(view.instrument)
    questions = [(i.id, i.text.en) for i in open_items]
    index = report._group_index[(focus, dimension, value)]
    if question not in {q for q, _ in questions}:
        # By default the first question this group has comments shown for.
        shown_for = {c.item for c in report.comments if c.group == index and c.released}
        question = next((q for q, _ in questions if q in shown_for), None) or (
            questions[0][0] if questions else None
        )
    group = report.group(focus, dimension, value)
    empty = CommentListing(questions, question, False, group.reason, [], [], None)
    if not group.released or question is None:
        return empty
    found = next((c for c in report.comments if c.group == index and c.item == question), None)
    if found is None:
        return CommentListing(
            questions, question, False,
            f"Fewer than {report.comment_minimum} comments were written in this group.",
            [], [], None,
        )  # fmt: skip
    if not found.released or found.texts is None:
        return CommentListing(questions, question, False, found.reason, [], [], None)
    labels = THEME_LABELS
    stored = view.comment_themes.get(f"{index}:{question}")
    if stored is None or len(stored) != len(found.texts):  # a release made before themes
        stored = [list(themes(text)) for text in found.texts]
    shown = [
        ShownComment(text, tuple((t, labels.get(t, t)) for t in text_themes))
        for text, text_themes in zip(found.texts, stored, strict=True)
    ]
    counts: dict[str, int] = {}
    for comment in shown:
        for t, _ in comment.themes:
            counts[t] = counts.get(t, 0) + 1
    theme_list = sorted(
        ((t, labels.get(t, t), n) for t, n in counts.items()), key=lambda x: (-x[2], x[1])
    )
    if theme and theme in counts:
        shown = [c for c in shown if any(t == theme for t, _ in c.themes)]
    else:
        theme = None
    return CommentListing(questions, question, True, None, shown, theme_list, theme)


@dataclass(frozen=True)
class DriverRow:
    construct: str
    label: str
    share_pct: float
    direction: str  # in words: what a higher score goes with
    clear: bool
    score: float | None
    quadrant: str | None


@dataclass(frozen=True)
class DriverSection:
    outcome: str
    label: str
    drivers: OutcomeDrivers
    rows: list[DriverRow]
    quadrants: list[tuple[str, str, list[DriverRow]]]  # (name, explanation, rows)


QUADRANT_WORDS = (
    (ACT_FIRST, "Low score, high impact: where improvement should move the outcome most."),
    (KEEP, "High score, high impact: strengths worth protecting."),
    (MONITOR, "Low score, low impact: worth watching, less urgent."),
    (LOWER_PRIORITY, "High score, low impact."),
)


def driver_sections(view: ReleaseView, unit: UnitDrivers | None) -> list[DriverSection]:
    if unit is None:
        return []
    names = {c.id: c.name.en for c in view.instrument.constructs}
    sections = []
    for outcome in unit.outcomes:
        label = OUTCOME_LABELS.get(outcome.outcome, (outcome.outcome,))[0]
        rows = [
            DriverRow(
                d.construct,
                names.get(d.construct, d.construct),
                d.share_pct,
                _direction(d.sign, label),
                d.clear,
                d.score,
                d.quadrant,
            )
            for d in outcome.drivers
        ]
        quadrants = [
            (name, words, [r for r in rows if r.quadrant == name]) for name, words in QUADRANT_WORDS
        ]
        sections.append(DriverSection(outcome.outcome, label, outcome, rows, quadrants))
    return sections


def _direction(sign: int, outcome_label: str) -> str:
    if sign < 0:
        return f"higher scores go with less {outcome_label.lower()}"
    if sign > 0:
        return f"higher scores go with more {outcome_label.lower()}"
    return "no clear direction"


@dataclass(frozen=True)
class GapRow:
    label: str
    clinicians: float | None
    administrators: float | None
    gap: float | None
    kind: str  # "construct", "item" or "outcome"
    is_score: bool = False  # eNPS: a score from -100 to 100, not a percentage

    def shown(self, value: float | None) -> str:
        if value is None:
            return "—"
        return f"{value:+.0f}" if self.is_score else f"{value:.0f}%"

    @property
    def clinicians_shown(self) -> str:
        return self.shown(self.clinicians)

    @property
    def administrators_shown(self) -> str:
        return self.shown(self.administrators)


@dataclass(frozen=True)
class GapView:
    clinicians: int
    administrators: int
    constructs: list[GapRow]
    items: list[GapRow]
    outcomes: list[GapRow]


@dataclass(frozen=True)
class ChildGap:
    unit_pk: int
    name: str
    largest: GapRow | None  # the construct with the largest gap, when both sides are shown


def gap_for(view: ReleaseView, unit: int) -> tuple[GapView | None, str]:
    """Clinicians against administrators in one unit, or why there is no comparison."""
    report = view.report
    roles = next((d.values for d in report.dimensions if d.name == "role_group"), ())
    for value in ("clinician", "administrator"):
        if value not in roles:
            return None, (
                f"This cycle reports no {ROLE_GROUP_PLURALS[value].lower()} as a group: none "
                "were invited, or so few that telling them apart would point at someone."
            )
    found = perception_gap(report, unit)
    if found is None:
        hidden = [
            ROLE_GROUP_PLURALS[v].lower()
            for v in ("clinician", "administrator")
            if not report.group(unit, "role_group", v).released
        ]
        return None, (
            f"The results of {' and '.join(hidden)} in this unit are hidden to protect small "
            "groups, so there is nothing to compare here. The unit above may show the gap."
        )
    names = {c.id: c.name.en for c in view.instrument.constructs}
    wording = {i.id: i.text.en for i in view.instrument.items}
    outcome_names = {k: v[0] for k, v in OUTCOME_LABELS.items()}
    return (
        GapView(
            found.a_respondents,
            found.b_respondents,
            [
                _gap_row(line, names, "construct")
                for line in found.constructs
                if line.key not in NOT_A_THEME
            ],
            [_gap_row(line, wording, "item") for line in found.items],
            [_gap_row(line, outcome_names, "outcome") for line in found.outcomes],
        ),
        "",
    )


def _gap_row(line: GapLine, labels: dict[str, str], kind: str) -> GapRow:
    return GapRow(
        labels.get(line.key, line.key), line.a, line.b, line.gap, kind, line.key == "enps"
    )


def child_gaps(view: ReleaseView, unit: int) -> list[ChildGap]:
    result = []
    for child in _by_name(view, view.children(unit)):
        gap, _ = gap_for(view, child)
        largest = (
            next((row for row in gap.constructs if row.gap is not None), None) if gap else None
        )
        result.append(ChildGap(view.pk(child), view.report.tree.names[child], largest))
    return result


@dataclass(frozen=True)
class TrendLine:
    label: str
    current: str
    previous: str
    change: float | None
    real: bool
    better: bool | None  # for a real change: is it an improvement?


@dataclass(frozen=True)
class TrendRows:
    respondents: int | None
    previous_respondents: int | None
    lines: list[TrendLine]  # empty when the group is not released in both cycles
    children: list[tuple[int, str, int | None]]  # (unit pk, name, real changes or None)


def trend_rows(
    view: ReleaseView,
    trends: Trends,
    unit: int,
    dimension: str | None,
    value: str | None,
) -> TrendRows:
    found = trends.for_group(unit, dimension, value)
    children = []
    for child in _by_name(view, view.children(unit)):
        other = trends.for_group(child, dimension, value)
        children.append(
            (view.pk(child), view.report.tree.names[child],
             len(other.real_changes()) if other else None)
        )  # fmt: skip
    if found is None:
        return TrendRows(None, None, [], children)
    names = {c.id: c.name.en for c in view.instrument.constructs}
    lines = []
    for change in found.outcomes:
        label, _, lower = OUTCOME_LABELS.get(change.key, (change.key, "", False))
        lines.append(_trend_line(change, label, lower, change.key == "enps"))
    for change in found.constructs:
        if change.key in names and change.current is not None and change.key not in NOT_A_THEME:
            lines.append(_trend_line(change, names[change.key], False, False))
    return TrendRows(found.respondents, found.previous_respondents, lines, children)


def _trend_line(change: Change, label: str, lower_is_better: bool, score: bool) -> TrendLine:
    def shown(value: float | None) -> str:
        if value is None:
            return "—"
        return f"{value:+.0f}" if score else f"{value:.0f}%"

    better = None
    if change.real and change.change is not None:
        better = (change.change < 0) if lower_is_better else (change.change > 0)
    return TrendLine(
        label, shown(change.current), shown(change.previous), change.change, change.real, better
    )
