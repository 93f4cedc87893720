"""The HTTP API: django-ninja, personal access tokens, OpenAPI at /api/docs."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, ValidationError
from ninja.security import HttpBearer

from accord.access.scopes import Scope
from accord.access.services import membership_for_token


class PersonalAccessToken(HttpBearer):
    """`Authorization: Bearer acc_...`; the request then acts in the token's organisation."""

    def authenticate(self, request: HttpRequest, token: str) -> Scope | None:
        membership = membership_for_token(token)
        if membership is None:
            return None
        return Scope(membership)


api = NinjaAPI(
    title="Accord API",
    version="1",
    description=(
        "Read access to an organisation's units and people, limited to what the token "
        "owner's role may see. Create a token under *API tokens* in Accord and send it as "
        "`Authorization: Bearer <token>`."
    ),
    auth=PersonalAccessToken(),
    # Swagger UI from the copy django-ninja bundles ("ninja" is an installed app), so the
    # docs page works offline and under the site's Content-Security-Policy; no validator
    # badge, which would call out to a public service.
    docs=Swagger(settings={"validatorUrl": None}),
    docs_url="/docs",
    urls_namespace="api",
)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return api.create_response(request, {"detail": "Not found."}, status=404)


@api.exception_handler(AuthenticationError)
def unauthorised(request: HttpRequest, exc: Exception) -> HttpResponse:
    response = api.create_response(
        request, {"detail": "A valid personal access token is required."}, status=401
    )
    response.headers["WWW-Authenticate"] = 'Bearer realm="Accord API"'
    return response


@api.exception_handler(ValidationError)
def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    problems: list[dict[str, Any]] = [
        {
            "field": ".".join(str(p) for p in error.get("loc", [])[1:]) or None,
            "message": error.get("msg"),
        }
        for error in exc.errors
    ]
    return api.create_response(
        request, {"detail": "Invalid request.", "errors": problems}, status=422
    )


def _register_routers() -> None:
    from accord.org.api import router as org_router

    api.add_router("/", org_router)

    from accord.surveys.api import router as surveys_router

    api.add_router("/", surveys_router)

    from accord.goals.api import router as goals_router

    api.add_router("/", goals_router)

    from accord.insights.api import router as insights_router

    api.add_router("/", insights_router)


_register_routers()
