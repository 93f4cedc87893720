"""`accord report ...`: export and re-release a published cycle's results.

The command line is the server operator's: it sees the whole organisation, but exactly what
the pages show — released numbers only, the same frozen release.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from accord.cli_support import fail, say, start, write_file_or_exit
from accord.surveys.cli import cycle_or_exit

if TYPE_CHECKING:
    from accord.insights.selectors import ReleaseView

report_app = typer.Typer(
    help="Survey results: export them, release them again.", no_args_is_help=True
)

Org = Annotated[str, typer.Option("--org", help="Organisation slug.")]
CycleOption = Annotated[
    int, typer.Option("--cycle", help="The cycle's id (see `accord survey list`).", min=1)
]


class Format(StrEnum):
    json = "json"
    csv = "csv"
    xlsx = "xlsx"


def _released(org: str, cycle_id: int, release: int | None = None) -> ReleaseView:
    from django.http import Http404

    cycle = cycle_or_exit(start(org), cycle_id, option="--cycle")
    from accord.insights.selectors import whole_release

    if cycle.status != cycle.Status.PUBLISHED:
        raise fail(
            f"--cycle: {cycle.name} is {cycle.get_status_display().lower()}; results are released when it is published."
        )
    try:
        return whole_release(cycle, release)
    except Http404:
        raise fail(f"--release: cycle {cycle_id} has no release {release}.") from None


@report_app.command("export")
def report_export(
    cycle: CycleOption,
    org: Org,
    format: Annotated[Format, typer.Option("--format", help="json, csv or xlsx.")] = Format.json,
    out: Annotated[
        Path | None, typer.Option("--out", help="File to write (default: standard output).")
    ] = None,
    release: Annotated[
        int | None, typer.Option("--release", min=1, help="A release number (default: latest).")
    ] = None,
) -> None:
    """Export a published cycle's released results (accord.report/1 JSON, CSV or XLSX)."""
    view = _released(org, cycle, release)
    from accord.insights.exporting import export_release

    exported = export_release(view, format.value)
    if out is None:
        if format is Format.xlsx and sys.stdout.isatty():
            raise fail("--out: an XLSX workbook is binary; name a file to write it to.")
        sys.stdout.buffer.write(exported.content)
        sys.stdout.flush()
        return
    write_file_or_exit(out, exported.content)
    say(f"Wrote release {view.release.number} of {view.cycle.name} to {out}.")


def survey_publish(
    cycle_id: Annotated[int, typer.Argument(help="The cycle's id (see `accord survey list`).")],
    org: Org,
) -> None:
    """Publish a closed cycle's results."""
    found = cycle_or_exit(start(org), cycle_id)
    from accord.insights.publishing import publish_cycle
    from accord.insights.services import ReleaseError
    from accord.surveys.services import CycleError

    try:
        cycle = publish_cycle(cycle=found)
    except (CycleError, ReleaseError) as error:
        raise fail(str(error)) from None
    say(f"{cycle.name} (cycle {cycle.pk}) is now {cycle.get_status_display().lower()}.")


@report_app.command("release")
def report_release(
    cycle: CycleOption,
    org: Org,
    note: Annotated[str, typer.Option("--note", help="Why the results are released again.")],
) -> None:
    """Release a published cycle's results again (after a correction), checked against every
    earlier release of the cycle."""
    organisation = start(org)
    from accord.insights.services import ReleaseError, clean_note, release_cycle

    if not note.strip():
        raise fail("--note: say why the results are released again.")
    try:
        note = clean_note(note)
    except ReleaseError as error:
        raise fail(f"--note: {error}") from None
    found = cycle_or_exit(organisation, cycle, option="--cycle")
    try:
        made = release_cycle(cycle=found, note=note.strip())
    except ReleaseError as error:
        raise fail(f"--cycle: {error}") from None
    say(
        f"Release {made.number} of {found.name}: {made.released_groups} groups shown, "
        f"{made.hidden_groups} hidden."
    )
