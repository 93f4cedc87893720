"""`accord survey ...`: run survey cycles from the command line — list, create, schedule,
open, close, publish, print codes for people without email, load an instrument.

Each command calls the same service the web pages call. Times are read and shown in the
organisation's time zone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo

import typer
from rich import box
from rich.table import Table

from accord.cli_support import (
    fail,
    fail_with_fields,
    in_organisation_or_exit,
    print_problems,
    read_file_or_exit,
    say,
    start,
    write_file_or_exit,
)

if TYPE_CHECKING:
    from accord.org.models import Organisation, Unit
    from accord.surveys.models import Cycle, InstrumentDefinition

survey_app = typer.Typer(
    help="Survey cycles: create, open, close, publish, print codes.", no_args_is_help=True
)

Org = Annotated[str, typer.Option("--org", help="Organisation slug.")]
CycleId = Annotated[int, typer.Argument(help="The cycle's id (see `accord survey list`).")]

# Service field → the option that sets it, so every message names what to change.
OPTION_FOR_FIELD = {
    "name": "--name",
    "instrument": "--instrument",
    "opens_at": "--opens",
    "closes_at": "--closes",
    "min_group_size": "--min-group-size",
    "min_comment_group_size": "--min-comment-group-size",
    "reminder_days": "--reminder-days",
    "role_groups": "--role-group",
    "units": "--units",
}


def cycle_or_exit(organisation: Organisation, cycle_id: int, *, option: str = "ID") -> Cycle:
    """The organisation's survey cycle ``cycle_id``, or exit naming the option."""
    from accord.surveys.models import Cycle

    return in_organisation_or_exit(
        Cycle, organisation, cycle_id, option=option, noun="survey cycle"
    )


def _unit(organisation: Organisation, full_name: str, option: str) -> Unit:
    from accord.org.models import Unit

    unit = Unit.objects.filter(organisation=organisation, full_name=full_name.strip()).first()
    if unit is None:
        raise fail(
            f"{option}: no unit {full_name!r} in {organisation.slug!r} (give the full name, "
            "e.g. 'Riverside Health/North Hospital/Emergency')."
        )
    return unit


def _local_time(value: str, option: str, zone: ZoneInfo) -> dt.datetime:
    try:
        parsed = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise fail(f"{option}: {value!r} is not a date and time like 2026-03-02T07:00.") from None
    if parsed.tzinfo is not None:
        raise fail(f"{option}: give the time without an offset; it is read in {zone.key}.")
    return parsed.replace(tzinfo=zone)


def _shown(moment: dt.datetime | None, zone: ZoneInfo) -> str:
    return f"{moment.astimezone(zone):%Y-%m-%d %H:%M}" if moment else ""


@survey_app.command("list")
def survey_list(org: Org) -> None:
    """The organisation's survey cycles, newest first, with response counts."""
    organisation = start(org)
    from accord.surveys.selectors import responses_received

    zone = ZoneInfo(organisation.time_zone)
    table = Table(title=f"Survey cycles (times in {organisation.time_zone})", box=box.SIMPLE)
    table.add_column("id", justify="right", no_wrap=True)
    table.add_column("name", overflow="fold")
    for column in ("status", "opens", "closes", "answered"):
        table.add_column(column, no_wrap=True)
    for cycle in organisation.survey_cycles.pulses().order_by("-opens_at", "name"):
        table.add_row(
            str(cycle.pk),
            cycle.name,
            cycle.status,
            _shown(cycle.opens_at, zone),
            _shown(cycle.closes_at, zone),
            f"{responses_received(cycle):,}/{cycle.invited_count:,}" if cycle.opened_at else "",
        )
    say(table)


@survey_app.command("create")
def survey_create(
    org: Org,
    name: Annotated[str, typer.Option(help="What respondents see, e.g. 'Spring pulse 2026'.")],
    opens: Annotated[str, typer.Option(help="Opening time, YYYY-MM-DDTHH:MM, local time.")],
    closes: Annotated[str, typer.Option(help="Closing time, YYYY-MM-DDTHH:MM, local time.")],
    units: Annotated[
        list[str] | None,
        typer.Option(help="Only this unit's subtree (full name); repeat for several."),
    ] = None,
    role_group: Annotated[
        list[str] | None,
        typer.Option(help="Only this role group (clinician, administrator, other); repeatable."),
    ] = None,
    min_group_size: Annotated[
        int | None, typer.Option(help="Raise the organisation's minimum group size.")
    ] = None,
    min_comment_group_size: Annotated[
        int | None, typer.Option(help="Raise the minimum group size for comments.")
    ] = None,
    reminder_days: Annotated[
        str, typer.Option(help="Days after opening to remind non-respondents, e.g. 3,6.")
    ] = "3,6",
    instrument: Annotated[str, typer.Option(help="Instrument id.")] = "accord-core",
    instrument_version: Annotated[
        int | None, typer.Option(help="Instrument version; the latest when left out.")
    ] = None,
) -> None:
    """Create a draft cycle. Schedule it to let the clock open it."""
    organisation = start(org)
    from django.core.exceptions import ValidationError

    from accord.surveys.selectors import organisation_instruments
    from accord.surveys.services import CycleSettings, create_cycle

    zone = ZoneInfo(organisation.time_zone)
    opens_at = _local_time(opens, "--opens", zone)
    closes_at = _local_time(closes, "--closes", zone)
    try:
        days = tuple(int(part) for part in reminder_days.replace(" ", "").split(",") if part)
    except ValueError:
        raise fail(
            f"--reminder-days: {reminder_days!r} is not a list of whole days like 3,6."
        ) from None
    if instrument_version is None:
        try:
            instrument_version = organisation_instruments(organisation).latest(instrument).version
        except KeyError:
            raise fail(f"--instrument: no instrument {instrument!r} in {org!r}.") from None
    group_minimum = min_group_size or organisation.survey_min_group_size
    settings = CycleSettings(
        name=name,
        instrument_id=instrument,
        instrument_version=instrument_version,
        opens_at=opens_at,
        closes_at=closes_at,
        min_group_size=group_minimum,
        min_comment_group_size=min_comment_group_size
        or max(organisation.survey_min_comment_group_size, group_minimum),
        reminder_days=days,
        role_groups=tuple(group.strip() for group in role_group or ()),
        units=tuple(_unit(organisation, unit, "--units") for unit in units or ()),
    )
    try:
        cycle = create_cycle(organisation=organisation, settings=settings, created_by=None)
    except ValidationError as error:
        raise fail_with_fields(error, OPTION_FOR_FIELD) from None
    say(f"Created the draft cycle {cycle.pk}: {cycle.name}.")


def _life_cycle_step(org: str, cycle_id: int, step: str) -> None:
    organisation = start(org)
    from accord.surveys import services

    cycle = cycle_or_exit(organisation, cycle_id)
    actions: dict[str, Callable[..., Cycle]] = {
        "schedule": services.schedule_cycle,
        "open": services.open_now,
        "close": services.close_now,
    }
    action = actions[step]
    try:
        cycle = action(cycle=cycle)
    except services.CycleError as error:
        raise fail(str(error)) from None
    if step == "open" and cycle.status != cycle.Status.OPEN:
        say(f"{cycle.name} is large: the queue worker opens it within a minute.")
        return
    say(f"{cycle.name} (cycle {cycle.pk}) is now {cycle.get_status_display().lower()}.")


@survey_app.command("schedule")
def survey_schedule(cycle_id: CycleId, org: Org) -> None:
    """Schedule a draft: the queue opens it at its opening time."""
    _life_cycle_step(org, cycle_id, "schedule")


@survey_app.command("open")
def survey_open(cycle_id: CycleId, org: Org) -> None:
    """Open a scheduled cycle now and send its invitations."""
    _life_cycle_step(org, cycle_id, "open")


@survey_app.command("close")
def survey_close(cycle_id: CycleId, org: Org) -> None:
    """Close an open cycle now; who answered is forgotten."""
    _life_cycle_step(org, cycle_id, "close")


@survey_app.command("codes")
def survey_codes(
    cycle_id: CycleId,
    org: Org,
    out: Annotated[Path, typer.Option(help="The file to write (.csv or .pdf).")],
    format: Annotated[
        str | None, typer.Option("--format", help="csv or pdf; from --out's suffix if left out.")
    ] = None,
    unit: Annotated[
        str | None, typer.Option(help="Only people in this unit's subtree (full name).")
    ] = None,
    paper: Annotated[str, typer.Option(help="A4 or Letter (PDF only).")] = "A4",
    replace: Annotated[
        bool, typer.Option(help="Print again for people whose earlier codes then stop working.")
    ] = False,
) -> None:
    """Print one-time codes for invitees without email, as a CSV list or PDF slips.

    Printing again for the same people makes their earlier codes stop working. The file
    holds working codes: keep it safe and delete it once the slips are handed out."""
    organisation = start(org)
    from django.db import transaction

    from accord.surveys.printing import PAPER_SIZES, CodeSheet, codes_csv, codes_pdf
    from accord.surveys.services import CodesPrintedBefore, CycleError, issue_codes

    kind = (format or out.suffix.lstrip(".")).lower()
    if kind not in ("csv", "pdf"):
        raise fail("--format: choose csv or pdf (or end --out in .csv or .pdf).")
    if paper not in PAPER_SIZES:
        raise fail(f"--paper: choose {' or '.join(PAPER_SIZES)}.")
    if not out.parent.is_dir():
        raise fail(f"--out: cannot write {out}: the folder does not exist.")
    cycle = cycle_or_exit(organisation, cycle_id)
    within = _unit(organisation, unit, "--unit") if unit else None
    sheet = CodeSheet.for_cycle(cycle)
    # The earlier codes are retired only if the new ones reach the file.
    with transaction.atomic():
        try:
            issued = issue_codes(cycle=cycle, unit=within, replace=replace)
        except CodesPrintedBefore as error:
            raise fail(f"{error} Add --replace to print them again.") from None
        except CycleError as error:
            raise fail(str(error)) from None
        if not issued:
            say("Everyone here has an email address: there are no codes to print.")
            return
        content = (
            codes_csv(issued, sheet) if kind == "csv" else codes_pdf(issued, sheet, paper=paper)
        )
        write_file_or_exit(out, content)
    say(
        f"Wrote {len(issued):,} codes to {out}. Codes printed before for these people no "
        "longer work; this file holds working codes, so keep it safe and delete it after use."
    )


@survey_app.command("load-instrument")
def survey_load_instrument(
    file: Annotated[Path, typer.Argument(help="Instrument definition (YAML, docs/instrument.md).")],
    org: Org,
) -> None:
    """Load an instrument the organisation may then use in its cycles."""
    definition = load_instrument_file(file, org)
    say(f"Loaded {definition.instrument_id} version {definition.version}.")


def load_instrument_file(file: Path, org: str, purpose: str = "") -> InstrumentDefinition:
    """Read, check and keep an organisation's instrument (of ``purpose``, when given), or
    exit listing every problem; for ``accord survey load-instrument`` and ``accord
    leadership load-framework``."""
    organisation = start(org)
    from accord.surveys.instruments import InstrumentError
    from accord.surveys.services import load_organisation_instrument

    try:
        source = read_file_or_exit(file).decode("utf-8")
    except UnicodeDecodeError:
        raise fail(f"FILE: {file} is not UTF-8 text.") from None
    try:
        return load_organisation_instrument(
            organisation=organisation, source=source, loaded_by=None, purpose=purpose
        )
    except InstrumentError as error:
        print_problems(
            f"{len(error.problems)} problem(s) in {file.name}; nothing was loaded.",
            [str(problem) for problem in error.problems],
        )
        raise typer.Exit(1) from None
