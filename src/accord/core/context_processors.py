"""Navigation for the capabilities the viewer's role can use in the current organisation."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from accord.access.models import Role


def navigation(request: HttpRequest) -> dict[str, Any]:
    scope = getattr(request, "scope", None)
    if scope is None:
        return {"nav_items": [], "current_scope": None}
    slug = scope.organisation.slug
    if scope.is_coach:
        return {"nav_items": [{"label": "Leaders you coach", "url": reverse("leadership", args=[slug]),
                               "current": True}], "current_scope": scope}  # fmt: skip
    items = [("Home", reverse("org-home", args=[slug]))]
    if scope.role != Role.MEMBER:
        items.append(("Units", reverse("unit-list", args=[slug])))
        items.append(("People", reverse("person-list", args=[slug])))
        items.append(("Surveys", reverse("survey-cycles", args=[slug])))
    else:
        items.append(
            ("My unit", reverse("unit-detail", args=[slug, scope.person.unit_id]))
            if scope.person
            else ("My unit", reverse("org-home", args=[slug]))
        )
    if scope.sees_survey_results:
        items.append(("Results", reverse("results", args=[slug])))
    items.append(("Goals", reverse("goal-home", args=[slug])))
    items.append(("Actions", reverse("action-plans", args=[slug])))
    items.append(("Agreements", reverse("agreements", args=[slug])))
    items.append(("Shadowing", reverse("shadowing", args=[slug])))
    items.append(("360s", reverse("leadership", args=[slug])))
    items.append(("Charters", reverse("charters", args=[slug])))
    if scope.is_admin:
        items.append(("Import org chart", reverse("import-upload", args=[slug])))
        items.append(("Logins", reverse("login-list", args=[slug])))
    items.append(("API tokens", reverse("token-list", args=[slug])))
    current = request.path
    nav = [
        {
            "label": label,
            "url": url,
            "current": current == url
            or (url != reverse("org-home", args=[slug]) and current.startswith(url)),
        }
        for label, url in items
    ]
    return {"nav_items": nav, "current_scope": scope}
