"""Printable survey codes for people without a work email: a CSV and a PDF of cut-out slips.

Both take what ``services.issue_codes`` returns — (invitation, token) pairs, with each
invitation's person and unit loaded — and write nothing anywhere: the caller decides where
the bytes go. A slip carries the person's name and unit (so it reaches the right person),
the QR code of their personal link, the code typed out, the survey page's address, the
closing time in the organisation's time zone, and a few plain words in English and Spanish
on how their answers stay anonymous. Names are printed so slips can be handed out; the code
says nothing about the answers, which are stored apart from it (docs/privacy.md).

The PDF uses the PDF core fonts (Helvetica, Courier), which cover Latin-1 — enough for
English and Spanish (á é í ó ú ñ ü ¿ ¡). Letters outside it in a name lose their accents
(Dvořák → Dvorak) or become "?"; the CSV keeps every name exactly.
"""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import segno
from fpdf import FPDF

from accord.site import absolute_url
from accord.surveys.models import Cycle, Invitation
from accord.surveys.tokens import display_token
from accord.text import table_csv

CSV_COLUMNS = ("unit", "name", "code", "link")
PAPER_SIZES = ("A4", "Letter")
COLUMNS, ROWS = 2, 4  # slips per page: eight
MARGIN = 10.0  # mm
QR_SIZE = 33.0  # mm, quiet zone included
QR_ERROR = "m"  # survives a crease or a smudge

IssuedCodes = Sequence[tuple[Invitation, str]]


@dataclass(frozen=True)
class CodeSheet:
    """What every slip of one printing shares."""

    organisation: str
    cycle: str
    closes_at: dt.datetime
    time_zone: str
    base_url: str  # e.g. https://accord.example.org, no trailing slash
    min_group_size: int

    @classmethod
    def for_cycle(cls, cycle: Cycle, *, base_url: str | None = None) -> CodeSheet:
        """The sheet for a cycle; links point to ``ACCORD_BASE_URL`` unless told otherwise."""
        if base_url is None:
            base_url = absolute_url("/")
        return cls(
            organisation=cycle.organisation.name,
            cycle=cycle.name,
            closes_at=cycle.closes_at,
            time_zone=cycle.organisation.time_zone,
            base_url=base_url.rstrip("/"),
            min_group_size=cycle.min_group_size,
        )

    @property
    def survey_page(self) -> str:
        return f"{self.base_url}/s/"

    def link(self, token: str) -> str:
        return f"{self.base_url}/s/{token}/"

    def closes_local(self) -> str:
        """Language-neutral: 2026-12-07 17:00 (America/Chicago)."""
        local = self.closes_at.astimezone(ZoneInfo(self.time_zone))
        return f"{local:%Y-%m-%d %H:%M} ({self.time_zone})"


def codes_csv(issued: IssuedCodes, sheet: CodeSheet) -> bytes:
    """unit, name, code, link — UTF-8 with a byte-order mark, so Excel reads the accents."""
    rows = (
        [invitation.person.unit.full_name, invitation.person.name, display_token(token),
         sheet.link(token)]
        for invitation, token in issued
    )  # fmt: skip
    return table_csv(CSV_COLUMNS, rows)


def qr_matrix(link: str) -> tuple[tuple[bool, ...], ...]:
    """The QR symbol of ``link`` (no quiet zone): rows of dark (True) and light modules."""
    code = segno.make(link, error=QR_ERROR, micro=False)
    return tuple(tuple(bool(module) for module in row) for row in code.matrix)


def slips_per_page() -> int:
    return COLUMNS * ROWS


def page_count(slips: int) -> int:
    return max(1, math.ceil(slips / slips_per_page()))


def codes_pdf(issued: IssuedCodes, sheet: CodeSheet, *, paper: str = "A4") -> bytes:
    """Pages of eight cut-out slips, one per (invitation, token), in the order given."""
    if paper not in PAPER_SIZES:
        raise ValueError(f"Paper must be one of {', '.join(PAPER_SIZES)}, not {paper!r}.")
    pdf = FPDF(orientation="portrait", unit="mm", format=paper)
    pdf.set_auto_page_break(auto=False)
    pdf.set_margins(MARGIN, MARGIN)
    pdf.set_title(_latin1(f"{sheet.organisation}: {sheet.cycle} - survey codes"))
    pdf.set_creator("Accord")
    width = (pdf.w - 2 * MARGIN) / COLUMNS
    height = (pdf.h - 2 * MARGIN) / ROWS
    if not issued:
        pdf.add_page()
        pdf.set_font("helvetica", size=11)
        pdf.cell(text="No one here needs a printed code.")
    for index, (invitation, token) in enumerate(issued):
        position = index % slips_per_page()
        if position == 0:
            pdf.add_page()
            _cut_lines(pdf, width, height)
        x = MARGIN + (position % COLUMNS) * width
        y = MARGIN + (position // COLUMNS) * height
        _slip(pdf, x, y, width, invitation, token, sheet)
    return bytes(pdf.output())


def _cut_lines(pdf: FPDF, width: float, height: float) -> None:
    pdf.set_draw_color(160)
    pdf.set_line_width(0.2)
    with pdf.local_context():
        pdf.set_dash_pattern(dash=2, gap=1.5)
        for column in range(COLUMNS + 1):
            x = MARGIN + column * width
            pdf.line(x, MARGIN, x, pdf.h - MARGIN)
        for row in range(ROWS + 1):
            y = MARGIN + row * height
            pdf.line(MARGIN, y, pdf.w - MARGIN, y)


def _slip(
    pdf: FPDF,
    x: float,
    y: float,
    width: float,
    invitation: Invitation,
    token: str,
    sheet: CodeSheet,
) -> None:
    pad = 3.0
    inner = width - 2 * pad
    person = invitation.person
    pdf.set_text_color(0)

    pdf.set_xy(x + pad, y + pad)
    pdf.set_font("helvetica", "B", 10)
    pdf.cell(inner, 4.5, _fit(pdf, _latin1(person.name), inner), new_x="LEFT", new_y="NEXT")
    pdf.set_font("helvetica", "", 7)
    pdf.cell(inner, 3.2, _fit(pdf, _latin1(_unit_label(person.unit.full_name)), inner),
             new_x="LEFT", new_y="NEXT")  # fmt: skip
    pdf.cell(inner, 3.2, _fit(pdf, _latin1(f"{sheet.organisation} - {sheet.cycle}"), inner),
             new_x="LEFT", new_y="NEXT")  # fmt: skip

    top = pdf.get_y() + 1
    _qr(pdf, x + pad, top, QR_SIZE, sheet.link(token))

    text_x = x + pad + QR_SIZE + 2
    text_width = x + width - pad - text_x
    pdf.set_xy(text_x, top + 1)
    pdf.set_font("helvetica", "", 7)
    pdf.cell(text_width, 3, _latin1("Your code / Su código:"), new_x="LEFT", new_y="NEXT")
    pdf.set_font("courier", "B", 11)
    pdf.cell(text_width, 5.5, display_token(token), new_x="LEFT", new_y="NEXT")
    pdf.set_font("helvetica", "", 7)
    pdf.multi_cell(
        text_width,
        3,
        _latin1("Scan the QR code, or go to / Escanee el código QR, o vaya a:"),
        new_x="LEFT",
        new_y="NEXT",
        align="L",
    )
    pdf.set_font("helvetica", "B", 7.5)
    pdf.multi_cell(
        text_width, 3.4, _latin1(sheet.survey_page), new_x="LEFT", new_y="NEXT", align="L"
    )
    pdf.set_font("helvetica", "", 7)
    pdf.multi_cell(
        text_width,
        3,
        _latin1(f"Closes / Cierra: {sheet.closes_local()}"),
        new_x="LEFT",
        new_y="NEXT",
        align="L",
    )

    pdf.set_xy(x + pad, top + QR_SIZE + 0.5)
    pdf.set_font("helvetica", "", 6.3)
    for paragraph in anonymity_lines(sheet.min_group_size):
        pdf.multi_cell(inner, 2.7, _latin1(paragraph), new_x="LEFT", new_y="NEXT", align="L")


def anonymity_lines(min_group_size: int) -> tuple[str, str]:
    """How anonymity is protected, in plain words: English, then Spanish."""
    return (
        "Use this code once. Your answers are kept without your name or this code, results "
        f"are shown only for groups of {min_group_size} or more, and no one can see whether "
        "you answered.",
        "Use este código una sola vez. Sus respuestas se guardan sin su nombre ni este "
        f"código, los resultados solo se muestran para grupos de {min_group_size} o más "
        "personas, y nadie puede ver si usted respondió.",
    )


def _qr(pdf: FPDF, x: float, y: float, size: float, link: str) -> None:
    """Draw the QR code as filled rectangles (one per run of dark modules): sharp at any
    printer resolution. Each symbol is drawn inside its own graphics state."""
    matrix = qr_matrix(link)
    modules = len(matrix) + 8  # four modules of quiet zone on each side
    module = size / modules
    with pdf.local_context(fill_color=(0, 0, 0)):
        for row_index, row in enumerate(matrix):
            column = 0
            while column < len(row):
                if not row[column]:
                    column += 1
                    continue
                start = column
                while column < len(row) and row[column]:
                    column += 1
                pdf.rect(
                    x + (4 + start) * module,
                    y + (4 + row_index) * module,
                    (column - start) * module,
                    module,
                    style="F",
                )


def _unit_label(full_name: str) -> str:
    """The unit without the organisation's root: "North Hospital/Emergency/ED Nursing"."""
    parts = full_name.split("/")
    return " / ".join(parts[1:] if len(parts) > 1 else parts)


def _latin1(text: str) -> str:
    """Text the core fonts can draw: accents outside Latin-1 dropped, anything else '?'."""
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        pass
    else:
        return text
    out = []
    for char in text:
        try:
            char.encode("latin-1")
        except UnicodeEncodeError:
            base = unicodedata.normalize("NFKD", char).encode("latin-1", "ignore").decode()
            char = base if base.strip() else "?"
        out.append(char)
    return "".join(out)


def _fit(pdf: FPDF, text: str, width: float) -> str:
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "...") > width:
        text = text[:-1]
    return text + "..."
