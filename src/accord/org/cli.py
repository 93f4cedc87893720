"""`accord create-org`, `accord import-org` and `accord profession ...`: organisations, their
org charts and the professions those may use."""

from __future__ import annotations

import zoneinfo
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from accord.cli_support import (
    ImportProgress,
    fail,
    print_problems,
    progress_bar,
    read_file_or_exit,
    say,
    setup_django,
    start,
)

profession_app = typer.Typer(help="An organisation's list of professions.", no_args_is_help=True)

Org = Annotated[str, typer.Option("--org", help="Organisation slug.")]


def create_org(
    name: Annotated[str, typer.Argument(help="The organisation's name.")],
    slug: Annotated[str, typer.Option(help="Short name used in web addresses.")] = "",
    time_zone: Annotated[str, typer.Option(help="IANA time zone, e.g. America/New_York.")] = "UTC",
) -> None:
    """Create an organisation with the default unit kinds and professions."""
    setup_django()
    from accord.org.services import OrganisationError, create_organisation

    if time_zone not in zoneinfo.available_timezones():
        raise fail(f"--time-zone: unknown time zone {time_zone!r}.")
    try:
        organisation = create_organisation(name=name, slug=slug, time_zone=time_zone)
    except OrganisationError as error:
        raise fail(str(error)) from None
    say(f"Created {organisation.name} (slug: {organisation.slug}).")


def import_org(
    file: Annotated[Path, typer.Argument(help="CSV or XLSX org chart (docs/import-format.md).")],
    org: Annotated[str, typer.Option("--org", help="Slug of the organisation to import into.")],
    dry_run: Annotated[
        bool, typer.Option(help="Validate and show the changes; write nothing.")
    ] = False,
    deactivate_missing: Annotated[
        bool, typer.Option(help="Deactivate active people who are not in the file.")
    ] = False,
) -> None:
    """Import or re-sync an organisation chart. All rows are checked before anything is written."""
    organisation = start(org)
    from accord.org.importing import ImportFileError
    from accord.org.services import import_org_chart

    content = read_file_or_exit(file)
    with progress_bar() as progress:
        try:
            plan = import_org_chart(
                organisation=organisation,
                filename=file.name,
                content=content,
                deactivate_missing=deactivate_missing,
                dry_run=dry_run,
                progress=ImportProgress(progress),
            )
        except ImportFileError as error:
            progress.stop()
            print_problems(
                f"{error.total} problem(s) in {file.name}; nothing was imported.",
                [str(issue) for issue in error.issues],
                error.total,
            )
            raise typer.Exit(1) from None
    summary = plan.summary()
    columns = ("rows", "create", "update", "unchanged", "deactivate", "new_units")
    table = Table(title="Dry run: nothing was written" if dry_run else "Imported")
    for column in columns:
        table.add_column(column.replace("_", " "), justify="right")
    table.add_row(*(f"{summary[c]:,}" for c in columns))
    say(table)
    if summary["new_unit_kinds"]:
        say(f"New unit kinds: {', '.join(summary['new_unit_kinds'])}")


@profession_app.command("list")
def profession_list(org: Org) -> None:
    """The professions an org-chart file may use, with their default role group."""
    organisation = start(org)
    from django.db.models import Count

    table = Table(title="Professions")
    table.add_column("profession")
    table.add_column("default role group")
    table.add_column("people", justify="right")
    for profession in organisation.professions.annotate(people_count=Count("people")):
        table.add_row(
            profession.name, profession.default_role_group, f"{profession.people_count:,}"
        )
    say(table)


@profession_app.command("add")
def profession_add(
    name: Annotated[str, typer.Argument(help="e.g. 'Respiratory therapist'.")],
    org: Org,
    role_group: Annotated[str, typer.Option(help="clinician, administrator or other.")],
) -> None:
    """Add a profession that org-chart files may then use."""
    organisation = start(org)
    from accord.org.services import OrganisationError, add_profession

    try:
        profession = add_profession(
            organisation=organisation, name=name, default_role_group=role_group
        )
    except OrganisationError as error:
        raise fail(str(error)) from None
    say(f"Added the profession {profession.name!r}.")
