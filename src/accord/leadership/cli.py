"""`accord leadership ...`: load an organisation's own 360 framework, start a cohort, follow
its progress (steps and counts, never who answered or what), remind raters who have not
answered, and finish the rounds that have closed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo

import typer
from rich.table import Table

from accord.cli_support import fail, print_problems, read_file_or_exit, say, start
from accord.surveys.cli import load_instrument_file

if TYPE_CHECKING:
    from accord.leadership.visibility import LeadershipScope
    from accord.org.models import Organisation

leadership_app = typer.Typer(
    help="Leaders' 360s: frameworks, cohorts, progress and reminders.", no_args_is_help=True
)

Org = Annotated[str, typer.Option("--org", help="Organisation slug.")]


def _admin_scope(organisation: Organisation) -> LeadershipScope:
    from accord.access.models import Membership, Role
    from accord.access.scopes import Scope
    from accord.leadership.visibility import LeadershipScope

    return LeadershipScope(Scope(Membership(organisation=organisation, role=Role.ADMIN)))


@leadership_app.command("load-framework")
def leadership_load_framework(
    file: Annotated[Path, typer.Argument(help="A 360 framework (YAML, docs/instrument.md).")],
    org: Org,
) -> None:
    """Load the organisation's own 360 framework (purpose: leadership-360); a published
    version never changes."""
    from accord.surveys.instruments import LEADERSHIP_360

    definition = load_instrument_file(file, org, purpose=LEADERSHIP_360)
    say(f"Loaded the 360 framework {definition.instrument_id} version {definition.version}.")


@leadership_app.command("start-cohort")
def leadership_start_cohort(
    org: Org,
    name: Annotated[str, typer.Option("--name", help="For example “Department chairs 2027”.")],
    leaders: Annotated[Path, typer.Option("--leaders", help="A file: one HR id or email per line.")],
    answer_by: Annotated[str, typer.Option("--answer-by", help="YYYY-MM-DD: raters answer by this day.")],
    minimum: Annotated[int, typer.Option("--minimum", help="Fewest raters a group is shown with (3 or more).")] = 3,
    coached: Annotated[bool, typer.Option("--coached", help="Each report goes to the leader's coach first.")] = False,
    framework: Annotated[str, typer.Option("--framework", help="ID:VERSION of a loaded framework; Accord's own by default.")] = "",
) -> None:  # fmt: skip
    """Start a 360 for each leader listed: each is emailed to choose their raters."""
    organisation = start(org)
    from accord.leadership import services
    from accord.leadership.errors import LeadershipError
    from accord.org.selectors import people_by_key

    try:
        day = dt.date.fromisoformat(answer_by)
    except ValueError:
        raise fail(f"--answer-by: {answer_by!r} is not a date like 2027-03-31.") from None
    key = None
    if framework:
        framework_id, _, version = framework.partition(":")
        if not version.isdigit():
            raise fail(f"--framework: {framework!r} is not ID:VERSION, e.g. my-360:1.")
        key = (framework_id, int(version))
    try:
        lines = read_file_or_exit(leaders, option="--leaders").decode("utf-8").splitlines()
    except UnicodeDecodeError:
        raise fail(f"--leaders: {leaders} is not UTF-8 text.") from None
    found = people_by_key(organisation, lines)
    subjects, missing = [], []
    for number, line in enumerate(lines, start=1):
        text = line.strip()
        if not text:
            continue
        person = found.get(text)
        if person is None:
            missing.append(
                f"line {number}: no one in the org chart has the HR id or email {text!r}"
            )
        else:
            subjects.append(person)
    if missing:
        print_problems(f"{len(missing)} leader(s) not found in {leaders.name}; nothing was "
                       "started.", missing)  # fmt: skip
        raise typer.Exit(1)
    zone = ZoneInfo(organisation.time_zone)
    try:
        cohort = services.start_cohort(
            lscope=_admin_scope(organisation), actor=None, name=name,
            subjects=subjects, answer_by=dt.datetime.combine(day, dt.time(23, 59), tzinfo=zone),
            minimum=minimum, coached=coached, framework=key, via="command line",
        )  # fmt: skip
    except LeadershipError as error:
        options = {"name": "--name", "subjects": "--leaders", "answer_by": "--answer-by",
                   "min_group_size": "--minimum", "framework": "--framework"}  # fmt: skip
        raise fail("; ".join(f"{options.get(f or '', '')}: {m}".lstrip(": ")
                             for f, m in error.problems)) from None  # fmt: skip
    say(f"Started {cohort.name!r} (cohort {cohort.pk}): {len(subjects)} leader(s) are asked to "
        "choose their raters.")  # fmt: skip


@leadership_app.command("progress")
def leadership_progress(
    org: Org,
    cohort_id: Annotated[int, typer.Option("--cohort", help="Cohort id (accord leadership progress lists them).")] = 0,
) -> None:  # fmt: skip
    """Cohorts, or one cohort's leaders: each one's step, raters asked and — from the group
    minimum up — how many have answered. Never who."""
    organisation = start(org)
    from django.http import Http404

    from accord.leadership import selectors

    lscope = _admin_scope(organisation)
    if not cohort_id:
        table = Table("id", "cohort", "leaders", "released", "answer by", box=None)
        for c in selectors.cohorts(lscope):
            table.add_row(str(c.pk), c.name, str(c.leaders), str(c.released),  # type: ignore[attr-defined]
                          f"{c.answer_by:%Y-%m-%d}")  # fmt: skip
        say(table)
        return
    try:
        cohort = lscope.cohort_of(cohort_id)
    except Http404:
        raise fail(f"--cohort: no cohort {cohort_id} in {org!r}.") from None
    table = Table("leader", "step", "asked", "answered", box=None)
    for line in selectors.cohort_progress(lscope, cohort):
        answered = (str(line.answered) if line.answered is not None
                    else f"<{line.review.min_group_size}" if line.review.cycle_id else "-")  # fmt: skip
        table.add_row(line.review.subject.name, line.review.get_status_display(),
                      str(line.asked), answered)  # fmt: skip
    say(table)


@leadership_app.command("remind")
def leadership_remind(
    org: Org,
    cohort_id: Annotated[int, typer.Option("--cohort", help="Cohort id.")],
) -> None:
    """Remind now, by email, every rater of the cohort's open rounds who has not answered
    (once a day at most; who was reminded is not recorded)."""
    organisation = start(org)
    from django.http import Http404
    from django.utils import timezone

    from accord.leadership.models import ReviewStatus
    from accord.surveys.services import send_reminders

    lscope = _admin_scope(organisation)
    try:
        cohort = lscope.cohort_of(cohort_id)
    except Http404:
        raise fail(f"--cohort: no cohort {cohort_id} in {org!r}.") from None
    now = timezone.now()
    rounds = 0
    for review in cohort.reviews.filter(status=ReviewStatus.COLLECTING).select_related("cycle"):
        cycle = review.cycle
        if cycle is None:
            continue
        day = max(1, (now - cycle.opens_at).days)
        # How many were waiting is not said: below the group minimum it would tell who answered.
        send_reminders(cycle=cycle, day=day, now=now)
        rounds += 1
    say(f"Reminded the raters who have not answered, in {rounds} open round(s).")


@leadership_app.command("finish")
def leadership_finish() -> None:
    """Compute the reports of rounds that have closed (the worker does it every minute)."""
    from accord.cli_support import setup_django

    setup_django()
    from accord.leadership.closing import finish_closed_reviews

    finished = finish_closed_reviews()
    say(f"Finished {len(finished)} 360(s).")
