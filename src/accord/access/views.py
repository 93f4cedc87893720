from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accord.access import services
from accord.access.forms import ApiTokenForm
from accord.access.models import ApiToken
from accord.access.scopes import Scope
from accord.core.decorators import with_scope


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
