"""The 360 report as a PDF the leader can keep: the page's template rendered for print by
WeasyPrint (no browser, no JavaScript, no network), in the reader's language for the
framework's words. Hidden figures are printed as hidden, with the reason."""

from __future__ import annotations

from django.template.loader import render_to_string

from accord.leadership.models import Review
from accord.leadership.selectors import report_view

PANGO_MISSING = (
    "PDFs need the Pango text library on the server (Debian: apt-get install "
    "libpango-1.0-0 libpangoft2-1.0-0)."
)


class PdfUnavailable(RuntimeError):
    """The server cannot draw PDFs (Pango is not installed)."""


def report_pdf(review: Review, language: str = "en") -> bytes:
    # Imported here, not at the top: WeasyPrint loads Pango when imported, and a server
    # without it must still serve every page (only this download needs it).
    try:
        from weasyprint import HTML
    except OSError as error:  # the shared library is missing
        raise PdfUnavailable(PANGO_MISSING) from error
    html = render_to_string(
        "leadership/report_pdf.html", {"view": report_view(review, language), "review": review}
    )
    return bytes(HTML(string=html).write_pdf())
