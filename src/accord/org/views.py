from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from accord.access.decorators import with_scope
from accord.access.scopes import Scope
from accord.org import selectors, services
from accord.org.forms import OrgImportForm, PeopleSearchForm
from accord.org.models import OrgImport

PAGE_SIZE = 50


@with_scope()
def unit_list(request: HttpRequest, scope: Scope) -> HttpResponse:
    rows = selectors.unit_tree(scope, levels=None if request.GET.get("all") else 3)
    return render(
        request, "org/unit_list.html", {"rows": rows, "show_all": bool(request.GET.get("all"))}
    )


@with_scope()
def unit_detail(request: HttpRequest, scope: Scope, unit_id: int) -> HttpResponse:
    unit = selectors.get_unit(scope, unit_id)
    subtree = selectors.unit_tree(scope, root=unit, levels=2)
    page = Paginator(selectors.visible_people(scope, unit=unit), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "org/unit_detail.html",
        {
            "unit": unit,
            "breadcrumbs": selectors.unit_breadcrumbs(scope, unit),
            "this_row": subtree[0] if subtree and subtree[0].unit.pk == unit.pk else None,
            "children": [row for row in subtree if row.unit.pk != unit.pk],
            "page": page,
        },
    )


# The same URL answers htmx with a fragment and browsers with a page; without Vary, going
# back to a searched URL can show the cached fragment as if it were the page.
@vary_on_headers("HX-Request")
@with_scope()
def person_list(request: HttpRequest, scope: Scope) -> HttpResponse:
    form = PeopleSearchForm(request.GET or None)
    search, inactive = "", False
    if form.is_valid():
        search = form.cleaned_data["q"].strip()
        inactive = form.cleaned_data["inactive"]
    people = selectors.visible_people(scope, search=search, include_inactive=inactive)
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    template = "org/_people_table.html" if request.htmx else "org/person_list.html"  # type: ignore[attr-defined]
    return render(request, template, {"form": form, "page": page, "search": search})


@with_scope()
def person_detail(request: HttpRequest, scope: Scope, person_id: int) -> HttpResponse:
    person = selectors.get_person(scope, person_id)
    reports = selectors.visible_people(scope).filter(manager=person)
    return render(request, "org/person_detail.html", {"person": person, "reports": reports})


@with_scope(admin_only=True)
def import_upload(request: HttpRequest, scope: Scope) -> HttpResponse:
    # Bound on every POST, so a POST without a file shows "required" rather than nothing.
    form = (
        OrgImportForm(request.POST, request.FILES) if request.method == "POST" else OrgImportForm()
    )
    if form.is_valid():
        upload = form.cleaned_data["file"]
        org_import = services.preview_org_import(
            organisation=scope.organisation,
            filename=upload.name,
            content=upload.read(),
            deactivate_missing=form.cleaned_data["deactivate_missing"],
            uploaded_by=request.user,
        )
        return redirect("import-preview", scope.organisation.slug, org_import.pk)
    return render(
        request,
        "org/import_upload.html",
        {"form": form, "recent_imports": selectors.recent_imports(scope)},
    )


@with_scope(admin_only=True)
def import_preview(request: HttpRequest, scope: Scope, import_id: int) -> HttpResponse:
    org_import = selectors.get_import(scope, import_id)
    return render(request, "org/import_preview.html", {"org_import": org_import})


@require_POST
@with_scope(admin_only=True)
def import_confirm(request: HttpRequest, scope: Scope, import_id: int) -> HttpResponse:
    org_import = selectors.get_import(scope, import_id)
    try:
        org_import = services.confirm_org_import(org_import=org_import)
    except services.OrganisationError as error:
        messages.error(request, str(error))
        return redirect("import-preview", scope.organisation.slug, org_import.pk)
    if org_import.status == OrgImport.Status.APPLIED:
        summary = org_import.summary
        messages.success(
            request,
            f"Org chart imported: {summary['create']} added, {summary['update']} updated, "
            f"{summary['deactivate']} deactivated, {summary['new_units']} new units.",
        )
        return redirect("unit-list", scope.organisation.slug)
    messages.error(request, "The organisation changed since the preview; the file now has errors.")
    return redirect("import-preview", scope.organisation.slug, org_import.pk)


@require_POST
@with_scope(admin_only=True)
def import_discard(request: HttpRequest, scope: Scope, import_id: int) -> HttpResponse:
    org_import = selectors.get_import(scope, import_id)
    try:
        services.discard_org_import(org_import=org_import)
    except services.OrganisationError as error:
        messages.error(request, str(error))
        return redirect("import-preview", scope.organisation.slug, org_import.pk)
    messages.info(request, "Upload discarded; nothing was changed.")
    return redirect("import-upload", scope.organisation.slug)
