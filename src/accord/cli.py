"""The `accord` command: run, serve and administer Accord.

This module only assembles the commands: each app keeps its own in its ``cli.py``, built on
:mod:`accord.cli_support`. Nothing imports from here.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from typing import Annotated, Any

import typer

from accord.access.cli import grant, token_app
from accord.actions.cli import actions_app
from accord.charters.cli import charter_app
from accord.cli_support import fail, migrate_quietly, say, setup_django
from accord.demo.cli import generate_demo, seed_and_print
from accord.expectations.cli import expectations_app
from accord.goals.cli import goals_app, team_app
from accord.insights.cli import report_app, survey_publish
from accord.leadership.cli import leadership_app
from accord.org.cli import create_org, import_org, profession_app
from accord.shadowing.cli import shadowing_app
from accord.surveys.cli import survey_app

app = typer.Typer(
    help="Accord: alignment and clinician-executive trust for health systems.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("create-org")(create_org)
app.command("import-org")(import_org)
app.command("generate-demo")(generate_demo)
app.command()(grant)
app.add_typer(token_app, name="token")
app.add_typer(profession_app, name="profession")
app.add_typer(goals_app, name="goals")
app.add_typer(team_app, name="team")
app.add_typer(actions_app, name="actions")
app.add_typer(expectations_app, name="expectations")
app.add_typer(shadowing_app, name="shadowing")
app.add_typer(leadership_app, name="leadership")
app.add_typer(charter_app, name="charter")
# Publishing is the insights app's (it computes the first release), filed with the cycle's steps.
survey_app.command("publish")(survey_publish)
app.add_typer(survey_app, name="survey")
app.add_typer(report_app, name="report")


@app.command()
def migrate() -> None:
    """Create or upgrade the database tables."""
    setup_django()
    migrate_quietly()
    say("Database is up to date.")


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
    point_links_at(host, port)
    setup_django(demo=True)
    migrate_quietly()
    seed_and_print(org="riverside", name="Riverside Health", people=people, seed=seed)
    if serve_after:
        say(f"Serving Accord on http://{host}:{port}/ — press Ctrl+C to stop.")
        _run_server(host=host, port=port, workers=2, with_worker=True)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, max=64, help="gunicorn worker processes.")] = 2,
) -> None:
    """Serve Accord with gunicorn (static files through WhiteNoise)."""
    point_links_at(host, port)
    setup_django()
    from django.conf import settings
    from django.core.management import call_command

    if not settings.LOCAL:
        call_command("collectstatic", interactive=False, verbosity=0)
    _run_server(host=host, port=port, workers=workers, with_worker=False)


def point_links_at(host: str, port: int) -> None:
    """Links in email and on printed codes lead to this server, unless ACCORD_BASE_URL says
    where people reach it (behind a proxy, say). The server's processes inherit it."""
    if not os.environ.get("ACCORD_BASE_URL"):
        reachable = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host  # noqa: S104
        if ":" in reachable:
            reachable = f"[{reachable}]"
        os.environ["ACCORD_BASE_URL"] = f"http://{reachable}:{port}"


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
    setup_django()
    from django.core.management import call_command

    if check:
        from accord.notify.tasks import queue_echo

        result = queue_echo("ok")
        try:
            value = result.get(blocking=True, timeout=30)
        except Exception:
            raise fail("no worker answered within 30 seconds.") from None
        say(f"Queue round trip: {value}")
        return
    call_command("run_huey")


@app.command(
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
)
def manage(ctx: typer.Context) -> None:
    """Run a Django management command, e.g. `accord manage check --deploy`."""
    setup_django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["accord manage", *ctx.args])


def main() -> None:
    app()


if __name__ == "__main__":
    main()
