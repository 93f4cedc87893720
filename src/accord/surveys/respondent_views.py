"""The pages respondents use: no login, a one-time token, nothing stored until they send.

The token arrives in a link (``/s/<token>/``) or typed from a printed card; it is then kept
in a signed, HTTP-only cookie scoped to ``/s/`` and the browser is sent to a URL without it,
so the token does not linger in the address bar, the history or a Referer header.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.signing import BadSignature
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accord.surveys import form as survey_form
from accord.surveys import team_questions
from accord.surveys.answers import parse_answers
from accord.surveys.mail import MANAGER_GROUP
from accord.surveys.models import Invitation
from accord.surveys.selectors import accepting_answers, has_answered, instrument_asked
from accord.surveys.services import (
    CycleError,
    Outcome,
    invitation_for,
    new_form_nonce,
    submit_response,
    withdraw_invitation,
)
from accord.surveys.tokens import normalise_token

COOKIE = "accord_survey"
COOKIE_SALT = "accord.surveys.token"
COOKIE_PATH = "/s/"


def _token_from_cookie(request: HttpRequest) -> str | None:
    try:
        value = request.get_signed_cookie(COOKIE, salt=COOKIE_SALT)
    except (KeyError, BadSignature):
        return None
    return normalise_token(value) if value else None


def remember_token(response: HttpResponse, token: str) -> HttpResponse:
    response.set_signed_cookie(
        COOKIE,
        token,
        salt=COOKIE_SALT,
        path=COOKIE_PATH,
        max_age=60 * 60 * 24 * 30,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response


def _forget_token(response: HttpResponse) -> HttpResponse:
    response.delete_cookie(COOKIE, path=COOKIE_PATH, samesite="Lax")
    return response


def _language(request: HttpRequest, invitation: Invitation | None) -> str:
    asked = (
        request.POST.get("switch_language") or request.POST.get("lang") or request.GET.get("lang")
    )
    if asked in survey_form.LANGUAGES:
        return asked
    return (
        invitation.language if invitation and invitation.language in survey_form.LANGUAGES else "en"
    )


def _unavailable(
    request: HttpRequest, reason: str, language: str, status: int = 200, about: str = ""
) -> HttpResponse:
    response = render(
        request,
        "surveys/respond/unavailable.html",
        {"reason": reason, "lang": language, "about": about},
        status=status,
    )
    return _forget_token(response)


@never_cache
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest) -> HttpResponse:
    """Where a printed code is typed in."""
    language = _language(request, None)
    error = ""
    if request.method == "POST":
        token = normalise_token(request.POST.get("code", ""))
        invitation = invitation_for(token) if token else None
        if token is None:
            error = "code_format"
        elif invitation is None:
            error = "code_unknown"
        else:
            return remember_token(redirect("survey-answer"), token)
    elif _token_from_cookie(request):
        return redirect("survey-answer")
    return render(
        request,
        "surveys/respond/start.html",
        {"lang": language, "error": error, "code": request.POST.get("code", "")[:40]},
        status=400 if error else 200,
    )


@never_cache
@require_http_methods(["GET"])
def follow_link(request: HttpRequest, token: str) -> HttpResponse:
    """The link in an invitation: keep the token in a cookie and drop it from the URL."""
    normalised = normalise_token(token)
    if normalised is None or invitation_for(normalised) is None:
        return _unavailable(request, "unknown", _language(request, None), status=404)
    return remember_token(redirect("survey-answer"), normalised)


@never_cache
@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest) -> HttpResponse:
    token = _token_from_cookie(request)
    invitation = invitation_for(token) if token else None
    language = _language(request, invitation)
    if token is None:
        return redirect("survey-start")
    if invitation is None:  # tokens are deleted when a cycle closes
        return _unavailable(request, "unknown", language)
    cycle = invitation.cycle
    if not accepting_answers(cycle):
        return _unavailable(request, "closed", language)
    if request.method == "GET" and has_answered(invitation):
        return _unavailable(request, "answered", language)

    instrument = instrument_asked(cycle)
    survey_pages = survey_form.pages(instrument)
    team_pages = team_questions.pages_for(invitation)
    page_fields = [[f"q_{item.id}" for item in items] for items in survey_pages] + [
        team.fields for team in team_pages
    ]
    data = request.POST if request.method == "POST" else {}
    parsed = parse_answers(instrument, data)
    parsed.team, team_errors = team_questions.parse_team_answers(team_pages, data)
    errors = {f"q_{item_id}": message for item_id, message in parsed.errors.items()} | team_errors
    nonce = str(data.get("nonce", "")) or new_form_nonce()
    page = _page_number(data.get("page"), len(page_fields))
    move = data.get("nav", "")

    if request.method == "POST" and data.get("decline") and cycle.about is not None:
        if data.get("decline") != "confirm":
            return render(request, "surveys/respond/decline.html", {
                "lang": language, "about": cycle.about.name,
            })  # fmt: skip
        try:
            withdraw_invitation(invitation=invitation)
        except CycleError:
            return _unavailable(request, "answered", language)
        return _unavailable(request, "declined", language, about=cycle.about.name)
    if request.method == "POST" and "switch_language" not in data:
        if errors:
            page = min(_page_of(page_fields, field) for field in errors)
        elif move == "back":
            page = max(1, page - 1)
        elif move == "next":
            page = min(len(page_fields), page + 1)
        elif move == "submit":
            outcome = submit_response(
                token=token, answers=parsed, nonce=nonce, invitation=invitation
            )
            return _after_submission(request, outcome, language, invitation)

    words = survey_form.WORDS[language]
    about = cycle.about.name if cycle.about else ""
    if page <= len(survey_pages):
        items = survey_pages[page - 1]
        heading = survey_form.page_heading(instrument, items, language)
        page_help = [words["rate_how_often"].format(name=about)] if heading else []
        questions = [survey_form.question(item, language) for item in items]
    else:
        team = team_pages[page - len(survey_pages) - 1]
        team_words = team_questions.WORDS[language]
        heading = team_words["heading"].format(team=team.team_name)
        page_help = [
            team_words["intro"],
            team_words["privacy"].format(minimum=cycle.min_group_size),
        ]
        questions = team.questions(language)
    context: dict[str, Any] = {
        "about": about,
        "title": words["feedback_for"].format(name=about) if about else cycle.name,
        "heading": heading,
        "page_help": page_help,
        "rater_privacy": _rater_privacy(words, invitation, about),
        "decline_label": words["decline"].format(name=about),
        "cycle": cycle,
        "lang": language,
        "words": words,
        "progress_text": words["page"].format(page=page, pages=len(page_fields)),
        "privacy_2": words["privacy_2"].format(
            minimum=cycle.min_group_size, comment_minimum=cycle.min_comment_group_size
        ),
        "languages": survey_form.LANGUAGES,
        "page": page,
        "pages": len(page_fields),
        "questions": questions,
        "carried": _carried_fields(page_fields, page, data),
        "values": {key: str(value) for key, value in data.items() if key.startswith(("q_", "t_"))},
        "errors": errors,
        "nonce": nonce,
        "likelihood_anchors": survey_form.LIKELIHOOD_ANCHORS[language],
    }
    status = 400 if errors and move else 200
    return render(request, "surveys/respond/form.html", context, status=status)


def _rater_privacy(words: dict[str, str], invitation: Invitation, about: str) -> list[str]:
    """What a 360's rater is told about who sees their answers; [] in a pulse."""
    if not about:
        return []
    cycle = invitation.cycle
    minimum = {"name": about, "minimum": cycle.min_group_size}
    first = (
        [words["rater_privacy_manager"].format(name=about)]
        if invitation.rater_group == MANAGER_GROUP
        else [words["rater_privacy_1"], words["rater_privacy_2"].format(**minimum)]
    )
    comments = words["rater_privacy_3"].format(comment_minimum=cycle.min_comment_group_size)
    if invitation.rater_group == MANAGER_GROUP:
        return [*first, comments]
    answered = words["rater_privacy_answered"].format(**minimum)
    return [*first, comments, answered]


def _page_number(raw: object, count: int) -> int:
    try:
        number = int(str(raw))
    except ValueError:
        return 1
    return min(max(number, 1), count)


def _page_of(page_fields: list[list[str]], field: str) -> int:
    for number, fields in enumerate(page_fields, start=1):
        if field in fields:
            return number
    return 1


def _carried_fields(page_fields: list[list[str]], page: int, data: Any) -> list[tuple[str, str]]:
    """The other pages' answers, as hidden fields, so moving between pages loses nothing."""
    carried = []
    for number, fields in enumerate(page_fields, start=1):
        for field in fields:
            value = data.get(field, "")
            if number != page and value:
                carried.append((field, str(value)))
    return carried


def _after_submission(
    request: HttpRequest, outcome: Outcome, language: str, invitation: Invitation
) -> HttpResponse:
    if outcome in (Outcome.RECORDED, Outcome.REPEATED):
        kind = ""
        if invitation.cycle.about_id is not None:  # a 360: the manager's answers are theirs
            kind = "&for=manager" if invitation.rater_group == MANAGER_GROUP else "&for=360"
        response = redirect(f"{reverse('survey-done')}?lang={language}{kind}")
        return _forget_token(response)
    reason = {
        Outcome.ALREADY_ANSWERED: "answered",
        Outcome.NOT_OPEN: "closed",
        Outcome.UNKNOWN_TOKEN: "unknown",
        Outcome.KEY_CHANGED: "maintenance",
    }[outcome]
    return _unavailable(request, reason, language, status=503 if reason == "maintenance" else 200)


@never_cache
@require_http_methods(["GET"])
def done(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("for", "")
    return render(request, "surveys/respond/done.html", {
        "lang": _language(request, None), "kind": kind if kind in ("360", "manager") else "",
    })  # fmt: skip
