"""Words that help: a short guide, in Accord's own words, for saying what is not working and
asking what would, for when two people remember an agreement differently, and for giving
context — shown beside the concerns form, in the reader's language."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    title: str
    phrases: tuple[str, ...]


GUIDE: dict[str, tuple[Section, ...]] = {
    "en": (
        Section("Saying what is not working", (
            "“When … happened, I noticed … Can we look at it together?”",
            "“I am not sure this is working yet. What would make it work for you?”",
            "“This matters to me because … — what does it look like from where you stand?”",
        )),
        Section("When you remember it differently", (
            "“I remember agreeing …; how do you remember it?”",
            "“We may have left this unclear. Let us write down what we mean now.”",
            "“Which part of what we wrote would you change?”",
        )),
        Section("Giving context", (
            "“Here is why this matters now, and what it serves: …”",
            "“This is a process we follow together, not a verdict on you.”",
            "“My part in how things stand is …”",
        )),
    ),
    "es": (
        Section("Decir lo que no funciona", (
            "“Cuando pasó …, noté … ¿Lo miramos juntos?”",
            "“No estoy seguro de que esto funcione todavía. ¿Qué haría que funcione para usted?”",
            "“Esto me importa porque … ¿Cómo se ve desde su lugar?”",
        )),
        Section("Cuando lo recuerdan de otra manera", (
            "“Recuerdo que acordamos …; ¿cómo lo recuerda usted?”",
            "“Quizá lo dejamos poco claro. Escribamos ahora lo que queremos decir.”",
            "“¿Qué parte de lo que escribimos cambiaría?”",
        )),
        Section("Dar contexto", (
            "“Esto es por qué importa ahora y a qué sirve: …”",
            "“Es un proceso que seguimos juntos, no un juicio sobre usted.”",
            "“Mi parte en cómo están las cosas es …”",
        )),
    ),
}  # fmt: skip
TITLE = {"en": "Words that help", "es": "Palabras que ayudan"}


@dataclass(frozen=True)
class Guide:
    language: str
    title: str
    sections: tuple[Section, ...]


def guide_for(language: str) -> Guide:
    language = language if language in GUIDE else "en"
    return Guide(language, TITLE[language], GUIDE[language])


OPENING = {
    "en": (
        "{name}, before we get to what I expect, I want to start with my part in how things "
        "stand on {topic}: {own_part} This is a conversation about how we work together, not "
        "a verdict on you. I would like us to leave with a few expectations we both think "
        "are clear and fair, and with the support I will give you."
    ),
    "es": (
        "{name}, antes de hablar de lo que espero, quiero empezar por mi parte en cómo están "
        "las cosas en {topic}: {own_part} Es una conversación sobre cómo trabajamos juntos, "
        "no un juicio sobre usted. Me gustaría que saliéramos con unas pocas expectativas que "
        "ambos veamos claras y justas, y con el apoyo que le daré."
    ),
}
OWN_PART_BLANK = {
    "en": "[what I asked, said or left unsaid].",
    "es": "[lo que pedí, dije o dejé sin decir].",
}


def suggested_opening(*, colleague_name: str, topic: str, own_part: str, language: str) -> str:
    """Accord's draft of the opening, for the leader to edit: it owns the leader's part
    first — their own words from their preparation when they wrote some, else a blank to
    fill — and frames the meeting as a process, not a verdict. Shown on the leader's draft
    form only; it becomes part of the agreement only if the leader saves it."""
    language = language if language in OPENING else "en"
    part = own_part.strip().rstrip(".") + "." if own_part.strip() else OWN_PART_BLANK[language]
    first_name = colleague_name.split()[0] if colleague_name.strip() else colleague_name
    return OPENING[language].format(name=first_name, topic=f"“{topic}”", own_part=part)
