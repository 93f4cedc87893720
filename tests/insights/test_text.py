"""Comments: names, emails and phone numbers redacted; themes in English and Spanish."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.insights.adapters import instrument_meta
from accord.insights.text import (
    COMMON_WORDS,
    LEXICON,
    THEME_DESCRIPTIONS,
    THEME_LABELS,
    Redactor,
    fold,
    redact,
    redact_all,
    theme_comments,
    themes,
)
from accord.surveys.instruments import core_instrument

NAMES = (
    "Amara Okafor",
    "Grace Young",
    "José García-López",
    "Juan de la Cruz",
    "Wen Xu",
    "Mark Bell",
    "Liam O'Brien",
    "Hiro Tanaka",
)
REDACTOR = Redactor(NAMES)


def r(text: str) -> str:
    return REDACTOR.redact(text)


# --- names -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Dr. Okafor never listens.", "Dr. [name] never listens."),
        ("dr okafor's team is great", "dr [name]'s team is great"),
        ("Ask DR OKAFOR", "Ask DR [name]"),
        ("Nurse Young was kind.", "Nurse [name] was kind."),  # a common word after a title
        ("Dr. Xu and Dr Wen", "Dr. [name] and Dr [name]"),  # short parts after a title
        ("Amara Okafor and Grace Young run it.", "[name] and [name] run it."),
        ("Mark Bell said so", "[name] said so"),  # first + last, both common words
        ("Okafor decides.", "[name] decides."),  # a lone last name
        ("Amara decides.", "[name] decides."),  # a lone first name
        ("Tanaka-san agreed", "[name]-san agreed"),
        ("jose garcia lopez is our manager", "[name] is our manager"),  # accents ignored
        ("García-López, again", "[name], again"),
        ("Juan de la Cruz said so", "[name] said so"),  # particles between first and last
        ("'Okafor' said", "'[name]' said"),
        ("O'Brien's idea", "[name]'s idea"),
    ],
)
def test_names_of_people_in_the_list_are_redacted(text: str, expected: str) -> None:
    assert r(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "I hope young nurses stay, by the grace of god.",  # common words on their own
        "Mark the bell when the shift ends.",
        "Dr. Smith and Nurse Patel are not in the list.",
        "Ana Smith is not one of ours either.",  # a name not in the list
        "the red cross and la cruz roja",
        "Okafortunately this is not a name.",  # whole words only
        "We told the xu-like thing; ok",  # two letters alone are never a name
    ],
)
def test_other_words_are_untouched(text: str) -> None:
    assert r(text) == text


def test_common_words_can_be_chosen() -> None:
    text = "I hope you feel young."
    assert redact(text, ["Hope Young"], common_words=()) == "I [name] you feel [name]."
    assert redact(text, ["Hope Young"]) == text
    assert "hope" in COMMON_WORDS and "young" in COMMON_WORDS


def test_placeholders_are_never_redacted_again() -> None:
    redactor = Redactor(["Name Email"], common_words=())
    assert redactor.redact("[name] and [email]") == "[name] and [email]"


def test_redact_accepts_a_prebuilt_redactor_and_redact_all_indexes_once() -> None:
    assert redact("Dr. Okafor", REDACTOR) == "Dr. [name]"
    assert redact_all(["Okafor", "Hello", "a@b.org"], NAMES) == ["[name]", "Hello", "[email]"]


def test_fold_keeps_positions() -> None:
    text = "José GARCÍA-López İ ﬁ"
    assert len(fold(text)) == len(text)
    assert fold(text).startswith("jose garcia-lopez")


@settings(max_examples=200, deadline=None)
@given(
    name=st.sampled_from(NAMES),
    before=st.text(alphabet="abc ,.;!?\n", max_size=15),
    after=st.text(alphabet="abc ,.;!?\n", max_size=15),
)
def test_a_listed_full_name_never_survives(name: str, before: str, after: str) -> None:
    text = f"{before} {name} {after}"
    out = r(text)
    assert name not in out
    assert fold(name) not in fold(out)


# --- emails and phone numbers --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("write to amara.okafor@hospital.org now", "write to [email] now"),
        ("(first.last+tag@mail.example.co.uk)", "([email])"),
        ("Mail: A_B-9@sub-domain.example", "Mail: [email]"),
    ],
)
def test_emails_are_redacted(text: str, expected: str) -> None:
    assert r(text) == expected


@pytest.mark.parametrize(
    "phone",
    [
        "(555) 123-4567",
        "555-123-4567",
        "555.123.4567",
        "555 123 4567",
        "1-800-555-1234",
        "+1 555 123 4567",
        "+1 (555) 123-4567",
        "5551234567",
        "+15551234567",
        "555-1234",
        "(555) 123-4567 ext. 89",
        "555-123-4567 x204",
        "+44 20 7946 0958",
        "+34 912 345 678",
        "0034 912 345 678",
        "+52 55 1234 5678",
        "912 345 678",
        "912 34 56 78",
        "ext. 4567",
        "extensión 12",
        "x2045",
    ],
)
def test_phone_numbers_are_redacted(phone: str) -> None:
    assert r(f"Call {phone} please.") == "Call [phone] please."


@pytest.mark.parametrize(
    "text",
    [
        "On 2024-05-01 we had 12 patients and 3 nurses.",
        "From 2023-2024 it got worse, 24/7.",
        "Ratio 1:6, 10.5% turnover, 1,234 dollars, 100.000.000 pesos.",
        "Room 1204, bed 12, shift 7-3.",
        "Employee E0001234 and 12 12-hour shifts",
    ],
)
def test_numbers_that_are_not_phone_numbers_stay(text: str) -> None:
    assert r(text) == text


LOCAL = st.from_regex(r"[A-Za-z0-9](?:[A-Za-z0-9._%+-]{0,15}[A-Za-z0-9])?", fullmatch=True)
DOMAIN = st.from_regex(
    r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,10}[A-Za-z0-9])?(?:\.[A-Za-z]{2,6}){1,2}", fullmatch=True
)
SURROUNDINGS = st.text(st.characters(codec="utf-8"), max_size=20)


@settings(max_examples=300, deadline=None)
@given(local=LOCAL, domain=DOMAIN, before=SURROUNDINGS, after=SURROUNDINGS, spaced=st.booleans())
def test_an_email_like_string_never_survives(
    local: str, domain: str, before: str, after: str, spaced: bool
) -> None:
    email = f"{local}@{domain}"
    gap = " " if spaced else ""
    out = r(f"{before}{gap}{email}{gap}{after}")
    assert email not in out


# --- themes ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Leaders never communicate changes; we find out after.", {"communication"}),
        ("Nobody asked us; our ideas are ignored.", {"voice"}),
        ("Senior leadership broke every promise.", {"trust_senior_leaders"}),
        ("My manager is honest with me.", {"trust_direct_leader"}),
        ("I'm afraid to raise concerns here.", {"psychological_safety"}),
        ("The EHR clicks and documentation eat my day", {"practice_efficiency"}),
        ("Great teamwork with our colleagues in pharmacy", {"teamwork"}),
        ("We are short-staffed and always burned out.", {"staffing", "burnout"}),
        ("My supervisor yells under pressure", {"trust_direct_leader", "leader_managing_self"}),
        ("She coaches us and supports our career growth", {"leader_coaching"}),
        (
            "He always stands up for us with the executives",
            {"leader_advocacy", "trust_senior_leaders"},
        ),
        ("Budgets come before patient care", {"shared_priorities"}),
        ("The parking lot is fine.", set()),
        ("Room temperature and yellow walls", set()),  # prefixes are chosen with care
    ],
)
def test_themes_in_english(text: str, expected: set[str]) -> None:
    assert set(themes(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Estoy agotada, falta de personal y mucha carga de trabajo.", {"burnout", "staffing"}),
        ("La alta dirección no cumple sus promesas", {"trust_senior_leaders"}),
        ("Mi jefe nos defiende siempre", {"trust_direct_leader", "leader_advocacy"}),
        ("Nunca nos consultan ni escuchan nuestras sugerencias", {"voice"}),
        ("Nos enteramos de los cambios por los pacientes", {"communication"}),
        ("Tengo miedo a represalias si cometo un error", {"psychological_safety"}),
        ("El expediente electrónico y el papeleo nos quitan tiempo", {"practice_efficiency"}),
        ("Buen trabajo en equipo con los compañeros", {"teamwork"}),
        ("ESTRÉS Y SOBRECARGA", {"burnout"}),  # case and accents ignored
        ("estres y sobrecarga", {"burnout"}),
    ],
)
def test_themes_in_spanish(text: str, expected: set[str]) -> None:
    assert set(themes(text)) == expected


def test_themes_come_in_the_lexicon_order() -> None:
    found = themes("burnout, staffing, communication")
    order = list(LEXICON)
    assert list(found) == sorted(found, key=order.index)


def test_the_lexicon_covers_every_driver_of_the_core_instrument() -> None:
    meta = instrument_meta(core_instrument())
    drivers = {item.construct for item in meta.items if item.role == "driver"}
    assert drivers <= set(LEXICON)
    assert {"burnout", "staffing"} <= set(LEXICON)
    assert set(LEXICON) == set(THEME_LABELS) == set(THEME_DESCRIPTIONS)
    for theme, keywords in LEXICON.items():
        assert keywords, theme
        assert all(isinstance(k, str) and k.strip() for k in keywords), theme


def test_an_organisation_can_use_its_own_lexicon() -> None:
    lexicon = {"parking": ("parking", "car park*"), "food": ("cafeteria", "comida")}
    assert themes("The car parks are full", lexicon) == ("parking",)
    assert themes("La comida y el parking", lexicon) == ("parking", "food")
    with pytest.raises(ValueError, match="no word"):
        themes("anything", {"empty": ("*",)})


# --- themes with an embedding model ---------------------------------------------------------

VOCABULARY = ("staff", "shortage", "burnout", "exhaustion", "say", "input")
DESCRIPTIONS = {
    "staffing": "staff shortage",
    "burnout": "burnout exhaustion",
    "voice": "say input",
}


def bag_of_words(texts: Sequence[str]) -> np.ndarray:
    """A tiny deterministic stand-in for an embedding model: counts of a few words."""
    return np.array(
        [[text.lower().split().count(word) for word in VOCABULARY] for text in texts],
        dtype=float,
    )


def test_theme_comments_uses_the_model_when_given() -> None:
    texts = [
        "we need more staff",
        "burnout everywhere and exhaustion and staff",
        "nothing to report",
        "we want a say and input",
    ]
    found = theme_comments(texts, model=bag_of_words, descriptions=DESCRIPTIONS)
    assert found[0] == ("staffing",)
    assert found[1] == ("burnout", "staffing")  # most similar first
    assert found[2] == ()  # a zero vector is close to nothing
    assert found[3] == ("voice",)
    strict = theme_comments(texts, model=bag_of_words, threshold=0.9, descriptions=DESCRIPTIONS)
    assert strict[1] == ()


def test_theme_comments_works_offline_without_a_model() -> None:
    texts = ["short staffed again", "todo bien"]
    assert theme_comments(texts) == [themes(t) for t in texts]


def test_a_model_that_gives_the_wrong_shape_is_refused() -> None:
    with pytest.raises(ValueError, match="one vector per text"):
        theme_comments(["a", "b"], model=lambda texts: np.zeros((1, 3)))


def test_many_comments_go_through_the_model_in_batches() -> None:
    calls: list[int] = []

    def counting(texts: Sequence[str]) -> np.ndarray:
        calls.append(len(texts))
        return bag_of_words(texts)

    found = theme_comments(["staff"] * 1200, model=counting, descriptions=DESCRIPTIONS)
    assert len(found) == 1200 and all(f == ("staffing",) for f in found)
    assert max(calls) <= 512 and sum(calls) == 1200 + len(DESCRIPTIONS)
