"""Template filters for goals: numbers without trailing zeros, targets in words."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html

from accord.goals.agenda import describe_target
from accord.goals.models import Goal

register = template.Library()


@register.filter
def number(value: Decimal | None) -> str:
    if value is None:
        return "—"
    text = f"{value.normalize():f}" if isinstance(value, Decimal) else str(value)
    if "." in text:
        whole, fraction = text.split(".")
        return f"{int(whole):,}.{fraction}" if whole.lstrip("-").isdigit() else text
    return f"{int(text):,}" if text.lstrip("-").isdigit() else text


@register.filter
def target_text(goal: Goal) -> str:
    return describe_target(goal)


@register.filter
def lookup(mapping: dict[Any, Any], key: object) -> object:
    return mapping.get(key)


@register.simple_tag
def person_goals_link(slug: str, person: Any, openable: set[int]) -> str:
    """The person's name, linked to their goals page only where the viewer may open it."""
    if person.pk in openable:
        url = reverse("person-goals", args=[slug, person.pk])
        return format_html('<a href="{}">{}</a>', url, person.name)
    return format_html("{}", person.name)
