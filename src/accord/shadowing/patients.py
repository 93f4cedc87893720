"""What looks like a patient identifier in free text: plain Python, no Django.

Accord keeps nothing about patients, so every free-text field of the shadowing programme
passes through ``patient_detail_problems`` and is refused, with the reason in plain words,
when it holds something shaped like a medical record number, a date of birth, a patient's
room or bed, a phone number, an email address or a national identity number. Names cannot be
recognised reliably, so forms say so (``NO_PATIENT_DETAILS_HELP``) instead of pretending.

Every pattern is compiled once, uses bounded repeats and starts only where a run of digits or
letters starts, so a search is linear in the length of the text. Where two matches overlap,
the more specific one wins (a labelled "MRN 1234567" over the bare digits inside it).

Decisions on borderline text:

- A bare run of 7 or more digits is read as a record number: that is what most MRNs look
  like. Not when it is money ("$1200000", "1200000 dollars"), a percentage, part of a
  decimal or of "1,200,000", or a round amount ending in 000 ("1500000 visits a year").
  A compact date ("19560403") or an incident number of that length is flagged too: neither
  can be told from a record number.
- Shorter numbers pass: times (07:30), years (2026), counts (12 nurses), durations, "Q3 2026".
- A labelled record number ("MRN", "medical record", "record no.", "patient ID", "chart
  no.") needs 3 or more digits, so "patient number 3 in the queue" passes.
- A date of birth is a date after a label (DOB, d.o.b., date of birth, birthdate, birthday,
  born), whatever its year and even without one ("DOB 12 March"), or a full date (day,
  month, year) at least 2 years back in the same sentence as born, birth, DOB, age, aged,
  years old or y/o. Other dates pass: "on 3 March 2026 we met", "due 2027-01-15", "since
  1 January 2019". A year alone ("born in 1956", "DOB 1956") passes, as an age does: it
  identifies no one by itself.
- A room, bed, bay, cubicle, stretcher or trolley followed by a number ("room 305", "bed 12",
  "rm 4B", "bay 3 bed 2") locates a patient, so it is flagged. Plurals and counts pass
  ("3 of 4 beds", "rooms 3 and 4"), as do wards, units, floors, levels and theatres ("ward
  4"), and rooms no patient sleeps in ("meeting room 3", "ambulance bay 2").
- Phone numbers are whole numbers in North American (555-123-4567, (555) 123-4567), UK
  (07700 900123, 020 7946 0958) or international (+44 7700 900123) shapes. An extension or a
  pager on its own ("ext. 4321", "pager 4411") passes: it reaches a desk or a colleague, not
  a patient.
- Email addresses are flagged whoever they belong to: Accord cannot tell a patient's from a
  colleague's, and neither belongs in a reflection.
- National identity numbers: a US Social Security number (123-45-6789), an NHS number
  (labelled, or 3-3-4 digits in spaces that pass its check digit; otherwise 3-3-4 digits are
  a phone number), a UK National Insurance number (AB 12 34 56 C, in capitals).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

MEDICAL_RECORD_NUMBER = "medical record number"
DATE_OF_BIRTH = "date of birth"
ROOM_AND_BED = "room and bed"
PHONE_NUMBER = "phone number"
EMAIL_ADDRESS = "email address"
NATIONAL_ID = "national id"

NO_PATIENT_DETAILS_HELP = (
    "Do not write the names of patients or anything else that could identify one: Accord "
    "cannot recognise names, so leaving them out is up to you."
)

# How each kind reads in a message: one of them, several of them.
_IN_WORDS = {
    MEDICAL_RECORD_NUMBER: ("a medical record number", "medical record numbers"),
    DATE_OF_BIRTH: ("a date of birth", "dates of birth"),
    ROOM_AND_BED: ("a patient's room or bed", "patients' rooms or beds"),
    PHONE_NUMBER: ("a phone number", "phone numbers"),
    EMAIL_ADDRESS: ("an email address", "email addresses"),
    NATIONAL_ID: ("a national identity number", "national identity numbers"),
}
_QUOTE_AT_MOST = 30


@dataclass(frozen=True)
class PatientDetail:
    """Something in a text that looks like it identifies a patient."""

    kind: str
    found: str


@dataclass(frozen=True)
class _Hit:
    start: int
    end: int
    kind: str


# ---------------------------------------------------------------------------------------
# Building blocks. Repeats are bounded wherever a run of spaces or digits could otherwise be
# split several ways, which is what makes a regular expression backtrack without end.

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
    # Spanish, for text written in Spanish: "4 de marzo de 1956".
    r"|ene(?:ro)?|febrero|marzo|abr|mayo|junio|julio|ago(?:sto)?|septiembre|setiembre"
    r"|octubre|noviembre|dic(?:iembre)?)\b\.?"
)
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_GAP = r"\s{1,3}"
_YEAR4 = r"\d{4}"
_DAY_MONTH_YEAR = rf"{_DAY}{_GAP}(?:(?:of|de){_GAP})?{_MONTH},?{_GAP}(?:de{_GAP})?{_YEAR4}"
_MONTH_DAY_YEAR = rf"{_MONTH}{_GAP}{_DAY},?{_GAP}{_YEAR4}"
_ISO_DATE = r"\d{4}[/.-]\d{1,2}[/.-]\d{1,2}"
_NUMERIC_DATE = r"\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})"  # 3/4/1956, 04.03.56

# A full date (day, month and four-digit year) anywhere in a text.
_FULL_DATE = re.compile(
    rf"(?<![\d/.-])(?:{_ISO_DATE}|\d{{1,2}}[/.-]\d{{1,2}}[/.-]{_YEAR4}|{_DAY_MONTH_YEAR}"
    rf"|\b{_MONTH_DAY_YEAR})(?!\d)",
    re.IGNORECASE,
)
_YEAR_IN_DATE = re.compile(r"\d{4}")

# After a birth label any date counts: a two-digit year, a month and year, a day and month.
_LABELLED_BIRTH_DATE = re.compile(
    r"\b(?:d\.?o\.?b|date\s{1,3}of\s{1,3}birth|birth\s{0,3}(?:date|day)"
    r"|fecha\s{1,3}de\s{1,3}nacimiento|f\.\s?nac\.?|nacid[oa](?:\s{1,3}el)?"
    r"|born(?:\s{1,3}on)?(?:\s{1,3}the)?)(?![a-z])[\s:.,=-]{0,4}(?:(?:is|was|of|on)\s{1,3})?"
    rf"(?:{_ISO_DATE}|{_NUMERIC_DATE}|{_DAY_MONTH_YEAR}|{_MONTH_DAY_YEAR}|{_MONTH},?{_GAP}"
    rf"{_YEAR4}|{_DAY}{_GAP}(?:of{_GAP})?{_MONTH}|{_MONTH}{_GAP}{_DAY})(?!\d)",
    re.IGNORECASE,
)
# Words that make an old full date in the same sentence read as a birth date.
_BIRTH_WORDS = re.compile(
    r"\b(?:born|birth\w*|d\.?o\.?b\b|aged?\b|years?[\s-]old|yrs?[\s-]old|y/?o\b"
    r"|nacid[oa]|nacimiento|edad|a[ñn]os)",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[.!?](?:\s|$)|\n")
_BIRTH_WORDS_BEFORE = 60  # characters searched before a date for a birth word
_BIRTH_WORDS_AFTER = 30
_BIRTH_YEARS_BACK = 2
_EARLIEST_BIRTH_YEAR = 1880

_LABELLED_RECORD = re.compile(
    r"\b(?:m\.?r\.?n\.?|medical\s{1,3}records?(?:\s{1,3}(?:number|num|no\.?|\#))?"
    r"|(?:hospital|patient|chart|record)\s{1,3}(?:number|num|no\.?|id|\#)|hosp\s{0,2}no\.?"
    r"|nhc|n\.?\s?h\.?\s?c\.?|historia(?:\s{1,3}cl[ií]nica)?|expediente|n[º°o]\.?\s{0,2}historia)"
    r"(?![a-z])[\s:#.=-]{0,4}(?:(?:is|was)\s{1,3})?[a-z]{0,3}-?\d{3,}(?:[-/]\d+)*",
    re.IGNORECASE,
)

_LABELLED_NATIONAL_ID = re.compile(
    r"\b(?:nhs(?:\s{0,2}(?:number|num|no\.?|\#))?[\s:#.=-]{0,4}(?:is\s{1,3})?"
    r"\d{3}[\s-]?\d{3}[\s-]?\d{4}"
    r"|(?:ssn|social\s{1,3}security(?:\s{1,3}(?:number|num|no\.?|\#))?)[\s:#.=-]{0,4}"
    r"(?:is\s{1,3})?\d{3}[\s-]?\d{2}[\s-]?\d{4})(?!\d)",
    re.IGNORECASE,
)
# Spain's DNI (8 digits and a letter) and NIE (X, Y or Z, 7 digits and a letter).
_SPANISH_ID = re.compile(r"(?<![\w-])(?:\d{8}|[XYZ]\d{7})-?[A-Z](?![\w-])")
_SOCIAL_SECURITY = re.compile(r"(?<![\d-])\d{3}([\s-])\d{2}\1\d{4}(?![\d-])")
# Capitals only: in lower case the shape turns up in ordinary text.
_NATIONAL_INSURANCE = re.compile(
    r"\b[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D]\b"
)

_EMAIL = re.compile(r"(?<![\w.%+-])[\w.%+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63})+")

# +44 7700 900123, +1 555 123 4567, +447700900123, +44 (0)20 7946 0958
_PHONE_INTERNATIONAL = re.compile(
    r"(?<![\w+])\+(?:\d{7,15}|\d{1,3}[\s.-]{0,2}(?:\(0\)[\s.-]{0,2})?\(?\d{1,6}\)?"
    r"(?:[\s.-]{1,2}\(?\d{1,6}\)?){0,5})(?!\d)"
)
# 555-123-4567, (555) 123-4567, 555.123.4567, 1-555-123-4567
_PHONE_NORTH_AMERICAN = re.compile(
    r"(?<![\w+(])(?:1[\s.-])?(?:\(\d{3}\)\s?|\d{3}[\s.-])\d{3}[\s.-]\d{4}(?!\d)"
)
# 07700 900123, 020 7946 0958, (0161) 496 0000
_PHONE_UK = re.compile(r"(?<![\w+(])(?:\(0\d{2,4}\)|0\d{2,4})[\s.-]?\d{3,4}[\s.-]?\d{3,4}(?!\d)")
_PHONE_DIGITS = range(8, 16)
_UK_PHONE_DIGITS = (10, 11)

_PLACE = (
    r"(?:room|rm|bed(?:\s?space)?|bay|cubicle|stretcher|trolley|cama|habitaci[oó]n|hab\.?|camilla)"
)
_ONE_PLACE = rf"\b{_PLACE}\.?\s{{0,2}}(?:(?:no\.?|number|\#)\s{{0,2}})?[a-z]?\d{{1,4}}[a-z]?\b"
# "room 12 bed 3", "bay 3, bed 2" are one place.
_ROOM_AND_BED = re.compile(
    rf"{_ONE_PLACE}(?:\s{{0,2}}[,/&-]?\s{{0,2}}{_ONE_PLACE})*", re.IGNORECASE
)
# Rooms and bays where no patient is kept: "meeting room 3", "ambulance bay 2".
_NOT_A_PATIENTS_PLACE = frozenset(
    {
        "ambulance", "board", "break", "call", "changing", "class", "conference", "control",
        "day", "family", "huddle", "linen", "loading", "locker", "meeting", "parking",
        "quiet", "relatives", "seminar", "server", "sluice", "staff", "storage", "store",
        "supply", "team", "teaching", "training", "utility", "waiting",
    }
)  # fmt: skip
_WORD_BEFORE = re.compile(r"(\w+)['\u2019]?[\s-]{1,3}$")  # "relatives' room 2" too

_DIGIT_RUN = re.compile(r"(?<!\d)\d{7,}(?!\d)")
_CURRENCY_BEFORE = re.compile(r"[$£€¥]\s?$")
_AFTER_AN_AMOUNT = re.compile(
    r"\s?(?:%|per\s?cent|(?:dollars|pounds|euros|usd|gbp|eur)\b)", re.IGNORECASE
)


# ---------------------------------------------------------------------------------------
# Finders, most specific first: an earlier finder's match wins where two overlap.

Finder = Callable[[str, date], Iterator[_Hit]]


def _emails(text: str, today: date) -> Iterator[_Hit]:
    for match in _EMAIL.finditer(text):
        yield _Hit(match.start(), match.end(), EMAIL_ADDRESS)


def _labelled_records(text: str, today: date) -> Iterator[_Hit]:
    for match in _LABELLED_RECORD.finditer(text):
        yield _Hit(match.start(), match.end(), MEDICAL_RECORD_NUMBER)


def _labelled_birth_dates(text: str, today: date) -> Iterator[_Hit]:
    for match in _LABELLED_BIRTH_DATE.finditer(text):
        yield _Hit(match.start(), match.end(), DATE_OF_BIRTH)


def _national_ids(text: str, today: date) -> Iterator[_Hit]:
    for pattern in (_LABELLED_NATIONAL_ID, _SOCIAL_SECURITY, _NATIONAL_INSURANCE, _SPANISH_ID):
        for match in pattern.finditer(text):
            yield _Hit(match.start(), match.end(), NATIONAL_ID)


def _digits(text: str) -> str:
    return "".join(character for character in text if character.isdecimal())


def _is_nhs_number(digits: str) -> bool:
    """Whether ten digits pass the NHS number's modulus 11 check digit."""
    if len(digits) != 10:
        return False
    total = sum(
        int(digit) * weight for digit, weight in zip(digits[:9], range(10, 1, -1), strict=True)
    )
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def _phones(text: str, today: date) -> Iterator[_Hit]:
    for match in _PHONE_INTERNATIONAL.finditer(text):
        if len(_digits(match.group())) in _PHONE_DIGITS:
            yield _Hit(match.start(), match.end(), PHONE_NUMBER)
    for match in _PHONE_NORTH_AMERICAN.finditer(text):
        found = match.group()
        # "943 476 5919" is how an NHS number is written; its check digit tells it from a
        # phone number most of the time, and either way the text is refused.
        in_spaced_groups = all(character.isdecimal() or character.isspace() for character in found)
        looks_nhs = in_spaced_groups and _is_nhs_number(_digits(found))
        yield _Hit(match.start(), match.end(), NATIONAL_ID if looks_nhs else PHONE_NUMBER)
    for match in _PHONE_UK.finditer(text):
        if len(_digits(match.group())) in _UK_PHONE_DIGITS:
            yield _Hit(match.start(), match.end(), PHONE_NUMBER)


def _rooms_and_beds(text: str, today: date) -> Iterator[_Hit]:
    for match in _ROOM_AND_BED.finditer(text):
        before = _WORD_BEFORE.search(text, max(0, match.start() - 30), match.start())
        if before and before.group(1).lower() in _NOT_A_PATIENTS_PLACE:
            continue
        yield _Hit(match.start(), match.end(), ROOM_AND_BED)


def _same_sentence(text: str, start: int, end: int) -> str:
    """The text around ``start:end`` that is in the same sentence, within a few words."""
    before = text[max(0, start - _BIRTH_WORDS_BEFORE) : start]
    ends = list(_SENTENCE_END.finditer(before))
    if ends:
        before = before[ends[-1].end() :]
    after = text[end : end + _BIRTH_WORDS_AFTER]
    stop = _SENTENCE_END.search(after)
    if stop:
        after = after[: stop.start()]
    return f"{before} {after}"


def _dates_near_birth_words(text: str, today: date) -> Iterator[_Hit]:
    latest_birth_year = today.year - _BIRTH_YEARS_BACK
    for match in _FULL_DATE.finditer(text):
        year = _YEAR_IN_DATE.search(match.group())
        if year is None or not _EARLIEST_BIRTH_YEAR <= int(year.group()) <= latest_birth_year:
            continue  # a recent or future date is an appointment or a deadline
        if _BIRTH_WORDS.search(_same_sentence(text, match.start(), match.end())):
            yield _Hit(match.start(), match.end(), DATE_OF_BIRTH)


def _digit_runs(text: str, today: date) -> Iterator[_Hit]:
    for match in _DIGIT_RUN.finditer(text):
        start, end = match.span()
        if start and text[start - 1] in ".," and text[start - 2 : start - 1].isdigit():
            continue  # the end of a decimal or of 1,2345678
        if text[end : end + 1] in {".", ","} and text[end + 1 : end + 2].isdigit():
            continue  # a decimal, or a number with thousands separators
        if _CURRENCY_BEFORE.search(text, max(0, start - 2), start):
            continue
        if _AFTER_AN_AMOUNT.match(text, end):
            continue
        if match.group().endswith("000"):
            continue  # a round amount: "1500000 visits a year"
        yield _Hit(start, end, MEDICAL_RECORD_NUMBER)


_FINDERS: tuple[Finder, ...] = (
    _emails,
    _labelled_records,
    _labelled_birth_dates,
    _national_ids,
    _phones,
    _rooms_and_beds,
    _dates_near_birth_words,
    _digit_runs,
)


# Dashes and hyphens a keyboard, a phone or a word processor may put where "-" was meant.
_DASHES = dict.fromkeys(
    map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"), "-"
)


def _as_typed(text: str) -> str:
    """The text as its writer meant it: compatibility forms folded (full-width digits),
    invisible format characters (zero-width spaces, joiners) dropped, every dash a hyphen —
    so a phone number written with en dashes, or an MRN split by a zero-width space, is
    found like the plain one."""
    folded = unicodedata.normalize("NFKC", text).translate(_DASHES)
    return "".join(c for c in folded if unicodedata.category(c) != "Cf")


def patient_details(text: str, *, today: date | None = None) -> list[PatientDetail]:
    """Everything in ``text`` that looks like it identifies a patient, in order of
    appearance, each kind and text once. ``today`` decides which dates are old enough to be
    birth dates."""
    today = today or date.today()
    text = _as_typed(text)
    taken = bytearray(len(text))  # 1 where an earlier, more specific match already is
    hits: list[_Hit] = []
    for finder in _FINDERS:
        for hit in finder(text, today):
            if any(taken[hit.start : hit.end]):
                continue
            taken[hit.start : hit.end] = b"\x01" * (hit.end - hit.start)
            hits.append(hit)
    # A dict keeps the first appearance of each detail, in order.
    details = {
        PatientDetail(hit.kind, text[hit.start : hit.end]): None
        for hit in sorted(hits, key=lambda hit: hit.start)
    }
    return list(details)


def _quoted(found: str) -> str:
    found = " ".join(found.split())
    if len(found) > _QUOTE_AT_MOST:
        found = found[: _QUOTE_AT_MOST - 1].rstrip() + "…"
    return f"“{found}”"


def patient_detail_problems(
    field: str, text: str, *, today: date | None = None
) -> list[tuple[str, str]]:
    """Why ``text`` may not be stored, as ``(field, message)``: one message per kind of
    patient identifier found, quoting the first, or nothing."""
    by_kind: dict[str, list[str]] = {}
    for detail in patient_details(text, today=today):
        by_kind.setdefault(detail.kind, []).append(detail.found)
    problems: list[tuple[str, str]] = []
    for kind, found in by_kind.items():
        one, several = _IN_WORDS[kind]
        if len(found) == 1:
            what, it = f"This looks like {one} ({_quoted(found[0])})", "it"
        else:
            more = len(found) - 1
            what = f"These look like {several} ({_quoted(found[0])} and {more} more)"
            it = "them"
        problems.append(
            (
                field,
                f"{what}. Accord keeps nothing about patients: take {it} out, and describe "
                f"the situation without {it}.",
            )
        )
    return problems
