"""What every `accord ...` command shares: setting Django up, the consoles, the error
printer, and "this id in this organisation, or exit naming the option".

Each app's ``cli.py`` imports from here and nothing imports from ``accord.cli``, which only
assembles the commands. Models are imported inside commands, after :func:`start` (or
:func:`setup_django`) has configured Django: the ``accord`` command must start, and show its
help, in a shell where nothing is configured yet.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

if TYPE_CHECKING:
    from django.core.exceptions import ValidationError
    from django.db.models import QuerySet

    from accord.org.models import Organisation

console = Console()
errors = Console(stderr=True)

# Ids are 64-bit: a larger number names nothing, and must not reach the database as one.
LARGEST_ID = 2**63 - 1
M = TypeVar("M", bound=Any)  # a model with an organisation


def setup_django(*, demo: bool = False) -> None:
    if demo:
        os.environ.setdefault("ACCORD_DEMO", "true")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accord.settings")
    import django
    from django.apps import apps
    from django.core.exceptions import ImproperlyConfigured

    if apps.ready:  # run in a process that has Django already (tests): leave its logging be
        return
    try:
        django.setup()
    except ImproperlyConfigured as error:
        raise fail(f"configuration: {error}") from None


def migrate_quietly() -> None:
    """Create or upgrade the database tables (after :func:`setup_django`)."""
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print ``Error: message`` on standard error; raise what this returns."""
    # Never wrapped: a path or slug split across lines is hard to read and to copy.
    errors.print(f"[bold red]Error:[/] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def fail_with_fields(error: ValidationError, option_for_field: Mapping[str, str]) -> typer.Exit:
    """Every field's message on its own line, named by the option that sets it; exit 1."""
    for field, messages in error.message_dict.items():
        for message in messages:
            errors.print(
                f"[bold red]Error:[/] {option_for_field.get(field, field)}: {message}",
                highlight=False,
                soft_wrap=True,
            )
    return typer.Exit(1)


def print_problems(headline: str, problems: list[str], total: int | None = None) -> None:
    """A file's problems, one per line and never wrapped: admins grep and diff this list."""
    errors.print(f"[bold red]{headline}[/]", highlight=False)
    for problem in problems:
        errors.print(f"  {problem}", highlight=False, markup=False, soft_wrap=True)
    if total is not None and total > len(problems):
        errors.print(f"  … and {total - len(problems)} more.")


def say(renderable: object) -> None:
    """Print to standard output: a sentence as written (never wrapped, so names and paths
    can be copied), or a rich table fitted to the terminal."""
    if isinstance(renderable, str):
        console.print(renderable, highlight=False, soft_wrap=True)
    else:
        console.print(renderable)


def organisation_or_exit(slug: str) -> Organisation:
    from accord.org.models import Organisation

    organisation = Organisation.objects.filter(slug=slug).first()
    if organisation is None:
        raise fail(f"--org: no organisation with the slug {slug!r}.")
    return organisation


def start(org: str) -> Organisation:
    """Set Django up and find the organisation the command works in."""
    setup_django()
    return organisation_or_exit(org)


def in_organisation_or_exit(
    rows: type[M] | QuerySet[M],
    organisation: Organisation,
    pk: int,
    *,
    option: str,
    noun: str,
    through: str = "organisation",
) -> M:
    """Row ``pk`` of a model (or a query) in the organisation — reached ``through`` that
    field — or exit naming the option: an id of another organisation reads exactly like one
    that names nothing."""
    query = rows.objects.all() if isinstance(rows, type) else rows
    found = query.filter(**{through: organisation}, pk=pk).first() if 0 < pk <= LARGEST_ID else None
    if found is None:
        raise fail(f"{option}: no {noun} {pk} in {organisation.slug!r}.")
    return found


def read_file_or_exit(path: Path, *, option: str = "FILE") -> bytes:
    if not path.is_file():
        raise fail(f"{option}: {path} does not exist or is not a file.")
    try:
        return path.read_bytes()
    except OSError as error:
        raise fail(f"{option}: cannot read {path}: {error.strerror}.") from None


def write_file_or_exit(path: Path, content: bytes, *, option: str = "--out") -> None:
    try:
        path.write_bytes(content)
    except OSError as error:
        raise fail(f"{option}: cannot write {path}: {error.strerror}.") from None


class ImportProgress:
    """Shows an import's phases as rich progress bars (the import calls it per phase)."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.tasks: dict[str, TaskID] = {}

    def __call__(self, phase: str, done: int, total: int) -> None:
        if phase not in self.tasks:
            self.tasks[phase] = self.progress.add_task(phase, total=total or None)
        self.progress.update(self.tasks[phase], completed=done, total=total or None)


def progress_bar() -> Progress:
    return Progress(
        TextColumn("{task.description:>16}"),
        BarColumn(),
        TextColumn("{task.completed:,}"),
        TimeElapsedColumn(),
        console=errors,
        transient=False,
    )
