"""Results pages: heatmap, drivers, perception gap, trends, comments, exports."""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accord.access.decorators import with_scope
from accord.access.requests import AuthenticatedHttpRequest
from accord.access.scopes import Scope
from accord.insights import exporting, presenting, publishing, selectors, services
from accord.insights.models import ReleaseExport
from accord.insights.selectors import ReleaseView
from accord.surveys import selectors as survey_selectors
from accord.surveys.services import CycleError

COMMENTS_PER_PAGE = 40


def _unit_param(request: HttpRequest) -> int | None:
    raw = request.GET.get("unit")
    if raw is None or raw == "":
        return None
    if not re.fullmatch(r"[0-9]{1,12}", raw):  # str.isdigit would accept "²" and "٣"
        raise Http404("No such unit in your results.")
    return int(raw)


def _focus(request: HttpRequest, view: ReleaseView) -> int:
    return view.unit_index(_unit_param(request))


def _filter(request: HttpRequest, view: ReleaseView) -> tuple[str | None, str | None]:
    try:
        return presenting.parse_filter(view, request.GET.get("filter"))
    except ValueError as error:
        raise Http404(str(error)) from None


def _context(
    view: ReleaseView,
    focus: int,
    tab: str,
    filtered: tuple[str | None, str | None] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """What every results page shows; ``filtered`` (dimension, value) for the pages with a
    filter choice."""
    report = view.report
    if filtered is not None:
        dimension, value = filtered
        extra["filter_choices"] = presenting.filter_choices(view, focus)
        extra["current_filter"] = f"{dimension}:{value}" if dimension else ""
    return {
        "view": view,
        "cycle": view.cycle,
        "release": view.release,
        "report": report,
        "tab": tab,
        "focus": focus,
        "focus_pk": view.pk(focus),
        "focus_name": report.tree.names[focus],
        "focus_group": report.group(focus),
        "breadcrumb": [(view.pk(u), report.tree.names[u]) for u in view.ancestors(focus)],
        "k": report.minimum_group_size,
        **extra,
    }


@with_scope()
def result_list(request: HttpRequest, scope: Scope) -> HttpResponse:
    cycles = list(selectors.released_cycles(scope).prefetch_related("releases"))
    return render(request, "insights/result_list.html", {"scope": scope, "cycles": cycles})


@with_scope()
def heatmap(request: HttpRequest, scope: Scope, cycle_id: int) -> HttpResponse:
    view = selectors.release_view(scope, cycle_id)
    focus = _focus(request, view)
    dimension, value = _filter(request, view)
    cols = presenting.columns(view)
    organisation, rows = presenting.heatmap_rows(view, focus, cols, dimension, value)
    return render(
        request,
        "insights/heatmap.html",
        _context(
            view, focus, "heatmap", (dimension, value),
            columns=cols,
            organisation=organisation,
            rows=rows,
            filter_label=(
                f"{presenting.DIMENSION_LABELS.get(dimension, dimension)}: "
                f"{presenting.value_label(dimension, value or '')}" if dimension else ""
            ),
            notable=presenting.NOTABLE_DIFFERENCE,
        ),
    )  # fmt: skip


@with_scope()
def comments(request: HttpRequest, scope: Scope, cycle_id: int) -> HttpResponse:
    view = selectors.release_view(scope, cycle_id)
    focus = _focus(request, view)
    dimension, value = _filter(request, view)
    listing = presenting.comment_listing(
        view, focus, dimension, value, request.GET.get("question"), request.GET.get("theme")
    )
    page = Paginator(listing.comments, COMMENTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "insights/comments.html",
        _context(
            view, focus, "comments", (dimension, value),
            listing=listing,
            page=page,
        ),
    )  # fmt: skip


@require_POST
@with_scope(admin_only=True)
def publish(request: AuthenticatedHttpRequest, scope: Scope, cycle_id: int) -> HttpResponse:
    """ "Publish results" on a closed cycle's page; back to that page with what happened."""
    cycle = survey_selectors.get_cycle(scope, cycle_id)
    try:
        publishing.publish_now(cycle=cycle, by=request.user)
    except (CycleError, services.ReleaseError) as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            "Publishing: the results appear on the Results page as soon as they are computed.",
        )
    return redirect("survey-cycle", scope.organisation.slug, cycle.pk)


@require_POST
@with_scope(admin_only=True)
def rerelease(request: AuthenticatedHttpRequest, scope: Scope, cycle_id: int) -> HttpResponse:
    view = selectors.release_view(scope, cycle_id)
    note = request.POST.get("note", "").strip()
    if not note:
        messages.error(request, "Say why the results are released again (the note field).")
        return redirect("results-heatmap", scope.organisation.slug, cycle_id)
    try:
        release = services.release_cycle(cycle=view.cycle, by=request.user, note=note)
    except services.ReleaseError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            f"Release {release.number} made: {release.released_groups} groups shown, "
            f"{release.hidden_groups} hidden.",
        )
    return redirect("results-heatmap", scope.organisation.slug, cycle_id)


@with_scope()
def drivers(request: HttpRequest, scope: Scope, cycle_id: int) -> HttpResponse:
    view = selectors.release_view(scope, cycle_id)
    focus = _focus(request, view)
    unit_drivers = view.drivers.for_unit(focus)
    return render(
        request,
        "insights/drivers.html",
        _context(
            view, focus, "drivers",
            unit_drivers=presenting.driver_sections(view, unit_drivers),
            minimum=view.drivers.minimum_respondents,
            method=view.drivers.method,
        ),
    )  # fmt: skip


@with_scope()
def export(request: HttpRequest, scope: Scope, cycle_id: int) -> HttpResponse:
    view = selectors.release_view(scope, cycle_id)
    return render(request, "insights/export.html", _context(view, view.roots[0], "export"))


@with_scope()
def export_file(request: HttpRequest, scope: Scope, cycle_id: int, fmt: str) -> HttpResponse:
    """Small exports are built in the request; large ones by the queue, once per scope, and
    this page says when they are ready (htmx polls; without JavaScript, "Check again")."""
    view = selectors.release_view(scope, cycle_id)
    if fmt not in exporting.FORMATS:
        raise Http404(f"Exports come as {', '.join(exporting.FORMATS)}.")
    if not exporting.needs_queue(view, fmt):
        return _download(exporting.export_release(view, fmt))
    export = services.request_export(view=view, fmt=fmt)
    if export.status == ReleaseExport.Status.READY and not request.htmx:  # type: ignore[attr-defined]
        content = bytes(export.content or b"")
        return _download(
            exporting.ExportFile(content, exporting.CONTENT_TYPES[fmt], export.filename)
        )
    template = "insights/_export_status.html" if request.htmx else "insights/export_pending.html"  # type: ignore[attr-defined]
    context = _context(view, view.roots[0], "export", export=export, fmt=fmt)
    return render(request, template, context)


def _download(exported: exporting.ExportFile) -> HttpResponse:
    response = HttpResponse(exported.content, content_type=exported.content_type)
    response["Content-Disposition"] = f'attachment; filename="{exported.filename}"'
    return response


@with_scope()
def perception_gap(request: HttpRequest, scope: Scope, cycle_id: int) -> HttpResponse:
    view = selectors.release_view(scope, cycle_id)
    focus = _focus(request, view)
    gap, why_not = presenting.gap_for(view, focus)
    return render(
        request,
        "insights/gap.html",
        _context(
            view, focus, "gap",
            gap=gap,
            why_not=why_not,
            children=presenting.child_gaps(view, focus),
        ),
    )  # fmt: skip


@with_scope()
def trends(request: HttpRequest, scope: Scope, cycle_id: int) -> HttpResponse:
    view = selectors.release_view(scope, cycle_id)
    focus = _focus(request, view)
    dimension, value = _filter(request, view)
    previous = selectors.previous_release_view(scope, view)
    rows = None
    if previous is not None:
        compared = selectors.trends_between(view, previous)
        rows = presenting.trend_rows(view, compared, focus, dimension, value)
    return render(
        request,
        "insights/trends.html",
        _context(
            view, focus, "trends", (dimension, value),
            previous=previous,
            trend=rows,
        ),
    )  # fmt: skip
