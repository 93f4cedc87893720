"""Printed codes for people without email: the CSV and the PDF of slips carry working codes,
each slip's QR code is its own link, and printing a unit again retires its earlier codes."""

from __future__ import annotations

import csv
import io
import re
import zlib
from zoneinfo import ZoneInfo

import pytest
import segno

from accord.org.models import Person, Unit
from accord.surveys.answers import ParsedAnswers
from accord.surveys.models import Cycle
from accord.surveys.printing import CodeSheet, codes_csv, codes_pdf
from accord.surveys.services import (
    CodesPrintedBefore,
    Outcome,
    create_cycle,
    issue_codes,
    open_now,
    schedule_cycle,
    submit_response,
)
from accord.surveys.tokens import display_token, normalise_token
from tests.cast import Cast
from tests.surveys.conftest import cycle_settings

pytestmark = pytest.mark.django_db

BASE = "https://accord.example.org"
NO_EMAIL = ("olga", "omar", "oscar_r", "pat")
CODE = re.compile(r"^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$")


@pytest.fixture
def cycle(cast: Cast) -> Cycle:
    """Riverside's pulse, open, with four people who have no email (one with accents)."""
    riverside = cast.riverside
    riverside.survey_min_group_size = 3
    riverside.save()
    Person.objects.filter(organisation=riverside, external_id__in=NO_EMAIL).update(email="")
    Person.objects.filter(external_id="olga").update(name="Olga Núñez")
    created = create_cycle(
        organisation=riverside, settings=cycle_settings(riverside), created_by=cast.admin
    )
    schedule_cycle(cycle=created)
    return open_now(cycle=created)


def sheet(cycle: Cycle) -> CodeSheet:
    return CodeSheet.for_cycle(cycle, base_url=BASE + "/")


def answer(code: str, nonce: str) -> Outcome:
    token = normalise_token(code)
    assert token is not None, code
    return submit_response(token=token, answers=ParsedAnswers(scores={"burnout": 2}), nonce=nonce)


def read_csv(content: bytes) -> list[dict[str, str]]:
    assert content.startswith(b"\xef\xbb\xbf"), "Excel needs the byte-order mark"
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def test_the_csv_lists_everyone_without_email_and_its_codes_answer(cycle: Cycle) -> None:
    rows = read_csv(codes_csv(issue_codes(cycle=cycle), sheet(cycle)))

    assert [row["name"] for row in rows] == ["Olga Núñez", "Omar Periop", "Oscar Liaison",
                                             "Pat Peds"]  # fmt: skip
    assert rows[0]["unit"] == "Riverside Health/North Hospital/Surgery/Perioperative"
    for index, row in enumerate(rows):
        assert list(row) == ["unit", "name", "code", "link"]
        assert CODE.match(row["code"])
        assert row["link"] == f"{BASE}/s/{normalise_token(row['code'])}/"
        assert answer(row["code"], nonce=f"n{index}") is Outcome.RECORDED
    assert answer(rows[0]["code"], nonce="again") is Outcome.ALREADY_ANSWERED


def test_printing_a_unit_again_retires_only_its_earlier_codes(cycle: Cycle) -> None:
    periop = Unit.objects.get(name="Perioperative")
    everyone = read_csv(codes_csv(issue_codes(cycle=cycle), sheet(cycle)))
    first = read_csv(codes_csv(issue_codes(cycle=cycle, unit=periop, replace=True), sheet(cycle)))
    with pytest.raises(CodesPrintedBefore, match="3 of these people already have printed codes"):
        issue_codes(cycle=cycle, unit=periop)  # asked first: the slips just printed would go
    reprint = read_csv(codes_csv(issue_codes(cycle=cycle, unit=periop, replace=True), sheet(cycle)))

    assert [row["name"] for row in reprint] == ["Olga Núñez", "Omar Periop", "Oscar Liaison"]
    assert answer(first[0]["code"], nonce="old") is Outcome.UNKNOWN_TOKEN
    assert answer(everyone[0]["code"], nonce="older") is Outcome.UNKNOWN_TOKEN
    assert answer(reprint[0]["code"], nonce="new") is Outcome.RECORDED
    pat = next(row for row in everyone if row["name"] == "Pat Peds")
    assert answer(pat["code"], nonce="pat") is Outcome.RECORDED  # another unit: still valid


def test_the_csv_keeps_a_name_from_running_as_a_spreadsheet_formula(cycle: Cycle) -> None:
    Person.objects.filter(external_id="pat").update(name='=HYPERLINK("http://x","Pat")')
    rows = read_csv(codes_csv(issue_codes(cycle=cycle), sheet(cycle)))

    assert rows[-1]["name"] == '\'=HYPERLINK("http://x","Pat")'


def page_content(pdf: bytes) -> bytes:
    # Each stream's length comes from its dictionary: compressed bytes may hold anything.
    starts = re.finditer(rb"/Length (\d+)[^>]*>>\s*stream\r?\n", pdf)
    streams = [pdf[m.end() : m.end() + int(m.group(1))] for m in starts]
    return b"\n".join(zlib.decompress(stream) for stream in streams)


def page_count(pdf: bytes) -> int:
    return len(re.findall(rb"/Type /Page\b(?!s)", pdf))


def drawn_qr_codes(pdf: bytes) -> list[list[list[bool]]]:
    """Rebuild each QR symbol from the filled rectangles the PDF draws, in page order."""
    codes = []
    number = rb"(-?[\d.]+)"
    for block in re.findall(rb"(?m)^q$(.*?)^Q$", page_content(pdf), re.S):
        rects = [
            tuple(float(value) for value in match)
            for match in re.findall(rb"(?m)^" + rb" ".join([number] * 4) + rb" re f$", block)
        ]
        if not rects:
            continue
        module = abs(rects[0][3])
        left = min(x for x, _, _, _ in rects)
        top = max(y for _, y, _, _ in rects)
        dark = set()
        for x, y, width, _ in rects:
            row, column = round((top - y) / module), round((x - left) / module)
            dark |= {(row, column + i) for i in range(round(width / module))}
        size = max(row for row, _ in dark) + 1
        codes.append([[(row, col) in dark for col in range(size)] for row in range(size)])
    return codes


def test_each_slip_has_the_name_the_code_the_page_and_a_qr_code_of_its_own_link(
    cycle: Cycle,
) -> None:
    issued = issue_codes(cycle=cycle)
    pdf = codes_pdf(issued, sheet(cycle))

    assert pdf.startswith(b"%PDF-")
    assert page_count(pdf) == 1
    text = page_content(pdf)
    for invitation, token in issued:
        assert f"({invitation.person.name})".encode("latin-1") in text
        assert f"({display_token(token)})".encode() in text
    assert b"Olga N\xfa\xf1ez" in text  # Latin-1, as the core fonts encode it
    assert text.count(f"({BASE}/s/)".encode()) == len(issued)
    assert b"Sus respuestas se guardan sin su nombre" in text
    zone = cycle.organisation.time_zone
    closes = cycle.closes_at.astimezone(ZoneInfo(zone))
    assert f"Closes / Cierra: {closes:%Y-%m-%d %H:%M}".encode() in text and zone.encode() in text
    expected = [
        [
            [bool(module) for module in row]
            for row in segno.make(f"{BASE}/s/{token}/", error="m").matrix
        ]
        for _, token in issued
    ]
    assert drawn_qr_codes(pdf) == expected


@pytest.mark.parametrize(("slips", "pages"), [(0, 1), (1, 1), (8, 1), (9, 2), (17, 3)])
def test_eight_slips_fit_on_a_page(cycle: Cycle, slips: int, pages: int) -> None:
    invitation, token = issue_codes(cycle=cycle)[0]
    for paper in ("A4", "Letter"):
        pdf = codes_pdf([(invitation, token)] * slips, sheet(cycle), paper=paper)
        assert page_count(pdf) == pages
        assert len(drawn_qr_codes(pdf)) == slips


def test_a_name_outside_latin_1_loses_only_its_accents_on_the_slip(cycle: Cycle) -> None:
    Person.objects.filter(external_id="pat").update(name="Zoë Dvořák")
    issued = issue_codes(cycle=cycle)

    assert b"(Zo\xeb Dvor\xe1k)" in page_content(codes_pdf(issued, sheet(cycle)))
    assert read_csv(codes_csv(issued, sheet(cycle)))[-1]["name"] == "Zoë Dvořák"


def test_an_unknown_paper_size_is_refused(cycle: Cycle) -> None:
    with pytest.raises(ValueError, match="Paper must be one of A4, Letter"):
        codes_pdf([], sheet(cycle), paper="A3")
