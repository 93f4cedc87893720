from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accord.access import selectors, services
from accord.access.decorators import with_scope
from accord.access.forms import ApiTokenForm, InviteForm, LoginSearchForm, RoleForm
from accord.access.models import ApiToken, Role
from accord.access.scopes import Scope
from accord.org.models import Person


@with_scope()
def token_list(request: HttpRequest, scope: Scope) -> HttpResponse:
    """The viewer's own tokens in this organisation; a new token's secret is shown once."""
    form = ApiTokenForm(request.POST or None)
    new_secret = None
    if request.method == "POST" and form.is_valid():
        try:
            _, new_secret = services.issue_api_token(
                membership=scope.membership,
                name=form.cleaned_data["name"],
                expires_in_days=form.cleaned_data["expires_in_days"],
            )
        except services.AccessError as error:
            form.add_error(None, str(error))
        else:
            form = ApiTokenForm()
    tokens = ApiToken.objects.filter(membership=scope.membership)
    response = render(
        request,
        "access/token_list.html",
        {"form": form, "tokens": tokens, "new_secret": new_secret},
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@require_POST
@with_scope()
def token_revoke(request: HttpRequest, scope: Scope, token_id: int) -> HttpResponse:
    token = ApiToken.objects.filter(membership=scope.membership, pk=token_id).first()
    if token is None:
        raise Http404("No such token.")
    services.revoke_api_token(token=token)
    messages.success(request, f"Token “{token.name}” revoked.")
    return redirect("token-list", scope.organisation.slug)


@with_scope(admin_only=True)
def login_list(request: HttpRequest, scope: Scope) -> HttpResponse:
    """Who can sign in to this organisation, with which role; and giving someone a login."""
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        person = None
        external_id = form.cleaned_data["external_id"].strip()
        if external_id:
            person = Person.objects.filter(
                organisation=scope.organisation, external_id=external_id
            ).first()
            if person is None:
                form.add_error(
                    "external_id", f"No one in the org chart has the HR id {external_id!r}."
                )
        if form.is_valid():
            try:
                membership = services.invite_person(
                    organisation=scope.organisation,
                    role=form.cleaned_data["role"],
                    person=person,
                    email=form.cleaned_data["email"],
                )
            except services.AccessError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    f"{membership.user.email} can now sign in as {membership.get_role_display()}; "
                    "an email with a link to choose a password is on its way.",
                )
                return redirect("login-list", scope.organisation.slug)
    # Parsed by a form, which refuses what the database cannot compare (a NUL character).
    search_form = LoginSearchForm(request.GET)
    search = search_form.cleaned_data["q"].strip() if search_form.is_valid() else ""
    page = Paginator(selectors.organisation_logins(scope, search=search), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "access/login_list.html",
        {"form": form, "page": page, "search": search, "roles": Role.choices},
    )


@require_POST
@with_scope(admin_only=True)
def login_change_role(request: HttpRequest, scope: Scope, membership_id: int) -> HttpResponse:
    membership = selectors.get_login(scope, membership_id)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose one of the roles.")
    else:
        try:
            membership = services.change_role(membership=membership, role=form.cleaned_data["role"])
        except services.AccessError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request, f"{membership.user.email} is now {membership.get_role_display()}."
            )
    return redirect("login-list", scope.organisation.slug)


@require_POST
@with_scope(admin_only=True)
def login_remove(request: HttpRequest, scope: Scope, membership_id: int) -> HttpResponse:
    membership = selectors.get_login(scope, membership_id)
    try:
        services.remove_membership(membership=membership)
    except services.AccessError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, f"{membership.user.email} can no longer sign in to {scope.organisation.name}."
        )
    return redirect("login-list", scope.organisation.slug)
