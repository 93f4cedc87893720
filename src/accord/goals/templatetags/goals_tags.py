"""Template filters for goals: numbers without trailing zeros, targets in words."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

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
