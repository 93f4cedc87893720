"""What a viewer may read of released results.

Every viewer reads the same frozen release (anonymity is decided once, for everyone
together); the scope only narrows which units of it they are shown: an executive or admin
the whole organisation, a leader the subtree they lead. Members see no results pages.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace

import numpy as np
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from numpy.typing import NDArray

from accord.access.scopes import Scope
from accord.insights.adapters import instrument_meta
from accord.insights.drivers import DriverTable
from accord.insights.engine import Report
from accord.insights.models import Release
from accord.insights.snapshot import load_report
from accord.insights.trends import Trends, compare_reports
from accord.org.models import Unit
from accord.surveys.instruments import Instrument
from accord.surveys.models import Cycle
from accord.surveys.selectors import instrument_for


def _require_results_viewer(scope: Scope) -> None:
    if not scope.sees_survey_results:
        raise PermissionDenied("Results are shown to leaders, executives and program admins.")


def released_cycles(scope: Scope) -> QuerySet[Cycle]:
    """Published cycles with a release, newest first."""
    _require_results_viewer(scope)
    return (
        Cycle.objects.pulses()
        .filter(organisation=scope.organisation, status=Cycle.Status.PUBLISHED)
        .filter(releases__isnull=False)
        .distinct()
        .order_by("-closes_at", "-pk")
    )


@dataclass(frozen=True)
class ReleaseView:
    """A release as one viewer may read it."""

    cycle: Cycle
    release: Release
    report: Report
    drivers: DriverTable
    instrument: Instrument
    visible: NDArray[np.bool_]  # per engine unit index: inside the viewer's scope
    index_of_pk: dict[int, int]
    comment_themes: dict[str, list[list[str]]]  # per shown list ("group:question")

    @property
    def whole_organisation(self) -> bool:
        return bool(self.visible.all())

    @property
    def roots(self) -> list[int]:
        """The topmost units the viewer sees (an executive: the organisation's root)."""
        parent = self.report.tree.parent
        return [
            u for u in np.flatnonzero(self.visible).tolist()
            if parent[u] < 0 or not self.visible[parent[u]]
        ]  # fmt: skip

    def unit_index(self, unit_pk: int | None) -> int:
        """The engine index of a unit the viewer may see; 404 for any other id."""
        if unit_pk is None:
            return self.roots[0]
        index = self.index_of_pk.get(unit_pk)
        if index is None or not self.visible[index]:
            raise Http404("No such unit in your results.")
        return index

    def children(self, unit: int) -> list[int]:
        parent = self.report.tree.parent
        return [int(u) for u in np.flatnonzero((parent == unit) & self.visible)]

    def ancestors(self, unit: int) -> list[int]:
        """The visible units above ``unit``, top first."""
        chain = []
        parent = self.report.tree.parent
        current = int(parent[unit])
        while current >= 0 and self.visible[current]:
            chain.append(current)
            current = int(parent[current])
        return chain[::-1]

    def pk(self, unit: int) -> int:
        return int(self.report.tree.ids[unit])


def release_view(scope: Scope, cycle_id: int, release_number: int | None = None) -> ReleaseView:
    """The latest (or a numbered) release of a cycle, limited to the viewer's units."""
    _require_results_viewer(scope)
    cycle = (
        released_cycles(scope).filter(pk=cycle_id).select_related("organisation").first()
        if 0 < cycle_id < 2**31
        else None
    )
    if cycle is None:
        raise Http404("No released results for that cycle.")
    view = whole_release(cycle, release_number)
    if scope.sees_whole_organisation:
        return view
    visible = np.zeros(len(view.report.tree), dtype=bool)
    in_led = Q(pk__in=[])
    for path in scope.led_unit_paths:
        in_led |= Q(path__startswith=path)
    for pk in Unit.objects.filter(in_led, organisation=scope.organisation).values_list(
        "pk", flat=True
    ):
        if pk in view.index_of_pk:
            visible[view.index_of_pk[pk]] = True
    if not visible.any():
        raise Http404("None of your units were part of this cycle's organisation chart.")
    return replace(view, visible=visible)


def whole_release(cycle: Cycle, release_number: int | None = None) -> ReleaseView:
    """A cycle's latest (or numbered) release over the whole organisation: for the CLI, which
    the server's operator runs, and as the start of every viewer's narrower view."""
    releases = Release.objects.filter(cycle=cycle)
    if release_number is not None:
        releases = releases.filter(number=release_number)
    release = (
        releases.defer("snapshot", "ledger", "drivers", "comment_themes")
        .order_by("-number")
        .first()
    )
    if release is None:
        raise Http404("No such release.")
    report, drivers, comment_themes = _load_snapshot(release.pk, release.digest)
    index_of_pk = {int(pk): i for i, pk in enumerate(report.tree.ids)}
    visible = np.ones(len(report.tree), dtype=bool)
    return ReleaseView(
        cycle, release, report, drivers, instrument_for(cycle), visible, index_of_pk,
        comment_themes,
    )  # fmt: skip


def released_unit_pks(cycle: Cycle) -> set[int]:
    """The units whose own results the latest release shows (none before a release)."""
    try:
        view = whole_release(cycle)
    except Http404:
        return set()
    table = view.report.table
    shown = table.unit[(table.dimension < 0) & table.released]
    return {view.pk(int(u)) for u in shown}


@functools.lru_cache(maxsize=8)
def _load_snapshot(pk: int, digest: str) -> tuple[Report, DriverTable, dict[str, list[list[str]]]]:
    """Releases never change once made, so a process keeps the last few reports it read,
    keyed by the snapshot's digest too (a restored or test database may reuse an id); the
    release row itself is read fresh on every request."""
    blob, drivers, comment_themes = Release.objects.filter(pk=pk, digest=digest).values_list(
        "snapshot", "drivers", "comment_themes"
    )[0]
    return load_report(bytes(blob)), DriverTable.from_json(drivers), comment_themes


def previous_release_view(scope: Scope, current: ReleaseView) -> ReleaseView | None:
    """The latest release of the cycle that closed before this one, for trends."""
    earlier = (
        released_cycles(scope)
        .filter(closes_at__lt=current.cycle.closes_at)
        .values_list("pk", flat=True)
        .first()
    )
    if earlier is None:
        return None
    try:
        return release_view(scope, earlier)
    except Http404:  # none of the viewer's units existed then
        return None


_TRENDS: dict[tuple[str, str], Trends] = {}
_TRENDS_KEPT = 8


def trends_between(current: ReleaseView, previous: ReleaseView) -> Trends:
    """Both releases are frozen, so their comparison is too: kept per pair of snapshots."""
    key = (current.release.digest, previous.release.digest)
    found = _TRENDS.get(key)
    if found is None:
        if len(_TRENDS) >= _TRENDS_KEPT:
            _TRENDS.clear()
        found = _TRENDS[key] = compare_reports(
            current.report, previous.report, instrument_meta(current.instrument)
        )
    return found
