"""The survey form as respondents see it: pages, answer options and wording per language.

Answers travel with the form (hidden fields carry the other pages' answers), so nothing is
stored until the respondent submits, and the form works without JavaScript.
"""

from __future__ import annotations

from dataclasses import dataclass

from accord.surveys.answers import NOT_OBSERVED
from accord.surveys.instruments import LEADERSHIP_360, SCALES, Instrument, Item

ITEMS_PER_PAGE = 6
LANGUAGES = {"en": "English", "es": "Español"}

SCALE_OPTIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "agree5": {
        "en": ("Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree",
               "Strongly agree"),
        "es": ("Totalmente en desacuerdo", "En desacuerdo", "Ni de acuerdo ni en desacuerdo",
               "De acuerdo", "Totalmente de acuerdo"),
    },
    "yes_no": {"en": ("No", "Yes"), "es": ("No", "Sí")},
    "frequency5": {
        "en": ("Never", "Rarely", "Sometimes", "Often", "Always"),
        "es": ("Nunca", "Pocas veces", "A veces", "A menudo", "Siempre"),
    },
}  # fmt: skip
NOT_OBSERVED_LABEL = {"en": "Not observed", "es": "No lo he observado"}
LIKELIHOOD_ANCHORS = {
    "en": ("0 — not at all likely", "10 — extremely likely"),
    "es": ("0 — nada probable", "10 — muy probable"),
}

# Interface wording, both languages side by side so neither falls behind.
WORDS: dict[str, dict[str, str]] = {
    "en": {
        "page": "Page {page} of {pages}",
        "back": "Back",
        "next": "Next",
        "submit": "Send my answers",
        "skip_note": "Every question is optional: skip any you prefer not to answer.",
        "who_sees": "Who sees what",
        "privacy_1": "Your answers are stored without your name, email, link or the time "
        "you answered. Nothing in Accord's database connects them to you.",
        "privacy_2": "Results appear only for groups of at least {minimum} people; comments "
        "only for groups of at least {comment_minimum}. Smaller groups are merged or hidden.",
        "privacy_3": "No one — not your manager, not an administrator — can see whether you "
        "answered.",
        "privacy_4": "Comments are shown to leaders as you write them (names, emails and phone "
        "numbers are removed first). Leave out details that would identify you.",
        "errors": "Please check the answers marked below.",
        "closes": "Open until {closes}",
        "optional_comment": "Optional. Up to 2,000 characters.",
        "language": "Language",
        "likelihood_hint": "0 means not at all likely, 10 extremely likely.",
        "feedback_for": "Feedback for {name}",
        "decline": "I can't give feedback on {name}",
        "rate_how_often": "How often do you see {name} do each of these? Choose “Not observed” "
        "when you have not had the chance to see it.",
        "rater_privacy_1": "Your ratings are stored without your name, email, link or the "
        "time you answered. Nothing in Accord's database connects them to you.",
        "rater_privacy_2": "{name} sees ratings only for groups of at least {minimum} raters; a "
        "smaller group is merged with others or hidden, so it cannot be worked out.",
        "rater_privacy_manager": "You were asked as {name}'s manager: your ratings are shown "
        "to {name} as the manager's. They are not anonymous.",
        "rater_privacy_3": "Written answers are shown together, split into sentences and "
        "shuffled, never by group, and only when at least {comment_minimum} people wrote some.",
        "rater_privacy_answered": "No one sees which raters have answered: {name} sees only "
        "how many, per group of at least {minimum}.",
    },
    "es": {
        "page": "Página {page} de {pages}",
        "back": "Atrás",
        "next": "Siguiente",
        "submit": "Enviar mis respuestas",
        "skip_note": "Todas las preguntas son opcionales: sáltese las que prefiera no responder.",
        "who_sees": "Quién ve qué",
        "privacy_1": "Sus respuestas se guardan sin su nombre, correo, enlace ni la hora en "
        "que respondió. Nada en la base de datos de Accord las relaciona con usted.",
        "privacy_2": "Los resultados solo aparecen para grupos de al menos {minimum} personas; "
        "los comentarios, para grupos de al menos {comment_minimum}. Los grupos más pequeños "
        "se combinan o se ocultan.",
        "privacy_3": "Nadie — ni su jefe ni un administrador — puede ver si usted respondió.",
        "privacy_4": "Los líderes ven los comentarios tal como los escribe (antes se eliminan "
        "nombres, correos y teléfonos). No incluya detalles que lo identifiquen.",
        "errors": "Revise las respuestas marcadas abajo.",
        "closes": "Abierta hasta el {closes}",
        "optional_comment": "Opcional. Hasta 2.000 caracteres.",
        "language": "Idioma",
        "likelihood_hint": "0 significa nada probable; 10, muy probable.",
        "feedback_for": "Su opinión sobre {name}",
        "decline": "No puedo opinar sobre {name}",
        "rate_how_often": "¿Con qué frecuencia ve a {name} hacer cada una de estas cosas? Elija "
        "«No lo he observado» si no ha tenido ocasión de verlo.",
        "rater_privacy_1": "Sus valoraciones se guardan sin su nombre, correo, enlace ni la "
        "hora en que respondió. Nada en la base de datos de Accord las relaciona con usted.",
        "rater_privacy_2": "{name} solo ve valoraciones de grupos de al menos {minimum} "
        "personas; un grupo más pequeño se combina con otros o se oculta, para que no pueda "
        "deducirse.",
        "rater_privacy_manager": "Se le pide su opinión como jefe o jefa de {name}: sus "
        "valoraciones se muestran a {name} como de la jefatura. No son anónimas.",
        "rater_privacy_3": "Las respuestas escritas se muestran juntas, divididas en frases y "
        "mezcladas, nunca por grupo, y solo cuando al menos {comment_minimum} personas "
        "escribieron.",
        "rater_privacy_answered": "Nadie ve qué personas han respondido: {name} solo ve "
        "cuántas, por grupos de al menos {minimum}.",
    },
}


@dataclass(frozen=True)
class Option:
    code: int
    label: str


@dataclass(frozen=True)
class Question:
    item: Item | None  # None for a team's own statement (surveys/team_questions.py)
    text: str
    field: str
    options: tuple[Option, ...]  # empty for an open comment
    scale: str

    @property
    def is_comment(self) -> bool:
        return not self.options


def question(item: Item, language: str) -> Question:
    scale = SCALES[item.scale]
    text = getattr(item.text, language)
    if scale.is_open_text:
        options: tuple[Option, ...] = ()
    elif item.options:
        options = tuple(
            Option(code, getattr(label, language))
            for code, label in zip(scale.codes, item.options, strict=True)
        )
    elif item.scale in SCALE_OPTIONS:
        labels = SCALE_OPTIONS[item.scale][language]
        options = tuple(
            Option(code, label) for code, label in zip(scale.codes, labels, strict=True)
        )
    else:  # likelihood11: numbers, anchored in the hint
        options = tuple(Option(code, str(code)) for code in scale.codes)
    if scale.not_observed:
        options = (*options, Option(NOT_OBSERVED, NOT_OBSERVED_LABEL[language]))
    return Question(item=item, text=text, field=f"q_{item.id}", options=options, scale=item.scale)


def pages(instrument: Instrument) -> list[list[Item]]:
    """Scored items in order, a few per page; the open comments together on the last page.
    A short pulse (a page's worth of questions in all) is one page; a 360 framework has a
    page per competency."""
    scored = [item for item in instrument.items if not SCALES[item.scale].is_open_text]
    comments = [item for item in instrument.items if SCALES[item.scale].is_open_text]
    if instrument.purpose == LEADERSHIP_360:
        competencies = [c.id for c in instrument.constructs]
        by_competency = [[i for i in scored if i.construct == c] for c in competencies]
        return [items for items in by_competency if items] + ([comments] if comments else [])
    if len(instrument.items) <= ITEMS_PER_PAGE:
        return [scored + comments]
    # Even pages: 25 questions make five pages of five, not four of six and one of one.
    count = -(-len(scored) // ITEMS_PER_PAGE)
    size = -(-len(scored) // count) if count else ITEMS_PER_PAGE
    chunks = [scored[i : i + size] for i in range(0, len(scored), size)]
    if comments:
        chunks.append(comments)
    return chunks or [[]]


def page_heading(instrument: Instrument, items: list[Item], language: str) -> str:
    """A 360 page's competency (all of a page's behaviours share it); "" for a pulse."""
    if instrument.purpose != LEADERSHIP_360 or not items:
        return ""
    for construct in instrument.constructs:
        if construct.id == items[0].construct:
            return str(getattr(construct.name, language))
    return ""
