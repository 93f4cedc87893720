"""The `accord` command: run, serve, import and administer Accord."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, BinaryIO

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from accord.goals.cli import goals_app, team_app
from accord.insights.cli import report_app
from accord.surveys.cli import survey_app

if TYPE_CHECKING:
    from accord.org.models import Organisation

app = typer.Typer(
    help="Accord: alignment and clinician-executive trust for health systems.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
token_app = typer.Typer(help="Personal access tokens for the HTTP API.", no_args_is_help=True)
app.add_typer(token_app, name="token")
profession_app = typer.Typer(help="An organisation's list of professions.", no_args_is_help=True)
app.add_typer(profession_app, name="profession")
app.add_typer(goals_app, name="goals")
app.add_typer(team_app, name="team")
app.add_typer(survey_app, name="survey")
app.add_typer(report_app, name="report")
console = Console()
errors = Console(stderr=True)


def _setup_django(*, demo: bool = False) -> None:
    if demo:
        os.environ.setdefault("DEBUG", "true")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accord.settings")
    import django
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except ImproperlyConfigured as error:
        raise _fail(f"configuration: {error}") from None


def _fail(message: str, code: int = 1) -> typer.Exit:
    # Never wrapped: a path or slug split across lines is hard to read and to copy.
    errors.print(f"[bold red]Error:[/] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def _migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


class _ImportProgress:
    """Shows import phases as rich progress bars."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.tasks: dict[str, TaskID] = {}

    def __call__(self, phase: str, done: int, total: int) -> None:
        if phase not in self.tasks:
            self.tasks[phase] = self.progress.add_task(phase, total=total or None)
        task = self.tasks[phase]
        self.progress.update(task, completed=done, total=total or None)


def _progress_bar() -> Progress:
    return Progress(
        TextColumn("{task.description:>16}"),
        BarColumn(),
        TextColumn("{task.completed:,}"),
        TimeElapsedColumn(),
        console=errors,
        transient=False,
    )


@app.command()
def migrate() -> None:
    """Create or upgrade the database tables."""
    _setup_django()
    _migrate()
    console.print("Database is up to date.")


@app.command("create-org")
def create_org(
    name: Annotated[str, typer.Argument(help="The organisation's name.")],
    slug: Annotated[str, typer.Option(help="Short name used in web addresses.")] = "",
    time_zone: Annotated[str, typer.Option(help="IANA time zone, e.g. America/New_York.")] = "UTC",
) -> None:
    """Create an organisation with the default unit kinds and professions."""
    _setup_django()
    import zoneinfo

    from accord.org.services import OrganisationError, create_organisation

    if time_zone not in zoneinfo.available_timezones():
        raise _fail(f"--time-zone: unknown time zone {time_zone!r}.")
    try:
        organisation = create_organisation(name=name, slug=slug, time_zone=time_zone)
    except OrganisationError as error:
        raise _fail(str(error)) from None
    console.print(f"Created {organisation.name} (slug: {organisation.slug}).")


@app.command("import-org")
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
    _setup_django()
    from accord.org.importing import ImportFileError
    from accord.org.services import import_org_chart

    organisation = _organisation(org)
    if not file.is_file():
        raise _fail(f"FILE: {file} does not exist or is not a file.")
    try:
        content = file.read_bytes()
    except OSError as error:
        raise _fail(f"FILE: cannot read {file}: {error.strerror}.") from None
    with _progress_bar() as progress:
        try:
            plan = import_org_chart(
                organisation=organisation,
                filename=file.name,
                content=content,
                deactivate_missing=deactivate_missing,
                dry_run=dry_run,
                progress=_ImportProgress(progress),
            )
        except ImportFileError as error:
            progress.stop()
            errors.print(
                f"[bold red]{error.total} problem(s) in {file.name}; nothing was imported.[/]",
                highlight=False,
            )
            for issue in error.issues:
                # One problem per line, never wrapped: admins grep and diff this list.
                errors.print(f"  {issue}", highlight=False, markup=False, soft_wrap=True)
            if error.total > len(error.issues):
                errors.print(f"  … and {error.total - len(error.issues)} more.")
            raise typer.Exit(1) from None
    summary = plan.summary()
    columns = ("rows", "create", "update", "unchanged", "deactivate", "new_units")
    table = Table(title="Dry run: nothing was written" if dry_run else "Imported")
    for column in columns:
        table.add_column(column.replace("_", " "), justify="right")
    table.add_row(*(f"{summary[c]:,}" for c in columns))
    console.print(table)
    if summary["new_unit_kinds"]:
        console.print(f"New unit kinds: {', '.join(summary['new_unit_kinds'])}")


@app.command("generate-demo")
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
    from accord.demo.generator import generate_demo_roster

    if out is not None:
        if out.suffix.lower() not in (".csv", ".xlsx"):
            raise _fail("--out: the file name must end in .csv or .xlsx.")
        try:
            handle = out.open("wb")
        except OSError as error:
            raise _fail(f"--out: cannot write {out}: {error.strerror}.") from None
        roster = generate_demo_roster(people=people, seed=seed, system_name=name)
        with handle:
            if out.suffix.lower() == ".csv":
                handle.write(roster.to_csv())
            else:
                _write_xlsx(handle, roster.rows)
        console.print(f"Wrote {len(roster.rows):,} people to {out}.")
        return
    _setup_django(demo=True)
    _migrate()
    _seed_and_print(org=org, name=name, people=people, seed=seed)


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


def _seed_and_print(*, org: str, name: str, people: int, seed: int) -> None:
    from accord.demo.services import DEMO_PASSWORD, demo_logins, seed_demo
    from accord.org.models import Organisation
    from accord.org.services import OrganisationError

    if Organisation.objects.filter(slug=org).exists():
        logins = demo_logins(org)
        console.print(f"The demo organisation {org!r} already exists; keeping it.")
    else:
        console.print(f"Generating {name} with {people:,} people (seed {seed})…")
        with _progress_bar() as progress:
            try:
                logins = seed_demo(
                    slug=org,
                    name=name,
                    people=people,
                    seed=seed,
                    progress=_ImportProgress(progress),
                )
            except OrganisationError as error:
                raise _fail(str(error)) from None
    table = Table(title=f"Demo logins (password for all: {DEMO_PASSWORD})")
    table.add_column("role")
    table.add_column("email (sign in with this)", no_wrap=True)
    table.add_column("title")
    for login in logins:
        table.add_row(login.role_label, login.email, login.title)
    console.print(table)


@app.command()
def demo(
    people: Annotated[
        int, typer.Option(min=50, max=300_000, help="Size of the demo system.")
    ] = 2000,
    seed: Annotated[int, typer.Option(help="Same seed, same health system.")] = 7,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    serve_after: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Start the server.")
    ] = True,
) -> None:
    """Migrate, generate the demo health system if it is not there, print logins and serve."""
    _setup_django(demo=True)
    _migrate()
    _seed_and_print(org="riverside", name="Riverside Health", people=people, seed=seed)
    if serve_after:
        console.print(f"Serving Accord on http://{host}:{port}/ — press Ctrl+C to stop.")
        _run_server(host=host, port=port, workers=2, with_worker=True)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, max=64, help="gunicorn worker processes.")] = 2,
) -> None:
    """Serve Accord with gunicorn (static files through WhiteNoise)."""
    _setup_django()
    from django.conf import settings
    from django.core.management import call_command

    if not settings.DEBUG:
        call_command("collectstatic", interactive=False, verbosity=0)
    _run_server(host=host, port=port, workers=workers, with_worker=False)


def _run_server(*, host: str, port: int, workers: int, with_worker: bool) -> None:
    children: list[subprocess.Popen[Any]] = []
    if with_worker:
        children.append(subprocess.Popen([sys.executable, "-m", "accord.cli", "worker"]))
    # Arguments are Accord's own plus a validated host and port: no shell is involved.
    server = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "gunicorn",
            "accord.wsgi:application",
            "--bind",
            f"{host}:{port}",
            "--workers",
            str(workers),
            "--threads",
            "4",
            "--access-logfile",
            "-",
            "--access-logformat",
            '%(h)s "%(m)s %(U)s" %(s)s %(L)ss',
            "--logger-class",
            "accord.core.gunicorn_logging.AccordAccessLogger",
        ]
    )
    children.append(server)

    def stop(*_: object) -> None:
        for child in children:
            if child.poll() is None:
                child.terminate()

    signal.signal(signal.SIGTERM, stop)
    try:
        server.wait()
    except KeyboardInterrupt:
        pass
    finally:
        stop()
        for child in children:
            child.wait(timeout=15)


@app.command()
def worker(
    check: Annotated[
        bool, typer.Option(help="Send one task through the queue, wait for it and exit.")
    ] = False,
) -> None:
    """Run the task queue worker (Huey): emails, reminders, scheduled closes."""
    _setup_django()
    from django.core.management import call_command

    if check:
        from accord.notify.tasks import queue_echo

        result = queue_echo("ok")
        try:
            value = result.get(blocking=True, timeout=30)
        except Exception:
            raise _fail("no worker answered within 30 seconds.") from None
        console.print(f"Queue round trip: {value}")
        return
    call_command("run_huey")


@app.command()
def grant(
    email: Annotated[str, typer.Argument(help="Login email (created if new).")],
    org: Annotated[str, typer.Option("--org", help="Organisation slug.")],
    role: Annotated[str, typer.Option(help="admin, executive, leader or member.")],
    person: Annotated[str, typer.Option(help="External id of the person this login is.")] = "",
) -> None:
    """Give a login a role in an organisation. Set the password with the reset link."""
    _setup_django()
    from accord.access.services import AccessError, grant_membership
    from accord.org.models import Person

    organisation = _organisation(org)
    person_obj = None
    if person:
        person_obj = Person.objects.filter(organisation=organisation, external_id=person).first()
        if person_obj is None:
            raise _fail(f"--person: no person with external id {person!r} in {org!r}.")
    try:
        membership = grant_membership(
            organisation=organisation, email=email, role=role, person=person_obj
        )
    except AccessError as error:
        raise _fail(str(error)) from None
    console.print(f"{membership}.")


def _organisation(slug: str) -> Organisation:
    from accord.org.models import Organisation

    organisation = Organisation.objects.filter(slug=slug).first()
    if organisation is None:
        raise _fail(f"--org: no organisation with the slug {slug!r}.")
    return organisation


@profession_app.command("list")
def profession_list(org: Annotated[str, typer.Option("--org", help="Organisation slug.")]) -> None:
    """The professions an org-chart file may use, with their default role group."""
    _setup_django()
    table = Table(title="Professions")
    table.add_column("profession")
    table.add_column("default role group")
    table.add_column("people", justify="right")
    from django.db.models import Count

    for profession in _organisation(org).professions.annotate(people_count=Count("people")):
        table.add_row(
            profession.name, profession.default_role_group, f"{profession.people_count:,}"
        )
    console.print(table)


@profession_app.command("add")
def profession_add(
    name: Annotated[str, typer.Argument(help="e.g. 'Respiratory therapist'.")],
    org: Annotated[str, typer.Option("--org", help="Organisation slug.")],
    role_group: Annotated[str, typer.Option(help="clinician, administrator or other.")],
) -> None:
    """Add a profession that org-chart files may then use."""
    _setup_django()
    from accord.org.services import OrganisationError, add_profession

    try:
        profession = add_profession(
            organisation=_organisation(org), name=name, default_role_group=role_group
        )
    except OrganisationError as error:
        raise _fail(str(error)) from None
    console.print(f"Added the profession {profession.name!r}.")


@token_app.command("create")
def token_create(
    email: Annotated[str, typer.Argument(help="Login the token acts as.")],
    org: Annotated[str, typer.Option("--org", help="Organisation slug.")],
    name: Annotated[str, typer.Option(help="What will use the token.")],
    expires_in_days: Annotated[int | None, typer.Option(min=1, max=3650)] = None,
) -> None:
    """Create a personal access token and print it once."""
    _setup_django()
    from accord.access.models import Membership
    from accord.access.services import AccessError, issue_api_token

    membership = Membership.objects.filter(
        user__email__iexact=email, organisation__slug=org
    ).first()
    if membership is None:
        raise _fail(f"{email} has no membership in {org!r}.")
    try:
        _, plaintext = issue_api_token(
            membership=membership, name=name, expires_in_days=expires_in_days
        )
    except AccessError as error:
        raise _fail(str(error)) from None
    console.print(plaintext, highlight=False)


@app.command(
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
)
def manage(ctx: typer.Context) -> None:
    """Run a Django management command, e.g. `accord manage check --deploy`."""
    _setup_django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["accord manage", *ctx.args])


def main() -> None:
    app()


if __name__ == "__main__":
    main()
