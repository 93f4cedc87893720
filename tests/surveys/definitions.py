"""A small valid definition that tests break one field at a time."""

from __future__ import annotations

import copy
from typing import Any

import yaml

VALID: dict[str, Any] = {
    "id": "test-pulse",
    "version": 1,
    "title": {"en": "Test pulse", "es": "Pulso de prueba"},
    "constructs": {
        "burnout": {"en": "Burnout", "es": "Agotamiento"},
        "voice": {"en": "Voice", "es": "Voz"},
        "comments": {"en": "Comments", "es": "Comentarios"},
    },
    "items": [
        {
            "id": "burnout",
            "construct": "burnout",
            "role": "outcome",
            "scale": "burnout5",
            "text": {"en": "How are you?", "es": "¿Cómo está?"},
            "options": [{"en": f"Option {n}", "es": f"Opción {n}"} for n in range(1, 6)],
            "favourable": [1, 2],
        },
        {
            "id": "say",
            "construct": "voice",
            "role": "driver",
            "scale": "agree5",
            "text": {"en": "I have a say.", "es": "Tengo voz."},
        },
        {
            "id": "recommend",
            "construct": "voice",
            "role": "outcome",
            "scale": "likelihood11",
            "text": {"en": "Would you recommend it?", "es": "¿Lo recomendaría?"},
        },
        {
            "id": "change",
            "construct": "comments",
            "role": "driver",
            "scale": "comment",
            "optional": True,
            "text": {"en": "What should change?", "es": "¿Qué debería cambiar?"},
        },
    ],
}


def definition() -> dict[str, Any]:
    return copy.deepcopy(VALID)


def as_yaml(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def item(data: dict[str, Any], item_id: str) -> dict[str, Any]:
    return next(entry for entry in data["items"] if entry["id"] == item_id)
