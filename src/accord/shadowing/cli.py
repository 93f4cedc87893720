"""`accord shadowing ...`: the programme's coverage for the server's operator (counts, never
what anyone wrote), as a table or a CSV/Excel file, and the reminders to reflect sent now."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from accord.cli_support import fail, say, start

shadowing_app = typer.Typer(
    help="The shadowing programme: its coverage and reminders.", no_args_is_help=True
)

Org = Annotated[str, typer.Option("--org", help="Organisation slug.")]


@shadowing_app.command("coverage")
def shadowing_coverage(
    org: Org,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write the grid to a .csv or .xlsx file.")
    ] = None,
) -> None:
    """The last 12 months: visits against each executive's target, departments never visited,
    visits by shift, reflections on time and commitments; --out writes departments by month."""
    organisation = start(org)
    from accord.access.models import Membership, Role
    from accord.access.scopes import Scope
    from accord.shadowing.selectors import coverage
    from accord.text import table_csv, table_xlsx

    if out is not None and out.suffix.lower() not in (".csv", ".xlsx"):
        raise fail(f"--out: write a .csv or .xlsx file, not {out.name!r}.")
    f = coverage(Scope(Membership(organisation=organisation, role=Role.ADMIN)))
    say(f"Visits in the last 12 months: {f.visits}  "
        + "  ".join(f"{kind}: {n}" for kind, n in f.by_shift.items()))  # fmt: skip
    say(f"Reflections on time: {f.reflections_on_time} of {f.reflections_due}")
    say(f"Commitments: {f.commitments_made} made, {f.commitments_done} done, "
        f"{f.commitments_overdue} overdue"
        + (f"; {f.median_days_to_done:g} days to done at the median"
           if f.median_days_to_done is not None else ""))  # fmt: skip
    table = Table("Executive", "Visits", "Target", box=None)
    for row in f.executives:
        table.add_row(row.person.name, str(row.visits), str(row.target))
    say(table)
    say(f"Departments never visited: {len(f.never_visited)} of {len(f.grid)}")
    if out is not None:
        header = ["Department", *[f"{m:%Y-%m}" for m in f.months]]
        rows = [[unit.full_name, *counts] for unit, counts in f.grid]
        try:
            out.write_bytes(table_csv(header, rows) if out.suffix.lower() == ".csv"
                            else table_xlsx("Coverage", header, rows))  # fmt: skip
        except OSError as error:
            raise fail(f"--out: cannot write {out}: {error.strerror}.") from None
        say(f"Wrote {len(rows)} departments to {out}.")


@shadowing_app.command("remind")
def shadowing_remind(org: Org) -> None:
    """Email now every visitor whose visit is over and whose reflection is not written (the
    worker does it every quarter of an hour; each visit is reminded once)."""
    organisation = start(org)
    from accord.shadowing.tasks import remind_to_reflect

    sent = remind_to_reflect(organisation=organisation)
    say(f"Sent {sent} reminder{'' if sent == 1 else 's'} to reflect.")
