"""Every page and API operation, requested by every kind of viewer.

``ACCESS`` declares, route by route, what each viewer gets: the page (200), a redirect, a
403 for a member of the organisation whose role does not allow it, a 404 for anything outside
their scope, and for anyone outside the organisation a 404 whatever the id, so an outsider
never learns whether something exists. Anonymous visitors are sent to the login page, or get
a 401 from the API.

The routes themselves are discovered from the root URLconf and the OpenAPI document. A route
with no entry in ``ACCESS`` fails ``test_every_route_declares_who_may_use_it``: a new page or
API operation must say who may use it before it can ship.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accord.access.models import ApiToken, Membership
from accord.access.services import grant_membership, issue_api_token
from accord.api.api import api
from accord.org.importing import plan_org_import
from accord.org.models import OrgImport, Person, Unit
from accord.org.services import apply_org_import, preview_org_import
from accord.surveys.models import Cycle
from accord.surveys.services import create_cycle
from tests.cast import Cast, roster_csv
from tests.surveys.conftest import cycle_settings

VIEWERS = (
    "anonymous",
    "admin",
    "executive",
    "chair",
    "nurse_manager",
    "staff_nurse",
    "outsider",
    "coach",
)
RIVERSIDE_ROLES = ("admin", "executive", "chair", "nurse_manager", "staff_nurse")

OK = 200
REDIRECT = "redirect"  # a 302 anywhere but the login page
LOGIN = "login"  # a 302 to the login page, to come back afterwards
UNAUTHORISED = 401
FORBIDDEN = 403
NOT_FOUND = 404
NOT_ALLOWED = 405

Outcome = int | str


def web(
    *, everyone: Outcome | None = None, anonymous: Outcome = LOGIN, outsider: Outcome = NOT_FOUND,
    coach: Outcome = FORBIDDEN, **roles: Outcome,
) -> dict[str, Outcome]:  # fmt: skip
    """Outcomes for a riverside page: named roles as given, the other riverside roles
    ``everyone``; anonymous visitors to the login page and outsiders a 404 unless told; a
    coach — who sees only the 360s they coach — a 403 unless told."""
    unknown = set(roles) - set(RIVERSIDE_ROLES)
    assert not unknown, f"not a riverside role: {unknown}"
    outcomes: dict[str, Outcome] = {"anonymous": anonymous, "outsider": outsider, "coach": coach}
    for role in RIVERSIDE_ROLES:
        outcome = roles.get(role, everyone)
        assert outcome is not None, f"no outcome for {role}"
        outcomes[role] = outcome
    return outcomes


def api_call(**outcomes: Any) -> dict[str, Outcome]:
    """The same for an API operation: without a token, a 401."""
    return web(anonymous=UNAUTHORISED, **outcomes)


def for_all(outcome: Outcome) -> dict[str, Outcome]:
    return dict.fromkeys(VIEWERS, outcome)


@dataclass
class World:
    """The cast plus the things routes take as arguments."""

    cast: Cast
    riverside_import: OrgImport
    lakeview_import: OrgImport
    lakeview_unit: Unit
    lakeview_person: Person
    tokens: dict[str, tuple[ApiToken, str]]  # viewer -> (token, plaintext)
    pats_login: Membership  # a riverside login that is none of the viewers
    lees_login: Membership  # a lakeview login
    riverside_cycle: Cycle  # a draft survey cycle
    lakeview_cycle: Cycle
    goals: dict[str, Any] = field(default_factory=dict)  # built on first use: goals_world()

    def unit(self, name: str) -> int:
        return Unit.objects.get(organisation=self.cast.riverside, name=name).pk

    def person(self, external_id: str) -> int:
        return self.cast.person(external_id).pk


def build_world(cast: Cast) -> World:
    lakeview_rows = [
        ("lee", "Lee Lakeview", "Lakeview Clinics/Family Medicine", "system/department", "",
         "clinician", "Physician", "yes"),
    ]  # fmt: skip
    apply_org_import(
        plan=plan_org_import(
            organisation=cast.lakeview, filename="lakeview.csv", content=roster_csv(lakeview_rows)
        )
    )

    def upload(cast_org: Any) -> OrgImport:
        return preview_org_import(
            organisation=cast_org,
            filename="roster.csv",
            content=roster_csv(),
            deactivate_missing=False,
        )

    tokens = {
        viewer: issue_api_token(membership=cast.membership(user), name=f"{viewer}'s script")
        for viewer, user in cast.by_role.items()
    }
    return World(
        cast=cast,
        riverside_import=upload(cast.riverside),
        lakeview_import=upload(cast.lakeview),
        lakeview_unit=Unit.objects.get(organisation=cast.lakeview, name="Family Medicine"),
        lakeview_person=Person.objects.get(organisation=cast.lakeview, external_id="lee"),
        tokens=tokens,
        pats_login=grant_membership(organisation=cast.riverside, email="pat@riverside.example",
                                    role="member", person=cast.person("pat")),
        lees_login=grant_membership(organisation=cast.lakeview, email="lee@lakeview.example",
                                    role="member"),
        riverside_cycle=create_cycle(organisation=cast.riverside, created_by=cast.admin,
                                     settings=cycle_settings(cast.riverside)),
        lakeview_cycle=create_cycle(organisation=cast.lakeview, created_by=cast.outsider,
                                    settings=cycle_settings(cast.lakeview)),
    )  # fmt: skip


Args = Callable[[World, str], tuple[Any, ...]]


def riverside(*rest: Callable[[World], Any]) -> Args:
    return lambda world, viewer: ("riverside", *(part(world) for part in rest))


def lakeview(*rest: Callable[[World], Any]) -> Args:
    return lambda world, viewer: ("lakeview", *(part(world) for part in rest))


def no_args(world: World, viewer: str) -> tuple[Any, ...]:
    return ()


@dataclass(frozen=True)
class Case:
    """One request, made by every viewer in turn."""

    what: str
    expected: dict[str, Outcome]
    args: Args = no_args
    method: str = "GET"
    data: Callable[[World], dict[str, Any]] = field(default=lambda world: {})


def unit_cases(at: Callable[..., Args], outcomes: Callable[..., dict[str, Outcome]]) -> list[Case]:
    """The same units, asked for by page or API: ``at`` builds the arguments."""
    return [
        Case("ED Nursing, in every riverside member's scope",
             outcomes(everyone=OK), at(lambda w: w.unit("ED Nursing"))),
        Case("Emergency, the unit the chair leads",
             outcomes(admin=OK, executive=OK, chair=OK, everyone=NOT_FOUND),
             at(lambda w: w.unit("Emergency"))),
        Case("Perioperative, seen by the chair only through a cross-line report",
             outcomes(admin=OK, executive=OK, chair=OK, everyone=NOT_FOUND),
             at(lambda w: w.unit("Perioperative"))),
        Case("Pediatrics, outside the chair's subtree",
             outcomes(admin=OK, executive=OK, everyone=NOT_FOUND),
             at(lambda w: w.unit("Pediatrics"))),
        Case("the root of the organisation",
             outcomes(admin=OK, executive=OK, everyone=NOT_FOUND),
             at(lambda w: w.unit("Riverside Health"))),
    ]  # fmt: skip


def person_cases(
    at: Callable[..., Args], outcomes: Callable[..., dict[str, Outcome]]
) -> list[Case]:
    return [
        Case("sam, the staff nurse, in every riverside member's scope",
             outcomes(everyone=OK), at(lambda w: w.person("sam"))),
        Case("chad, the chair himself and the nurse manager's boss",
             outcomes(admin=OK, executive=OK, chair=OK, everyone=NOT_FOUND),
             at(lambda w: w.person("chad"))),
        Case("oscar_r, in Surgery but reporting to the chair",
             outcomes(admin=OK, executive=OK, chair=OK, everyone=NOT_FOUND),
             at(lambda w: w.person("oscar_r"))),
        Case("olga, oscar_r's colleague in Surgery",
             outcomes(admin=OK, executive=OK, everyone=NOT_FOUND),
             at(lambda w: w.person("olga"))),
        Case("the chief executive, the chair's own boss",
             outcomes(admin=OK, executive=OK, everyone=NOT_FOUND),
             at(lambda w: w.person("ceo"))),
        Case("pat, in Pediatrics",
             outcomes(admin=OK, executive=OK, everyone=NOT_FOUND),
             at(lambda w: w.person("pat"))),
    ]  # fmt: skip


def admin_only_post(import_id: Args, *, admin: Outcome) -> list[Case]:
    return [
        Case("asked for with GET", for_all(NOT_ALLOWED), import_id),
        Case("a riverside upload", web(admin=admin, everyone=FORBIDDEN), import_id, "POST"),
    ]


riverside_import: Args = riverside(lambda w: w.riverside_import.pk)
lakeview_import_at_riverside: Args = riverside(lambda w: w.lakeview_import.pk)
alices_token: Args = riverside(lambda w: w.tokens["admin"][0].pk)


riverside_cycle: Args = riverside(lambda w: w.riverside_cycle.pk)
lakeview_cycle_at_riverside: Args = riverside(lambda w: w.lakeview_cycle.pk)


def cycle_action(cycle: Args) -> Args:
    return lambda world, viewer: (*cycle(world, viewer), "schedule")


def own_token(world: World, viewer: str) -> tuple[Any, ...]:
    token = world.tokens.get(viewer) or world.tokens["admin"]
    return ("riverside", token[0].pk)


# fmt: off
ACCESS: dict[str, list[Case]] = {
    # Sign-in and account pages: Django's own, open to whoever they are for.
    "home": [
        Case("the start page",
             web(anonymous=LOGIN, outsider=REDIRECT, everyone=REDIRECT, coach=REDIRECT)),
    ],
    "health": [Case("the health check", for_all(OK))],
    "login": [
        Case("the sign-in page",
             web(anonymous=OK, outsider=REDIRECT, everyone=REDIRECT, coach=REDIRECT)),
    ],
    "logout": [
        Case("asked for with GET", for_all(NOT_ALLOWED)),
        Case("signing out", for_all(REDIRECT), method="POST"),
    ],
    "password_change": [Case("the form", web(outsider=OK, everyone=OK, coach=OK))],
    "password_change_done": [
        Case("the confirmation", web(outsider=OK, everyone=OK, coach=OK)),
    ],
    "password_reset": [Case("the form", for_all(OK))],
    "password_reset_done": [Case("the confirmation", for_all(OK))],
    "password_reset_confirm": [
        Case("a link that is not valid", for_all(OK), lambda w, v: ("bm9ib2R5", "not-a-token")),
    ],
    "password_reset_complete": [Case("the confirmation", for_all(OK))],
    # Riverside's pages.
    "org-home": [
        Case("riverside's home: a coach is taken to the 360s they coach",
             web(everyone=OK, coach=REDIRECT), riverside()),
        Case("lakeview's home", web(everyone=NOT_FOUND, outsider=OK, coach=NOT_FOUND),
             lakeview()),
        Case("an organisation that does not exist", web(everyone=NOT_FOUND, coach=NOT_FOUND),
             lambda w, v: ("atlantis",)),
    ],
    "unit-list": [Case("riverside's units", web(everyone=OK), riverside())],
    "unit-detail": [
        *unit_cases(riverside, web),
        Case("a lakeview unit asked for at riverside", web(everyone=NOT_FOUND),
             riverside(lambda w: w.lakeview_unit.pk)),
        Case("a riverside unit asked for at lakeview", web(everyone=NOT_FOUND, coach=NOT_FOUND),
             lakeview(lambda w: w.unit("ED Nursing"))),
    ],
    "person-list": [Case("riverside's people", web(everyone=OK), riverside())],
    "person-detail": [
        *person_cases(riverside, web),
        Case("a lakeview person asked for at riverside", web(everyone=NOT_FOUND),
             riverside(lambda w: w.lakeview_person.pk)),
        Case("a riverside person asked for at lakeview",
             web(everyone=NOT_FOUND, coach=NOT_FOUND),
             lakeview(lambda w: w.person("sam"))),
    ],
    "import-upload": [
        Case("the upload form", web(admin=OK, everyone=FORBIDDEN), riverside()),
        Case("uploading a roster", web(admin=REDIRECT, everyone=FORBIDDEN), riverside(), "POST",
             lambda w: {"file": SimpleUploadedFile("roster.csv", roster_csv())}),
    ],
    "import-preview": [
        Case("a riverside upload", web(admin=OK, everyone=FORBIDDEN), riverside_import),
        Case("a lakeview upload asked for at riverside",
             web(admin=NOT_FOUND, everyone=FORBIDDEN), lakeview_import_at_riverside),
        Case("a riverside upload asked for at lakeview", web(everyone=NOT_FOUND, coach=NOT_FOUND),
             lakeview(lambda w: w.riverside_import.pk)),
    ],
    "import-confirm": [
        *admin_only_post(riverside_import, admin=REDIRECT),
        Case("a lakeview upload confirmed at riverside",
             web(admin=NOT_FOUND, everyone=FORBIDDEN), lakeview_import_at_riverside, "POST"),
    ],
    "import-discard": [
        *admin_only_post(riverside_import, admin=REDIRECT),
        Case("a lakeview upload discarded at riverside",
             web(admin=NOT_FOUND, everyone=FORBIDDEN), lakeview_import_at_riverside, "POST"),
    ],
    "login-list": [
        Case("the organisation's logins", web(admin=OK, everyone=FORBIDDEN), riverside()),
        Case("giving pia a login", web(admin=REDIRECT, everyone=FORBIDDEN), riverside(), "POST",
             lambda w: {"external_id": "pia", "role": "member"}),
    ],
    "login-role": [
        Case("asked for with GET", for_all(NOT_ALLOWED), riverside(lambda w: w.pats_login.pk)),
        Case("pat's login", web(admin=REDIRECT, everyone=FORBIDDEN),
             riverside(lambda w: w.pats_login.pk), "POST", lambda w: {"role": "member"}),
        Case("a lakeview login changed at riverside", web(admin=NOT_FOUND, everyone=FORBIDDEN),
             riverside(lambda w: w.lees_login.pk), "POST", lambda w: {"role": "admin"}),
    ],
    "login-remove": [
        Case("asked for with GET", for_all(NOT_ALLOWED), riverside(lambda w: w.pats_login.pk)),
        Case("a lakeview login removed at riverside", web(admin=NOT_FOUND, everyone=FORBIDDEN),
             riverside(lambda w: w.lees_login.pk), "POST"),
        Case("pat's login", web(admin=REDIRECT, everyone=FORBIDDEN),
             riverside(lambda w: w.pats_login.pk), "POST"),
    ],
    "token-list": [
        Case("the viewer's tokens", web(everyone=OK), riverside()),
        Case("creating a token", web(everyone=OK), riverside(), "POST",
             lambda w: {"name": "matrix"}),
    ],
    "token-revoke": [
        Case("asked for with GET", for_all(NOT_ALLOWED), alices_token),
        Case("the viewer's own token", web(everyone=REDIRECT), own_token, "POST"),
        Case("alice's token, revoked by someone else", web(admin=REDIRECT, everyone=NOT_FOUND),
             alices_token, "POST"),
    ],
    # Surveys: admins run cycles; executives and leaders follow them; members answer through
    # their links, which need no login.
    "survey-cycles": [
        Case("riverside's cycles", web(staff_nurse=FORBIDDEN, everyone=OK), riverside()),
    ],
    "survey-cycle-new": [
        Case("the form", web(admin=OK, everyone=FORBIDDEN), riverside()),
        Case("a cycle with no name", web(admin=400, everyone=FORBIDDEN), riverside(), "POST",
             lambda w: {"name": ""}),
    ],
    "survey-instruments": [
        Case("the instruments", web(admin=OK, everyone=FORBIDDEN), riverside()),
    ],
    "survey-cycle": [
        Case("a riverside cycle", web(staff_nurse=FORBIDDEN, everyone=OK), riverside_cycle),
        Case("a lakeview cycle asked for at riverside",
             web(staff_nurse=FORBIDDEN, everyone=NOT_FOUND), lakeview_cycle_at_riverside),
    ],
    "survey-cycle-edit": [
        Case("a riverside draft", web(admin=OK, everyone=FORBIDDEN), riverside_cycle),
        Case("a lakeview cycle asked for at riverside", web(admin=NOT_FOUND, everyone=FORBIDDEN),
             lakeview_cycle_at_riverside),
    ],
    "survey-cycle-action": [
        Case("asked for with GET", for_all(NOT_ALLOWED), cycle_action(riverside_cycle)),
        Case("scheduling a riverside draft", web(admin=REDIRECT, everyone=FORBIDDEN),
             cycle_action(riverside_cycle), "POST"),
        Case("scheduling a lakeview cycle at riverside",
             web(admin=NOT_FOUND, everyone=FORBIDDEN), cycle_action(lakeview_cycle_at_riverside),
             "POST"),
    ],
    "survey-answer-own": [
        Case("asked for with GET", for_all(NOT_ALLOWED), riverside_cycle),
        Case("a draft cycle, which has invited no one", web(everyone=NOT_FOUND),
             riverside_cycle, "POST"),
    ],
    "survey-codes": [
        Case("the form", web(admin=OK, everyone=FORBIDDEN), riverside_cycle),
        Case("printing codes for a draft", web(admin=400, everyone=FORBIDDEN), riverside_cycle,
             "POST", lambda w: {"format": "csv", "paper": "A4"}),
        Case("a lakeview cycle asked for at riverside", web(admin=NOT_FOUND, everyone=FORBIDDEN),
             lakeview_cycle_at_riverside),
    ],
    "survey-start": [
        Case("the page for typing a printed code", for_all(OK)),
        Case("a code that is not one", for_all(400), method="POST", data=lambda w: {"code": "x"}),
    ],
    "survey-answer": [Case("the form without a token, sent to the code page", for_all(REDIRECT))],
    "survey-done": [Case("the thank-you page", for_all(OK))],
    "survey-link": [
        Case("a link whose token does not exist", for_all(NOT_FOUND),
             lambda w, v: ("7KQ2M9XD4HTRB6WN",)),
    ],
    # The API's own pages: public, like the API's documentation anywhere.
    "api:openapi-view": [Case("the API documentation", for_all(OK))],
    "api:openapi-json": [Case("the OpenAPI document", for_all(OK))],
    "api:api-root": [Case("the API's root, which is not a page", for_all(NOT_FOUND))],
    # API operations, called with each viewer's own personal access token.
    "GET /api/me": [Case("who the token acts as", api_call(everyone=OK, outsider=OK))],
    "GET /api/units": [Case("the units in scope", api_call(everyone=OK, outsider=OK))],
    "GET /api/units/{unit_id}": [
        *unit_cases(lambda *parts: lambda w, v: tuple(p(w) for p in parts), api_call),
        Case("a lakeview unit", api_call(everyone=NOT_FOUND, outsider=OK),
             lambda w, v: (w.lakeview_unit.pk,)),
    ],
    "GET /api/surveys/cycles": [
        Case("the cycles", api_call(staff_nurse=FORBIDDEN, everyone=OK, outsider=OK)),
    ],
    "GET /api/surveys/cycles/{cycle_id}/response-rates": [
        Case("a riverside cycle", api_call(staff_nurse=FORBIDDEN, everyone=OK, outsider=NOT_FOUND),
             lambda w, v: (w.riverside_cycle.pk,)),
        Case("a lakeview cycle", api_call(staff_nurse=FORBIDDEN, everyone=NOT_FOUND, outsider=OK),
             lambda w, v: (w.lakeview_cycle.pk,)),
    ],
    "GET /api/people": [Case("the people in scope", api_call(everyone=OK, outsider=OK))],
    "GET /api/people/{person_id}": [
        *person_cases(lambda *parts: lambda w, v: tuple(p(w) for p in parts), api_call),
        Case("a lakeview person", api_call(everyone=NOT_FOUND, outsider=OK),
             lambda w, v: (w.lakeview_person.pk,)),
    ],
    # Survey results: a riverside cycle published with answers from everyone (published_cycle below).
    "results": [
        Case("the published cycles", web(staff_nurse=FORBIDDEN, everyone=OK),
             riverside()),
    ],
    **{
        name: [
            Case("a published riverside cycle", web(staff_nurse=FORBIDDEN, everyone=OK),
                 riverside(lambda w: published_cycle(w))),
            Case("a riverside cycle that is not published",
                 web(staff_nurse=FORBIDDEN, everyone=NOT_FOUND), riverside_cycle),
            Case("a lakeview cycle at riverside", web(staff_nurse=FORBIDDEN, everyone=NOT_FOUND),
                 lakeview_cycle_at_riverside),
        ]
        for name in ("results-heatmap", "results-drivers", "results-gap", "results-trends",
                     "results-comments", "results-export")
    },
    "results-export-file": [
        Case("the JSON export", web(staff_nurse=FORBIDDEN, everyone=OK),
             riverside(lambda w: published_cycle(w), lambda w: "json")),
        Case("an unknown format", web(staff_nurse=FORBIDDEN, everyone=NOT_FOUND),
             riverside(lambda w: published_cycle(w), lambda w: "pdf")),
    ],
    "results-publish": [
        Case("asked for with GET", for_all(NOT_ALLOWED), riverside_cycle),
        Case("a riverside draft, which cannot be published yet",
             web(admin=REDIRECT, everyone=FORBIDDEN), riverside_cycle, "POST"),
        Case("a lakeview cycle asked for at riverside", web(admin=NOT_FOUND, everyone=FORBIDDEN),
             lakeview_cycle_at_riverside, "POST"),
    ],
    "results-release": [
        Case("asked for with GET", for_all(NOT_ALLOWED), riverside(lambda w: published_cycle(w))),
        Case("releasing again", web(admin=REDIRECT, everyone=FORBIDDEN),
             riverside(lambda w: published_cycle(w)), "POST", lambda w: {"note": "A correction"}),
    ],
    "GET /api/results/cycles": [
        Case("the published cycles", api_call(staff_nurse=FORBIDDEN, everyone=OK, outsider=OK)),
    ],
    "GET /api/results/cycles/{cycle_id}/report": [
        Case("a published riverside cycle",
             api_call(staff_nurse=FORBIDDEN, everyone=OK, outsider=NOT_FOUND),
             lambda w, v: (published_cycle(w),)),
        Case("a riverside draft", api_call(staff_nurse=FORBIDDEN, everyone=NOT_FOUND,
                                           outsider=NOT_FOUND),
             lambda w, v: (w.riverside_cycle.pk,)),
    ],
    # Action plans. The data comes from actions_world() below: chad's plan for Emergency (made
    # from the published cycle's released burnout figure; sam owns one of its steps; one
    # update not yet published) and pia's plan for Pediatrics.
    "action-plans": [Case("the plans in view", web(everyone=OK), riverside())],
    "you-said-we-did": [Case("the published updates", web(everyone=OK), riverside())],
    "action-plan": [
        Case("chad's Emergency plan, with a step of sam's",
             web(admin=OK, executive=OK, chair=OK, nurse_manager=NOT_FOUND, staff_nurse=OK),
             riverside(lambda w: actions_world(w)["emergency"])),
        Case("pia's Pediatrics plan", web(admin=OK, executive=OK, everyone=NOT_FOUND),
             riverside(lambda w: actions_world(w)["pediatrics"])),
        Case("a plan id that does not exist", web(everyone=NOT_FOUND), riverside(lambda w: 10**9)),
    ],
    "action-plan-edit": [
        Case("chad's Emergency plan",
             web(admin=OK, executive=OK, chair=OK, nurse_manager=NOT_FOUND, staff_nurse=FORBIDDEN),
             riverside(lambda w: actions_world(w)["emergency"])),
    ],
    "action-plan-status": [
        Case("asked for with GET", for_all(NOT_ALLOWED), riverside(lambda w: actions_world(w)["emergency"])),
        Case("starting chad's plan",
             web(admin=REDIRECT, executive=REDIRECT, chair=REDIRECT, nurse_manager=NOT_FOUND,
                 staff_nurse=FORBIDDEN),
             riverside(lambda w: actions_world(w)["emergency"]), "POST",
             lambda w: {"status": "in_progress"}),
    ],
    "action-step-add": [
        Case("a step for chad's plan",
             web(admin=REDIRECT, executive=REDIRECT, chair=REDIRECT, nurse_manager=NOT_FOUND,
                 staff_nurse=FORBIDDEN),
             riverside(lambda w: actions_world(w)["emergency"]), "POST", lambda w: {"title": "Ask"}),
    ],
    "action-step-mark": [
        Case("sam's step of chad's plan",
             web(admin=REDIRECT, executive=REDIRECT, chair=REDIRECT, nurse_manager=NOT_FOUND,
                 staff_nurse=REDIRECT),
             riverside(lambda w: actions_world(w)["step"]), "POST", lambda w: {"done": "1"}),
    ],
    "action-update-add": [
        Case("an update on chad's plan",
             web(admin=REDIRECT, executive=REDIRECT, chair=REDIRECT, nurse_manager=NOT_FOUND,
                 staff_nurse=FORBIDDEN),
             riverside(lambda w: actions_world(w)["emergency"]), "POST",
             lambda w: {"text": "We met."}),
    ],
    "action-update-publish": [
        Case("publishing chad's draft update: only the owner may",
             web(admin=FORBIDDEN, executive=FORBIDDEN, chair=REDIRECT, nurse_manager=NOT_FOUND,
                 staff_nurse=FORBIDDEN),
             riverside(lambda w: actions_world(w)["update"]), "POST"),
    ],
    **{
        name: [
            Case("asked for with GET", for_all(NOT_ALLOWED),
                 riverside(lambda w: actions_world(w)["emergency"])),
            Case("chad's plan, not done: refused, with the reason, to those who may change it",
                 web(admin=REDIRECT, executive=REDIRECT, chair=REDIRECT, nurse_manager=NOT_FOUND,
                     staff_nurse=FORBIDDEN),
                 riverside(lambda w: actions_world(w)["emergency"]), "POST"),
            Case("pia's Pediatrics plan", web(admin=REDIRECT, executive=REDIRECT,
                                              everyone=NOT_FOUND),
                 riverside(lambda w: actions_world(w)["pediatrics"]), "POST"),
        ]
        for name in ("action-feedback-run", "action-feedback-publish")
    },
    **{
        name: [
            Case("Emergency in the published cycle",
                 web(admin=OK, executive=OK, chair=OK, nurse_manager=NOT_FOUND,
                     staff_nurse=FORBIDDEN),
                 riverside(lambda w: {"cycle": published_cycle(w), "unit": w.unit("Emergency")})),
            Case("a cycle that is not published",
                 web(staff_nurse=FORBIDDEN, everyone=NOT_FOUND),
                 riverside(lambda w: {"cycle": w.riverside_cycle.pk, "unit": w.unit("Emergency")})),
            Case("no cycle named", web(everyone=NOT_FOUND), riverside(lambda w: {})),
        ]
        for name in ("action-plan-new", "team-discussion-new")
    },
    "action-loop-latest": [
        Case("the latest published cycle's loop", web(staff_nurse=FORBIDDEN, everyone=REDIRECT),
             lambda w, v: ("riverside",) if published_cycle(w) else ()),
    ],
    "action-loop": [
        Case("the published cycle", web(staff_nurse=FORBIDDEN, everyone=OK),
             riverside(lambda w: published_cycle(w))),
        Case("a cycle that is not published", web(staff_nurse=FORBIDDEN, everyone=NOT_FOUND),
             riverside_cycle),
    ],
    "action-loop-export": [
        Case("as CSV", web(staff_nurse=FORBIDDEN, everyone=OK),
             riverside(lambda w: published_cycle(w), lambda w: "csv")),
        Case("as PDF, which it does not offer", web(staff_nurse=FORBIDDEN, everyone=NOT_FOUND),
             riverside(lambda w: published_cycle(w), lambda w: "pdf")),
    ],
    "action-settings": [
        Case("the form", web(admin=OK, everyone=FORBIDDEN), riverside()),
        Case("changing the window", web(admin=REDIRECT, everyone=FORBIDDEN), riverside(), "POST",
             lambda w: {"discussion_window_days": "21", "feedback_after_days": "30"}),
    ],
    "GET /api/actions/plans": [Case("plans in view", api_call(everyone=OK, outsider=OK))],
    "GET /api/actions/you-said-we-did": [Case("published updates", api_call(everyone=OK, outsider=OK))],
    "POST /api/actions/plans": [
        Case("a plan for Emergency from its released burnout figure",
             api_call(admin=201, executive=201, chair=201, nurse_manager=NOT_FOUND,
                      staff_nurse=FORBIDDEN, outsider=NOT_FOUND), no_args, "POST",
             lambda w: {"cycle_id": published_cycle(w), "unit_id": w.unit("Emergency"),
                        "finding": "outcome:burnout_rate", "title": "Protect breaks",
                        "due_on": str(dt.date.today() + dt.timedelta(days=60)), "owner_ids": [w.person("chad")]}),
    ],
    "GET /api/actions/plans/{plan_id}": [
        Case("chad's Emergency plan",
             api_call(admin=OK, executive=OK, chair=OK, nurse_manager=NOT_FOUND, staff_nurse=OK,
                      outsider=NOT_FOUND),
             lambda w, v: (actions_world(w)["emergency"],)),
    ],
    "PATCH /api/actions/plans/{plan_id}": [
        Case("starting chad's plan",
             api_call(admin=OK, executive=OK, chair=OK, nurse_manager=NOT_FOUND,
                      staff_nurse=FORBIDDEN, outsider=NOT_FOUND),
             lambda w, v: (actions_world(w)["emergency"],), "PATCH",
             lambda w: {"status": "in_progress"}),
    ],
    "POST /api/actions/plans/{plan_id}/steps": [
        Case("a step for chad's plan",
             api_call(admin=201, executive=201, chair=201, nurse_manager=NOT_FOUND,
                      staff_nurse=FORBIDDEN, outsider=NOT_FOUND),
             lambda w, v: (actions_world(w)["emergency"],), "POST", lambda w: {"title": "Ask"}),
    ],
    "PATCH /api/actions/steps/{step_id}": [
        Case("sam's step",
             api_call(admin=OK, executive=OK, chair=OK, nurse_manager=NOT_FOUND, staff_nurse=OK,
                      outsider=NOT_FOUND),
             lambda w, v: (actions_world(w)["step"],), "PATCH", lambda w: {"done": True}),
    ],
    "POST /api/actions/plans/{plan_id}/updates": [
        Case("an update on chad's plan",
             api_call(admin=201, executive=201, chair=201, nurse_manager=NOT_FOUND,
                      staff_nurse=FORBIDDEN, outsider=NOT_FOUND),
             lambda w, v: (actions_world(w)["emergency"],), "POST", lambda w: {"text": "We met."}),
    ],
    "POST /api/actions/updates/{update_id}/publish": [
        Case("chad's draft update: only the owner publishes",
             api_call(admin=FORBIDDEN, executive=FORBIDDEN, chair=OK, nurse_manager=NOT_FOUND,
                      staff_nurse=FORBIDDEN, outsider=NOT_FOUND),
             lambda w, v: (actions_world(w)["update"],), "POST"),
    ],
    **{
        f"POST /api/actions/plans/{{plan_id}}/{path}": [
            Case("chad's plan, not done: refused with the reason to those who may change it",
                 api_call(admin=422, executive=422, chair=422, nurse_manager=NOT_FOUND,
                          staff_nurse=FORBIDDEN, outsider=NOT_FOUND),
                 lambda w, v: (actions_world(w)["emergency"],), "POST"),
        ]
        for path in ("feedback-pulse", "feedback-pulse/publish")
    },
    # Agreements. The data comes from expectations_world() below: chad's agreement with nora
    # (prepared, proposed, waiting for her) and a concern she raised.
    "agreements": [Case("the viewer's agreements", web(everyone=OK), riverside())],
    "agreement-new": [Case("the form", web(everyone=OK), riverside())],
    "agreements-overview": [
        Case("the figures", web(staff_nurse=FORBIDDEN, everyone=OK), riverside()),
    ],
    "agreement": [
        Case("chad's agreement with nora", web(chair=OK, nurse_manager=OK, everyone=NOT_FOUND),
             riverside(lambda w: expectations_world(w)["agreement"])),
        Case("an id that does not exist", web(everyone=NOT_FOUND), riverside(lambda w: 10**9)),
    ],
    "agreement-preparation": [
        Case("chad's preparation: his alone",
             web(chair=OK, nurse_manager=FORBIDDEN, everyone=NOT_FOUND),
             riverside(lambda w: expectations_world(w)["agreement"])),
    ],
    "agreement-draft": [
        Case("the proposed draft: back to the agreement for chad",
             web(chair=REDIRECT, nurse_manager=FORBIDDEN, everyone=NOT_FOUND),
             riverside(lambda w: expectations_world(w)["agreement"])),
    ],
    "agreement-propose": [
        Case("asked for with GET", for_all(NOT_ALLOWED),
             riverside(lambda w: expectations_world(w)["agreement"])),
        Case("nothing left to propose: refused with the reason",
             web(chair=REDIRECT, nurse_manager=FORBIDDEN, everyone=NOT_FOUND),
             riverside(lambda w: expectations_world(w)["agreement"]), "POST"),
    ],
    "agreement-accept": [
        Case("version 1, proposed to nora",
             web(chair=REDIRECT, nurse_manager=REDIRECT, everyone=NOT_FOUND),
             riverside(lambda w: expectations_world(w)["agreement"]), "POST",
             lambda w: {"version": "1"}),
    ],
    "agreement-changes": [
        Case("changes without a comment: the form again, with the reason",
             web(chair=400, nurse_manager=400, everyone=NOT_FOUND),
             riverside(lambda w: expectations_world(w)["agreement"]), "POST",
             lambda w: {"version": "1"}),
    ],
    "agreement-concern-add": [
        Case("a concern on chad's agreement",
             web(chair=REDIRECT, nurse_manager=REDIRECT, everyone=NOT_FOUND),
             riverside(lambda w: expectations_world(w)["agreement"]), "POST",
             lambda w: {"text": "Too soon"}),
    ],
    "agreement-follow-up": [
        Case("an empty answer to a follow-up: the page again, with the reasons",
             web(chair=400, nurse_manager=400, everyone=NOT_FOUND),
             riverside(lambda w: expectations_world(w)["follow_up"]), "POST"),
    ],
    "agreement-concern-address": [
        Case("nora's concern", web(chair=REDIRECT, nurse_manager=REDIRECT, everyone=NOT_FOUND),
             riverside(lambda w: expectations_world(w)["concern"]), "POST",
             lambda w: {"note": "Answered"}),
    ],
    "agreement-meeting": [
        Case("the form to schedule chad's meeting with nora",
             web(chair=OK, nurse_manager=FORBIDDEN, everyone=NOT_FOUND),
             riverside(lambda w: expectations_world(w)["agreement"])),
    ],
    "agreement-meeting-move": [
        Case("the form to move their meeting",
             web(chair=OK, nurse_manager=FORBIDDEN, everyone=NOT_FOUND),
             riverside(lambda w: expectations_world(w)["meeting"])),
    ],
    "agreement-meeting-record": [
        Case("an empty record: the page again, with the reasons",
             web(chair=400, nurse_manager=400, everyone=NOT_FOUND),
             riverside(lambda w: expectations_world(w)["meeting"]), "POST"),
    ],
    "agreement-meeting-cancel": [
        Case("asked for with GET", for_all(NOT_ALLOWED),
             riverside(lambda w: expectations_world(w)["meeting"])),
        Case("chad cancels; nora is refused with the reason",
             web(chair=REDIRECT, nurse_manager=REDIRECT, everyone=NOT_FOUND),
             riverside(lambda w: expectations_world(w)["meeting"]), "POST"),
    ],
    "agreement-cadence": [
        Case("chad sets the follow-ups", web(chair=REDIRECT, nurse_manager=FORBIDDEN, everyone=NOT_FOUND),
             riverside(lambda w: expectations_world(w)["agreement"]), "POST",
             lambda w: {"cadence": "1d, 1w"}),
    ],
    "agreement-review": [
        Case("a review of an agreement not yet accepted: refused to chad with the reason",
             web(chair=REDIRECT, nurse_manager=FORBIDDEN, everyone=NOT_FOUND),
             riverside(lambda w: expectations_world(w)["agreement"]), "POST"),
    ],
    "agreement-item-goal": [
        Case("an expectation of the proposed version: refused to nora with the reason",
             web(chair=400, nurse_manager=400, everyone=NOT_FOUND),
             riverside(lambda w: expectations_world(w)["item"]), "POST",
             lambda w: {}),
    ],
    "agreements-settings": [
        Case("the admin's settings", web(admin=OK, everyone=FORBIDDEN), riverside()),
    ],
    "agreements-remove": [
        Case("the admin's removal form", web(admin=OK, everyone=FORBIDDEN), riverside()),
        Case("a removal naming the wrong people: refused, nothing removed",
             web(admin=OK, everyone=FORBIDDEN), riverside(), "POST",
             lambda w: {"agreement": str(expectations_world(w)["agreement"]), "leader": "nora",
                        "colleague": "chad", "reason": "Asked by Nora"}),
    ],
    "GET /api/expectations/agreements": [
        Case("the token owner's agreements", api_call(everyone=OK, outsider=OK)),
    ],
    "POST /api/expectations/agreements": [
        Case("an agreement with nora: refused to nora herself and to an admin with no person",
             api_call(everyone=201, nurse_manager=422, outsider=FORBIDDEN), lambda w, v: (), "POST",
             lambda w: {"colleague_hr_id": "nora", "relationship": "peer", "topic": "Rotas"}),
    ],
    "GET /api/expectations/agreements/{agreement_id}": [
        Case("chad's agreement with nora", api_call(chair=OK, nurse_manager=OK, everyone=NOT_FOUND),
             lambda w, v: (expectations_world(w)["agreement"],)),
    ],
    "GET /api/expectations/agreements/{agreement_id}/preparation": [
        Case("chad's preparation: his alone",
             api_call(chair=OK, nurse_manager=FORBIDDEN, everyone=NOT_FOUND),
             lambda w, v: (expectations_world(w)["agreement"],)),
    ],
    "PUT /api/expectations/agreements/{agreement_id}/preparation": [
        Case("chad's preparation: his alone",
             api_call(chair=OK, nurse_manager=FORBIDDEN, everyone=NOT_FOUND),
             lambda w, v: (expectations_world(w)["agreement"],), "PUT", lambda w: {"belief": 4}),
    ],
    "PUT /api/expectations/agreements/{agreement_id}/draft": [
        Case("a draft while version 1 waits for nora: refused to chad with the reason",
             api_call(chair=422, nurse_manager=FORBIDDEN, everyone=NOT_FOUND),
             lambda w, v: (expectations_world(w)["agreement"],), "PUT", lambda w: {}),
    ],
    "POST /api/expectations/agreements/{agreement_id}/propose": [
        Case("nothing left to propose", api_call(chair=422, nurse_manager=FORBIDDEN, everyone=NOT_FOUND),
             lambda w, v: (expectations_world(w)["agreement"],), "POST"),
    ],
    "POST /api/expectations/agreements/{agreement_id}/accept": [
        Case("version 1: nora accepts, chad may not accept his own",
             api_call(chair=422, nurse_manager=OK, everyone=NOT_FOUND),
             lambda w, v: (expectations_world(w)["agreement"],), "POST", lambda w: {"version": 1}),
    ],
    "POST /api/expectations/agreements/{agreement_id}/changes": [
        Case("changes to version 1: nora's to propose",
             api_call(chair=422, nurse_manager=201, everyone=NOT_FOUND),
             lambda w, v: (expectations_world(w)["agreement"],), "POST",
             lambda w: {"version": 1, "comment": "Later", "items": [
                 {"what": "Publish the rota", "measure": "done when posted",
                  "due_on": (dt.date.today() + dt.timedelta(days=30)).isoformat()}]}),
    ],
    "POST /api/expectations/agreements/{agreement_id}/concerns": [
        Case("a concern on chad's agreement", api_call(chair=201, nurse_manager=201, everyone=NOT_FOUND),
             lambda w, v: (expectations_world(w)["agreement"],), "POST", lambda w: {"text": "When?"}),
    ],
    "POST /api/expectations/follow-ups/{follow_up_id}/answers": [
        Case("a follow-up not yet due: refused to the two with the reason",
             api_call(chair=422, nurse_manager=422, everyone=NOT_FOUND),
             lambda w, v: (expectations_world(w)["follow_up"],), "POST",
             lambda w: {"answers": [{"item_id": 1, "on_track": True, "still_fair": True}]}),
    ],
    "POST /api/expectations/concerns/{concern_id}/address": [
        Case("nora's concern", api_call(chair=OK, nurse_manager=OK, everyone=NOT_FOUND),
             lambda w, v: (expectations_world(w)["concern"],), "POST", lambda w: {"note": "Soon"}),
    ],
    # Shadowing. The data comes from shadowing_world() below: Sam (the staff nurse) hosts;
    # Eve (the executive) has a visit to come with him and one that took place, with her
    # reflection and a commitment Nora (who works in Sam's unit) owns; one shift is open.
    "shadowing": [Case("the programme's home", web(everyone=OK), riverside())],
    "shadowing-host": [
        Case("hosting: clinicians only",
             web(chair=OK, staff_nurse=OK, everyone=FORBIDDEN), riverside()),
    ],
    "shadowing-host-status": [
        Case("asked for with GET", for_all(NOT_ALLOWED), riverside()),
        Case("host again: refused with the reason to those who never offered",
             web(everyone=REDIRECT), riverside(), "POST", lambda w: {"status": "active"}),
    ],
    "shadowing-slot-add": [
        Case("an empty shift: the form again, for clinicians",
             web(chair=400, staff_nurse=400, everyone=FORBIDDEN), riverside(), "POST"),
    ],
    "shadowing-slot-remove": [
        Case("sam's open shift: refused to anyone else with the reason",
             web(everyone=REDIRECT), riverside(lambda w: shadowing_world(w)["open_slot"]), "POST"),
    ],
    "shadowing-book": [
        Case("booking: executives and leaders whose work is administration",
             web(admin=OK, executive=OK, nurse_manager=OK, everyone=FORBIDDEN), riverside()),
    ],
    "shadowing-visit": [
        Case("eve's visit to come with sam", web(executive=OK, staff_nurse=OK, everyone=NOT_FOUND),
             riverside(lambda w: shadowing_world(w)["visit"])),
        Case("an id that does not exist", web(everyone=NOT_FOUND), riverside(lambda w: 10**9)),
    ],
    "shadowing-visit-answer": [
        Case("an empty answer: the host's to give",
             web(executive=FORBIDDEN, staff_nurse=400, everyone=NOT_FOUND),
             riverside(lambda w: shadowing_world(w)["visit"]), "POST"),
    ],
    "shadowing-visit-cancel": [
        Case("asked for with GET", for_all(NOT_ALLOWED),
             riverside(lambda w: shadowing_world(w)["visit"])),
        Case("eve cancels; sam is told it is cancelled already",
             web(executive=REDIRECT, staff_nurse=REDIRECT, everyone=NOT_FOUND),
             riverside(lambda w: shadowing_world(w)["visit"]), "POST"),
    ],
    "shadowing-visit-move": [
        Case("the host's form", web(executive=FORBIDDEN, staff_nurse=OK, everyone=NOT_FOUND),
             riverside(lambda w: shadowing_world(w)["visit"])),
    ],
    "shadowing-visit-reflect": [
        Case("an empty reflection: the visitor's to write",
             web(executive=400, staff_nurse=FORBIDDEN, everyone=NOT_FOUND),
             riverside(lambda w: shadowing_world(w)["past_visit"]), "POST"),
    ],
    "shadowing-visit-word": [
        Case("an empty word: the host's to give",
             web(executive=FORBIDDEN, staff_nurse=400, everyone=NOT_FOUND),
             riverside(lambda w: shadowing_world(w)["past_visit"]), "POST"),
    ],
    "shadowing-commitment": [
        Case("nora's commitment: she and the visitor update it, the host and unit read it",
             web(executive=REDIRECT, nurse_manager=REDIRECT, staff_nurse=FORBIDDEN,
                 everyone=NOT_FOUND),
             riverside(lambda w: shadowing_world(w)["commitment"]), "POST"),
    ],
    "shadowing-commitments": [Case("the commitments one follows", web(everyone=OK), riverside())],
    "shadowing-coverage": [
        Case("the programme's figures", web(admin=OK, executive=OK, everyone=FORBIDDEN),
             riverside()),
    ],
    "shadowing-settings": [
        Case("the admin's settings", web(admin=OK, everyone=FORBIDDEN), riverside()),
    ],
    "shadowing-invite": [
        Case("unit leaders invite", web(chair=OK, nurse_manager=OK, everyone=FORBIDDEN),
             riverside()),
    ],
    # Leadership 360s. The data comes from leadership_world() below: Nora's 360 (approved by
    # Chad, her manager; coached by Rosa, the external coach) has closed and its report is
    # released to her; Chad's waits for a program admin's approval (his manager has no
    # login); Eve is choosing her raters.
    "leadership": [Case("the 360s' home", web(everyone=OK, coach=OK), riverside())],
    "leadership-start": [
        Case("asked for with GET", for_all(NOT_ALLOWED), riverside()),
        Case("an empty date: the form again", web(everyone=400), riverside(), "POST"),
    ],
    "leadership-review": [
        Case("nora's 360: hers, her approver's, her coach's, and the admin's to follow",
             web(admin=OK, chair=OK, nurse_manager=OK, everyone=NOT_FOUND, coach=OK),
             riverside(lambda w: leadership_world(w)["released"])),
        Case("an id that does not exist", web(everyone=NOT_FOUND, coach=NOT_FOUND),
             riverside(lambda w: 10**9)),
    ],
    "leadership-raters": [
        Case("eve chooses her raters", web(executive=OK, admin=FORBIDDEN, everyone=NOT_FOUND),
             riverside(lambda w: leadership_world(w)["nominating"])),
    ],
    "leadership-approve": [
        Case("chad's raters: a program admin approves (his manager has no login)",
             web(admin=OK, chair=FORBIDDEN, everyone=NOT_FOUND),
             riverside(lambda w: leadership_world(w)["awaiting"])),
    ],
    "leadership-self": [
        Case("eve rates herself", web(executive=OK, admin=FORBIDDEN, everyone=NOT_FOUND),
             riverside(lambda w: leadership_world(w)["nominating"])),
    ],
    "leadership-report": [
        Case("nora's report: hers and her coach's",
             web(nurse_manager=OK, admin=FORBIDDEN, chair=FORBIDDEN, everyone=NOT_FOUND,
                 coach=OK),
             riverside(lambda w: leadership_world(w)["released"])),
    ],
    "leadership-report-pdf": [
        Case("nora's report to keep: hers and her coach's",
             web(nurse_manager=OK, admin=FORBIDDEN, chair=FORBIDDEN, everyone=NOT_FOUND,
                 coach=OK),
             riverside(lambda w: leadership_world(w)["released"])),
    ],
    "leadership-release": [
        Case("asked for with GET", for_all(NOT_ALLOWED),
             riverside(lambda w: leadership_world(w)["released"])),
        Case("released already: the coach's step, refused to those who may see the 360",
             web(admin=FORBIDDEN, chair=FORBIDDEN, nurse_manager=FORBIDDEN, everyone=NOT_FOUND,
                 coach=FORBIDDEN),
             riverside(lambda w: leadership_world(w)["released"]), "POST"),
    ],
    "leadership-decline": [
        Case("a closed round: its raters are told it is closed; to anyone else it is not there",
             web(chair=REDIRECT, staff_nurse=REDIRECT, everyone=NOT_FOUND),
             riverside(lambda w: leadership_world(w)["released"]), "POST"),
    ],
    "leadership-close": [
        Case("nothing to close: refused to the admin with the reason",
             web(admin=REDIRECT, everyone=FORBIDDEN),
             riverside(lambda w: leadership_world(w)["released"]), "POST"),
    ],
    "leadership-cancel": [
        Case("a released report is not cancelled", web(admin=REDIRECT, everyone=FORBIDDEN),
             riverside(lambda w: leadership_world(w)["released"]), "POST"),
    ],
    "leadership-coach": [
        Case("the coach of a released report no longer changes",
             web(admin=400, everyone=FORBIDDEN),
             riverside(lambda w: leadership_world(w)["released"]), "POST"),
    ],
    "leadership-plan": [
        Case("nora's plan: hers to write, her coach's to read",
             web(nurse_manager=OK, admin=FORBIDDEN, chair=FORBIDDEN, everyone=NOT_FOUND,
                 coach=OK),
             riverside(lambda w: leadership_world(w)["released"])),
        Case("an empty plan: the form again for nora; only she writes it",
             web(nurse_manager=400, admin=FORBIDDEN, chair=FORBIDDEN, everyone=NOT_FOUND,
                 coach=FORBIDDEN),
             riverside(lambda w: leadership_world(w)["released"]), "POST"),
    ],
    "leadership-check-in": [
        Case("asked for with GET", for_all(NOT_ALLOWED),
             riverside(lambda w: leadership_world(w)["released"])),
        Case("no plan yet: refused with the reason to nora and her coach",
             web(nurse_manager=REDIRECT, admin=FORBIDDEN, chair=FORBIDDEN, everyone=NOT_FOUND,
                 coach=REDIRECT),
             riverside(lambda w: leadership_world(w)["released"]), "POST"),
    ],
    "leadership-action": [
        Case("an action that does not exist",
             web(admin=FORBIDDEN, chair=FORBIDDEN, everyone=NOT_FOUND),
             riverside(lambda w: leadership_world(w)["released"], lambda w: 10**9), "POST"),
    ],
    "leadership-reassess": [
        Case("no date: refused with the reason to nora",
             web(nurse_manager=REDIRECT, admin=FORBIDDEN, chair=FORBIDDEN, everyone=NOT_FOUND),
             riverside(lambda w: leadership_world(w)["released"]), "POST"),
    ],
    "leadership-share": [
        Case("asked for with GET", for_all(NOT_ALLOWED),
             riverside(lambda w: leadership_world(w)["released"])),
        Case("no one named: refused with the reason to nora",
             web(nurse_manager=REDIRECT, admin=FORBIDDEN, chair=FORBIDDEN, everyone=NOT_FOUND),
             riverside(lambda w: leadership_world(w)["released"]), "POST"),
    ],
    "leadership-unshare": [
        Case("shared with no one: nothing to stop",
             web(admin=FORBIDDEN, chair=FORBIDDEN, everyone=NOT_FOUND),
             riverside(lambda w: leadership_world(w)["released"], lambda w: w.person("sam")),
             "POST"),
    ],
    "leadership-profile": [
        Case("a cohort's profile: executives and admins",
             web(admin=OK, executive=OK, everyone=FORBIDDEN),
             riverside(lambda w: leadership_world(w)["cohort"])),
        Case("a cohort that does not exist", web(admin=NOT_FOUND, executive=NOT_FOUND,
                                                 everyone=FORBIDDEN),
             riverside(lambda w: 10**9)),
    ],
    "leadership-cohorts": [
        Case("the admin's cohorts", web(admin=OK, everyone=FORBIDDEN), riverside()),
        Case("an empty cohort: the form again", web(admin=400, everyone=FORBIDDEN), riverside(),
             "POST"),
    ],
    "leadership-cohort": [
        Case("nurse managers' cohort", web(admin=OK, everyone=FORBIDDEN),
             riverside(lambda w: leadership_world(w)["cohort"])),
    ],
    # Team charters (web). The data comes from charter_world() below: ED Nursing's charter
    # (Nora, its leader, facilitates; Nora, Sam, Nina and Ned are its members; Chad leads
    # Emergency, above it), version 1 in force, version 2 a draft and a revisit open;
    # Pediatrics' charter, a first draft Pia facilitates; and a charter of Lakeview's. The
    # team reads its drafts, values, comments and ratings; executives, admins and leaders
    # over the unit read the charter in force and its history (a 403 for the team's own);
    # anyone else, and every id of another organisation, a 404. POSTs that would change the
    # charter for the viewers after them are sent empty or stale, as the forms refuse them.
    "charters": [
        Case("the charters' home: one's teams, and those one oversees", web(everyone=OK),
             riverside()),
    ],
    "charter-start": [
        Case("whoever leads a team starts a charter", web(staff_nurse=FORBIDDEN, everyone=OK),
             riverside()),
        Case("an empty form: the form again", web(staff_nurse=FORBIDDEN, everyone=400),
             riverside(), "POST"),
    ],
    "charter": [
        Case("ED Nursing's charter: its team, and those over it", web(everyone=OK),
             riverside(lambda w: charter_world(w)["ed"])),
        Case("Pediatrics' charter: executives and admins, nobody else",
             web(admin=OK, executive=OK, everyone=NOT_FOUND),
             riverside(lambda w: charter_world(w)["peds"])),
        Case("a lakeview charter's id, asked for at riverside", web(everyone=NOT_FOUND),
             riverside(lambda w: charter_world(w)["lakeview"])),
        Case("ED Nursing's id, asked for at lakeview",
             web(everyone=NOT_FOUND, coach=NOT_FOUND),
             lakeview(lambda w: charter_world(w)["ed"])),
        Case("lakeview's own charter: olive, its admin, reads it",
             web(everyone=NOT_FOUND, outsider=OK, coach=NOT_FOUND),
             lakeview(lambda w: charter_world(w)["lakeview"])),
        Case("an id that does not exist", web(everyone=NOT_FOUND), riverside(lambda w: 10**9)),
        Case("an id beyond any column", web(everyone=NOT_FOUND), riverside(lambda w: 2**64)),
    ],
    "charter-pdf": [
        Case("ED Nursing's charter in force, printed: whoever reads it", web(everyone=OK),
             riverside(lambda w: charter_world(w)["ed"])),
        Case("Pediatrics has nothing in force: back to its page",
             web(admin=REDIRECT, executive=REDIRECT, everyone=NOT_FOUND),
             riverside(lambda w: charter_world(w)["peds"])),
    ],
    "charter-values": [
        Case("the pooled values: the team's own",
             web(nurse_manager=OK, staff_nurse=OK, everyone=FORBIDDEN),
             riverside(lambda w: charter_world(w)["ed"])),
        Case("an empty answer to the new draft's questions: the form again, for members",
             web(nurse_manager=400, staff_nurse=400, everyone=FORBIDDEN),
             riverside(lambda w: charter_world(w)["ed"]), "POST"),
        Case("Pediatrics' values: not even to executives and admins",
             web(admin=FORBIDDEN, executive=FORBIDDEN, everyone=NOT_FOUND),
             riverside(lambda w: charter_world(w)["peds"])),
    ],
    "charter-draft": [
        Case("the new draft: the team's own",
             web(nurse_manager=OK, staff_nurse=OK, everyone=FORBIDDEN),
             riverside(lambda w: charter_world(w)["ed"])),
        Case("a stale form (of draft 1): refused to nora with the form; a member has none",
             web(nurse_manager=400, staff_nurse=REDIRECT, everyone=FORBIDDEN),
             riverside(lambda w: charter_world(w)["ed"]), "POST",
             lambda w: {"version": "1", "vision": "Stale"}),
    ],
    "charter-propose": [
        Case("asked for with GET", for_all(NOT_ALLOWED),
             riverside(lambda w: charter_world(w)["ed"])),
        Case("the facilitator proposes the draft", web(nurse_manager=REDIRECT, everyone=FORBIDDEN),
             riverside(lambda w: charter_world(w)["ed"]), "POST"),
    ],
    "charter-revise": [
        Case("asked for with GET", for_all(NOT_ALLOWED),
             riverside(lambda w: charter_world(w)["ed"])),
        Case("a draft is open already: refused to the facilitator with the reason",
             web(nurse_manager=REDIRECT, everyone=FORBIDDEN),
             riverside(lambda w: charter_world(w)["ed"]), "POST"),
    ],
    "charter-discard": [
        Case("asked for with GET", for_all(NOT_ALLOWED),
             riverside(lambda w: charter_world(w)["ed"])),
        Case("the facilitator drops the new draft", web(nurse_manager=REDIRECT, everyone=FORBIDDEN),
             riverside(lambda w: charter_world(w)["ed"]), "POST"),
    ],
    "charter-endorse": [
        Case("asked for with GET", for_all(NOT_ALLOWED),
             riverside(lambda w: charter_world(w)["ed"])),
        Case("an empty answer: back with the reason, for members",
             web(nurse_manager=REDIRECT, staff_nurse=REDIRECT, everyone=FORBIDDEN),
             riverside(lambda w: charter_world(w)["ed"]), "POST"),
    ],
    "charter-versions": [
        Case("ED Nursing's history", web(everyone=OK),
             riverside(lambda w: charter_world(w)["ed"])),
        Case("Pediatrics' history", web(admin=OK, executive=OK, everyone=NOT_FOUND),
             riverside(lambda w: charter_world(w)["peds"])),
    ],
    "charter-version": [
        Case("version 1, in force", web(everyone=OK),
             riverside(lambda w: charter_world(w)["ed"], lambda w: 1)),
        Case("version 2, a draft: the team's own; to those over it, not there",
             web(nurse_manager=OK, staff_nurse=OK, everyone=NOT_FOUND),
             riverside(lambda w: charter_world(w)["ed"], lambda w: 2)),
        Case("a version number beyond the column", web(everyone=NOT_FOUND),
             riverside(lambda w: charter_world(w)["ed"], lambda w: 2**31)),
    ],
    "charter-revisit": [
        Case("the open revisit: the team's own",
             web(nurse_manager=OK, staff_nurse=OK, everyone=FORBIDDEN),
             riverside(lambda w: charter_world(w)["ed"])),
        Case("no norm rated: the form again, for members",
             web(nurse_manager=400, staff_nurse=400, everyone=FORBIDDEN),
             riverside(lambda w: charter_world(w)["ed"]), "POST"),
    ],
    "charter-revisit-open": [
        Case("asked for with GET", for_all(NOT_ALLOWED),
             riverside(lambda w: charter_world(w)["ed"])),
        Case("one is open already: refused to the facilitator with the reason",
             web(nurse_manager=REDIRECT, everyone=FORBIDDEN),
             riverside(lambda w: charter_world(w)["ed"]), "POST"),
    ],
    "charter-revisit-close": [
        Case("asked for with GET", for_all(NOT_ALLOWED),
             riverside(lambda w: charter_world(w)["ed"])),
        Case("the facilitator closes the revisit", web(nurse_manager=REDIRECT, everyone=FORBIDDEN),
             riverside(lambda w: charter_world(w)["ed"]), "POST"),
    ],
    "charter-pulse": [
        Case("the norms in pulse surveys: the team's own",
             web(nurse_manager=OK, staff_nurse=OK, everyone=FORBIDDEN),
             riverside(lambda w: charter_world(w)["ed"])),
        Case("no survey chosen: the form again, for the facilitator only",
             web(nurse_manager=400, everyone=FORBIDDEN),
             riverside(lambda w: charter_world(w)["ed"]), "POST"),
        Case("the norms added to a pulse not yet open: the facilitator's",
             web(nurse_manager=REDIRECT, everyone=FORBIDDEN),
             riverside(lambda w: charter_world(w)["ed"]), "POST",
             lambda w: {"cycle": charter_pulses(w, charter_world(w)["ed"])["cycle"]}),
        Case("Pediatrics' pulses: not even to executives and admins",
             web(admin=FORBIDDEN, executive=FORBIDDEN, everyone=NOT_FOUND),
             riverside(lambda w: charter_world(w)["peds"])),
    ],
    "charter-pulse-withdraw": [
        Case("asked for with GET", for_all(NOT_ALLOWED),
             riverside(lambda w: charter_world(w)["ed"],
                       lambda w: charter_pulses(w, charter_world(w)["ed"])["pulse"])),
        Case("the facilitator takes the norms out of a pulse not yet open",
             web(nurse_manager=REDIRECT, everyone=FORBIDDEN),
             riverside(lambda w: charter_world(w)["ed"],
                       lambda w: charter_pulses(w, charter_world(w)["ed"])["pulse"]), "POST"),
    ],
    "charter-settings": [
        Case("the team and settings: the team, and a program admin (to hand over)",
             web(admin=OK, nurse_manager=OK, staff_nurse=OK, everyone=FORBIDDEN),
             riverside(lambda w: charter_world(w)["ed"])),
        Case("empty settings: the form again, for the facilitator only",
             web(nurse_manager=400, everyone=FORBIDDEN),
             riverside(lambda w: charter_world(w)["ed"]), "POST"),
    ],
    "charter-people": [
        Case("asked for with GET", for_all(NOT_ALLOWED),
             riverside(lambda w: charter_world(w)["ed"])),
        Case("no one named: the form again, for the facilitator only",
             web(nurse_manager=400, everyone=FORBIDDEN),
             riverside(lambda w: charter_world(w)["ed"]), "POST"),
    ],
    "charter-hand-over": [
        Case("asked for with GET", for_all(NOT_ALLOWED),
             riverside(lambda w: charter_world(w)["ed"])),
        Case("no one named: the form again, for the facilitator and a program admin",
             web(admin=400, nurse_manager=400, everyone=FORBIDDEN),
             riverside(lambda w: charter_world(w)["ed"]), "POST"),
    ],
    "GET /api/leadership/reviews": [
        Case("the 360s one may open", api_call(everyone=OK, outsider=OK, coach=OK)),
    ],
    "GET /api/leadership/reviews/{review_id}": [
        Case("nora's 360", api_call(admin=OK, chair=OK, nurse_manager=OK, everyone=NOT_FOUND,
                                    coach=OK),
             lambda w, v: (leadership_world(w)["released"],)),
    ],
    "PUT /api/leadership/reviews/{review_id}/raters": [
        Case("eve's raters: hers to choose",
             api_call(executive=OK, admin=FORBIDDEN, everyone=NOT_FOUND, coach=NOT_FOUND),
             lambda w, v: (leadership_world(w)["nominating"],), "PUT", lambda w: {"raters": []}),
    ],
    "POST /api/leadership/reviews/{review_id}/submit": [
        Case("eve has chosen no one yet: refused to her with the reason",
             api_call(executive=422, admin=FORBIDDEN, everyone=NOT_FOUND, coach=NOT_FOUND),
             lambda w, v: (leadership_world(w)["nominating"],), "POST"),
    ],
    "POST /api/leadership/reviews/{review_id}/approve": [
        Case("chad's raters: the admin approves, and then they are approved",
             api_call(admin=OK, chair=FORBIDDEN, everyone=NOT_FOUND, coach=NOT_FOUND),
             lambda w, v: (leadership_world(w)["awaiting"],), "POST", lambda w: {}),
    ],
    "PUT /api/leadership/reviews/{review_id}/self": [
        Case("eve rates herself",
             api_call(executive=204, admin=FORBIDDEN, everyone=NOT_FOUND, coach=NOT_FOUND),
             lambda w, v: (leadership_world(w)["nominating"],), "PUT",
             lambda w: {"answers": {"self_calm_under_pressure": 4}}),
    ],
    "GET /api/leadership/reviews/{review_id}/report": [
        Case("nora's report: hers and her coach's",
             api_call(nurse_manager=OK, admin=FORBIDDEN, chair=FORBIDDEN, everyone=NOT_FOUND,
                      coach=OK),
             lambda w, v: (leadership_world(w)["released"],)),
    ],
    "POST /api/leadership/reviews/{review_id}/release": [
        Case("the coach's step: nora's report is released already",
             api_call(admin=FORBIDDEN, chair=FORBIDDEN, nurse_manager=FORBIDDEN,
                      everyone=NOT_FOUND, coach=FORBIDDEN),
             lambda w, v: (leadership_world(w)["released"],), "POST"),
    ],
    **{
        f"POST /api/leadership/reviews/{{review_id}}/{step}": [
            Case(f"{step}: a program admin's step, refused for a released report",
                 api_call(admin=422, chair=FORBIDDEN, nurse_manager=FORBIDDEN,
                          everyone=NOT_FOUND, coach=FORBIDDEN),
                 lambda w, v: (leadership_world(w)["released"],), "POST"),
        ]
        for step in ("close", "cancel")
    },
    "PUT /api/leadership/reviews/{review_id}/coach": [
        Case("a released report's coach no longer changes",
             api_call(admin=422, chair=FORBIDDEN, nurse_manager=FORBIDDEN, everyone=NOT_FOUND,
                      coach=FORBIDDEN),
             lambda w, v: (leadership_world(w)["released"],), "PUT", lambda w: {}),
    ],
    "POST /api/leadership/reviews/{review_id}/decline": [
        Case("a closed round: its raters are told it is closed",
             api_call(chair=422, staff_nurse=422, everyone=NOT_FOUND, coach=NOT_FOUND),
             lambda w, v: (leadership_world(w)["released"],), "POST"),
    ],
    "GET /api/leadership/reviews/{review_id}/plan": [
        Case("nora has no plan yet: a 404 to her and her coach",
             api_call(nurse_manager=NOT_FOUND, admin=FORBIDDEN, chair=FORBIDDEN,
                      everyone=NOT_FOUND, coach=NOT_FOUND),
             lambda w, v: (leadership_world(w)["released"],)),
    ],
    "PUT /api/leadership/reviews/{review_id}/plan": [
        Case("nora's plan: hers to write",
             api_call(nurse_manager=OK, admin=FORBIDDEN, chair=FORBIDDEN, everyone=NOT_FOUND,
                      coach=FORBIDDEN),
             lambda w, v: (leadership_world(w)["released"],), "PUT",
             lambda w: {"focus": [{"behaviour": "team_every_voice", "why": "",
                                   "actions": [{"kind": "practice", "what": "Ask first"}]}],
                        "starts_on": "2027-01-04", "review_on": "2027-06-30"}),
    ],
    "POST /api/leadership/reviews/{review_id}/plan/check-ins": [
        Case("no plan yet: refused with the reason to nora and her coach",
             api_call(nurse_manager=422, admin=FORBIDDEN, chair=FORBIDDEN, everyone=NOT_FOUND,
                      coach=422),
             lambda w, v: (leadership_world(w)["released"],), "POST",
             lambda w: {"held_on": "2026-01-04", "note": "Going well"}),
    ],
    "POST /api/leadership/reviews/{review_id}/reassess": [
        Case("no plan yet: refused with the reason to nora",
             api_call(nurse_manager=422, admin=FORBIDDEN, chair=FORBIDDEN, everyone=NOT_FOUND,
                      coach=FORBIDDEN),
             lambda w, v: (leadership_world(w)["released"],), "POST",
             lambda w: {"answer_by": "2030-01-01T12:00:00Z"}),
    ],
    "GET /api/leadership/cohorts": [
        Case("each organisation's admins and executives",
             api_call(admin=OK, executive=OK, everyone=FORBIDDEN, outsider=OK)),
    ],
    "POST /api/leadership/cohorts": [
        Case("a leader nobody has heard of: refused to admins",
             api_call(admin=422, everyone=FORBIDDEN, outsider=422), no_args, "POST",
             lambda w: {"name": "Chairs 2028", "leaders": ["nobody"],
                        "answer_by": "2030-01-01T12:00:00Z"}),
    ],
    "GET /api/leadership/cohorts/{cohort_id}/profile": [
        Case("nurse managers' cohort: finished, one report, every figure hidden",
             api_call(admin=OK, executive=OK, everyone=FORBIDDEN),
             lambda w, v: (leadership_world(w)["cohort"],)),
    ],
    "GET /api/leadership/cohorts/{cohort_id}": [
        Case("nurse managers' cohort", api_call(admin=OK, everyone=FORBIDDEN),
             lambda w, v: (leadership_world(w)["cohort"],)),
    ],
    "GET /api/shadowing/host": [
        Case("sam's offer", api_call(staff_nurse=OK, everyone=NOT_FOUND),
             lambda w, v: (shadowing_world(w),)[1:]),
    ],
    "PUT /api/shadowing/host": [
        Case("an offer to host: clinicians", api_call(chair=OK, staff_nurse=OK, everyone=FORBIDDEN,
                                                      outsider=FORBIDDEN),
             lambda w, v: (), "PUT",
             lambda w: {"service": "ED", "monthly_limit": 2, "shifts": [{"kind": "night"}]}),
    ],
    "POST /api/shadowing/host/status": [
        Case("host again: refused with the reason to those who never offered",
             api_call(staff_nurse=OK, everyone=422, outsider=FORBIDDEN),
             lambda w, v: (shadowing_world(w),)[1:], "POST", lambda w: {"status": "active"}),
    ],
    "POST /api/shadowing/host/slots": [
        Case("a night to offer", api_call(staff_nurse=201, chair=422, everyone=FORBIDDEN,
                                          outsider=FORBIDDEN),
             lambda w, v: (shadowing_world(w),)[1:], "POST",
             lambda w: {"kind": "night", "day": (dt.date.today() + dt.timedelta(days=20)).isoformat()}),
    ],
    "DELETE /api/shadowing/host/slots/{slot_id}": [
        Case("sam's open shift", api_call(staff_nurse=204, everyone=422, outsider=422),
             lambda w, v: (shadowing_world(w)["open_slot"],), "DELETE"),
    ],
    **{
        f"GET /api/shadowing/{path}": [
            Case("booking: executives and leaders whose work is administration",
                 api_call(admin=OK, executive=OK, nurse_manager=OK, everyone=FORBIDDEN,
                          outsider=FORBIDDEN), lambda w, v: (shadowing_world(w),)[1:]),
        ]
        for path in ("suggestions", "slots")
    },
    "GET /api/shadowing/visits": [Case("one's visits", api_call(everyone=OK, outsider=OK))],
    "POST /api/shadowing/visits": [
        Case("sam's open shift: the first asks, the rest are told it has gone",
             api_call(admin=201, executive=422, nurse_manager=422, everyone=FORBIDDEN,
                      outsider=FORBIDDEN),
             lambda w, v: (), "POST", lambda w: {"slot_id": shadowing_world(w)["open_slot"]}),
    ],
    "GET /api/shadowing/visits/{visit_id}": [
        Case("eve's visit with sam", api_call(executive=OK, staff_nurse=OK, everyone=NOT_FOUND),
             lambda w, v: (shadowing_world(w)["visit"],)),
    ],
    "POST /api/shadowing/visits/{visit_id}/answer": [
        Case("a confirmed visit: the host is told so",
             api_call(executive=FORBIDDEN, staff_nurse=422, everyone=NOT_FOUND),
             lambda w, v: (shadowing_world(w)["visit"],), "POST", lambda w: {"confirm": True}),
    ],
    "POST /api/shadowing/visits/{visit_id}/cancel": [
        Case("eve cancels; sam is told it is cancelled already",
             api_call(executive=OK, staff_nurse=422, everyone=NOT_FOUND),
             lambda w, v: (shadowing_world(w)["visit"],), "POST"),
    ],
    "POST /api/shadowing/visits/{visit_id}/reflection": [
        Case("written already: the visitor is told so",
             api_call(executive=422, staff_nurse=FORBIDDEN, everyone=NOT_FOUND),
             lambda w, v: (shadowing_world(w)["past_visit"],), "POST",
             lambda w: {"what_i_saw": "Again"}),
    ],
    "POST /api/shadowing/visits/{visit_id}/host-word": [
        Case("the host's word", api_call(staff_nurse=201, executive=FORBIDDEN, everyone=NOT_FOUND),
             lambda w, v: (shadowing_world(w)["past_visit"],), "POST",
             lambda w: {"useful": 5, "engaged": 4, "would_host_again": True}),
    ],
    "GET /api/shadowing/commitments": [
        Case("the commitments one follows", api_call(everyone=OK, outsider=OK)),
    ],
    "POST /api/shadowing/commitments/{commitment_id}": [
        Case("nora's commitment", api_call(executive=OK, nurse_manager=OK, staff_nurse=FORBIDDEN,
                                           everyone=NOT_FOUND),
             lambda w, v: (shadowing_world(w)["commitment"],), "POST",
             lambda w: {"status": "done"}),
    ],
    "GET /api/shadowing/coverage": [
        Case("the programme's figures (an outsider's own organisation's)",
             api_call(admin=OK, executive=OK, everyone=FORBIDDEN, outsider=OK)),
    ],
    # Goals and alignment. The data comes from goals_world() below: chad's and sue's goals in
    # the executive team (ceo leads it; chad and sue are members), nora's goal (she reports to
    # chad), a conflict chad declared on sue's goal, and a conversation between chad and sue.
    "goal-home": [Case("the goals home", web(everyone=OK), riverside())],
    "goal-create": [
        Case("the form", web(everyone=OK), riverside()),
        Case("adding one's own goal", web(everyone=REDIRECT), riverside(), "POST",
             lambda w: goal_form_data("Shorter waits")),
    ],
    "goal-detail": [
        Case("chad's goal", web(admin=OK, executive=OK, chair=OK, nurse_manager=OK,
                                staff_nurse=NOT_FOUND), riverside(lambda w: g(w, "chad"))),
        Case("sue's goal, seen by her team-mate chad",
             web(admin=OK, executive=OK, chair=OK, everyone=NOT_FOUND),
             riverside(lambda w: g(w, "sue"))),
        Case("nora's goal, seen by her report sam",
             web(everyone=OK), riverside(lambda w: g(w, "nora"))),
        Case("a lakeview goal asked for at riverside", web(everyone=NOT_FOUND),
             riverside(lambda w: g(w, "lakeview"))),
    ],
    "goal-edit": [
        Case("chad's goal", web(admin=OK, executive=FORBIDDEN, chair=OK, nurse_manager=FORBIDDEN,
                                staff_nurse=NOT_FOUND), riverside(lambda w: g(w, "chad"))),
        Case("saving chad's goal", web(admin=REDIRECT, executive=FORBIDDEN, chair=REDIRECT,
                                       nurse_manager=FORBIDDEN, staff_nurse=NOT_FOUND),
             riverside(lambda w: g(w, "chad")), "POST", lambda w: goal_form_data("ED stay")),
    ],
    "goal-check-in": [
        Case("asked for with GET", for_all(NOT_ALLOWED), riverside(lambda w: g(w, "chad"))),
        Case("a check-in on chad's goal",
             web(admin=REDIRECT, executive=FORBIDDEN, chair=REDIRECT, nurse_manager=FORBIDDEN,
                 staff_nurse=NOT_FOUND), riverside(lambda w: g(w, "chad")), "POST",
             lambda w: {"value": "5.5", "confidence": "on_track"}),
    ],
    "goal-contribute": [
        Case("asked for with GET", for_all(NOT_ALLOWED), riverside(lambda w: g(w, "chad"))),
        Case("chad's goal serving an organisation goal",
             web(admin=REDIRECT, executive=FORBIDDEN, chair=REDIRECT, nurse_manager=FORBIDDEN,
                 staff_nurse=NOT_FOUND), riverside(lambda w: g(w, "chad")), "POST",
             lambda w: {"serves": fresh_organisation_goal(w).pk}),
    ],
    "goal-link": [
        Case("asked for with GET", for_all(NOT_ALLOWED), riverside(lambda w: g(w, "chad"))),
        Case("chad's goal linked to a new goal of sue's",
             web(admin=REDIRECT, executive=FORBIDDEN, chair=REDIRECT, nurse_manager=FORBIDDEN,
                 staff_nurse=NOT_FOUND), riverside(lambda w: g(w, "chad")), "POST",
             lambda w: {"kind": "supports", "to_goal": fresh_goal(w, "sue").pk, "note": "x"}),
    ],
    "contribution-remove": [
        Case("asked for with GET", for_all(NOT_ALLOWED),
             lambda w, v: ("riverside", fresh_contribution(w).pk)),
        Case("a link from chad's goal upward",
             web(admin=REDIRECT, executive=FORBIDDEN, chair=REDIRECT, nurse_manager=FORBIDDEN,
                 staff_nurse=NOT_FOUND), lambda w, v: ("riverside", fresh_contribution(w).pk),
             "POST"),
    ],
    "link-respond": [
        Case("asked for with GET", for_all(NOT_ALLOWED), riverside(lambda w: link_to_sue(w))),
        Case("confirming chad's link to sue's goal (only sue answers it, not even an admin)",
             web(admin=FORBIDDEN, executive=FORBIDDEN, chair=FORBIDDEN, everyone=NOT_FOUND),
             riverside(lambda w: link_to_sue(w)), "POST", lambda w: {"answer": "confirm"}),
    ],
    "link-withdraw": [
        Case("asked for with GET", for_all(NOT_ALLOWED), riverside(lambda w: link_to_sue(w))),
        Case("withdrawing a link from chad's goal (only he, who owns it, or its declarer)",
             web(admin=FORBIDDEN, executive=FORBIDDEN, chair=REDIRECT, everyone=NOT_FOUND),
             lambda w, v: ("riverside", fresh_link(w).pk), "POST"),
    ],
    "link-resolve": [
        Case("asked for with GET", for_all(NOT_ALLOWED), riverside(lambda w: link_to_sue(w))),
        Case("resolving chad's conflict with sue (only the two owners)",
             web(admin=FORBIDDEN, executive=FORBIDDEN, chair=REDIRECT, everyone=NOT_FOUND),
             riverside(lambda w: link_to_sue(w)), "POST", lambda w: {"resolution": "resolved"}),
    ],
    "person-goals": [
        Case("sam's goals", web(everyone=OK), riverside(lambda w: w.person("sam"))),
        Case("chad's goals, not sam's direct boss",
             web(admin=OK, executive=OK, chair=OK, nurse_manager=OK, staff_nurse=NOT_FOUND),
             riverside(lambda w: w.person("chad"))),
        Case("sue's goals, chad's team-mate",
             web(admin=OK, executive=OK, chair=OK, everyone=NOT_FOUND),
             riverside(lambda w: goals_world(w) and w.person("sue"))),
        Case("a lakeview person", web(everyone=NOT_FOUND),
             riverside(lambda w: w.lakeview_person.pk)),
    ],
    "team-list": [
        Case("the teams", web(everyone=OK), riverside()),
        Case("creating a team", web(admin=REDIRECT, executive=FORBIDDEN, chair=REDIRECT,
                                    nurse_manager=REDIRECT, staff_nurse=FORBIDDEN),
             riverside(), "POST", lambda w: {"name": unique("Team"), "leader": "pia",
                                            "conversation_window_days": "90"}),
    ],
    "team-detail": [
        Case("the executive team, which sam's managers belong to", web(everyone=OK),
             riverside(lambda w: team(w, "executive"))),
        Case("a lakeview team", web(everyone=NOT_FOUND), riverside(lambda w: team(w, "lakeview"))),
    ],
    "team-edit": [
        Case("the executive team, led by the ceo", web(admin=OK, everyone=FORBIDDEN),
             riverside(lambda w: team(w, "executive"))),
        Case("the Emergency team, led by chad", web(admin=OK, chair=OK, everyone=FORBIDDEN),
             riverside(lambda w: team(w, "emergency"))),
        Case("saving the Emergency team", web(admin=REDIRECT, chair=REDIRECT, everyone=FORBIDDEN),
             riverside(lambda w: team(w, "emergency")), "POST",
             lambda w: {"name": "Emergency leadership", "conversation_window_days": "60",
                        "more_members": "nora"}),
    ],
    "team-map": [
        Case("the executive team's map", web(admin=OK, executive=OK, chair=OK,
                                             everyone=FORBIDDEN),
             riverside(lambda w: team(w, "executive"))),
    ],
    "my-map": [
        Case("up: me and my boss", web(everyone=OK), riverside(lambda w: "up")),
        Case("down: me and my reports", web(everyone=OK), riverside(lambda w: "down")),
        Case("neither up nor down", web(everyone=NOT_FOUND), riverside(lambda w: "around")),
    ],
    "conversation-schedule": [
        Case("with sue", web(admin=OK, executive=OK, chair=OK, everyone=NOT_FOUND),
             riverside(lambda w: goals_world(w) and w.person("sue"))),
        Case("scheduling one with sue",
             web(admin=REDIRECT, executive=REDIRECT, chair=REDIRECT, everyone=NOT_FOUND),
             riverside(lambda w: goals_world(w) and w.person("sue")), "POST",
             lambda w: {"date": "2099-06-30", "time": "10:00", "duration_minutes": "45"}),
    ],
    "conversation-detail": [
        Case("chad and sue's conversation",
             web(admin=OK, executive=OK, chair=OK, everyone=NOT_FOUND),
             riverside(lambda w: conversation(w))),
    ],
    "conversation-record": [
        Case("asked for with GET", for_all(NOT_ALLOWED), riverside(lambda w: conversation(w))),
        Case("recording a conversation of chad and sue",
             web(admin=REDIRECT, executive=FORBIDDEN, chair=REDIRECT, everyone=NOT_FOUND),
             lambda w, v: ("riverside", fresh_conversation(w).pk), "POST",
             lambda w: {"held_on": "2026-01-15"}),
    ],
    "conversation-ics": [
        Case("its calendar file", web(admin=OK, executive=OK, chair=OK, everyone=NOT_FOUND),
             riverside(lambda w: conversation(w))),
    ],
    "conversation-reschedule": [
        Case("the form to move chad and sue's conversation",
             web(admin=OK, executive=FORBIDDEN, chair=OK, everyone=NOT_FOUND),
             riverside(lambda w: conversation(w))),
        Case("moving one",
             web(admin=REDIRECT, executive=FORBIDDEN, chair=REDIRECT, everyone=NOT_FOUND),
             lambda w, v: ("riverside", fresh_conversation(w).pk), "POST",
             lambda w: {"date": "2099-06-30", "time": "10:00", "duration_minutes": "45"}),
    ],
    "conversation-cancel": [
        Case("asked for with GET", for_all(NOT_ALLOWED), riverside(lambda w: conversation(w))),
        Case("cancelling one",
             web(admin=REDIRECT, executive=FORBIDDEN, chair=REDIRECT, everyone=NOT_FOUND),
             lambda w, v: ("riverside", fresh_conversation(w).pk), "POST"),
    ],
    "commitment-mark": [
        Case("asked for with GET", for_all(NOT_ALLOWED),
             lambda w, v: ("riverside", fresh_commitment(w).pk)),
        Case("marking chad's commitment done",
             web(admin=REDIRECT, executive=FORBIDDEN, chair=REDIRECT, everyone=NOT_FOUND),
             lambda w, v: ("riverside", fresh_commitment(w).pk), "POST",
             lambda w: {"done": "1"}),
    ],
    "goal-import": [
        Case("the upload form", web(admin=OK, chair=OK, everyone=FORBIDDEN),
             lambda w, v: with_goals(w, v)),
        Case("importing the Emergency team's goals",
             web(admin=REDIRECT, chair=REDIRECT, everyone=FORBIDDEN),
             lambda w, v: with_goals(w, v), "POST",
             lambda w: {"team": team(w, "emergency"), "file": SimpleUploadedFile(
                 "goals.csv", f"owner,title,metric,direction,baseline,target,due_date\n"
                 f"nora,{unique('Goal')},Turnover,decrease,18,12,2026-12-31\n".encode())}),
    ],
    "goal-audit": [Case("the history of changes", web(admin=OK, everyone=FORBIDDEN), riverside())],
    "GET /api/goals": [Case("goals in scope", api_call(everyone=OK, outsider=OK))],
    "POST /api/goals": [
        Case("adding one's own goal", api_call(everyone=201, outsider=FORBIDDEN),
             method="POST", data=lambda w: goal_api_data()),
    ],
    "GET /api/goals/{goal_id}": [
        Case("chad's goal", api_call(staff_nurse=NOT_FOUND, everyone=OK),
             lambda w, v: (g(w, "chad"),)),
        Case("sue's goal", api_call(admin=OK, executive=OK, chair=OK, everyone=NOT_FOUND),
             lambda w, v: (g(w, "sue"),)),
    ],
    "PATCH /api/goals/{goal_id}": [
        Case("retitling chad's goal",
             api_call(admin=OK, executive=FORBIDDEN, chair=OK, nurse_manager=FORBIDDEN,
                      everyone=NOT_FOUND), lambda w, v: (g(w, "chad"),), "PATCH",
             lambda w: {"title": "Shorter ED stays"}),
    ],
    "GET /api/goals/{goal_id}/check-ins": [
        Case("chad's check-ins", api_call(staff_nurse=NOT_FOUND, everyone=OK),
             lambda w, v: (g(w, "chad"),)),
    ],
    "POST /api/goals/{goal_id}/check-ins": [
        Case("a check-in on chad's goal",
             api_call(admin=201, executive=FORBIDDEN, chair=201, nurse_manager=FORBIDDEN,
                      everyone=NOT_FOUND), lambda w, v: (g(w, "chad"),), "POST",
             lambda w: {"value": "5.5", "confidence": "on_track"}),
    ],
    "POST /api/goals/{goal_id}/serves": [
        Case("chad's goal serving an organisation goal",
             api_call(admin=201, executive=FORBIDDEN, chair=201, nurse_manager=FORBIDDEN,
                      everyone=NOT_FOUND), lambda w, v: (g(w, "chad"),), "POST",
             lambda w: {"serves_id": fresh_organisation_goal(w).pk}),
    ],
    "GET /api/goal-links": [Case("links in scope", api_call(everyone=OK, outsider=OK))],
    "POST /api/goal-links": [
        Case("chad's goal linked to a new goal of sue's",
             api_call(admin=201, executive=FORBIDDEN, chair=201, everyone=NOT_FOUND),
             method="POST", data=lambda w: {"from_goal_id": g(w, "chad"), "to_goal_id": fresh_goal(w, "sue").pk,
                             "kind": "supports", "note": "x"}),
    ],
    "POST /api/goal-links/{link_id}/answer": [
        Case("confirming chad's link to sue's goal (only sue answers it, not even an admin)",
             api_call(admin=FORBIDDEN, executive=FORBIDDEN, chair=FORBIDDEN, everyone=NOT_FOUND),
             lambda w, v: (link_to_sue(w),), "POST", lambda w: {"agree": True}),
    ],
    "GET /api/teams": [Case("teams in scope", api_call(everyone=OK, outsider=OK))],
    "POST /api/teams": [
        Case("creating a team one leads",
             api_call(admin=201, executive=FORBIDDEN, chair=201, nurse_manager=201,
                      staff_nurse=FORBIDDEN, outsider=422), method="POST",
             data=lambda w: {"name": unique("Team")}),
    ],
    "GET /api/teams/{team_id}": [
        Case("the executive team", api_call(everyone=OK), lambda w, v: (team(w, "executive"),)),
        Case("a lakeview team", api_call(everyone=NOT_FOUND, outsider=OK),
             lambda w, v: (team(w, "lakeview"),)),
    ],
    "GET /api/teams/{team_id}/alignment": [
        Case("the executive team's map",
             api_call(admin=OK, executive=OK, chair=OK, everyone=FORBIDDEN, outsider=NOT_FOUND),
             lambda w, v: (team(w, "executive"),)),
    ],
    "PATCH /api/teams/{team_id}": [
        Case("the executive team, led by the ceo",
             api_call(admin=OK, everyone=FORBIDDEN, outsider=NOT_FOUND),
             lambda w, v: (team(w, "executive"),), "PATCH", lambda w: {"purpose": "Strategy"}),
        Case("the Emergency team, led by chad",
             api_call(admin=OK, chair=OK, everyone=FORBIDDEN, outsider=NOT_FOUND),
             lambda w, v: (team(w, "emergency"),), "PATCH",
             lambda w: {"conversation_window_days": 60}),
    ],
    "GET /api/goal-links/{link_id}": [
        Case("chad's link to sue's goal",
             api_call(admin=OK, executive=OK, chair=OK, everyone=NOT_FOUND),
             lambda w, v: (link_to_sue(w),)),
    ],
    "PATCH /api/goal-links/{link_id}": [
        Case("escalating chad's conflict with sue (only the two owners)",
             api_call(admin=FORBIDDEN, executive=FORBIDDEN, chair=OK, everyone=NOT_FOUND),
             lambda w, v: (link_to_sue(w),), "PATCH", lambda w: {"resolution": "escalated"}),
    ],
    "POST /api/goal-links/{link_id}/withdraw": [
        Case("withdrawing a link from chad's goal",
             api_call(admin=FORBIDDEN, executive=FORBIDDEN, chair=204, everyone=NOT_FOUND),
             lambda w, v: (fresh_link(w).pk,), "POST"),
    ],
    "GET /api/conversations": [Case("conversations in scope", api_call(everyone=OK, outsider=OK))],
    "POST /api/conversations": [
        Case("scheduling one with sue",
             api_call(admin=201, executive=201, chair=201, everyone=NOT_FOUND),
             lambda w, v: goals_world(w) and (), "POST",
             lambda w: {"person_ids": [w.person("sue")], "starts_at": "2099-06-30T10:00:00Z"}),
    ],
    "GET /api/conversations/{conversation_id}": [
        Case("chad and sue's conversation",
             api_call(admin=OK, executive=OK, chair=OK, everyone=NOT_FOUND),
             lambda w, v: (conversation(w),)),
    ],
    "POST /api/conversations/{conversation_id}/reschedule": [
        Case("moving one of chad and sue's",
             api_call(admin=OK, executive=FORBIDDEN, chair=OK, everyone=NOT_FOUND),
             lambda w, v: (fresh_conversation(w).pk,), "POST",
             lambda w: {"starts_at": "2099-06-30T10:00:00Z"}),
    ],
    "POST /api/conversations/{conversation_id}/cancel": [
        Case("cancelling one of chad and sue's",
             api_call(admin=OK, executive=FORBIDDEN, chair=OK, everyone=NOT_FOUND),
             lambda w, v: (fresh_conversation(w).pk,), "POST"),
    ],
    "POST /api/conversations/{conversation_id}/record": [
        Case("recording one of chad and sue's",
             api_call(admin=OK, executive=FORBIDDEN, chair=OK, everyone=NOT_FOUND),
             lambda w, v: (fresh_conversation(w).pk,), "POST",
             lambda w: {"held_on": "2026-01-15"}),
    ],
    "PATCH /api/conversations/{conversation_id}/commitments/{commitment_id}": [
        Case("marking chad's commitment done",
             api_call(admin=OK, executive=FORBIDDEN, chair=OK, everyone=NOT_FOUND),
             lambda w, v: (lambda c: (c.conversation_id, c.pk))(fresh_commitment(w)), "PATCH",
             lambda w: {"done": True}),
    ],
    # Charters API. The data comes from charters_api_world() below: a named group's charter
    # being drafted and another waiting for endorsements (Nora facilitates; Nora, Sam and four
    # colleagues are its members), and ED Nursing's charter (Nora, Sam, Nina, Ned), adopted,
    # with a revisit open. Leaders over a unit's charter, executives and admins read the
    # charter in force (the team's own reads are a 403 to them); anyone else gets a 404.
    "GET /api/charters": [
        Case("my teams' charters and those I oversee", api_call(everyone=OK, outsider=OK)),
    ],
    "POST /api/charters": [
        Case("a named group's charter: whoever leads starts one",
             api_call(staff_nurse=FORBIDDEN, everyone=201, outsider=FORBIDDEN), no_args, "POST",
             lambda w: {"name": "Huddle", "kind": "group", "people": ["sam", "nina"]}),
        Case("Pediatrics' charter: refused to leaders of other units",
             api_call(admin=201, executive=201, chair=422, nurse_manager=422,
                      staff_nurse=FORBIDDEN, outsider=FORBIDDEN), no_args, "POST",
             lambda w: {"name": "Peds", "kind": "unit", "unit_id": w.unit("Pediatrics")}),
    ],
    "GET /api/charters/{charter_id}": [
        Case("ED Nursing's charter: its team, and those over it",
             api_call(everyone=OK), lambda w, v: api_charter(w, "unit")),
        Case("a named group's charter: its team, executives and admins",
             api_call(chair=NOT_FOUND, everyone=OK), lambda w, v: api_charter(w, "drafting")),
        Case("a charter id that does not exist", api_call(everyone=NOT_FOUND),
             lambda w, v: (10**9,)),
    ],
    "PATCH /api/charters/{charter_id}": [
        Case("ED Nursing's cadence: the facilitator's",
             api_call(nurse_manager=OK, everyone=FORBIDDEN),
             lambda w, v: api_charter(w, "unit"), "PATCH",
             lambda w: {"cadence_months": 6}),
    ],
    "PUT /api/charters/{charter_id}/members": [
        Case("a named group's members: the facilitator's",
             api_call(nurse_manager=OK, chair=NOT_FOUND, everyone=FORBIDDEN),
             lambda w, v: api_charter(w, "drafting"), "PUT",
             lambda w: {"people": ["nora", "sam", "nina", "ned", "paula", "peter"]}),
        Case("a unit's members follow the org chart: refused to the facilitator",
             api_call(nurse_manager=422, everyone=FORBIDDEN),
             lambda w, v: api_charter(w, "unit"), "PUT",
             lambda w: {"people": ["nora", "sam"]}),
    ],
    "POST /api/charters/{charter_id}/hand-over": [
        Case("ED Nursing's charter handed to Nora: the facilitator or a program admin",
             api_call(admin=OK, nurse_manager=OK, everyone=FORBIDDEN),
             lambda w, v: api_charter(w, "unit"), "POST", lambda w: {"facilitator": "nora"}),
    ],
    "POST /api/charters/{charter_id}/values": [
        Case("a draft's values questions: each member answers once",
             api_call(nurse_manager=204, staff_nurse=204, chair=NOT_FOUND, everyone=FORBIDDEN),
             lambda w, v: api_charter(w, "drafting"), "POST",
             lambda w: {"answers": {"matters": "Safe care"}}),
    ],
    "GET /api/charters/{charter_id}/values": [
        Case("a named group's pooled values: the team's",
             api_call(nurse_manager=OK, staff_nurse=OK, chair=NOT_FOUND, everyone=FORBIDDEN),
             lambda w, v: api_charter(w, "drafting")),
        Case("ED Nursing's pooled values: the team's, not those over it",
             api_call(nurse_manager=OK, staff_nurse=OK, everyone=FORBIDDEN),
             lambda w, v: api_charter(w, "unit")),
    ],
    "PUT /api/charters/{charter_id}/draft": [
        Case("a named group's draft: the facilitator's",
             api_call(nurse_manager=OK, chair=NOT_FOUND, everyone=FORBIDDEN),
             lambda w, v: api_charter(w, "drafting"), "PUT",
             lambda w: {"vision": "Safe, kind care.",
                        "norms": [{"text": "We listen.", "signs": "Everyone speaks at huddle"}],
                        "roles": [{"what": "Runs the huddle", "owner_id": w.person("nora")}]}),
    ],
    "POST /api/charters/{charter_id}/propose": [
        Case("an empty draft: refused to the facilitator with what is missing",
             api_call(nurse_manager=422, chair=NOT_FOUND, everyone=FORBIDDEN),
             lambda w, v: api_charter(w, "drafting"), "POST"),
    ],
    "POST /api/charters/{charter_id}/revise": [
        Case("a proposed version revised: the facilitator's",
             api_call(nurse_manager=201, chair=NOT_FOUND, everyone=FORBIDDEN),
             lambda w, v: api_charter(w, "proposed"), "POST"),
    ],
    "POST /api/charters/{charter_id}/endorse": [
        Case("the proposed version: its members endorse it",
             api_call(nurse_manager=OK, staff_nurse=OK, chair=NOT_FOUND, everyone=FORBIDDEN),
             lambda w, v: api_charter(w, "proposed"), "POST",
             lambda w: {"version": 1, "decision": "endorsed"}),
    ],
    "GET /api/charters/{charter_id}/versions": [
        Case("ED Nursing's history", api_call(everyone=OK), lambda w, v: api_charter(w, "unit")),
    ],
    "GET /api/charters/{charter_id}/versions/{number}": [
        Case("ED Nursing's charter in force", api_call(everyone=OK),
             lambda w, v: (charters_api_world(w)["unit"], 1)),
        Case("ED Nursing's new draft: the team's",
             api_call(nurse_manager=OK, staff_nurse=OK, everyone=NOT_FOUND),
             lambda w, v: (charters_api_world(w)["unit"], 2)),
    ],
    "GET /api/charters/{charter_id}/diff": [
        Case("the charter in force against the new draft: the team's",
             api_call(nurse_manager=OK, staff_nurse=OK, everyone=NOT_FOUND),
             lambda w, v: (charters_api_world(w)["unit"], {"a": 1, "b": 2})),
    ],
    "POST /api/charters/{charter_id}/revisit": [
        Case("a revisit is open already: refused to the facilitator with the reason",
             api_call(nurse_manager=422, everyone=FORBIDDEN),
             lambda w, v: api_charter(w, "unit"), "POST"),
    ],
    "POST /api/charters/{charter_id}/revisit/ratings": [
        Case("the open revisit: each member rates once",
             api_call(nurse_manager=204, staff_nurse=204, everyone=FORBIDDEN),
             lambda w, v: api_charter(w, "unit"), "POST",
             lambda w: {"ratings": {str(charters_api_world(w)["norm"]): 4}}),
    ],
    "POST /api/charters/{charter_id}/revisit/close": [
        Case("the open revisit: the facilitator closes it",
             api_call(nurse_manager=OK, everyone=FORBIDDEN),
             lambda w, v: api_charter(w, "unit"), "POST"),
    ],
    "GET /api/charters/{charter_id}/revisit": [
        Case("the pooled ratings: the team's, not those over it",
             api_call(nurse_manager=OK, staff_nurse=OK, everyone=FORBIDDEN),
             lambda w, v: api_charter(w, "unit")),
    ],
    "GET /api/charters/{charter_id}/pulses": [
        Case("ED Nursing's norms in pulse surveys: the team's, not those over it",
             api_call(nurse_manager=OK, staff_nurse=OK, everyone=FORBIDDEN),
             lambda w, v: api_charter(w, "unit")),
        Case("a named group's: the team's",
             api_call(nurse_manager=OK, staff_nurse=OK, chair=NOT_FOUND, everyone=FORBIDDEN),
             lambda w, v: api_charter(w, "drafting")),
    ],
    "POST /api/charters/{charter_id}/pulses": [
        Case("ED Nursing's norms added to a pulse not yet open: the facilitator's",
             api_call(nurse_manager=201, everyone=FORBIDDEN),
             lambda w, v: api_charter(w, "unit"), "POST",
             lambda w: {"cycle_id": charter_pulses(w, charters_api_world(w)["unit"])["cycle"]}),
        Case("a survey of another organisation: refused to the facilitator",
             api_call(nurse_manager=422, everyone=FORBIDDEN),
             lambda w, v: api_charter(w, "unit"), "POST",
             lambda w: {"cycle_id": w.lakeview_cycle.pk}),
    ],
    "DELETE /api/charters/{charter_id}/pulses/{pulse_id}": [
        Case("ED Nursing's norms taken out of a pulse not yet open: the facilitator's",
             api_call(nurse_manager=204, everyone=FORBIDDEN),
             lambda w, v: (*api_charter(w, "unit"),
                           charter_pulses(w, charters_api_world(w)["unit"])["pulse"]), "DELETE"),
        Case("a pulse id that is not the charter's",
             api_call(nurse_manager=NOT_FOUND, everyone=FORBIDDEN),
             lambda w, v: (*api_charter(w, "unit"), 10**9), "DELETE"),
    ],
}
# fmt: on


# Goals and alignment: the data its routes take, built on first use.

_counter = iter(range(1, 1_000_000))


def unique(prefix: str) -> str:
    return f"{prefix} {next(_counter)}"


def goals_world(w: World) -> dict[str, Any]:
    import datetime as dt

    from accord.goals import services as goals

    if w.goals:
        return w.goals
    cast = w.cast
    p = cast.person
    executive = goals.create_team(
        organisation=cast.riverside,
        actor=None,
        name="Executive team",
        leader=p("ceo"),
        members=[p("chad"), p("sue")],
    )
    emergency = goals.create_team(
        organisation=cast.riverside,
        actor=None,
        name="Emergency leadership",
        leader=p("chad"),
        members=[p("nora")],
    )
    lee = w.lakeview_person
    lakeview = goals.create_team(
        organisation=cast.lakeview, actor=None, name="Lakeview team", leader=lee
    )
    made = {
        name: fresh_goal(w, name, owner=owner)
        for name, owner in (
            ("chad", p("chad")),
            ("sue", p("sue")),
            ("nora", p("nora")),
            ("lakeview", lee),
        )
    }
    link = goals.declare_link(
        from_goal=made["chad"],
        to_goal=made["sue"],
        kind="conflicts",
        note="Throughput vs quality",
        actor=None,
    )
    w.goals.update(
        goals={k: v.pk for k, v in made.items()},
        link=link.pk,
        teams={"executive": executive.pk, "emergency": emergency.pk, "lakeview": lakeview.pk},
        conversation=goals.schedule_conversation(
            organisation=cast.riverside,
            actor=None,
            people=(p("chad"), p("sue")),
            starts_at=dt.datetime(2099, 1, 1, 9, tzinfo=dt.UTC),
        ).pk,
    )
    return w.goals


def with_goals(w: World, viewer: str) -> tuple[Any, ...]:
    """Riverside, once its goals, teams and conversation exist."""
    goals_world(w)
    return ("riverside",)


def fresh_goal(w: World, name: str, owner: Any = None) -> Any:
    import datetime as dt

    from accord.goals import services as goals

    owner = owner or w.cast.person(name)
    return goals.create_goal(
        organisation=owner.organisation,
        actor=None,
        owner=owner,
        title=unique("Goal"),
        period="FY2026",
        metric_name="ED length of stay",
        direction="decrease",
        baseline=6,
        target=4,
        due_date=dt.date(2026, 12, 31),
    )


def fresh_organisation_goal(w: World) -> Any:
    import datetime as dt

    from accord.goals import services as goals

    return goals.create_goal(
        organisation=w.cast.riverside,
        actor=None,
        title=unique("Margin"),
        period="FY2026",
        metric_name="Operating margin",
        direction="increase",
        baseline=1,
        target=3,
        due_date=dt.date(2026, 12, 31),
    )


def fresh_contribution(w: World) -> Any:
    from accord.goals import services as goals
    from accord.goals.models import Goal

    chad_goal = Goal.objects.get(pk=g(w, "chad"))
    return goals.add_contribution(goal=chad_goal, serves=fresh_organisation_goal(w), actor=None)


def fresh_conversation(w: World) -> Any:
    import datetime as dt

    from accord.goals import services as goals

    p = w.cast.person
    goals_world(w)
    return goals.schedule_conversation(
        organisation=w.cast.riverside,
        actor=None,
        people=(p("chad"), p("sue")),
        starts_at=dt.datetime(2099, 1, 1, 9, tzinfo=dt.UTC),
    )


def g(w: World, owner: str) -> int:
    return int(goals_world(w)["goals"][owner])


def team(w: World, name: str) -> int:
    return int(goals_world(w)["teams"][name])


def link_to_sue(w: World) -> int:
    return int(goals_world(w)["link"])


def conversation(w: World) -> int:
    return int(goals_world(w)["conversation"])


def fresh_link(w: World) -> Any:
    """A link chad declared from his goal to a new goal of sue's."""
    from accord.goals import services as goals
    from accord.goals.models import Goal

    return goals.declare_link(
        from_goal=Goal.objects.get(pk=g(w, "chad")),
        to_goal=fresh_goal(w, "sue"),
        kind="supports",
        note="Shared discharge lounge",
        actor=w.cast.chair,
    )


def fresh_commitment(w: World) -> Any:
    """Chad's commitment in a conversation of chad and sue's, held today."""
    import datetime as dt

    from django.utils import timezone

    from accord.goals import services as goals

    held = goals.record_conversation(
        conversation=fresh_conversation(w),
        actor=None,
        held_on=timezone.localdate(),
        commitments=[goals.NewCommitment(w.cast.person("chad"), "Share data", dt.date(2099, 1, 1))],
    )
    return held.commitments.get()


def goal_form_data(title: str) -> dict[str, str]:
    return {
        "title": title,
        "period": "FY2026",
        "due_date": "2026-12-31",
        "metric_name": "ED length of stay",
        "direction": "decrease",
        "baseline": "6",
        "target": "4",
        "visibility": "team",
    }


def goal_api_data() -> dict[str, Any]:
    return {
        "period": "FY2026",
        "title": unique("Goal"),
        "metric_name": "Wait",
        "direction": "decrease",
        "baseline": "6",
        "target": "4",
        "due_date": "2026-12-31",
    }


# Discovering the routes.


def _walk(
    patterns: list[URLPattern | URLResolver], prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str, str]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        else:
            yield f"{namespace}{pattern.name or ''}", prefix + str(pattern.pattern)


def _openapi_path(route: str) -> str:
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)


def discover_routes() -> dict[str, str]:
    """Every route: web pages by URL name, API operations as "METHOD /path"."""
    operations = api.get_openapi_schema(path_prefix="/api/")["paths"]
    routes: dict[str, str] = {}
    for name, route in _walk(get_resolver().url_patterns):
        path = _openapi_path(route)
        if path in operations:
            for method in operations[path]:
                routes[f"{method.upper()} {path}"] = route
        else:
            assert name and not name.endswith(":"), f"give the URL pattern {route!r} a name"
            routes[name] = route
    return routes


def test_every_route_declares_who_may_use_it() -> None:
    routes = discover_routes()
    undeclared = sorted(set(routes) - set(ACCESS))
    stale = sorted(set(ACCESS) - set(routes))
    assert not undeclared, f"add these routes to ACCESS in {__name__}: {undeclared}"
    assert not stale, f"ACCESS lists routes that no longer exist: {stale}"


def test_every_viewer_is_tried_on_every_case() -> None:
    for route, cases in ACCESS.items():
        for case in cases:
            assert set(case.expected) == set(VIEWERS), f"{route}: {case.what}"


# Requesting them.


def _client(world: World, viewer: str, *, api_route: bool) -> Client:
    if viewer == "anonymous":
        return Client()
    if api_route:
        return Client(headers={"Authorization": f"Bearer {world.tokens[viewer][1]}"})
    return world.cast.client_for(world.cast.by_role[viewer])


def _url(route: str, args: tuple[Any, ...]) -> str:
    """The route's URL; a dict as the last argument is its query string."""
    if args and isinstance(args[-1], dict):
        return _url(route, args[:-1]) + "?" + urlencode(args[-1])
    if route.startswith(("GET ", "POST ", "PUT ", "PATCH ", "DELETE ")):
        path = route.split(" ", 1)[1]
        for value in args:
            path = re.sub(r"\{\w+\}", str(value), path, count=1)
        return path
    return reverse(route, args=args)


def _outcome(response: Any) -> Outcome:
    if response.status_code == 302:
        to_login = response["Location"].startswith(reverse("login") + "?next=")
        return LOGIN if to_login else REDIRECT
    return int(response.status_code)


@pytest.mark.parametrize("route", sorted(ACCESS))
def test_each_viewer_gets_only_what_their_scope_allows(cast: Cast, route: str) -> None:
    world = build_world(cast)
    api_route = " " in route
    wrong: list[str] = []
    for case in ACCESS[route]:
        for viewer in VIEWERS:
            client = _client(world, viewer, api_route=api_route)
            url = _url(route, case.args(world, viewer))
            if case.method in ("POST", "PATCH", "PUT", "DELETE"):
                # The API takes JSON bodies; pages take form posts.
                json = {"content_type": "application/json"} if api_route else {}
                response = getattr(client, case.method.lower())(url, case.data(world), **json)
            else:
                response = client.get(url)
            got = _outcome(response)
            if got != case.expected[viewer]:
                wrong.append(f"  {viewer:<14} {case.method} {url} ({case.what}): "
                             f"expected {case.expected[viewer]}, got {got}")  # fmt: skip
    assert not wrong, f"{route}:\n" + "\n".join(wrong)


# Survey results: a cycle everyone at riverside answered, published once on first use.


def published_cycle(w: World) -> int:
    import datetime as dt
    import random

    from django.utils import timezone

    from accord.demo.surveys import synthetic_answers
    from accord.insights.publishing import publish_cycle
    from accord.surveys.models import Invitation
    from accord.surveys.services import close_cycle, open_cycle, schedule_cycle, submit_in_bulk

    if getattr(w, "published_cycle", None):
        return int(w.published_cycle)  # type: ignore[attr-defined]
    riverside = w.cast.riverside
    riverside.survey_min_group_size = riverside.survey_min_comment_group_size = 3
    riverside.save()
    opens_at = timezone.now() - dt.timedelta(days=30)
    cycle = create_cycle(
        organisation=riverside, created_by=w.cast.admin,
        settings=cycle_settings(riverside, name="Published pulse", opens_at=opens_at,
                                closes_at=opens_at + dt.timedelta(days=14), min_group_size=3,
                                min_comment_group_size=3),
    )  # fmt: skip
    schedule_cycle(cycle=cycle, now=opens_at - dt.timedelta(days=1))
    cycle = open_cycle(cycle=cycle, now=opens_at, notify=False)
    rng = random.Random(5)
    invitations = Invitation.objects.filter(cycle=cycle).select_related(
        "person__unit", "person__profession"
    )
    submit_in_bulk(
        cycle=cycle,
        submissions=[
            (
                opens_at + dt.timedelta(hours=1),
                invitation,
                synthetic_answers(invitation.person, 0, rng),
            )
            for invitation in invitations
        ],
    )
    cycle = close_cycle(cycle=cycle, now=opens_at + dt.timedelta(days=14))
    publish_cycle(cycle=cycle)
    w.published_cycle = cycle.pk  # type: ignore[attr-defined]
    return cycle.pk


# Action plans: the data their routes take, built on first use.


def expectations_world(w: World) -> dict[str, int]:
    from django.utils import timezone

    from accord.expectations import services
    from tests.expectations.world import escope, proposed_agreement

    made: dict[str, int] | None = getattr(w, "expectations", None)
    if made:
        return made
    agreement = proposed_agreement(w.cast)
    concern = services.add_concern(
        escope=escope(w.cast, w.cast.nurse_manager), actor=None, agreement=agreement,
        text="When do we start?",
    )  # fmt: skip
    accepted = proposed_agreement(w.cast, "Weekend cover")
    services.accept(escope=escope(w.cast, w.cast.nurse_manager), actor=None, agreement=accepted,
                    number=1)  # fmt: skip
    follow_up = accepted.follow_ups.first()
    assert follow_up is not None
    meeting = services.schedule_meeting(
        escope=escope(w.cast, w.cast.chair), actor=None, agreement=agreement,
        starts_at=timezone.now() + dt.timedelta(days=2), notify=False,
    )  # fmt: skip
    made = {"agreement": agreement.pk, "concern": concern.pk, "follow_up": follow_up.pk,
            "meeting": meeting.pk, "item": agreement.versions.get().items.first().pk}  # fmt: skip
    w.expectations = made  # type: ignore[attr-defined]
    return made


def shadowing_world(w: World) -> dict[str, int]:
    from accord.shadowing import services
    from accord.shadowing.rules import CommitmentDraft
    from tests.shadowing.world import a_night, confirmed_visit, happened, in_days, sscope

    made: dict[str, int] | None = getattr(w, "shadowing", None)
    if made:
        return made
    past = happened(confirmed_visit(w.cast, 2))
    services.write_reflection(
        sscope=sscope(w.cast, w.cast.executive), actor=None, visit=past,
        what_i_saw="Boarding all night.", surprised="", barriers=[("voice", "Not asked")],
        commitments=[CommitmentDraft("Test a bed line", "nora", in_days(20))],
    )  # fmt: skip
    upcoming = services.book_visit(sscope=sscope(w.cast, w.cast.executive), actor=None,
                                   slot_id=a_night(w.cast, 6).pk)  # fmt: skip
    services.answer_visit(sscope=sscope(w.cast, w.cast.staff_nurse), actor=None,
                          visit=upcoming, confirm=True)  # fmt: skip
    made = {"visit": upcoming.pk, "past_visit": past.pk, "open_slot": a_night(w.cast, 9).pk,
            "commitment": past.commitments.get().pk}  # fmt: skip
    w.shadowing = made  # type: ignore[attr-defined]
    return made


def leadership_world(w: World) -> dict[str, int]:
    from accord.leadership import services
    from accord.leadership.rules import Rater
    from tests.leadership.world import in_days, lscope, nominated, started

    made: dict[str, int] | None = getattr(w, "leadership", None)
    if made:
        return made
    cast = w.cast
    released = nominated(cast, started(cast))
    services.assign_coach(lscope=lscope(cast, cast.admin), actor=None, review_id=released.pk,
                          coach=cast.coach)  # fmt: skip
    services.approve_raters(lscope=lscope(cast, cast.chair), actor=None, review_id=released.pk)
    services.close_round_now(lscope=lscope(cast, cast.admin), actor=None, review_id=released.pk)
    services.release_to_leader(lscope=lscope(cast, cast.coach), actor=None,
                               review_id=released.pk)  # fmt: skip
    chairs = services.start_cohort(
        lscope=lscope(cast, cast.admin), actor=None, name="Chairs", subjects=[cast.person("chad")],
        answer_by=in_days(20),
    )  # fmt: skip
    awaiting = chairs.reviews.get()
    chad = lscope(cast, cast.chair)
    services.set_raters(lscope=chad, actor=None, review_id=awaiting.pk,
                        raters=[Rater(cast.person("nora"), "direct_report")])  # fmt: skip
    services.submit_raters(lscope=chad, actor=None, review_id=awaiting.pk)
    nominating = services.start_own_review(
        lscope=lscope(cast, cast.executive), actor=None, answer_by=in_days(20)
    )
    made = {"released": released.pk, "awaiting": awaiting.pk, "nominating": nominating.pk,
            "cohort": released.cohort_id or 0}  # fmt: skip
    w.leadership = made  # type: ignore[attr-defined]
    return made


def charter_world(w: World) -> dict[str, int]:
    """The team charters' web pages: ED Nursing's charter (Nora facilitates; Nora, Sam, Nina
    and Ned are its members), adopted as version 1 with the values of three members, then a
    revisit opened — which opens draft 2; Pediatrics' charter, a first draft the admin started
    for Pia; and a charter of Lakeview's, facilitated by Lee."""
    from django.utils import timezone

    from accord.charters import services
    from accord.charters.models import Charter, CharterMember, TeamKind, Version
    from accord.charters.rules import Draft, NormDraft, RoleDraft
    from tests.charters.world import cscope_of, user_of

    made: dict[str, int] | None = getattr(w, "charters", None)
    if made:
        return made
    cast = w.cast
    nora = cscope_of(cast, cast.nurse_manager)
    team = ("nora", "sam", "nina", "ned")
    ed = services.start_charter(
        cscope=nora, actor=cast.nurse_manager, name="ED Nursing team", kind=TeamKind.UNIT,
        unit=Unit.objects.get(organisation=cast.riverside, name="ED Nursing"),
    )  # fmt: skip
    for pid, words in (("sam", "Respect"), ("nina", "Respect each other"), ("ned", "Respect")):
        services.answer_values(cscope=cscope_of(cast, user_of(cast, pid)), actor=None,
                               charter=ed, answers={"matters": words})  # fmt: skip
    services.save_draft(cscope=nora, actor=None, charter=ed, draft=Draft(
        vision="Safe, kind care.",
        norms=[NormDraft("We hand over face to face.", "The receiving nurse repeats the plan")],
        roles=[RoleDraft(f"Huddle {n}", w.person(pid)) for n, pid in enumerate(team, 1)],
    ))  # fmt: skip
    services.propose(cscope=nora, actor=None, charter=ed)
    for pid in team:
        services.endorse(cscope=cscope_of(cast, user_of(cast, pid)), actor=None, charter=ed,
                         version_number=1, decision="endorsed")  # fmt: skip
    services.open_revisit(cscope=nora, actor=None, charter=ed)
    peds = services.start_charter(
        cscope=cscope_of(cast, cast.admin), actor=cast.admin, name="Pediatrics",
        kind=TeamKind.UNIT, unit=Unit.objects.get(organisation=cast.riverside, name="Pediatrics"),
        facilitator=cast.person("pia"),
    )  # fmt: skip
    lakeview = Charter.objects.create(organisation=cast.lakeview, name="Lakeview team",
                                      kind=TeamKind.GROUP, facilitator=w.lakeview_person)  # fmt: skip
    CharterMember.objects.create(charter=lakeview, person=w.lakeview_person,
                                 joined_at=timezone.now())  # fmt: skip
    Version.objects.create(charter=lakeview, number=1, status="draft")
    made = {"ed": ed.pk, "peds": peds.pk, "lakeview": lakeview.pk}
    w.charters = made  # type: ignore[attr-defined]
    return made


def actions_world(w: World) -> dict[str, int]:
    import datetime as dt

    from accord.access.models import Membership
    from accord.access.scopes import Scope
    from accord.actions import findings, services
    from accord.actions.models import ActionPlan
    from accord.actions.visibility import ActionScope
    from accord.insights.selectors import whole_release

    made: dict[str, int] | None = getattr(w, "actions", None)
    if made:
        return made
    cycle = Cycle.objects.get(pk=published_cycle(w))
    view = whole_release(cycle)
    chair = ActionScope(Scope(Membership.objects.get(user=w.cast.by_role["chair"])))
    emergency = Unit.objects.get(organisation=w.cast.riverside, name="Emergency")
    due = dt.date.today() + dt.timedelta(days=60)
    plan = services.create_plan(
        ascope=chair, actor=w.cast.by_role["chair"], view=view, unit=emergency,
        finding=findings.find(view, view.index_of_pk[emergency.pk], "outcome:burnout_rate"),
        title="Protect breaks", due_on=due, owner_ids=[w.person("chad")],
    )  # fmt: skip
    step = services.add_step(
        ascope=chair, actor=None, plan=plan, title="Rota review", owner_id=w.person("sam")
    )
    update = services.add_update(ascope=chair, actor=None, plan=plan, text="Draft")
    pediatrics = ActionPlan.objects.create(
        organisation=w.cast.riverside, unit=Unit.objects.get(name="Pediatrics"), title="Peds",
        cycle=cycle, release_number=1, finding_unit_id=0, finding_kind="outcome",
        finding_key="burnout_rate", finding_label="Burnout", finding_figure=0,
        finding_respondents=0, due_on=due,
    )  # fmt: skip
    pediatrics.owners.set([w.cast.person("pia")])
    made = {"emergency": plan.pk, "step": step.pk, "update": update.pk,
            "pediatrics": pediatrics.pk}  # fmt: skip
    w.actions = made  # type: ignore[attr-defined]
    return made


# Charters API: the data its operations take, built on first use.


def charters_api_world(w: World) -> dict[str, int]:
    from accord.charters import services
    from accord.charters.models import Norm, TeamKind
    from tests.charters.world import (
        cscope_of,
        drafted,
        endorsed_by,
        full_draft,
        proposed,
        started,
    )

    made: dict[str, int] | None = getattr(w, "charters_api", None)
    if made:
        return made
    cast = w.cast
    nora = cscope_of(cast, cast.nurse_manager)
    drafting = started(cast)
    waiting = started(cast)
    drafted(cast, waiting)
    proposed(cast, waiting)
    nursing = ("nora", "sam", "nina", "ned")
    unit = services.start_charter(
        cscope=nora, actor=cast.nurse_manager, name="ED Nursing", kind=TeamKind.UNIT,
        unit=cast.person("nora").unit,
    )  # fmt: skip
    drafted(cast, unit, full_draft(cast, nursing))
    proposed(cast, unit)
    endorsed_by(cast, unit, nursing)
    services.open_revisit(cscope=nora, actor=cast.nurse_manager, charter=unit)
    norm = Norm.objects.filter(version__charter=unit, version__number=1).first()
    assert norm is not None
    made = {"drafting": drafting.pk, "proposed": waiting.pk, "unit": unit.pk, "norm": norm.pk}
    w.charters_api = made  # type: ignore[attr-defined]
    return made


def api_charter(w: World, key: str) -> tuple[int]:
    """The id of one of charters_api_world()'s charters, as an API operation's arguments."""
    return (charters_api_world(w)[key],)


def charter_pulses(w: World, charter_id: int) -> dict[str, int]:
    """Two pulses not yet open for a charter Nora facilitates with norms in force (ED
    Nursing's, a team of four, so riverside's minimum group is lowered to three): one to add
    its norms to, and one they were added to already."""
    from accord.charters import services
    from accord.charters.models import Charter
    from tests.charters.world import cscope_of

    made: dict[int, dict[str, int]] = getattr(w, "charter_pulses", {})
    if charter_id in made:
        return made[charter_id]
    cast = w.cast
    riverside = cast.riverside
    riverside.survey_min_group_size = riverside.survey_min_comment_group_size = 3
    riverside.save()
    to_add, added_to = (
        create_cycle(organisation=riverside, created_by=cast.admin,
                     settings=cycle_settings(riverside, name=unique("Pulse")))
        for _ in range(2)
    )  # fmt: skip
    nora = cscope_of(cast, cast.nurse_manager)
    pulse = services.add_norms_to_pulse(
        cscope=nora, actor=cast.nurse_manager, charter=Charter.objects.get(pk=charter_id),
        cycle_id=added_to.pk,
    )  # fmt: skip
    made[charter_id] = {"cycle": to_add.pk, "pulse": pulse.pk}
    w.charter_pulses = made  # type: ignore[attr-defined]
    return made[charter_id]
