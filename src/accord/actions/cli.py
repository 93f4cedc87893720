"""`accord actions ...`: action plans and the loop at a glance, for the server's operator.

The operator reads the whole organisation, as an executive does; a plan's figures are those
the pages show (released results only).
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from accord.cli_support import fail, say, start, write_file_or_exit
from accord.surveys.cli import cycle_or_exit

if TYPE_CHECKING:
    from accord.actions.visibility import ActionScope
    from accord.org.models import Organisation

actions_app = typer.Typer(
    help="Action plans: list them, find the overdue ones, export the loop.", no_args_is_help=True
)

Org = Annotated[str, typer.Option("--org", help="Organisation slug.")]


class Status(StrEnum):
    not_started = "not_started"
    in_progress = "in_progress"
    on_hold = "on_hold"
    done = "done"
    cancelled = "cancelled"


class Format(StrEnum):
    csv = "csv"
    xlsx = "xlsx"


def _operator(organisation: Organisation) -> ActionScope:
    """The whole organisation, read as an executive reads it."""
    from accord.access.models import Membership, Role
    from accord.access.scopes import Scope
    from accord.actions.visibility import ActionScope

    return ActionScope(Scope(Membership(organisation=organisation, role=Role.EXECUTIVE)))


def _print_plans(org: str, *, status: Status | None, overdue: bool, cycle: int | None) -> None:
    organisation = start(org)
    from accord.actions import selectors

    if cycle is not None:
        cycle_or_exit(organisation, cycle, option="--cycle")
    found = list(
        selectors.plans(
            _operator(organisation), status=status.value if status else None, overdue=overdue,
            cycle_id=cycle,
        )
    )  # fmt: skip
    if not found:
        say("No plans." if not overdue else "No plan is overdue.")
        return
    table = Table("Id", "Unit", "Plan", "Status", "Due", "Done", "Owners", box=None)
    for plan in found:
        percent = selectors.plan_percent_done(plan)
        late = " (overdue)" if selectors.is_overdue(plan) else ""
        table.add_row(
            str(plan.pk), plan.unit.name, plan.title, plan.get_status_display() + late,
            plan.due_on.isoformat(), f"{percent}%", ", ".join(p.name for p in plan.owners.all()),
        )  # fmt: skip
    say(table)


@actions_app.command("list")
def actions_list(
    org: Org,
    status: Annotated[Status | None, typer.Option(help="Only plans with this status.")] = None,
    cycle: Annotated[
        int | None, typer.Option("--cycle", min=1, help="Only plans made from this cycle.")
    ] = None,
) -> None:
    """Action plans, soonest due first."""
    _print_plans(org, status=status, overdue=False, cycle=cycle)


@actions_app.command("overdue")
def actions_overdue(org: Org) -> None:
    """Open plans past their due date."""
    _print_plans(org, status=None, overdue=True, cycle=None)


@actions_app.command("export")
def actions_export(
    org: Org,
    cycle: Annotated[int, typer.Option("--cycle", min=1, help="A published cycle's id.")],
    format: Annotated[Format, typer.Option("--format", help="csv or xlsx.")] = Format.csv,
    out: Annotated[
        Path | None, typer.Option("--out", help="File to write (default: standard output).")
    ] = None,
) -> None:
    """The loop at a glance for a published cycle: per unit with released results, the team
    discussion, plans made, overdue and done, and how they were re-measured."""
    organisation = start(org)
    from django.http import Http404

    from accord.actions import loop
    from accord.insights.selectors import whole_release
    from accord.text import table_csv, table_xlsx

    found = cycle_or_exit(organisation, cycle, option="--cycle")
    try:
        view = whole_release(found)
    except Http404:
        raise fail(f"--cycle: {found.name} has no published results yet.") from None
    rows = loop.loop_table(loop.loop_at_a_glance(_operator(organisation), view))
    if format is Format.csv:
        content = table_csv(loop.HEADER, rows)
    else:
        content = table_xlsx("Loop", loop.HEADER, rows)
    if out is None:
        if format is Format.xlsx and sys.stdout.isatty():
            raise fail("--out: an XLSX workbook is binary; name a file to write it to.")
        sys.stdout.buffer.write(content)
        sys.stdout.flush()
        return
    write_file_or_exit(out, content)
    say(f"Wrote the loop of {found.name} ({len(rows)} units) to {out}.")
