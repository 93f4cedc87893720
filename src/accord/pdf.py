"""Printable documents for every app: a Django template rendered to PDF by WeasyPrint (no
browser, no JavaScript, no network), so a PDF and its page share their look. A 360 report and
a team's charter print through here."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.template.loader import render_to_string

PANGO_MISSING = (
    "PDFs need the Pango text library on the server (Debian: apt-get install "
    "libpango-1.0-0 libpangoft2-1.0-0)."
)


class PdfUnavailable(RuntimeError):
    """The server cannot draw PDFs (Pango is not installed)."""


def render_pdf(template: str, context: Mapping[str, Any]) -> bytes:
    # Imported here, not at the top: WeasyPrint loads Pango when imported, and a server
    # without it must still serve every page (only a download needs it).
    try:
        from weasyprint import HTML
    except OSError as error:  # the shared library is missing
        raise PdfUnavailable(PANGO_MISSING) from error
    return bytes(HTML(string=render_to_string(template, dict(context))).write_pdf())
