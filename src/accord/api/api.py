"""The HTTP API: django-ninja, personal access tokens, OpenAPI at /api/docs."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.datastructures import MultiValueDict
from ninja import NinjaAPI, Schema, Swagger
from ninja.errors import AuthenticationError, ValidationError
from ninja.openapi.schema import OpenAPISchema
from ninja.parser import Parser
from ninja.security import HttpBearer

from accord.access.scopes import NotAllowed, Scope
from accord.access.services import membership_for_token
from accord.actions.api import router as actions_router
from accord.api_fields import Error, Refusal
from accord.charters.api import router as charters_router
from accord.expectations.api import router as expectations_router
from accord.goals.api import router as goals_router
from accord.insights.api import router as insights_router
from accord.leadership.api import router as leadership_router
from accord.org.api import router as org_router
from accord.refusals import Refusal as ServiceRefusal
from accord.shadowing.api import router as shadowing_router
from accord.surveys.api import router as surveys_router

# The one part of the API a coach's token may use.
COACHES_MAY_USE = "/api/leadership/"


class PersonalAccessToken(HttpBearer):
    """`Authorization: Bearer acc_...`; the request then acts in the token's organisation."""

    def authenticate(self, request: HttpRequest, token: str) -> Scope | None:
        membership = membership_for_token(token)
        if membership is None:
            return None
        scope = Scope(membership)
        if not request.path.startswith(COACHES_MAY_USE):
            scope.require_not_coach()  # a 403: a coach's token reads only their 360s
        return scope


class StrictParser(Parser):
    """Read a request as its document describes it, and nothing looser.

    A JSON body is an object of named fields: a list or a bare value would otherwise read as
    "no fields given" wherever every field is optional (a cancellation's note); refused,
    django-ninja answers 400 "Cannot parse request body". A query parameter that is not a
    list is given once: ``?offset=1&offset=2`` would otherwise quietly use the last, so both
    values are passed on and refused as not an integer, a 422 naming the parameter."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        data = super().parse_body(request)
        if not isinstance(data, dict):
            raise ValueError("The request body must be a JSON object.")
        return data

    def parse_querydict(
        self, data: MultiValueDict[str, Any], list_fields: list[str], request: HttpRequest
    ) -> dict[str, Any]:
        parsed = {}
        for key in data:
            values = data.getlist(key)
            parsed[key] = values if key in list_fields or len(values) > 1 else values[0]
        return parsed


class ReferencePage(Swagger):
    """/api/docs: Swagger UI from the copy django-ninja bundles ("ninja" is an installed app),
    so the page works offline and under the site's Content-Security-Policy (no validator
    badge, which would call out to a public service), in Accord's own page (api/docs.html)
    with corrections that make it as accessible as the rest of Accord."""

    template = "api/docs.html"


def _component(schema: type[Schema]) -> dict[str, Any]:
    """``schema`` as an OpenAPI component, with the models it refers to beside it."""
    written = schema.model_json_schema(ref_template="#/components/schemas/{model}")
    return {**written.pop("$defs", {}), schema.__name__: written}


def _answer(description: str, schema: type[Schema]) -> dict[str, Any]:
    body = {"schema": {"$ref": f"#/components/schemas/{schema.__name__}"}}
    return {"description": description, "content": {"application/json": body}}


NO_TOKEN = _answer("No valid personal access token.", Error)
NOT_ALLOWED = _answer("The token's owner may not do this; `detail` says why.", Error)
NOT_FOUND = _answer("No such thing, or none the token's owner may see.", Error)
INVALID = _answer("The request breaks this document or a rule; `errors` names each field.", Refusal)
NOT_AN_OBJECT = _answer("The body is not a JSON object.", Error)


def _names_a_thing(parameter: str) -> bool:
    """An id in the path or a filter (``unit_id``, ``within``) may name nothing visible."""
    return parameter.endswith("_id") or parameter == "within"


class AccordAPI(NinjaAPI):
    """The document lists every answer an operation can give, not only its successes, so a
    client generated from it (or a tester such as Schemathesis) expects what the server does.
    django-ninja writes the successes and the bodies; the errors the operations share are
    added here, beside their handlers."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        document = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        components = document.setdefault("components", {}).setdefault("schemas", {})
        components.update(_component(Error) | _component(Refusal))
        for operations in document["paths"].values():
            for operation in operations.values():
                shared = {401: NO_TOKEN, 403: NOT_ALLOWED}
                if "requestBody" in operation or any(
                    _names_a_thing(p["name"]) for p in operation.get("parameters", [])
                ):
                    shared[404] = NOT_FOUND
                if operation.get("parameters") or "requestBody" in operation:
                    shared[422] = INVALID
                if "requestBody" in operation:
                    shared[400] = NOT_AN_OBJECT
                answers = operation.setdefault("responses", {})
                for status, answer in shared.items():
                    answers.setdefault(status, answer)
        return document


api = AccordAPI(
    title="Accord API",
    version="1",
    description=(
        "Read access to an organisation's units and people, limited to what the token "
        "owner's role may see. Create a token under *API tokens* in Accord and send it as "
        "`Authorization: Bearer <token>`."
    ),
    auth=PersonalAccessToken(),
    # Without deep links (each operation's path would be a link inside its toggle button) and
    # without syntax colours (several read at 3:1 on their dark background).
    docs=ReferencePage(
        settings={"validatorUrl": None, "deepLinking": False, "syntaxHighlight": False}
    ),
    docs_url="/docs",
    urls_namespace="api",
    parser=StrictParser(),
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
    """A 422 listing each problem with the field it is about (the shape of ``Refusal``)."""
    return api.create_response(
        request, {"detail": "Invalid request.", "errors": problems}, status=422
    )


def _field_of(location: tuple[Any, ...]) -> str | None:
    """``("query", "offset")`` is offset; ``("body", "body", "name")`` is the body's name (the
    second part is the handler's parameter that holds the body)."""
    path = location[2:] if location[:1] == ("body",) else location[1:]
    return ".".join(str(part) for part in path) or None


@api.exception_handler(ValidationError)
def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    problems: list[dict[str, Any]] = [
        {
            "field": _field_of(tuple(error.get("loc", ()))),
            "message": error.get("msg"),
            "kind": "invalid",
        }
        for error in exc.errors
    ]
    return _invalid_request(request, problems)


@api.exception_handler(NotAllowed)
def not_allowed(request: HttpRequest, exc: Exception) -> HttpResponse:
    """Something the token's owner may see but not do: a 403 saying who may."""
    return api.create_response(request, {"detail": str(exc)}, status=403)


@api.exception_handler(ServiceRefusal)
def refused(request: HttpRequest, exc: ServiceRefusal) -> HttpResponse:
    """A service's refusal: a 422 in the shape of the validation errors, one per field."""
    problems = [
        {"field": field, "message": message, "kind": "refused"} for field, message in exc.problems
    ]
    return _invalid_request(request, problems)


# Each capability adds its own router; the order is the order of the OpenAPI document.
for router in (
    org_router,
    surveys_router,
    goals_router,
    insights_router,
    actions_router,
    expectations_router,
    shadowing_router,
    leadership_router,
    charters_router,
):
    api.add_router("/", router)
