"""The 360 report as a PDF the leader can keep: the page's template rendered for print, in the
reader's language for the framework's words. Hidden figures are printed as hidden, with the
reason."""

from __future__ import annotations

from accord.leadership.models import Review
from accord.leadership.selectors import report_view
from accord.pdf import render_pdf


def report_pdf(review: Review, language: str = "en") -> bytes:
    return render_pdf(
        "leadership/report_pdf.html", {"view": report_view(review, language), "review": review}
    )
