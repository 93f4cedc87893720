"""Survey-day benchmark: `make bench`, or `python bench/survey_day.py --responses 2000`.

The busiest hour of a survey is the morning the invitations go out: thousands of people
press "Send my answers" within minutes. This benchmark serves Accord as production does
(gunicorn started with `accord serve`'s arguments, production settings, plain HTTP on
loopback only) and measures the final submission of the respondent form:

* setup, not timed: a fresh database (a temporary SQLite file, or a throwaway PostgreSQL
  database on the server DATABASE_URL points at; the database named there is not touched),
  the demo health system with --responses people, a cycle opened without email, and one
  one-time token per invitation;
* preparation, not timed: every respondent follows their link and loads the form, as a
  browser would, to get the token cookie, the CSRF token and the form's nonce;
* timed: --clients processes send the filled-in forms (every scored question answered and
  one short comment) over keep-alive connections. About 2% of forms are sent twice (a
  network retry: same form, same nonce) and a few are filled in a second time (a new
  nonce); both must be answered without storing anything;
* checked: the cycle is closed (which empties the mixing pool) and the database must hold
  exactly one response and one comment per respondent, with the same answer totals as
  were sent — none lost, none doubled.

Results are printed with PASS/FAIL against the targets and written to bench/results/.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import http.client
import json
import multiprocessing
import os
import platform
import random
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from run import create_postgres_database, drop_postgres_database

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
sys.path.insert(0, str(ROOT / "src"))

TARGET_SUBMISSIONS_PER_SECOND = 500
TARGET_P99_SECONDS = 0.250
RETRY_SHARE = 0.02  # forms sent twice, as a flaky network would
SECOND_FILLINGS = 10  # respondents who come back and fill the form in again
COMMENT = "Handovers on nights are rushed; more overlap would help."
SETUP_TIMEOUT_SECONDS = 900
SERVER_START_SECONDS = 60
SERVER_STOP_SECONDS = 15
REQUEST_TIMEOUT_SECONDS = 60
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--responses", type=int, default=5000, help="respondents (default 5000)")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients (default 16)")
    parser.add_argument(
        "--db",
        choices=["sqlite", "postgres", "both"],
        help="database(s) to measure; default SQLite, and PostgreSQL too when DATABASE_URL "
        "points at one",
    )
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (default 4)")
    parser.add_argument("--seed", type=int, default=7, help="seed for roster and answers")
    parser.add_argument("--worker", choices=["setup", "verify"], help=argparse.SUPPRESS)
    parser.add_argument("--cycle", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--tokens", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker == "setup":
        print(json.dumps(setup_worker(args)))
        return
    if args.worker == "verify":
        print(json.dumps(verify_worker(args)))
        return
    if args.responses < 50:
        parser.error("--responses must be at least 50 (the demo health system's smallest size)")

    results: dict[str, Any] = {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "responses": args.responses,
        "clients": args.clients,
        "gunicorn": {"workers": args.workers, "threads": args.threads},
        "targets": {
            "submissions_per_second": TARGET_SUBMISSIONS_PER_SECOND,
            "p99_seconds": TARGET_P99_SECONDS,
        },
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "databases": {},
    }
    print_header(results)
    for database in targets(args.db):
        print(f"\n== {database}", flush=True)
        results["databases"][database] = run_database(database, args)
        print_database(database, results["databases"][database])
    RESULTS_DIR.mkdir(exist_ok=True)
    out = RESULTS_DIR / f"survey-day-{args.responses}-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nResults written to {out.relative_to(ROOT)}")
    if not all(figures["stored_correctly"] for figures in results["databases"].values()):
        raise SystemExit("FAIL: the stored responses do not match what was sent.")


def targets(choice: str | None) -> list[str]:
    has_postgres = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
    if choice is None:
        return ["sqlite", "postgresql"] if has_postgres else ["sqlite"]
    if choice in ("postgres", "both") and not has_postgres:
        raise SystemExit("--db postgres needs DATABASE_URL pointing at a PostgreSQL server.")
    return {"sqlite": ["sqlite"], "postgres": ["postgresql"], "both": ["sqlite", "postgresql"]}[
        choice
    ]


def run_database(database: str, args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="accord-survey-day-") as workdir:
        data_dir = Path(workdir)
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in ("DEBUG", "ACCORD_TESTING", "HUEY_IMMEDIATE", "ACCORD_RECEIPT_KEY")
        }
        env.update(
            {
                "ACCORD_DATA_DIR": str(data_dir),
                "DJANGO_SETTINGS_MODULE": "accord.settings",
                "SECRET_KEY": secrets.token_urlsafe(40),  # a throwaway key for a throwaway database
                "ALLOWED_HOSTS": "127.0.0.1",
                # Plain HTTP on loopback: no redirect to HTTPS. The cookies stay Secure; this
                # client sends them back over HTTP, which a browser would not.
                "SECURE_SSL_REDIRECT": "false",
                "EMAIL_URL": "dummy://",
                "LOG_LEVEL": "WARNING",
            }
        )
        throwaway_postgres = None
        if database == "sqlite":
            env["DATABASE_URL"] = f"sqlite:///{data_dir / 'bench.sqlite3'}"
        else:
            throwaway_postgres = create_postgres_database(os.environ["DATABASE_URL"])
            env["DATABASE_URL"] = throwaway_postgres
        try:
            return measure(env, data_dir, args)
        finally:
            if throwaway_postgres:
                drop_postgres_database(os.environ["DATABASE_URL"], throwaway_postgres)


def measure(env: dict[str, str], data_dir: Path, args: argparse.Namespace) -> dict[str, Any]:
    tokens_file = data_dir / "tokens.txt"
    print(f"Setting up {args.responses:,} invitees…", flush=True)
    started = time.perf_counter()
    setup = run_worker(env, ["--worker", "setup", "--responses", str(args.responses),
                             "--seed", str(args.seed), "--tokens", str(tokens_file)])  # fmt: skip
    print(f"  {time.perf_counter() - started:.1f} s ({setup['vendor']})", flush=True)
    tokens = tokens_file.read_text().split()
    port = free_port()
    log = (data_dir / "gunicorn.log").open("wb")
    server = start_gunicorn(env, port, args.workers, args.threads, log)
    try:
        wait_until_healthy(port, server)
        print(f"Preparing {len(tokens):,} respondents (not timed)…", flush=True)
        started = time.perf_counter()
        sessions = prepare_sessions(port, tokens, setup["form"], args)
        print(f"  {time.perf_counter() - started:.1f} s", flush=True)
        print(f"Sending with {args.clients} clients…", flush=True)
        load = send_all(port, sessions, args.clients)
    finally:
        stop_gunicorn(server)
        log.close()
    verify = run_worker(env, ["--worker", "verify", "--cycle", str(setup["cycle_id"])])
    return summarise(setup, sessions, load, verify)


def run_worker(env: dict[str, str], arguments: list[str]) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, *arguments],
        env=env,
        capture_output=True,
        text=True,
        timeout=SETUP_TIMEOUT_SECONDS,
        check=False,
    )
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"{arguments[1]} failed (exit code {done.returncode}).")
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


# --- the server ---------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_gunicorn(
    env: dict[str, str], port: int, workers: int, threads: int, log: Any
) -> subprocess.Popen[bytes]:
    """gunicorn as `accord serve` runs it (accord/cli.py), on loopback, in its own process
    group so it and its workers can be stopped together."""
    return subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "accord.wsgi:application",
         "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--threads", str(threads),
         "--access-logfile", "-", "--access-logformat", '%(h)s "%(m)s %(U)s" %(s)s %(L)ss',
         "--logger-class", "accord.core.gunicorn_logging.AccordAccessLogger"],
        env=env, stdout=log, stderr=log, start_new_session=True,
    )  # fmt: skip


def wait_until_healthy(port: int, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with code {server.returncode}; see its log.")
        with contextlib.suppress(OSError):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                connection.close()
                return
        time.sleep(0.2)
    raise SystemExit(f"gunicorn did not answer /healthz within {SERVER_START_SECONDS} s.")


def stop_gunicorn(server: subprocess.Popen[bytes]) -> None:
    """Stop the gunicorn this benchmark started, and its workers: politely, then for good."""
    if server.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            server.wait(timeout=SERVER_STOP_SECONDS)
    # Workers left behind by a master that died keep its process group.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        server.wait(timeout=SERVER_STOP_SECONDS)


# --- respondents ----------------------------------------------------------------


def prepare_sessions(
    port: int, tokens: list[str], form: dict[str, Any], args: argparse.Namespace
) -> list[dict[str, Any]]:
    """Every respondent's cookie header and filled-in form, ready to send."""
    rng = random.Random(args.seed)
    answers = [
        {f"q_{item}": str(rng.choice(codes)) for item, codes in form["scored"]} for _ in tokens
    ]
    comment_field = f"q_{form['comments'][0]}" if form["comments"] else None
    jobs = [
        (port, token, answer, comment_field, form["pages"])
        for token, answer in zip(tokens, answers, strict=True)
    ]
    with multiprocessing.get_context("fork").Pool(args.clients) as pool:
        sessions = pool.map(prepare_session, jobs, chunksize=64)
    retried = rng.sample(range(len(sessions)), max(1, round(len(sessions) * RETRY_SHARE)))
    for index in retried:
        sessions[index]["retry"] = True
    for index in rng.sample(range(len(sessions)), min(SECOND_FILLINGS, len(sessions))):
        sessions[index]["refill"] = True
    return sessions


def prepare_session(job: tuple[int, str, dict[str, str], str | None, int]) -> dict[str, Any]:
    port, token, answers, comment_field, pages = job
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT_SECONDS)
    connection.request("GET", f"/s/{token}/")
    followed = connection.getresponse()
    followed.read()
    cookies = _cookies(followed)
    if followed.status != 302 or "accord_survey" not in cookies:
        raise SystemExit(f"Following a link gave {followed.status}, not a redirect and a cookie.")
    connection.request("GET", "/s/answer/", headers={"Cookie": _cookie_header(cookies)})
    page = connection.getresponse()
    html = page.read().decode()
    connection.close()
    if page.status != 200:
        raise SystemExit(f"The form answered {page.status}.")
    cookies.update(_cookies(page))
    hidden = dict(HIDDEN.findall(html))
    fields = {**hidden, **answers, "page": str(pages), "nav": "submit"}
    if comment_field:
        fields[comment_field] = COMMENT
    second = {**fields, "nonce": secrets.token_urlsafe(16)}
    return {
        "cookie": _cookie_header(cookies),
        "body": urlencode(fields).encode(),
        "second_body": urlencode(second).encode(),
        "answers": answers,
    }


def _cookies(response: http.client.HTTPResponse) -> dict[str, str]:
    found = {}
    for header in response.headers.get_all("Set-Cookie") or []:
        name, _, value = header.split(";", 1)[0].partition("=")
        found[name.strip()] = value.strip()
    return found


def _cookie_header(cookies: dict[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


# --- the timed phase ------------------------------------------------------------


def send_all(port: int, sessions: list[dict[str, Any]], clients: int) -> dict[str, Any]:
    context = multiprocessing.get_context("fork")
    start = context.Barrier(clients + 1)
    finished = context.Queue()
    # Forked, not pickled: each client inherits its share and the start barrier.
    processes = [
        context.Process(
            target=send_share,
            args=(port, [_wire(s) for s in sessions[index::clients]], start, finished),
        )
        for index in range(clients)
    ]
    for process in processes:
        process.start()
    try:
        start.wait(timeout=SETUP_TIMEOUT_SECONDS)
        began = time.perf_counter()
        done = [finished.get(timeout=SETUP_TIMEOUT_SECONDS) for _ in processes]
        wall = time.perf_counter() - began
    finally:
        for process in processes:
            process.join(timeout=SERVER_STOP_SECONDS)
            if process.is_alive():
                process.kill()
    merged: dict[str, Any] = {"wall_seconds": wall}
    for key in ("submit", "retry", "refill"):
        merged[key] = {
            "latencies": [value for share in done for value in share[key]["latencies"]],
            "unexpected": [value for share in done for value in share[key]["unexpected"]],
        }
    return merged


def _wire(session: dict[str, Any]) -> tuple[str, bytes, bytes, bool, bool]:
    return (
        session["cookie"],
        session["body"],
        session["second_body"],
        bool(session.get("retry")),
        bool(session.get("refill")),
    )


def send_share(
    port: int, share: list[tuple[str, bytes, bytes, bool, bool]], start: Any, finished: Any
) -> None:
    """One client: its respondents one after another, on one keep-alive connection."""
    results: dict[str, Any] = {
        key: {"latencies": [], "unexpected": []} for key in ("submit", "retry", "refill")
    }
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT_SECONDS)
    clock = time.perf_counter

    def post(cookie: str, body: bytes) -> tuple[int, str, bytes]:
        nonlocal connection
        headers = {
            "Cookie": cookie,
            "Content-Type": "application/x-www-form-urlencoded",
            "Host": f"127.0.0.1:{port}",
        }
        for attempt in range(2):
            try:
                connection.request("POST", "/s/answer/", body, headers)
                response = connection.getresponse()
                content = response.read()
                if response.will_close:
                    connection.close()
                return response.status, response.getheader("Location") or "", content
            except (http.client.HTTPException, ConnectionError):
                # The server closed an idle keep-alive connection: open another once.
                connection.close()
                connection = http.client.HTTPConnection(
                    "127.0.0.1", port, timeout=REQUEST_TIMEOUT_SECONDS
                )
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def timed(kind: str, cookie: str, body: bytes) -> None:
        began = clock()
        try:
            status, location, content = post(cookie, body)
        except (OSError, http.client.HTTPException) as error:
            results[kind]["unexpected"].append(f"{type(error).__name__}: {error}")
            return
        results[kind]["latencies"].append(clock() - began)
        if kind == "refill":
            expected = status == 200 and b"already answered" in content
        else:
            expected = status == 302 and location.startswith("/s/done/")
        if not expected:
            results[kind]["unexpected"].append(f"{status} {location}".strip())

    start.wait()
    for cookie, body, second_body, retry, refill in share:
        timed("submit", cookie, body)
        if retry:
            timed("retry", cookie, body)
        if refill:
            timed("refill", cookie, second_body)
    connection.close()
    finished.put(results)


# --- inside the Django worker processes --------------------------------------------


def setup_worker(args: argparse.Namespace) -> dict[str, Any]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from accord.demo.services import seed_demo
    from accord.org.models import Organisation
    from accord.surveys import form as survey_form
    from accord.surveys.answers import comment_items, scored_items
    from accord.surveys.instruments import SCALES
    from accord.surveys.models import Invitation
    from accord.surveys.selectors import instrument_for
    from accord.surveys.services import CycleSettings, create_cycle, open_cycle, schedule_cycle

    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # as `accord serve` does
    seed_demo(slug="bench", name="Benchmark Health", people=args.responses, seed=args.seed)
    organisation = Organisation.objects.get(slug="bench")
    now = timezone.now()
    cycle = create_cycle(
        organisation=organisation,
        settings=CycleSettings(
            name="Survey day",
            instrument_id="accord-core",
            instrument_version=1,
            opens_at=now - dt.timedelta(minutes=1),
            closes_at=now + dt.timedelta(days=14),
            min_group_size=organisation.survey_min_group_size,
            min_comment_group_size=organisation.survey_min_comment_group_size,
            reminder_days=(),
            role_groups=(),
            units=(),
        ),
        created_by=None,
    )
    schedule_cycle(cycle=cycle)
    cycle = open_cycle(cycle=cycle, now=now, notify=False)
    invitations = list(Invitation.objects.filter(cycle=cycle).order_by("pk"))
    with transaction.atomic():
        tokens = [mint_token(invitation) for invitation in invitations]
    args.tokens.write_text("\n".join(tokens) + "\n")
    instrument = instrument_for(cycle)
    return {
        "vendor": connection.vendor,
        "server_version": _server_version(connection),
        "cycle_id": cycle.pk,
        "invited": cycle.invited_count,
        "form": {
            "scored": [
                [item.id, list(SCALES[item.scale].codes)] for item in scored_items(instrument)
            ],
            "comments": [item.id for item in comment_items(instrument)],
            "pages": len(survey_form.pages(instrument)),
        },
    }


def mint_token(invitation: Any) -> str:
    """A one-time token for the invitation, stored as a digest only, as invitations are."""
    from accord.surveys.services import issue_token

    return issue_token(invitation=invitation, channel=invitation.channel)


def verify_worker(args: argparse.Namespace) -> dict[str, Any]:
    """Close the cycle (emptying the mixing pool) and count what was stored."""
    import django

    django.setup()
    from accord.surveys.answers import scored_items
    from accord.surveys.models import Comment, Cycle, PendingSubmission, Receipt, Response
    from accord.surveys.selectors import instrument_for
    from accord.surveys.services import close_now

    cycle = Cycle.objects.get(pk=args.cycle)
    receipts = Receipt.objects.filter(cycle=cycle).count()
    close_now(cycle=cycle)
    items = [item.id for item in scored_items(instrument_for(cycle))]
    totals = dict.fromkeys(items, 0)
    for packed in Response.objects.filter(cycle=cycle).values_list("answers", flat=True):
        for item, code in zip(items, bytes(packed), strict=True):
            totals[item] += code
    return {
        "receipts_before_close": receipts,
        "responses": Response.objects.filter(cycle=cycle).count(),
        "comments": Comment.objects.filter(cycle=cycle).count(),
        "pending_after_close": PendingSubmission.objects.filter(cycle=cycle).count(),
        "answer_totals": totals,
    }


def _server_version(connection: Any) -> str:
    if connection.vendor == "sqlite":
        import sqlite3

        return sqlite3.sqlite_version
    return str(connection.pg_version)


# --- report ---------------------------------------------------------------------


def summarise(
    setup: dict[str, Any],
    sessions: list[dict[str, Any]],
    load: dict[str, Any],
    verify: dict[str, Any],
) -> dict[str, Any]:
    respondents = len(sessions)
    sent_totals: dict[str, int] = {}
    for session in sessions:
        for field, code in session["answers"].items():
            item = field.removeprefix("q_")
            sent_totals[item] = sent_totals.get(item, 0) + int(code)
    submit = load["submit"]["latencies"]
    errors = sum(len(load[key]["unexpected"]) for key in ("submit", "retry", "refill"))
    throughput = len(submit) / load["wall_seconds"]
    p50 = _percentile(submit, 50)
    p99 = _percentile(submit, 99)
    stored_correctly = (
        verify["responses"] == respondents
        and verify["comments"] == respondents
        and verify["receipts_before_close"] == respondents
        and verify["pending_after_close"] == 0
        and verify["answer_totals"] == sent_totals
    )
    return {
        "vendor": setup["vendor"],
        "server_version": setup["server_version"],
        "invited": setup["invited"],
        "wall_seconds": load["wall_seconds"],
        "submissions": len(submit),
        "submissions_per_second": throughput,
        "p50_seconds": p50,
        "p99_seconds": p99,
        "max_seconds": max(submit, default=0.0),
        "retries": len(load["retry"]["latencies"]),
        "retry_p50_seconds": _percentile(load["retry"]["latencies"], 50),
        "second_fillings": len(load["refill"]["latencies"]),
        "unexpected": {key: load[key]["unexpected"][:20] for key in ("submit", "retry", "refill")},
        "errors": errors,
        "stored": verify,
        "stored_correctly": stored_correctly,
        "meets_targets": throughput >= TARGET_SUBMISSIONS_PER_SECOND
        and p99 < TARGET_P99_SECONDS
        and errors == 0,
    }


def _percentile(values: list[float], percent: int) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100, method="inclusive")[percent - 1]


def print_header(results: dict[str, Any]) -> None:
    gunicorn = results["gunicorn"]
    print(
        f"\nSurvey day: {results['responses']:,} respondents, {results['clients']} clients, "
        f"gunicorn {gunicorn['workers']} workers x {gunicorn['threads']} threads"
    )
    print(
        f"targets: >= {TARGET_SUBMISSIONS_PER_SECOND} submissions/s, "
        f"p99 < {TARGET_P99_SECONDS * 1000:.0f} ms, no errors, every response stored once"
    )


def print_database(name: str, figures: dict[str, Any]) -> None:
    stored = figures["stored"]
    print(f"{name} {figures['server_version']}")
    print(f"  submissions/s        {figures['submissions_per_second']:>10,.0f}")
    print(f"  p50 / p99 / max ms   {figures['p50_seconds'] * 1000:>10.1f}"
          f" / {figures['p99_seconds'] * 1000:.1f} / {figures['max_seconds'] * 1000:.1f}")  # fmt: skip
    print(
        f"  retries / second fillings-in  {figures['retries']} / {figures['second_fillings']}"
        f" (answered without storing: {'yes' if figures['errors'] == 0 else 'NO'})"
    )
    print(f"  errors               {figures['errors']:>10}")
    for kind, problems in figures["unexpected"].items():
        if problems:
            print(f"    {kind}: {problems[:5]}")
    print(
        f"  stored               {stored['responses']:>10,} responses, "
        f"{stored['comments']:,} comments for {figures['submissions']:,} respondents: "
        f"{'none lost, none doubled' if figures['stored_correctly'] else 'MISMATCH'}"
    )
    verdict = "PASS" if figures["meets_targets"] and figures["stored_correctly"] else "FAIL"
    print(f"  {verdict}")


if __name__ == "__main__":
    main()
