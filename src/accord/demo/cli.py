"""`accord generate-demo` and the demo's data for `accord demo`: a synthetic health system
in the database, or as a roster file for import practice."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, BinaryIO

import typer
from rich.table import Table

from accord.cli_support import (
    ImportProgress,
    fail,
    migrate_quietly,
    progress_bar,
    say,
    setup_django,
)


def generate_demo(
    people: Annotated[int, typer.Option(min=50, max=1_000_000, help="How many people.")] = 2000,
    seed: Annotated[int, typer.Option(help="Same seed, same health system.")] = 7,
    out: Annotated[
        Path | None, typer.Option(help="Write the roster to this CSV or XLSX file instead.")
    ] = None,
    org: Annotated[
        str, typer.Option(help="Slug of the demo organisation to create.")
    ] = "riverside",
    name: Annotated[str, typer.Option(help="Name of the health system.")] = "Riverside Health",
) -> None:
    """Generate a synthetic health system: into the database, or to a file for import."""
    # The generator is plain Python: writing a file needs no database and no settings.
    from accord.demo.generator import generate_demo_roster

    if out is not None:
        if out.suffix.lower() not in (".csv", ".xlsx"):
            raise fail("--out: the file name must end in .csv or .xlsx.")
        try:
            handle = out.open("wb")
        except OSError as error:
            raise fail(f"--out: cannot write {out}: {error.strerror}.") from None
        roster = generate_demo_roster(people=people, seed=seed, system_name=name)
        with handle:
            if out.suffix.lower() == ".csv":
                handle.write(roster.to_csv())
            else:
                _write_xlsx(handle, roster.rows)
        say(f"Wrote {len(roster.rows):,} people to {out}.")
        return
    setup_django(demo=True)
    migrate_quietly()
    seed_and_print(org=org, name=name, people=people, seed=seed)


def _write_xlsx(out: BinaryIO, rows: list[dict[str, str]]) -> None:
    from openpyxl import Workbook

    from accord.demo.generator import COLUMNS

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("People")
    sheet.append(list(COLUMNS))
    for row in rows:
        cells: list[object] = [row[c] for c in COLUMNS]
        # Real date cells, as an HR system's Excel export has them.
        cells[COLUMNS.index("hire_date")] = dt.date.fromisoformat(row["hire_date"])
        sheet.append(cells)
    workbook.save(out)


def seed_and_print(*, org: str, name: str, people: int, seed: int) -> None:
    """Generate the demo organisation unless it exists, then print its logins."""
    from accord.demo.services import DEMO_PASSWORD, demo_logins, seed_demo
    from accord.org.models import Organisation
    from accord.org.services import OrganisationError

    if Organisation.objects.filter(slug=org).exists():
        logins = demo_logins(org)
        say(f"The demo organisation {org!r} already exists; keeping it.")
    else:
        say(f"Generating {name} with {people:,} people (seed {seed})…")
        with progress_bar() as progress:
            try:
                logins = seed_demo(
                    slug=org,
                    name=name,
                    people=people,
                    seed=seed,
                    progress=ImportProgress(progress),
                )
            except OrganisationError as error:
                raise fail(str(error)) from None
    table = Table(title=f"Demo logins (password for all: {DEMO_PASSWORD})")
    table.add_column("role")
    table.add_column("email (sign in with this)", no_wrap=True)
    table.add_column("title")
    for login in logins:
        table.add_row(login.role_label, login.email, login.title)
    say(table)
