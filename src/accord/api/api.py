"""The HTTP API: django-ninja, personal access tokens, OpenAPI at /api/docs."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, ValidationError
from ninja.parser import Parser
from ninja.security import HttpBearer

from accord.access.scopes import NotAllowed, Scope
from accord.access.services import membership_for_token
from accord.goals.api import router as goals_router
from accord.goals.errors import GoalsError
from accord.insights.api import router as insights_router
from accord.org.api import router as org_router
from accord.surveys.api import router as surveys_router


class PersonalAccessToken(HttpBearer):
    """`Authorization: Bearer acc_...`; the request then acts in the token's organisation."""

    def authenticate(self, request: HttpRequest, token: str) -> Scope | None:
        membership = membership_for_token(token)
        if membership is None:
            return None
        return Scope(membership)


class ObjectBodies(Parser):
    """A JSON body is an object of named fields. A list or a bare value would otherwise read
    as "no fields given" wherever every field is optional (a cancellation's note); refused,
    django-ninja answers 400 "Cannot parse request body"."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        data = super().parse_body(request)
        if not isinstance(data, dict):
            raise ValueError("The request body must be a JSON object.")
        return data


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
    parser=ObjectBodies(),
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


def _invalid_request(request: HttpRequest, problems: list[dict[str, Any]]) -> HttpResponse:
    """A 422 listing each problem with the field it is about."""
    return api.create_response(
        request, {"detail": "Invalid request.", "errors": problems}, status=422
    )


@api.exception_handler(ValidationError)
def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    problems: list[dict[str, Any]] = [
        {
            "field": ".".join(str(p) for p in error.get("loc", [])[1:]) or None,
            "message": error.get("msg"),
        }
        for error in exc.errors
    ]
    return _invalid_request(request, problems)


@api.exception_handler(NotAllowed)
def not_allowed(request: HttpRequest, exc: Exception) -> HttpResponse:
    """Something the token's owner may see but not do: a 403 saying who may."""
    return api.create_response(request, {"detail": str(exc)}, status=403)


@api.exception_handler(GoalsError)
def refused(request: HttpRequest, exc: GoalsError) -> HttpResponse:
    """A service's refusal: a 422 in the shape of the validation errors, one per field."""
    problems = [{"field": field, "message": message} for field, message in exc.problems]
    return _invalid_request(request, problems)


# Each capability adds its own router; the order is the order of the OpenAPI document.
for router in (org_router, surveys_router, goals_router, insights_router):
    api.add_router("/", router)
