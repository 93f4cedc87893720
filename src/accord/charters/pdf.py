"""The charter in force on one page, for the team room: its vision, goals, norms and who does
what, with the date it was adopted and the next revisit."""

from __future__ import annotations

from accord.charters.errors import CharterError
from accord.charters.models import Charter
from accord.charters.selectors import version_view
from accord.charters.state import version_in_force
from accord.charters.visibility import CharterScope
from accord.pdf import render_pdf


def charter_pdf(charter: Charter, cscope: CharterScope | None = None) -> bytes:
    """The charter in force; with the reader's ``cscope``, goals they may not open unnamed."""
    in_force = version_in_force(charter)
    if in_force is None:
        raise CharterError("The team has not adopted a charter yet: there is nothing to print.")
    return render_pdf(
        "charters/charter_pdf.html", {"charter": charter, "view": version_view(in_force, cscope)}
    )
