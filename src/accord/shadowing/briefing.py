"""Accord's own briefing for a shadowing visit, in English and Spanish: what the programme
admin sends both people unless they wrote their own (``ProgrammeSettings.briefing``)."""

from __future__ import annotations

from accord.shadowing.models import ProgrammeSettings

BRIEFING = {
    "en": """Before the visit
- You are there to see the work, not to inspect it. Follow the host's lead, and step out
  whenever they ask.
- Patients come first. Introduce yourself, say why you are there, and ask the patient before
  you stay for any care; accept a no without discussion.
- Write nothing about patients: no names, record numbers, rooms or beds — not in your notes,
  not in Accord, not in messages afterwards.
- Wear your badge, closed shoes and clothes you can move in; follow the unit's hand hygiene
  and isolation signs like everyone else.
- Meet the host where they tell you, on time. If you cannot come, cancel in Accord as early
  as you can so the host can plan.

After the visit
- Write your reflection in Accord within the programme's deadline: what you saw, the barriers
  you noticed, what surprised you, and what you will do about it, with dates.""",
    "es": """Antes de la visita
- Va a ver el trabajo, no a inspeccionarlo. Siga las indicaciones de quien le recibe y salga
  cuando se lo pida.
- Los pacientes son lo primero. Preséntese, explique por qué está allí y pida permiso al
  paciente antes de quedarse durante cualquier atención; acepte un no sin discutir.
- No escriba nada sobre pacientes: ni nombres, ni números de historia, ni habitaciones ni
  camas — ni en sus notas, ni en Accord, ni en mensajes después.
- Lleve su identificación, calzado cerrado y ropa cómoda; siga las normas de higiene de manos
  y de aislamiento de la unidad como todos.
- Acuda puntual al lugar que le indiquen. Si no puede ir, cancele en Accord cuanto antes para
  que la persona anfitriona pueda organizarse.

Después de la visita
- Escriba su reflexión en Accord dentro del plazo del programa: lo que vio, las barreras que
  notó, lo que le sorprendió y lo que hará al respecto, con fechas.""",
}


def briefing_for(settings: ProgrammeSettings, language: str) -> str:
    """The programme's briefing in the reader's language: the admin's own text when written
    (the Spanish one falling back to the English), otherwise Accord's."""
    if language == "es":
        return settings.briefing_es or settings.briefing or BRIEFING["es"]
    return settings.briefing or BRIEFING["en"]
