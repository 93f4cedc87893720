"""The themes a team's values answers are grouped into: Accord's word list (English and
Spanish) and, for an organisation's embedding model, a description of each. A theme is
shown to the team only when at least three members' answers fall in it (``selectors``)."""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.utils.module_loading import import_string

from accord.insights.text import theme_comments

VALUE_THEMES: dict[str, tuple[str, ...]] = {
    "respect": (
        "respect*", "courte*", "dignity", "valued", "value each", "appreciat*", "polite*",
        "respeto", "respet*", "valora*", "aprecia*",
    ),
    "communication": (
        "communicat*", "inform*", "update*", "handoff*", "hand off*", "handover*", "huddle*",
        "clear*", "honest*", "transparen*", "feedback", "listen*", "in the loop",
        "comunica*", "escuch*", "claridad", "honest*",
    ),
    "support": (
        "support*", "help*", "back up", "backup", "cover*", "pitch in", "together",
        "teamwork", "team work", "collaborat*", "look out for", "one team",
        "apoyo", "apoy*", "ayud*", "equipo", "juntos", "colabor*",
    ),
    "safety_to_speak": (
        "safe to", "speak up", "speaking up", "mistake*", "blame*", "ask question*",
        "trust*", "without fear", "judg*",
        "confian*", "sin miedo", "errores", "culpa*",
    ),
    "patients": (
        "patient*", "famil*", "compassion*", "kind*", "cared for", "listened to", "heard",
        "dignity", "warm*", "welcom*",
        "paciente*", "familia*", "compasi*", "amabl*", "cariñ*", "escuchad*",
    ),
    "quality": (
        "quality", "safe care", "safety", "error*", "thorough*", "best practice*",
        "evidence", "excellen*", "reliable care",
        "calidad", "seguridad", "excelen*",
    ),
    "learning": (
        "learn*", "teach*", "grow*", "develop*", "mentor*", "train*", "improv*",
        "aprend*", "enseñ*", "crec*", "desarroll*", "mejor*",
    ),
    "reliability": (
        "on time", "punctual*", "follow through", "follow up", "accountab*", "depend*",
        "reliab*", "prepared", "do what we say", "keep our word", "responsib*",
        "puntual*", "cumpl*", "responsab*",
    ),
    "wellbeing": (
        "break*", "rest", "workload", "burnout", "balance", "wellbeing", "well being",
        "fun", "humou*", "humor", "laugh*", "breathe",
        "descanso*", "carga", "equilibrio", "bienestar", "reír", "humor",
    ),
    "timeliness": (
        "timely", "wait*", "quick*", "efficien*", "organis*", "organiz*", "smooth*",
        "rápid*", "espera*", "eficien*", "organiza*",
    ),
}  # fmt: skip

THEME_NAMES = {
    "respect": "Respect",
    "communication": "Clear, honest communication",
    "support": "Supporting each other",
    "safety_to_speak": "Safe to speak up",
    "patients": "Patients and families",
    "quality": "Safe, high-quality care",
    "learning": "Learning and growing",
    "reliability": "Doing what we say",
    "wellbeing": "Looking after ourselves",
    "timeliness": "Timely, organised work",
}

THEME_DESCRIPTIONS = {
    "respect": "Treating each other with respect and courtesy, feeling valued and appreciated.",
    "communication": "Clear, honest, timely communication, handoffs, updates and feedback.",
    "support": "Helping and backing each other up, working together as one team.",
    "safety_to_speak": "Being able to speak up, ask questions and admit mistakes without blame.",
    "patients": "Patients and families feeling cared for, listened to and treated kindly.",
    "quality": "Safe, reliable, high-quality care and few errors.",
    "learning": "Learning, teaching, mentoring, growing and improving.",
    "reliability": "Being on time, following through, doing what we say, being accountable.",
    "wellbeing": "Breaks, rest, manageable workload, balance, humour and fun at work.",
    "timeliness": "Organised, efficient work and short waits for patients.",
}


def themes_of(texts: Sequence[str]) -> list[tuple[str, ...]]:
    """Each answer's themes: by the organisation's embedding model when one is configured
    (the same setting as comment themes), else by the word list above."""
    model = (
        import_string(settings.ACCORD_COMMENT_THEME_MODEL)
        if settings.ACCORD_COMMENT_THEME_MODEL
        else None
    )
    return theme_comments(list(texts), model, descriptions=THEME_DESCRIPTIONS, lexicon=VALUE_THEMES)
