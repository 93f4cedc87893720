"""`accord charter ...`: the organisation's team charters for the server's operator — where
each stands, the charters' clock run now with a nudge to whoever has a step waiting, and the
charter in force written out as PDF, JSON or Markdown.

The operator reads charters as a program admin does: the charter in force and where each
stands, never a draft's comments, a values answer or a norm rating. Every refusal exits 2 with
``Error: --option: …`` on standard error.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from accord.cli_support import fail, say, start

if TYPE_CHECKING:
    from accord.charters.models import Charter, Version
    from accord.charters.selectors import VersionView
    from accord.charters.visibility import CharterScope
    from accord.org.models import Organisation, Person

charter_app = typer.Typer(
    help="Team charters: where each stands, reminders, the charter in force as PDF, JSON or "
    "Markdown.",
    no_args_is_help=True,
)

# A refusal of these commands: bad input, or nothing to do it to (a usage error's code).
REFUSED = 2
JSON_FORMAT = "accord.charter/1"
# The team a charter is for, in the list's narrow column.
SHORT_KIND = {"unit": "unit", "leadership_team": "leaders", "group": "group"}

Org = Annotated[str, typer.Option("--org", help="Organisation slug.")]


class Stage(StrEnum):
    drafting = "drafting"
    endorsing = "endorsing"
    in_force = "in-force"
    revisit = "revisit"


class Format(StrEnum):
    pdf = "pdf"
    json = "json"
    md = "md"


def _stage_key(label: str) -> Stage:
    """The stage ``selectors.stage_of`` names, as ``--stage`` names it: a charter in force
    with a new draft in progress is in force."""
    from accord.charters.selectors import Stage as Shown

    return {
        Shown.DRAFTING: Stage.drafting,
        Shown.ENDORSING: Stage.endorsing,
        Shown.REVISITING: Stage.revisit,
    }.get(label, Stage.in_force)


def _refuse(message: str) -> typer.Exit:
    return fail(message, code=REFUSED)


def _organisation(org: str) -> Organisation:
    """Django set up and the organisation found, or exit 2 naming ``--org``."""
    try:
        return start(org)
    except typer.Exit as refused:  # cli_support has said why (exit 1 there)
        raise typer.Exit(REFUSED if refused.exit_code else 0) from None


def _admin_scope(organisation: Organisation) -> CharterScope:
    """The operator reads charters as a program admin of the organisation."""
    from accord.access.models import Membership, Role
    from accord.access.scopes import Scope
    from accord.charters.visibility import CharterScope

    return CharterScope(Scope(Membership(organisation=organisation, role=Role.ADMIN)))


def _charter_or_exit(organisation: Organisation, charter_id: int) -> Charter:
    from django.http import Http404

    try:
        return _admin_scope(organisation).charter_of(charter_id)
    except Http404:
        raise _refuse(f"--charter: no charter {charter_id} in {organisation.slug!r}.") from None


def _day(value: dt.date | None) -> str:
    return value.isoformat() if value is not None else ""


# --- list ---------------------------------------------------------------------------------------


def _rows(organisation: Organisation) -> list[dict[str, Any]]:
    """Each charter of the organisation: where it stands, never what anyone wrote."""
    from django.db.models import Count, Q

    from accord.charters import selectors, state
    from accord.charters.models import VersionStatus

    charters = (
        _admin_scope(organisation)
        .readable()
        .annotate(members=Count("memberships", filter=Q(memberships__left_at__isnull=True)))
        .order_by("name", "pk")
    )
    rows = []
    for charter in charters:
        label = selectors.stage_of(charter)
        working = state.working_version(charter)
        agreement = None
        if working is not None and working.status == VersionStatus.PROPOSED:
            endorsed, members = state.agreement_of(charter, working)
            agreement = {"endorsed": endorsed, "members": members}
        rows.append({
            "id": charter.pk,
            "name": charter.name,
            "team_kind": charter.kind,
            "facilitator": charter.facilitator.name,
            "stage": _stage_key(label).value,
            "stage_label": label,
            "members": charter.members,
            "proposed_version": agreement,
            "next_revisit": charter.next_revisit_on.isoformat() if charter.next_revisit_on else None,
            "recharter": bool(charter.recharter_reason),
            "recharter_reason": charter.recharter_reason,
        })  # fmt: skip
    return rows


@charter_app.command("list")
def charter_list(
    org: Org,
    stage: Annotated[
        Stage | None,
        typer.Option(
            "--stage",
            help="Only the charters at this stage (in-force: with or "
            "without a new draft in progress).",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON on standard output.")] = False,
) -> None:
    """Every charter of the organisation: its team, facilitator, stage, members, how many
    endorsed a proposed version, the next revisit, and whether the team has changed enough
    to charter again. Never a values answer, a rating or a comment."""
    organisation = _organisation(org)
    rows = [r for r in _rows(organisation) if stage is None or r["stage"] == stage.value]
    if as_json:
        sys.stdout.write(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
        return
    if not rows:
        say("No charters." if stage is None else f"No charter is at the stage {stage.value!r}.")
        return
    table = Table(box=None)
    # In a narrow terminal names and stages wrap, a long word folded, never cut; ids, counts
    # and dates stay whole.
    for header in ("Id", "Charter", "Team", "Facilitator", "Stage", "Members", "Endorsed",
                   "Next revisit", "Re-charter"):  # fmt: skip
        if header in ("Charter", "Facilitator", "Stage"):
            table.add_column(header, overflow="fold")
        else:
            table.add_column(header, no_wrap=True, min_width=min(len(header), 10))
    for row in rows:
        proposed = row["proposed_version"]
        table.add_row(
            str(row["id"]), row["name"], SHORT_KIND.get(row["team_kind"], row["team_kind"]), row["facilitator"],
            row["stage_label"], str(row["members"]),
            f"{proposed['endorsed']}/{proposed['members']}" if proposed else "-",
            row["next_revisit"] or "-", "yes" if row["recharter"] else "no",
        )  # fmt: skip
    say(table)


# --- remind -------------------------------------------------------------------------------------


def _names(people: list[Person]) -> str:
    return ", ".join(p.name if p.email else f"{p.name} (no email address)" for p in people)


def _just_reminded(charter: Charter, now: dt.datetime) -> bool:
    """Whether the clock run a moment ago sent this charter's one reminder itself."""
    from accord.charters import state

    working = state.working_version(charter)
    revisit = state.open_revisit_of(charter)
    return (working is not None and working.reminded_at == now) or (
        revisit is not None and revisit.reminded_at == now
    )


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


@charter_app.command("remind")
def charter_remind(
    org: Org,
    charter_id: Annotated[
        int | None,
        typer.Option(
            "--charter",
            help="Ask this charter's members again now (accord charter list shows the ids).",
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="List who has a step waiting; send nothing.")
    ] = False,
) -> None:
    """Run the charters' clock now (members kept in step with their teams, adoption after the
    week of grace, revisits opened and closed, the one reminder due) and, with --charter, ask
    again now every member with a step waiting on that charter: values, endorsement or
    revisit. Names who was asked, never what anyone wrote."""
    organisation = _organisation(org)
    from django.utils import timezone

    from accord.charters import selectors, services

    charter = _charter_or_exit(organisation, charter_id) if charter_id is not None else None
    if dry_run:
        say("Dry run: nothing was sent, and the clock did not run.")
        charters = [charter] if charter is not None else list(
            _admin_scope(organisation).readable().order_by("name", "pk")
        )  # fmt: skip
        anyone = False
        for one in charters:
            waiting = services.waiting_members(one)
            private = services.waiting_privately(one)
            stage = selectors.stage_of(one).lower()
            if waiting:
                anyone = True
                say(f"{one.name} (charter {one.pk}, {stage}): "
                    f"{_plural(len(waiting), 'member')} would be asked: {_names(waiting)}.")  # fmt: skip
            if private:
                anyone = True
                say(f"{one.name} (charter {one.pk}, {stage}): {_plural(private, 'member')} "
                    "would be asked the private questions (never named).")  # fmt: skip
        if not anyone:
            say("Nobody has a step waiting." if charter is not None
                else "Nobody has a step waiting on any charter.")  # fmt: skip
        return

    now = timezone.now()
    done = services.keep_charters(now, organisation=organisation)
    say(f"Ran the charters' clock for {organisation.name}: "
        f"{_plural(done['members'], 'member')} joined or left, {done['adopted']} adopted, "
        f"{_plural(done['opened'], 'revisit')} opened and {done['closed']} closed, "
        f"{_plural(done['reminded'], 'reminder')} sent.")  # fmt: skip
    if charter is None:
        say("Name a charter with --charter to ask its members again now.")
        return
    waiting = services.waiting_members(charter)
    private = services.waiting_privately(charter)
    if not waiting and not private:
        say(f"Nobody has a step waiting on {charter.name} (charter {charter.pk}): "
            "nobody was asked.")  # fmt: skip
        return
    if done["reminded"] and _just_reminded(charter, now):
        # The clock's reminder went to the same people a moment ago: not a second email.
        say(f"The clock has just reminded {_plural(len(waiting), 'member')} of {charter.name} "
            f"(charter {charter.pk}): {_names(waiting)}.")  # fmt: skip
        return
    asked = services.remind_now(charter=charter)
    named = f": {_names(waiting)}" if waiting else ""
    hidden = (f" ({_plural(private, 'member')} for the private questions, never named)"
              if private else "")  # fmt: skip
    say(f"Asked again {_plural(asked, 'member')} of {charter.name} (charter {charter.pk})"
        f"{named}{hidden}.")  # fmt: skip


# --- export -------------------------------------------------------------------------------------


def _adopted_on(version: Version, organisation: Organisation) -> dt.date | None:
    from django.utils import timezone

    if version.adopted_at is None:
        return None
    return timezone.localtime(version.adopted_at, organisation.zone).date()


def as_json(charter: Charter, view: VersionView, organisation: Organisation) -> dict[str, Any]:
    return {
        "format": JSON_FORMAT,
        "organisation": organisation.slug,
        "charter": charter.pk,
        "name": charter.name,
        "team_kind": charter.kind,
        "facilitator": charter.facilitator.name,
        "version": view.version.number,
        "adopted": _day(_adopted_on(view.version, organisation)) or None,
        "next_revisit": _day(charter.next_revisit_on) or None,
        "vision": view.vision,
        "goals": [{"text": g.text, "measure": g.measure, "goal_id": g.goal_id} for g in view.goals],
        "norms": [{"text": text, "how_we_notice": signs} for _, text, signs in view.norms],
        "roles": [{"what": r.what, "owner": r.owner} for r in view.roles],
    }


# Characters Markdown would read as markup (or HTML) inside someone's words.
_MARKUP = re.compile(r"([\\`*_\[\]<>|#])")
_LINE_START = re.compile(r"^(\s*)([+\-=]|\d+(?=[.)]))", re.MULTILINE)


def md_text(text: str) -> str:
    """Someone's words as Markdown shows them: never a heading, a list, a link or HTML."""
    escaped = _MARKUP.sub(r"\\\1", text.strip())
    return _LINE_START.sub(lambda m: f"{m[1]}{m[2]}\\" if m[2][0].isdigit() else
                           f"{m[1]}\\{m[2]}", escaped)  # fmt: skip


def _one_line(text: str) -> str:
    return " ".join(md_text(text).split())


def _long_day(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def as_markdown(charter: Charter, view: VersionView, organisation: Organisation) -> str:
    adopted = _adopted_on(view.version, organisation)
    meta = f"Our team charter · version {view.version.number}"
    if adopted is not None:
        meta += f", adopted {_long_day(adopted)}"
    if charter.next_revisit_on is not None:
        meta += f" · next revisit {_long_day(charter.next_revisit_on)}"
    lines = [f"# {_one_line(charter.name)}", "", f"_{meta}_", "", "## Why we exist", ""]
    lines += [md_text(line) for line in view.vision.strip().splitlines()]
    if view.goals:
        lines += ["", "## What we are working towards", ""]
        lines += [f"- {_one_line(g.text)}" + (f" — {_one_line(g.measure)}" if g.measure else "")
                  for g in view.goals]  # fmt: skip
    lines += ["", "## How we work together", ""]
    for n, (_, text, signs) in enumerate(view.norms, start=1):
        lines.append(f"{n}. {_one_line(text)}")
        if signs.strip():
            lines.append(f"   How we notice: {_one_line(signs)}")
    lines += ["", "## Who does what", "", "| Responsibility | Who |", "|---|---|"]
    lines += [f"| {_one_line(r.what)} | {_one_line(r.owner)} |" for r in view.roles]
    return "\n".join(lines) + "\n"


@charter_app.command("export")
def charter_export(
    org: Org,
    charter_id: Annotated[int, typer.Option("--charter", help="The charter's id (accord charter list).")],
    out: Annotated[Path, typer.Option("--out", help="The file to write.")],
    format: Annotated[
        Format | None,
        typer.Option("--format", help="pdf (one page for the team room), json or md; by "
                     "default the --out file's extension."),
    ] = None,
) -> None:  # fmt: skip
    """Write the charter in force — vision, goals, norms, who does what, the version, when it
    was adopted and the next revisit — as a one-page PDF, JSON or Markdown."""
    if format is None:
        suffix = out.suffix.lower().lstrip(".")
        if suffix not in {f.value for f in Format}:
            raise _refuse(f"--format: choose pdf, json or md (or name an --out file ending in "
                          f".pdf, .json or .md; {out.name!r} does not).")  # fmt: skip
        format = Format(suffix)
    organisation = _organisation(org)
    from django.utils.timezone import override as override_zone

    from accord.charters.pdf import charter_pdf
    from accord.charters.selectors import version_view
    from accord.charters.state import version_in_force
    from accord.pdf import PdfUnavailable

    charter = _charter_or_exit(organisation, charter_id)
    in_force = version_in_force(charter)
    if in_force is None:
        raise _refuse(f"--charter: {charter.name} (charter {charter.pk}) has no charter in "
                      "force yet: the team has not adopted one, so there is nothing to export.")  # fmt: skip
    if format is Format.pdf:
        try:
            with override_zone(organisation.zone):  # dates on the organisation's clock
                content = charter_pdf(charter)
        except PdfUnavailable as error:
            raise fail(str(error)) from None
    elif format is Format.json:
        exported = as_json(charter, version_view(in_force), organisation)
        content = (json.dumps(exported, indent=2, ensure_ascii=False) + "\n").encode()
    else:
        content = as_markdown(charter, version_view(in_force), organisation).encode()
    try:
        out.write_bytes(content)
    except OSError as error:
        raise _refuse(f"--out: cannot write {out}: {error.strerror}.") from None
    say(f"Wrote version {in_force.number} of {charter.name} (charter {charter.pk}) to {out}.")
