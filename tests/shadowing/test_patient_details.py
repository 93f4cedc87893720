"""Free text in the shadowing programme refuses what looks like a patient identifier, and
lets ordinary operational prose through (accord/shadowing/patients.py)."""

from __future__ import annotations

import time
from datetime import date

import pytest

from accord.shadowing.patients import (
    DATE_OF_BIRTH,
    EMAIL_ADDRESS,
    MEDICAL_RECORD_NUMBER,
    NATIONAL_ID,
    NO_PATIENT_DETAILS_HELP,
    PHONE_NUMBER,
    ROOM_AND_BED,
    PatientDetail,
    patient_detail_problems,
    patient_details,
)

TODAY = date(2026, 12, 7)


def fullwidth(digits: str) -> str:
    """Digits as a phone keyboard in East Asia may type them: "1" becomes "\uff11"."""
    return "".join(chr(0xFF10 + int(digit)) for digit in digits)


FLAGGED = [
    # Medical record numbers, labelled or bare.
    ("The MRN 1234567 was on the whiteboard.", MEDICAL_RECORD_NUMBER, "MRN 1234567"),
    ("MRN: 00123456", MEDICAL_RECORD_NUMBER, "MRN: 00123456"),
    ("Checked mrn#123456 twice.", MEDICAL_RECORD_NUMBER, "mrn#123456"),
    ("medical record 12345678 was wrong", MEDICAL_RECORD_NUMBER, "medical record 12345678"),
    ("Her record no. 7654321 was duplicated.", MEDICAL_RECORD_NUMBER, "record no. 7654321"),
    ("Patient ID 445566 had two wristbands.", MEDICAL_RECORD_NUMBER, "Patient ID 445566"),
    ("The M.R.N. A123456 was misfiled.", MEDICAL_RECORD_NUMBER, "M.R.N. A123456"),
    ("He read 12345678 off the label.", MEDICAL_RECORD_NUMBER, "12345678"),
    ("Number 0012345 kept coming back.", MEDICAL_RECORD_NUMBER, "0012345"),
    ("They searched for 9988776655.", MEDICAL_RECORD_NUMBER, "9988776655"),
    # Dates of birth.
    ("DOB 3/4/1956, so a recheck.", DATE_OF_BIRTH, "DOB 3/4/1956"),
    ("d.o.b. 1956-04-03", DATE_OF_BIRTH, "d.o.b. 1956-04-03"),
    ("She was born 4 March 1956 in town.", DATE_OF_BIRTH, "born 4 March 1956"),
    ("date of birth: 04.03.1956", DATE_OF_BIRTH, "date of birth: 04.03.1956"),
    ("born on the 4th of March 1956", DATE_OF_BIRTH, "born on the 4th of March 1956"),
    ("DOB: March 3, 1956", DATE_OF_BIRTH, "DOB: March 3, 1956"),
    ("Birthdate 1/2/80 was asked twice.", DATE_OF_BIRTH, "Birthdate 1/2/80"),
    ("A 67-year-old, 12/03/1957, came in by ambulance.", DATE_OF_BIRTH, "12/03/1957"),
    ("She was aged 70 (1 June 1954) and alone.", DATE_OF_BIRTH, "1 June 1954"),
    ("Her birthday is 12 March, she said.", DATE_OF_BIRTH, "birthday is 12 March"),
    ("DOB March 1956 on the wristband", DATE_OF_BIRTH, "DOB March 1956"),
    # Rooms and beds.
    ("The call bell in room 12 bed 3 was broken.", ROOM_AND_BED, "room 12 bed 3"),
    ("Went to rm 4B with the nurse.", ROOM_AND_BED, "rm 4B"),
    ("bed 12 waited for porters", ROOM_AND_BED, "bed 12"),
    ("Bed 7A had no pump.", ROOM_AND_BED, "Bed 7A"),
    ("We sat with bay 3 bed 2 for an hour.", ROOM_AND_BED, "bay 3 bed 2"),
    ("The family in room 305 asked for the consultant.", ROOM_AND_BED, "room 305"),
    ("Cubicle 6 was cold.", ROOM_AND_BED, "Cubicle 6"),
    # Phone numbers.
    ("Her son left (555) 123-4567.", PHONE_NUMBER, "(555) 123-4567"),
    ("call 555-123-4567 back", PHONE_NUMBER, "555-123-4567"),
    ("Rang +1 555 123 4567 twice.", PHONE_NUMBER, "+1 555 123 4567"),
    ("His mobile is 07700 900123.", PHONE_NUMBER, "07700 900123"),
    ("Daughter: +44 7700 900123", PHONE_NUMBER, "+44 7700 900123"),
    ("The GP line 020 7946 0958 was busy.", PHONE_NUMBER, "020 7946 0958"),
    ("Wrote 555.123.4567 on the sheet.", PHONE_NUMBER, "555.123.4567"),
    ("Texted 07700900123 by mistake.", PHONE_NUMBER, "07700900123"),
    # Email addresses.
    ("Her daughter is jane.doe@example.org.", EMAIL_ADDRESS, "jane.doe@example.org"),
    (
        "cc pt_relative+care@mail.example.co.uk",
        EMAIL_ADDRESS,
        "pt_relative+care@mail.example.co.uk",
    ),
    # National identity numbers.
    ("SSN 123-45-6789 on the form", NATIONAL_ID, "SSN 123-45-6789"),
    ("The card said 123-45-6789.", NATIONAL_ID, "123-45-6789"),
    ("NHS number 943 476 5919 was missing.", NATIONAL_ID, "NHS number 943 476 5919"),
    ("NHS no. 9434765919", NATIONAL_ID, "NHS no. 9434765919"),
    ("The label read 943 476 5919.", NATIONAL_ID, "943 476 5919"),
    ("NI number AB 12 34 56 C on the letter.", NATIONAL_ID, "AB 12 34 56 C"),
]

NOT_FLAGGED = [
    "The night shift of 12 nurses covered 3 wards.",
    "3 of 4 beds were blocked by 10:00.",
    "We waited 45 minutes for transport.",
    "ED length of stay was 6.2 hours on average.",
    "As a Level 3 trauma centre we see a lot.",
    "Ward 4 has 28 beds and 2 side rooms.",
    "Step 2 of the handover checklist was skipped.",
    "The huddle starts at 2 pm.",
    "Shifts run 07:00\u201319:30, with a break at 13:00.",
    "The audit is due on 2026-12-07.",
    "Targets for Q3 2026 slipped.",
    "Version 2 of the sepsis pathway is clearer.",
    "Pager 4411 went unanswered for 20 minutes.",
    "Call ext. 4321 for the bed manager.",
    "Occupancy was 97% all week, 103.5% on Monday.",
    "The budget is $1,200,000 for 2027.",
    "The capital bid was $1200000 last year.",
    "On 3 March 2026 we met the chief nurse.",
    "The new rota is due 2027-01-15.",
    "12 patients were boarded in the corridor.",
    "Discharges before 11:00 rose from 18% to 31%.",
    "We held the debrief in meeting room 3.",
    "Conference room 2 was booked for the board.",
    "Since 1 January 2019 the policy has not changed.",
    "Rooms 3 and 4 were closed for cleaning.",
    "Four beds in bay B were empty.",
    "The unit saw 1,500 attendances in June.",
    "A 4-hour target of 95% was missed by 2.3 points.",
    "The 2025\u20132026 budget cycle starts in April.",
    "Ratios were 1:8 on nights and 1:5 on days.",
    "Theatre 2 overran by 90 minutes.",
    "The newborn unit runs 14 cots.",
    "About 1500000 visits a year come through the front door.",
    "Our mRNA-1273 clinic ran on 12 May.",
    "Ambulance bay 2 was blocked for an hour.",
    "Born out of frustration, the idea took shape in 2024.",
    "The average age of staff is 42.",
    "Patient number 3 in the queue waited longest.",
    "Dobutamine was started at 5 mcg/kg/min.",
    "She was born in 1956, she told us, and had never been in hospital.",
    "The on-call room 2 has no window.",
    "Relatives' room 2 was locked all night.",
    "Birthday cake for the team on Friday 11 December.",
    "Shifts 0700-1930 and 1900-0730 were covered.",
    "We cut the wait from 240 to 180 minutes, a 25 per cent fall.",
]


@pytest.mark.parametrize(("text", "kind", "found"), FLAGGED)
def test_flags_what_looks_like_a_patient_identifier(text: str, kind: str, found: str) -> None:
    assert patient_details(text, today=TODAY) == [PatientDetail(kind, found)]


@pytest.mark.parametrize("text", NOT_FLAGGED)
def test_lets_operational_prose_through(text: str) -> None:
    assert patient_details(text, today=TODAY) == []
    assert patient_detail_problems("what_i_saw", text, today=TODAY) == []


def test_the_lists_are_long_enough_to_mean_something() -> None:
    assert len(FLAGGED) >= 30
    assert len(NOT_FLAGGED) >= 25
    kinds = {kind for _, kind, _ in FLAGGED}
    assert kinds == {
        MEDICAL_RECORD_NUMBER,
        DATE_OF_BIRTH,
        ROOM_AND_BED,
        PHONE_NUMBER,
        EMAIL_ADDRESS,
        NATIONAL_ID,
    }


def test_problems_name_the_field_and_the_kind_in_plain_words() -> None:
    problems = patient_detail_problems("what_i_saw", "I saw MRN 00123456 on the screen.")

    assert problems == [
        (
            "what_i_saw",
            "This looks like a medical record number (“MRN 00123456”). Accord keeps nothing "
            "about patients: take it out, and describe the situation without it.",
        )
    ]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("DOB 3/4/1956", "a date of birth"),
        ("room 305", "a patient's room or bed"),
        ("555-123-4567", "a phone number"),
        ("jane@example.org", "an email address"),
        ("123-45-6789", "a national identity number"),
    ],
)
def test_each_kind_is_named_in_plain_words(text: str, words: str) -> None:
    [(field, message)] = patient_detail_problems("barriers", text)

    assert field == "barriers"
    assert f"This looks like {words} (“{text}”)." in message


def test_several_of_a_kind_make_one_problem() -> None:
    [(_, message)] = patient_detail_problems("what_i_saw", "bed 3 then bed 4 then bed 5")

    assert message.startswith("These look like patients' rooms or beds (“bed 3” and 2 more).")
    assert "take them out" in message


def test_a_long_match_is_quoted_short() -> None:
    text = "medical record number 1234567890123456789012345678901234567890"
    [(_, message)] = patient_detail_problems("what_i_saw", text)

    quoted = message[message.index("“") + 1 : message.index("”")]
    assert len(quoted) <= 30
    assert quoted.endswith("…")


def test_several_identifiers_in_one_text_come_in_order_each_once() -> None:
    text = (
        "Mr X, MRN 1234567, DOB 3/4/1956, was in room 12 bed 3; his wife rang from "
        "07700 900123 and wrote from jane@example.org. MRN 1234567 again, and NHS number "
        "943 476 5919."
    )

    assert patient_details(text) == [
        PatientDetail(MEDICAL_RECORD_NUMBER, "MRN 1234567"),
        PatientDetail(DATE_OF_BIRTH, "DOB 3/4/1956"),
        PatientDetail(ROOM_AND_BED, "room 12 bed 3"),
        PatientDetail(PHONE_NUMBER, "07700 900123"),
        PatientDetail(EMAIL_ADDRESS, "jane@example.org"),
        PatientDetail(NATIONAL_ID, "NHS number 943 476 5919"),
    ]
    problems = patient_detail_problems("what_i_saw", text)
    assert [field for field, _ in problems] == ["what_i_saw"] * 6


def test_a_phone_number_with_an_extension_is_flagged_for_the_number() -> None:
    assert patient_details("ring 555-123-4567 ext. 4321") == [
        PatientDetail(PHONE_NUMBER, "555-123-4567")
    ]


def test_a_full_date_near_birth_words_is_a_birth_date_only_when_two_years_old() -> None:
    assert patient_details("born on 3 March 2026", today=TODAY) == [
        PatientDetail(DATE_OF_BIRTH, "born on 3 March 2026")
    ]  # labelled: a baby's date of birth is still one
    assert patient_details("aged 2, seen 3 March 2026", today=TODAY) == []
    assert patient_details("aged 2, seen 3 March 2024", today=TODAY) == [
        PatientDetail(DATE_OF_BIRTH, "3 March 2024")
    ]
    # A birth word in another sentence does not count.
    assert patient_details("Average age rose. On 3 March 2019 we began.", today=TODAY) == []


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\x00",
        "MRN\x00 1234567\x00",
        "room\x0012",
        "\ud800 lone surrogate, room ",
        fullwidth("12345678"),
        "٣٤٥٦٧٨٩٠",  # Arabic-Indic digits
        "🏥 bed 🛏️ 12 💊",
        "é" * 500 + "@" + "é" * 500,
        "\u200b1\u200b2\u200b3\u200b4\u200b5\u200b6\u200b7",
        "DOB\n\n\n3/4/1956",
        "+" * 100 + "1" * 100,
    ],
)
def test_odd_input_does_not_crash(text: str) -> None:
    details = patient_details(text)
    assert all(isinstance(detail, PatientDetail) for detail in details)
    for _, message in patient_detail_problems("what_i_saw", text):
        assert "\x00" not in message


def test_digits_in_other_scripts_are_still_digits() -> None:
    text = f"MRN {fullwidth('1234567')}"  # quoted back as the plain digits it folds to
    assert patient_details(text) == [PatientDetail(MEDICAL_RECORD_NUMBER, "MRN 1234567")]


@pytest.mark.parametrize(
    "text",
    [
        "1234 " * 800,
        "12 " * 1333 + "1",
        "1" * 4000,
        "0" * 4000,
        "1-" * 2000,
        "1/" * 2000,
        "+1 " * 1333,
        "(" * 2000 + "5" * 2000,
        "a" * 4000 + "@",
        "a." * 2000 + "@",
        "room " * 800,
        "room 1 " * 570,
        " " * 4000 + "1",
        "born " * 800,
        "mrn " * 1000,
        "3 March " * 500,
        "aged 3/4/1956 " * 285,
    ],
)
def test_a_long_text_is_searched_in_linear_time(text: str) -> None:
    assert len(text) >= 3990
    started = time.perf_counter()
    patient_details(text)
    patient_detail_problems("what_i_saw", text)
    # Generous for a slow, shared machine: a linear search takes a few milliseconds.
    assert time.perf_counter() - started < 1.0


def test_the_help_text_says_plainly_not_to_write_names() -> None:
    assert "names" in NO_PATIENT_DETAILS_HELP
    assert "cannot recognise" in NO_PATIENT_DETAILS_HELP
    assert patient_details(NO_PATIENT_DETAILS_HELP) == []
