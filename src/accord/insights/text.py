"""Comments: redaction of names, emails and phone numbers, and themes that match the drivers.

Redaction runs before anyone sees a comment. It replaces

* email addresses with "[email]";
* phone numbers — North American ("(555) 123-4567", "555.123.4567", "+1 555 123 4567"),
  international ("+44 20 7946 0958", "0034 912 345 678"), grouped national numbers of nine
  or more digits ("912 345 678"), seven-digit local numbers ("555-1234"), unbroken runs of
  10 to 15 digits, and extensions ("x204", "ext. 4567", "extensión 12") — with "[phone]";
* names of people in the organisation with "[name]": a first name followed by that person's
  last name; any part of a name right after a title ("Dr. Okafor", "Nurse Amara",
  "Dra. Ibarra"), which keeps the title; and any single first or last name of three letters
  or more that appears in the organisation's list as a whole word — except common words
  (:data:`COMMON_WORDS`, or the set you pass), which are left alone unless a title or the
  rest of the name makes them a name. Matching ignores case and accents ("jose garcia"
  matches "José García"); words that are not names of anyone in the list are never touched.

It is a safety net, not a guarantee: a nickname, a misspelling or a description ("the new
night charge nurse") can still point at a person; the comments page should say so.

Speed: the names are indexed once (:class:`Redactor`); each comment then gets one quick look
(split into words by ``str.translate``, checked against sets), and only a comment that may
hold a name, an "@" or a digit gets more work. Measured outside the test suite on a shared
2-core machine with 300,000 names and 240,000 comments of about 30 words (one in ten with a
name, an email or a phone number): indexing takes about 1 s and redacting about 1.9 s, some
8 µs a comment (up to 2.9 s while the machine was busy); a comment that does hold a name
takes about 23 µs.

Themes: :func:`themes` tags a comment with the drivers of the core instrument it talks about
(communication, voice, trust in senior leaders, practice efficiency, ...) plus burnout and
workload, and staffing. The method is a word list, :data:`LEXICON`, in English and Spanish,
kept here in plain sight so an organisation can read and adjust it: a comment gets a theme
when one of the theme's keywords occurs in it. A keyword ending in "*" matches any word that
starts with it ("communicat*" matches "communication" and "communicate"); a keyword of
several words matches those words in a row. Case and accents are ignored.

:func:`theme_comments` uses an embedding model instead, when the organisation configures one
(any callable that turns a list of texts into vectors, see :class:`ThemeModel`): each theme's
description is embedded once and a comment gets the themes whose description is close enough
(cosine similarity at or above a threshold). Without a model it uses the word list, offline
and with no extra dependency.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import ArrayLike, NDArray

NAME = "[name]"
EMAIL = "[email]"
PHONE = "[phone]"

# Words that are also first or last names; a lone one is left alone (a title or the rest of
# the name still makes it a name). An organisation can pass its own set instead.
COMMON_WORDS = frozenset(
    (
        "about", "after", "all", "also", "and", "april", "art", "august", "autumn", "baker",
        "bell", "best", "bill", "black", "blue", "bond", "born", "brown", "bush", "but", "can",
        "carter", "case", "chance", "chase", "cook", "cross", "dale", "dawn", "day", "dean",
        "don", "drew", "early", "english", "faith", "fields", "fine", "fisher", "ford", "forest",
        "fox", "frank", "free", "gay", "gold", "golden", "good", "grace", "grant", "gray",
        "green", "grey", "guy", "hall", "hand", "happy", "hardy", "hart", "head", "heart", "herb",
        "hill", "holly", "hope", "house", "hunt", "iris", "irving", "ivy", "jack", "jade", "jay",
        "joy", "june", "just", "king", "knight", "lamb", "lane", "law", "lee", "light", "little",
        "long", "love", "lucky", "major", "march", "mark", "marsh", "mason", "may", "miles",
        "mill", "miller", "moon", "more", "moss", "nurse", "page", "park", "parker", "patience",
        "penny", "person", "pink", "porter", "post", "price", "rich", "river", "rock", "rose",
        "ruby", "rush", "sage", "sandy", "sharp", "shepherd", "short", "sky", "small", "smart",
        "snow", "spring", "stone", "storm", "summer", "sun", "sunny", "swift", "taylor", "the",
        "ward", "water", "waters", "way", "west", "white", "will", "wolf", "wood", "woods",
        "worth", "young", "alba", "alegria", "amparo", "angeles", "blanca", "blanco", "bueno",
        "campo", "campos", "casa", "castillo", "consuelo", "cruz", "delgado", "dolores",
        "esperanza", "flores", "fuentes", "gracia", "leon", "luz", "mar", "marina", "mercedes",
        "mira", "monte", "montes", "moreno", "nieves", "paz", "perla", "pilar", "prado", "puerta",
        "reina", "reyes", "rey", "rosa", "rosario", "salud", "santa", "santos", "sierra", "sol",
        "soledad", "vega", "ventura",
    )
)  # fmt: skip
TITLES = frozenset(
    (
        "dr", "doctor", "doc", "nurse", "mr", "mrs", "ms", "mx", "miss", "sir", "madam", "prof",
        "professor", "rn", "np", "pa", "sister", "brother", "dra", "doctora", "enfermera",
        "enfermero", "sr", "sra", "srta", "senor", "senora", "senorita", "don", "dona", "lic",
        "licenciada", "licenciado",
    )
)  # fmt: skip
# Parts of a name that never identify anyone alone ("Juan de la Cruz").
PARTICLES = frozenset(
    (
        "de", "del", "la", "las", "los", "da", "das", "do", "dos", "di", "du", "van", "von",
        "der", "den", "le", "y", "e", "al", "bin",
    )
)  # fmt: skip

_ACCENTS = re.compile(r"[\u0300-\u036f]")
_WORD = re.compile(r"[^\W\d_]+(?:['\u2019](?![sS]\b)[^\W\d_]+)*")
_HAS_DIGIT = re.compile(r"\d")
_EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]*[\w!#$%&'*+/=?^`{|}~-]@[\w-]+(?:\.[\w-]+)*")
_EXT = r"(?:\s*(?:ext\.?|extn\.?|extension|extensi[oó]n|x|\#)\s*\d{1,6})?"
_PHONE = re.compile(
    rf"""
    (?<![\w+/.,])
    (?:
        (?P<intl>(?:\+|\b00)\d{{1,3}}[ .\-]?(?:\(\d{{1,4}}\)[ .\-]?)?\d{{1,4}}
            (?:[ .\-]?\d{{2,4}}){{1,4}})
      | (?P<na>(?:\b1[ .\-]?)?(?:\(\d{{3}}\)[ .\-]?|\b\d{{3}}[ .\-])\d{{3}}[ .\-]\d{{4}})
      | (?P<grouped>\b\d{{2,5}}(?:[ .\-]\d{{2,5}}){{2,4}})
      | (?P<local>\b\d{{3}}[.\-]\d{{4}})
      | (?P<plain>\b\d{{10,15}})
    )
    {_EXT}
    (?![\w])
    | (?<!\w)(?:ext\.?|extn\.?|extension|extensi[oó]n)\s*\#?\s*\d{{2,6}}\b
    | (?<!\w)x\d{{3,6}}\b
    """,
    re.VERBOSE | re.IGNORECASE,
)


class _FoldTable(dict[int, str]):
    """Per character: lower case without accents, always one character for one."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        base = _ACCENTS.sub("", unicodedata.normalize("NFKD", char)).lower()
        lowered = char.lower()
        value = base if len(base) == 1 else lowered if len(lowered) == 1 else char
        self[code] = value
        return value


_FOLD = _FoldTable()


class _QuickTable(dict[int, str]):
    """Per character: letters and digits folded, anything else a space (for a quick split)."""

    def __missing__(self, code: int) -> str:
        value = _FOLD[code] if chr(code).isalnum() else " "
        self[code] = value
        return value


_QUICK = _QuickTable()


def fold(text: str) -> str:
    """Lower case without accents, the form names and keywords are compared in.

    Every character stays one character, so positions in the folded text are positions in
    the original.
    """
    if text.isascii():
        return text.lower()
    return text.translate(_FOLD)


class Redactor:
    """The organisation's names, indexed once; :meth:`redact` then works per comment.

    ``singles`` are the name parts redacted on their own (three letters or more, not common
    words), ``parts`` every part of every name (after a title), ``pairs`` the consecutive
    parts of each name and its first and last part.
    """

    def __init__(self, names: Iterable[str], common_words: Iterable[str] = COMMON_WORDS) -> None:
        common = {fold(word) for word in common_words}
        self.singles: set[str] = set()
        self.parts: set[str] = set()
        self.pairs: set[tuple[str, str]] = set()
        # The quick look splits words at apostrophes too: "o'brien" is seen as "o", "brien".
        self._quick: set[str] = set()
        self._quick_singles: set[str] = set()
        self._apostrophes: set[str] = set()
        for name in names:
            pieces = [w for w in _WORD.findall(fold(name)) if w not in PARTICLES]
            self.parts.update(pieces)
            singles = [p for p in pieces if len(p) >= 3 and p not in common]
            self.singles.update(singles)
            if len(pieces) >= 2:
                self.pairs.add((pieces[0], pieces[-1]))
                self.pairs.update(itertools.pairwise(pieces))
            if any("'" in p or "\u2019" in p for p in pieces):
                for piece in pieces:
                    split = piece.translate(_QUICK).split()
                    self._quick.update(split)
                    if len(split) > 1:
                        self._apostrophes.update(split)
                for single in singles:
                    self._quick_singles.update(single.translate(_QUICK).split())
            else:
                self._quick.update(pieces)
                self._quick_singles.update(singles)

    def redact(self, text: str) -> str:
        if not text.isascii():
            text = unicodedata.normalize("NFC", text)
        if "@" in text:
            text = _EMAIL.sub(EMAIL, text)
        if _HAS_DIGIT.search(text):
            text = _PHONE.sub(_phone, text)
        if self._may_name(text):
            return self._names(text, fold(text))
        return text

    def redact_all(self, texts: Iterable[str]) -> list[str]:
        return [self.redact(text) for text in texts]

    def _may_name(self, text: str) -> bool:
        """A quick look, mostly in C: could any rule match? Most comments stop here.

        It may say yes when no rule matches (the full pass then finds nothing), never no when
        one does.
        """
        words = set(text.translate(_QUICK).split())
        found = self._quick.intersection(words)
        if not found:
            return False
        if not found.isdisjoint(self._quick_singles) or not found.isdisjoint(self._apostrophes):
            return True
        if any((a, b) in self.pairs for a in found for b in found):
            return True
        if not words.isdisjoint(TITLES):
            return any(m.group(1) in self.parts for m in _AFTER_TITLE.finditer(fold(text)))
        return False

    def _names(self, text: str, folded: str) -> str:
        # Words never hold a hyphen, so "García-López" is two words, each checked.
        tokens = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(folded)]
        hit = [False] * len(tokens)
        for i, (start, end, word) in enumerate(tokens):
            if word not in self.parts:
                continue
            if text[start - 1 : start] == "[" and text[end : end + 1] == "]":
                continue  # a placeholder such as "[name]" itself
            if word in self.singles:
                hit[i] = True
            elif i and tokens[i - 1][2] in TITLES:
                gap = text[tokens[i - 1][1] : start]
                if gap.strip(" .") == "" and len(gap) <= 3:
                    hit[i] = True
            # A first name and a later part of the same person's name, particles between.
            j = i + 1
            while j < len(tokens) and j - i <= 3 and tokens[j][2] in PARTICLES:
                j += 1
            if (
                j < len(tokens)
                and (word, tokens[j][2]) in self.pairs
                and all(text[tokens[k][1] : tokens[k + 1][0]].isspace() for k in range(i, j))
            ):
                for k in range(i, j + 1):
                    hit[k] = True
        pieces: list[str] = []
        cursor = 0
        i = 0
        while i < len(tokens):
            if not hit[i]:
                i += 1
                continue
            start = tokens[i][0]
            end = tokens[i][1]
            # One "[name]" for a run of name words separated only by spaces or hyphens.
            while i + 1 < len(tokens) and hit[i + 1]:
                gap = text[end : tokens[i + 1][0]]
                if gap and gap.strip(" -") != "":
                    break
                i += 1
                end = tokens[i][1]
            pieces.append(text[cursor:start])
            pieces.append(NAME)
            cursor = end
            i += 1
        pieces.append(text[cursor:])
        return "".join(pieces)


_AFTER_TITLE = re.compile(
    r"\b(?:" + "|".join(sorted(TITLES)) + r")\.?\s{1,2}([^\W\d_]+(?:['\u2019][^\W\d_]+)*)"
)


def _phone(match: re.Match[str]) -> str:
    whole = match.group()
    kind = match.lastgroup
    if kind is None:  # an extension on its own
        return PHONE
    number = match.group(kind)
    digits = sum(c.isdigit() for c in number)
    if kind == "intl" and not 8 <= digits <= 15:
        return whole
    if kind == "grouped":
        groups = re.split(r"[ .\-]", number)
        # Thousands ("100.000.000") and short runs of numbers are not phone numbers.
        thousands = "." in number and all(len(g) == 3 for g in groups[1:])
        if not 9 <= digits <= 13 or thousands:
            return whole
    return PHONE


def redact(
    text: str, names: Iterable[str] | Redactor, common_words: Iterable[str] | None = None
) -> str:
    """``text`` with names of people in the organisation, emails and phone numbers replaced.

    ``names`` are full names ("Amara Okafor"). Indexing them is the slow part: for many
    comments build a :class:`Redactor` once (or call :func:`redact_all`) and pass it here.
    """
    if isinstance(names, Redactor):
        redactor = names
    else:
        redactor = Redactor(names, COMMON_WORDS if common_words is None else common_words)
    return redactor.redact(text)


def redact_all(
    texts: Iterable[str], names: Iterable[str], common_words: Iterable[str] | None = None
) -> list[str]:
    """Every text redacted, with the names indexed once."""
    return Redactor(names, COMMON_WORDS if common_words is None else common_words).redact_all(texts)


# --- Themes ----------------------------------------------------------------------------------

# Theme ids: the driver constructs of the core instrument, then burnout and staffing.
LEXICON: dict[str, tuple[str, ...]] = {
    "communication": (
        # English
        "communicat*", "inform*", "in the loop", "out of the loop", "in the dark",
        "heads up", "update*", "announce*", "newsletter*", "town hall*", "huddle*",
        "transparen*", "find out", "found out", "hear about", "heard about",
        "understand our work", "understand what we do", "understand my work",
        # Spanish
        "comunica*", "informa*", "aviso*", "avisa*", "enteramos", "enterarnos", "noticia*",
        "actualiza*", "reunion*", "entienden nuestro trabajo", "entienden lo que hacemos",
    ),
    "shared_priorities": (
        "priorit*", "patient care", "patient safety", "patients first", "bottom line",
        "profit*", "budget*", "cost cutting", "cost-cutting", "costs", "money", "revenue*",
        "metric*", "the numbers", "mission", "financ*",
        "priorid*", "atencion al paciente", "seguridad del paciente", "presupuest*", "dinero",
        "costo*", "coste*", "ganancia*", "financ*", "mision", "metrica*", "los numeros",
    ),
    "voice": (
        "voice*", "a say", "no say", "input", "ask us", "asked us", "never asked", "consulted",
        "consult us", "consulting us", "consultation", "listen to us", "listened", "listening",
        "idea", "ideas", "suggest*", "involv*", "heard", "ignored", "ignore*", "top-down",
        "top down", "seat at the table", "empower*",
        "voz", "opinion*", "escucha*", "nos pregunta*", "nos consulta*", "consultan",
        "sin consultar", "sugerencia*", "propuesta*", "participa*", "ignora*", "en cuenta",
        "nadie nos",
    ),
    "trust_senior_leaders": (
        "senior leader*", "senior leadership", "senior management", "upper management",
        "top management", "management", "executive*", "execs", "administration",
        "administrator*", "c-suite", "the board", "ceo", "cfo", "coo", "cno", "cmo",
        "leadership", "follow through", "promise*", "lip service", "hypocri*", "trust",
        "alta direccion", "directiva*", "directivo*", "direccion", "director general",
        "gerencia", "gerente general", "administracion", "junta directiva", "promesa*",
        "cumplen", "cumplir", "confianza", "confio", "confiar",
    ),
    "trust_direct_leader": (
        "my manager", "my supervisor", "my boss", "my leader", "direct leader",
        "nurse manager", "unit manager", "charge nurse", "manager", "managers", "supervisor*",
        "boss", "bosses", "honest*", "bad news",
        "mi jefe", "mi jefa", "jefe*", "jefa*", "mi supervisor*", "lider directo", "mi lider",
        "honest*", "malas noticias",
    ),
    "psychological_safety": (
        "speak up", "speaking up", "raise concern*", "raising concern*", "retaliat*",
        "reprisal*", "punish*", "blame*", "fear*", "afraid", "scared", "intimidat*",
        "held against", "mistake*", "error*", "bully*", "harass*", "psychological safety",
        "eggshells", "toxic",
        "miedo*", "temor*", "represalia*", "castig*", "culpa*", "equivoca*", "error*",
        "acoso", "acosa*", "intimida*", "seguridad psicologica", "toxic*",
    ),
    "practice_efficiency": (
        "ehr", "emr", "epic", "cerner", "documentation", "document", "documenting", "charting",
        "paperwork", "click*", "workflow*", "process*", "inefficien*", "efficien*",
        "bureaucra*", "red tape", "prior auth*", "inbox*", "computer*", "software", "login*",
        "log in", "equipment", "supplies", "obstacle*", "redundan*", "duplicat*",
        "documentacion", "expediente*", "historia clinica", "papeleo", "burocra*", "sistema*",
        "computador*", "ordenador*", "flujo de trabajo", "proceso*", "ineficien*", "eficien*",
        "insumo*", "suministro*", "material*", "obstaculo*", "tramite*",
    ),
    "teamwork": (
        "teamwork", "team work", "team*", "colleague*", "coworker*", "co-worker*",
        "work together", "working together", "collaborat*", "cooperat*", "other professions",
        "interdisciplin*", "multidisciplin*", "interprofession*", "silo*", "camaraderie",
        "trabajo en equipo", "equipo*", "companer*", "colega*", "colabora*", "coopera*",
        "trabajar juntos", "interdisciplin*", "multidisciplin*",
    ),
    "leader_managing_self": (
        "calm*", "temper", "tempers", "temperamental", "yell", "yells", "yelled",
        "yelling", "shout*", "scream*", "loses it", "rude*", "disrespect*",
        "respectful", "moody", "under pressure", "composure", "steady",
        "calma*", "tranquil*", "grita*", "gritos", "pierde los estribos", "respet*",
        "irrespet*", "grosero*", "grosera*", "bajo presion", "sereno*", "serena*",
    ),
    "leader_teamwork": (
        "brings us together", "bring people together", "brings people together",
        "team building", "team-building", "conflict*", "friction*", "tension*", "mediat*",
        "favorit*", "favourit*", "cliques", "clique",
        "une al equipo", "nos une", "conflicto*", "tension*", "friccion*", "favoritis*",
        "mediacion", "media en", "roce*",
    ),
    "leader_coaching": (
        "coach*", "mentor*", "develop*", "growth", "career*", "training*", "train", "learn*",
        "feedback", "promotion*", "advancement", "educat*",
        "desarroll*", "capacita*", "formacion", "mentor*", "aprend*", "crecer", "crecimiento",
        "carrera", "retroaliment*", "ascenso*",
    ),
    "leader_advocacy": (
        "advocat*", "stand up for", "stands up for", "stood up for", "stick up for",
        "speaks up for", "go to bat", "goes to bat", "fight for", "fights for",
        "has our back", "have our back", "had our back", "back us", "backs us", "champion*",
        "defend*",
        "defiende*", "defender", "defendio", "defensa", "respald*", "da la cara",
        "aboga*", "nos apoya*",
    ),
    "burnout": (
        "burnout", "burn out", "burned out", "burnt out", "burning out", "exhaust*",
        "tired*", "fatigu*", "overwork*", "workload*", "work load", "overload*", "overwhelm*",
        "stress*", "too much work", "overtime", "double shift*", "extra shift*", "long hours",
        "no breaks", "no lunch", "work-life", "work life", "mental health", "drained",
        "draining", "depleted", "worn out", "worn down", "sleep*",
        "agotad*", "agotamiento", "cansad*", "cansancio", "estres*", "sobrecarg*",
        "carga de trabajo", "carga laboral", "horas extra*", "desgast*", "estoy quemad*",
        "estamos quemad*", "siento quemad*", "sentimos quemad*",
        "doble turno", "sin descanso", "descanso*", "fatiga*", "salud mental", "abrumad*",
        "agobi*",
    ),
    "staffing": (
        "staffing", "staffed", "staff shortage*", "understaff*", "short staff*", "shortstaff*",
        "shortage*", "ratio", "ratios", "nurse-to-patient", "hire", "hiring", "hired", "vacanc*",
        "turnover", "agency", "travel nurse*", "travelers", "travellers", "locum*",
        "call out*", "callout*", "call-out*", "not enough nurses", "not enough staff",
        "not enough people", "headcount", "fte*", "coverage", "more staff", "more nurses",
        "falta de personal", "poco personal", "mas personal", "suficiente personal",
        "personal suficiente", "plantilla*", "contratac*", "contratar", "vacante*",
        "rotacion de personal", "pacientes por enfermera", "dotacion",
    ),
}  # fmt: skip

THEME_LABELS: dict[str, str] = {
    "communication": "Communication between clinicians and leaders",
    "shared_priorities": "Shared priorities",
    "voice": "Voice in operational decisions",
    "trust_senior_leaders": "Trust in senior leadership",
    "trust_direct_leader": "Trust in my direct leader",
    "psychological_safety": "Psychological safety",
    "practice_efficiency": "Practice efficiency",
    "teamwork": "Teamwork across professions",
    "leader_managing_self": "Leader: managing themselves under pressure",
    "leader_teamwork": "Leader: building teamwork",
    "leader_coaching": "Leader: coaching and developing people",
    "leader_advocacy": "Leader: advocating for the team",
    "burnout": "Burnout and workload",
    "staffing": "Staffing",
}

# What each theme is about, in a sentence: what an embedding model compares comments with.
THEME_DESCRIPTIONS: dict[str, str] = {
    "communication": "Leaders keep staff informed, explain changes early and understand "
    "the day-to-day work of clinicians.",
    "shared_priorities": "Decisions of the organisation put patient care first rather than "
    "budgets, costs and metrics.",
    "voice": "Staff have a say in operational decisions, are asked for input and their ideas "
    "are taken seriously.",
    "trust_senior_leaders": "Trust in senior leaders, executives and administration to do "
    "what is right and keep their promises.",
    "trust_direct_leader": "My direct manager or supervisor is honest and reliable with me, "
    "even with bad news.",
    "psychological_safety": "It is safe to speak up, raise concerns and admit mistakes "
    "without fear of blame or retaliation.",
    "practice_efficiency": "Documentation, the electronic record, workflow, equipment and "
    "processes let us work without needless obstacles.",
    "teamwork": "Colleagues from different professions work together as one team and "
    "support each other.",
    "leader_managing_self": "My leader stays calm, steady and respectful under pressure.",
    "leader_teamwork": "My leader brings people together and resolves conflict and friction.",
    "leader_coaching": "My leader coaches me, gives feedback and helps me learn, grow and "
    "develop my career.",
    "leader_advocacy": "My leader advocates for the team and defends us when decisions are "
    "made elsewhere.",
    "burnout": "Burnout, exhaustion, stress, heavy workload, overtime and long hours.",
    "staffing": "Not enough staff, short staffing, vacancies, hiring and nurse-to-patient ratios.",
}


@dataclass(frozen=True)
class _Keyword:
    theme: str
    rest: tuple[tuple[str, bool], ...]  # the following words: (text, is a prefix)


class _Lexicon:
    """The word list compiled for lookup: exact words, prefixes, and phrases by first word.

    Text and keywords are split the same way — at anything but a letter or digit, so
    "short-staffed" is the two words "short staffed" and matches "short-staff*". What each
    distinct word can start is remembered, since comments share most of their words.
    """

    _REMEMBERED = 100_000

    def __init__(self, lexicon: Mapping[str, Sequence[str]]) -> None:
        self.themes = tuple(lexicon)
        self.exact: dict[str, list[_Keyword]] = {}
        self.prefix: dict[str, list[_Keyword]] = {}
        for theme, keywords in lexicon.items():
            for keyword in keywords:
                # A "*" makes its word a prefix; punctuation splits words as in the text.
                steps: list[tuple[str, bool]] = []
                for raw in keyword.split():
                    pieces = raw.rstrip("*").translate(_QUICK).split()
                    last = len(pieces) - 1
                    steps += [(p, raw.endswith("*") and k == last) for k, p in enumerate(pieces)]
                if not steps:
                    raise ValueError(f"theme {theme!r}: the keyword {keyword!r} has no word")
                first, is_prefix = steps[0]
                entry = _Keyword(theme, tuple(steps[1:]))
                (self.prefix if is_prefix else self.exact).setdefault(first, []).append(entry)
        self.lengths = sorted({len(stem) for stem in self.prefix})
        self._starts: dict[str, tuple[_Keyword, ...]] = {}

    def _starting(self, word: str) -> tuple[_Keyword, ...]:
        known = self._starts.get(word)
        if known is not None:
            return known
        found = list(self.exact.get(word, ()))
        for length in self.lengths:
            if length > len(word):
                break
            found.extend(self.prefix.get(word[:length], ()))
        if len(self._starts) >= self._REMEMBERED:
            self._starts.clear()
        result = self._starts[word] = tuple(found)
        return result

    def match(self, text: str) -> tuple[str, ...]:
        words = text.translate(_QUICK).split()
        found: set[str] = set()
        for i, word in enumerate(words):
            for keyword in self._starting(word):
                if keyword.theme not in found and _follows(words, i + 1, keyword.rest):
                    found.add(keyword.theme)
        if not found:
            return ()
        return tuple(theme for theme in self.themes if theme in found)


def _follows(words: Sequence[str], start: int, rest: Sequence[tuple[str, bool]]) -> bool:
    if start + len(rest) > len(words):
        return False
    for offset, (text, is_prefix) in enumerate(rest):
        word = words[start + offset]
        if not (word.startswith(text) if is_prefix else word == text):
            return False
    return True


_DEFAULT = _Lexicon(LEXICON)


def themes(text: str, lexicon: Mapping[str, Sequence[str]] | None = None) -> tuple[str, ...]:
    """The themes whose keywords occur in ``text``, in the order of the lexicon."""
    compiled = _DEFAULT if lexicon is None else _Lexicon(lexicon)
    return compiled.match(text)


class ThemeModel(Protocol):
    """An embedding model: one vector per text (rows of a 2-D array, any width)."""

    def __call__(self, texts: Sequence[str], /) -> ArrayLike: ...


DEFAULT_SIMILARITY = 0.35
_BATCH = 512


def theme_comments(
    texts: Sequence[str],
    model: ThemeModel | None = None,
    threshold: float = DEFAULT_SIMILARITY,
    descriptions: Mapping[str, str] = THEME_DESCRIPTIONS,
    lexicon: Mapping[str, Sequence[str]] | None = None,
) -> list[tuple[str, ...]]:
    """Themes for each text: by the embedding ``model`` when given, else by the word list
    (``lexicon``, Accord's survey themes unless another is given with its ``descriptions``).

    With a model, a text gets every theme whose description's embedding has a cosine
    similarity of at least ``threshold`` with the text's, most similar first.
    """
    if model is None:
        compiled = _DEFAULT if lexicon is None else _Lexicon(lexicon)
        return [compiled.match(text) for text in texts]
    names = tuple(descriptions)
    anchors = _unit_rows(model([descriptions[name] for name in names]), len(names))
    result: list[tuple[str, ...]] = []
    for start in range(0, len(texts), _BATCH):
        batch = list(texts[start : start + _BATCH])
        vectors = _unit_rows(model(batch), len(batch))
        if vectors.shape[1] != anchors.shape[1]:
            raise ValueError("the model gave vectors of different widths")
        similarity = vectors @ anchors.T
        for row in similarity:
            order = np.argsort(-row, kind="stable")
            result.append(tuple(names[t] for t in order.tolist() if row[t] >= threshold))
    return result


def _unit_rows(vectors: ArrayLike, count: int) -> NDArray[np.float64]:
    array = np.asarray(vectors, dtype=np.float64)
    if array.ndim != 2 or array.shape[0] != count:
        raise ValueError(f"the model must give one vector per text ({count}), not {array.shape}")
    norms = np.linalg.norm(array, axis=1, keepdims=True)
    return np.divide(array, norms, out=np.zeros_like(array), where=norms > 0)
