"""Leaders' 360s tried adversarially: who reads what, as every person, on every route.

A world of several 360s is built through the services, with a distinctive marker in every
free-text field, and then every page and API operation of Accord is requested by everyone in
it — the leader, the raters, the approver, the coach, the mentor, a colleague the report is
shared with (and one it was shared with and no longer is), the admin, an executive, the
outsider — and no marker, rater's name or report figure may appear but where it is allowed.

* the raters' comments and the leader's own comment: the leader's report (the leader, their
  coach, whoever the report is shared with); comments fewer than the minimum wrote: nowhere;
* the development plan (why, actions, check-ins): the leader, their coach and their mentor;
* a coached report still with the coach: the coach alone — not even the leader;
* who was asked: the leader and the approver; never the admin, the coach or anyone else;
* counts of answers: only from the minimum up, on every page, the API and the command line;
* no group below its minimum derivable from the report, by subtraction within a competency
  or behaviour, or across them (the crafted rounds below run through the whole service);
* email: each one-time link to its own rater alone; no rating, comment or plan text; the
  audit trail and the log hold no text, no rating, no token and no rater's address.

Tests that show a real leak assert the private behaviour and are marked ``xfail(strict=True)``
with the reason starting "LEAK:", so they fail loudly once fixed (and must then be unmarked).
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone
from huey import Huey
from typer.testing import CliRunner

from accord.access.models import Membership, Role, User
from accord.access.scopes import Scope
from accord.access.services import grant_membership, issue_api_token
from accord.cli import app
from accord.core.logging import RedactSurveyLinks
from accord.leadership import services
from accord.leadership.errors import LeadershipError
from accord.leadership.loading import framework_of, instrument_of
from accord.leadership.models import LeadershipAuditEntry, Review, ReviewStatus
from accord.leadership.report import GROUPS, Framework
from accord.leadership.rules import ActionDraft, FocusDraft, Rater
from accord.leadership.visibility import LeadershipScope
from accord.org.importing import plan_org_import
from accord.org.models import Person
from accord.org.services import apply_org_import
from accord.surveys.answers import ParsedAnswers
from accord.surveys.instruments import leadership_framework
from accord.surveys.models import Invitation
from accord.surveys.services import invitation_for, withdraw_invitation
from tests.cast import Cast, roster_csv
from tests.leadership.world import LINK, answer, in_days, pdf_text, tokens
from tests.test_scope_matrix import discover_routes

pytestmark = pytest.mark.django_db

PASSWORD = "x-very-long-password-1"
PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>")
MARKER = re.compile(r"QX-[A-Z]+-\d{4}")
FRAMEWORK = leadership_framework()
BEHAVIOURS = [item.id for item in FRAMEWORK.items if item.scale == "frequency5"]
COMPETENCY_OF = {item.id: item.construct for item in FRAMEWORK.items if item.scale == "frequency5"}
MANAGING_SELF = [b for b in BEHAVIOURS if COMPETENCY_OF[b] == "managing_self"]
MISSING = 987_654_321  # an id nothing has

# The secrets ---------------------------------------------------------------------------------

# Nora's 360 (A): three raters wrote strengths, so they are shown; two wrote on what to
# develop, so nothing of it is. One strength names a rater: the name must be redacted.
STRENGTHS = (
    "QX-STRENGTH-1101 she backs Paula Physician in every hard conversation.",
    "QX-STRENGTH-1102 the handover board was her idea. It works.",
    "QX-STRENGTH-1103 she picks up the phone at night.",
)
DEVELOP = ("QX-DEVELOP-2201 she could hand the rota over.", "QX-DEVELOP-2202 fewer late emails.")
SELF_NOTE = "QX-SELFNOTE-3301 I rush the handovers"
WHY = "QX-WHY-4401 the night shift says it is not heard"
ACTION = "QX-ACTION-4402 ask the quietest person first"
CHECK_INS = {
    "nora": "QX-CHECKIN-5501 tried it at three huddles",
    "rosa": "QX-CHECKIN-5502 first coaching conversation held",
    "sue": "QX-CHECKIN-5503 lunch with her mentor went well",
}
# Chad's 360 (B): coached, its report still with the coach.
B_STRENGTHS = (
    "QX-BSTRENGTH-6601 he shields the department.",
    "QX-BSTRENGTH-6602 he knows where every bed is.",
    "QX-BSTRENGTH-6603 he asks the registrars first.",
)
B_SELF = "QX-BSELF-6604 I avoid the hard conversations"

A_REPORT = {"nora", "rosa", "pat"}  # the leader, her coach, the colleague she shares it with
PLAN = {"nora", "rosa", "sue"}  # the leader, her coach, her mentor
B_REPORT = {"rosa"}  # the coach, until she releases it


def _marker(text: str) -> str:
    found = MARKER.match(text)
    assert found, text
    return found.group()


READERS: dict[str, set[str]] = {
    **{_marker(s): A_REPORT for s in STRENGTHS},
    **{_marker(s): set() for s in DEVELOP},
    _marker(SELF_NOTE): A_REPORT,
    _marker(WHY): PLAN,
    _marker(ACTION): PLAN,
    **{_marker(s): PLAN for s in CHECK_INS.values()},
    **{_marker(s): B_REPORT for s in B_STRENGTHS},
    _marker(B_SELF): B_REPORT,
}

# Nora's raters (A): Chad as manager, three peers, three direct reports (Ned declines, so
# two answer and are pooled with Olga, the one "other").
A_RATERS = {
    "chad": "manager", "paula": "peer", "peter": "peer", "oscar_r": "peer",
    "sam": "direct_report", "nina": "direct_report", "ned": "direct_report", "olga": "other",
}  # fmt: skip
A_ANSWERS = {"chad": 1, "paula": 2, "peter": 2, "oscar_r": 3, "sam": 4, "nina": 5, "olga": 4}
A_COMMENTS = {
    "paula": {"strengths": STRENGTHS[0]},
    "sam": {"strengths": STRENGTHS[1], "develop": DEVELOP[0]},
    "olga": {"strengths": STRENGTHS[2]},
    "peter": {"develop": DEVELOP[1]},
}
# Chad's raters (B): Cora (the CEO) as manager and approver, peers, and three direct reports.
B_RATERS = {
    "ceo": "manager", "eve": "peer", "alice": "peer", "sue": "peer",
    "nora": "direct_report", "paula": "direct_report", "peter": "direct_report",
}  # fmt: skip
# Who was asked, by name: the leader and the approver may read it; no one else.
A_RATER_NAMES = {
    "Paula Physician", "Peter Physician", "Oscar Liaison", "Sam Nurse", "Nina Nurse",
    "Ned Nurse", "Olga Periop",
}  # fmt: skip
# Nora (A's leader), Chad (A's approver; B's leader, whose direct reports include Paula and
# Peter) and Cora (B's approver).
NAME_READERS = {"nora", "chad", "ceo"}
# What only a report shows (the page, its PDF, the API's JSON).
REPORT_SIGN = re.compile(r"Who answered|\"all_others\"|In raters(?:&#x27;|')? own words")


# People -------------------------------------------------------------------------------------


def login(cast: Cast, external_id: str, role: str = Role.MEMBER) -> User:
    """A riverside login for someone the cast leaves without one."""
    return grant_membership(organisation=cast.riverside, email=f"{external_id}@riverside.example",
                            role=role, person=cast.person(external_id), password=PASSWORD).user  # fmt: skip


def lakeview_executive(cast: Cast) -> User:
    """Lee: an executive of the outsider organisation with a person there (a 360 of his own)."""
    rows = [("lee", "Lee Lakeview", "Lakeview Clinics/Family Medicine", "system/department", "",
             "clinician", "Physician", "yes")]  # fmt: skip
    apply_org_import(plan=plan_org_import(organisation=cast.lakeview, filename="lakeview.csv",
                                          content=roster_csv(rows)))  # fmt: skip
    lee = Person.objects.get(organisation=cast.lakeview, external_id="lee")
    return grant_membership(organisation=cast.lakeview, email="lee@lakeview.example",
                            role=Role.EXECUTIVE, person=lee, password=PASSWORD).user  # fmt: skip


def ls(user: User) -> LeadershipScope:
    membership = Membership.objects.select_related("organisation", "person__unit", "user").get(
        user=user
    )
    return LeadershipScope(Scope(membership))


def api_client(user: User) -> Client:
    _, token = issue_api_token(membership=Membership.objects.get(user=user), name="privacy walk")
    return Client(headers={"Authorization": f"Bearer {token}"})


def web_client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text_of(response: Any) -> str:
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    if str(response.get("Content-Type", "")).startswith("application/pdf"):
        return pdf_text(content)
    return content.decode(errors="replace")


def run_cli(*args: str) -> str:
    """``accord …`` in process (Django is set up already, so the command leaves it be)."""
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


# Running a 360 through the services ---------------------------------------------------------


def check_links(start: int, review: Review) -> None:
    """Every link emailed since ``start`` went to its own rater, alone."""
    asked = set(
        Invitation.objects.filter(cycle_id=review.cycle_id).values_list("person__email", flat=True)
    )
    for message in mail.outbox[start:]:
        bodies = [str(message.body)] + [str(c) for c, _ in getattr(message, "alternatives", [])]
        for token in {t for body in bodies for t in LINK.findall(body)}:
            invitation = invitation_for(token)
            assert invitation is not None, "a link that answers nothing"
            assert message.to == [invitation.person.email], (message.to, invitation.person)
            assert not message.cc and not message.bcc
            assert invitation.person.email in asked


def open_round(
    cast: Cast, capture: Any, *, name: str, subject: User, approver: User,
    raters: dict[str, str], coach: User | None = None, minimum: int = 3,
) -> tuple[Review, dict[str, str]]:  # fmt: skip
    """A cohort of one leader, the raters chosen and approved: the round is open; the links."""
    person = Membership.objects.get(user=subject).person
    assert person is not None
    with capture(execute=True):
        cohort = services.start_cohort(
            lscope=ls(cast.admin), actor=cast.admin, name=name, subjects=[person],
            answer_by=in_days(14), minimum=minimum,
        )  # fmt: skip
    review = cohort.reviews.get()
    if coach is not None:
        services.assign_coach(lscope=ls(cast.admin), actor=cast.admin, review_id=review.pk,
                              coach=coach)  # fmt: skip
    org = person.organisation
    chosen = [Rater(Person.objects.get(organisation=org, external_id=pid), group)
              for pid, group in raters.items()]  # fmt: skip
    with capture(execute=True):
        services.set_raters(lscope=ls(subject), actor=subject, review_id=review.pk, raters=chosen)
        services.submit_raters(lscope=ls(subject), actor=subject, review_id=review.pk)
    start = len(mail.outbox)
    with capture(execute=True):
        review = services.approve_raters(lscope=ls(approver), actor=approver, review_id=review.pk)
    check_links(start, review)
    links = tokens(start)
    assert set(links) == set(raters), "each rater got their one-time link"
    return review, links


def constant(value: int) -> dict[str, int]:
    return dict.fromkeys(BEHAVIOURS, value)


def decline(review: Review, external_id: str) -> None:
    """The rater declines from their form (the invitation and its tokens go)."""
    withdraw_invitation(
        invitation=Invitation.objects.get(cycle_id=review.cycle_id, person__external_id=external_id)
    )


def close(cast: Cast, capture: Any, review: Review) -> Review:
    with capture(execute=True):
        return services.close_round_now(
            lscope=ls(cast.admin), actor=cast.admin, review_id=review.pk
        )


def self_rate(user: User, review: Review, value: int, note: str) -> None:
    services.save_self_assessment(
        lscope=ls(user), actor=user, review_id=review.pk,
        answers=ParsedAnswers(scores=constant(value), comments={"strengths": note}),
    )  # fmt: skip


def a_plan(user: User, review: Review, mentor: Person | None) -> None:
    services.save_plan(
        lscope=ls(user), actor=user, review_id=review.pk,
        focus=[FocusDraft("team_every_voice", WHY, (ActionDraft("practice", ACTION),))],
        starts_on=timezone.localdate(), review_on=timezone.localdate() + dt.timedelta(days=180),
        mentor=mentor,
        reassess_after_months=6,
    )  # fmt: skip


# The world ---------------------------------------------------------------------------------


@dataclass
class World:
    users: dict[str, User]
    a: Review  # Nora's 360, coached by Rosa and released, a plan, shared with Pat (not Pia)
    b: Review  # Chad's 360, coached by Rosa: the report is with her
    c: Review  # Nora's re-assessment of her plan, choosing raters
    lee: Review  # Lee's 360, in Lakeview
    a_links: dict[str, str]  # A's links, dead since its round closed


def build_world(cast: Cast, capture: Any) -> World:
    users = {
        "alice": cast.admin, "eve": cast.executive, "chad": cast.chair,
        "nora": cast.nurse_manager, "sam": cast.staff_nurse, "olive": cast.outsider,
        "rosa": cast.coach,
        "paula": login(cast, "paula"),  # a peer rater of Nora, a direct report rater of Chad
        "sue": login(cast, "sue", Role.LEADER),  # Nora's mentor
        "pat": login(cast, "pat"),  # Nora shares her report with Pat
        "pia": login(cast, "pia", Role.LEADER),  # … and with Pia, then stops
        "ceo": login(cast, "ceo", Role.LEADER),  # Chad's manager: approves his raters
        "lee": lakeview_executive(cast),
    }  # fmt: skip
    nora, rosa = users["nora"], users["rosa"]

    a, a_links = open_round(cast, capture, name="Nurse managers", subject=nora,
                            approver=cast.chair, raters=A_RATERS, coach=rosa)  # fmt: skip
    decline(a, "ned")
    self_rate(nora, a, 5, SELF_NOTE)
    for pid, value in A_ANSWERS.items():
        answer(a_links[pid], constant(value), A_COMMENTS.get(pid))
    a = close(cast, capture, a)
    assert a.status == ReviewStatus.WITH_COACH
    with capture(execute=True):
        a = services.release_to_leader(lscope=ls(rosa), actor=rosa, review_id=a.pk)
    a_plan(nora, a, cast.person("sue"))
    for name, note in CHECK_INS.items():
        services.add_check_in(lscope=ls(users[name]), actor=users[name], review_id=a.pk,
                              held_on=timezone.localdate(), note=note, progress={"team_every_voice": "some"})  # fmt: skip
    for pid in ("pat", "pia"):
        services.share_report(lscope=ls(nora), actor=nora, review_id=a.pk,
                              person=cast.person(pid))  # fmt: skip
    services.stop_sharing(lscope=ls(nora), actor=nora, review_id=a.pk,
                          person_id=cast.person("pia").pk)  # fmt: skip
    c = services.start_reassessment(lscope=ls(nora), actor=nora, review_id=a.pk,
                                    answer_by=in_days(20))  # fmt: skip

    b, b_links = open_round(cast, capture, name="Chairs", subject=cast.chair,
                            approver=users["ceo"], raters=B_RATERS, coach=rosa)  # fmt: skip
    self_rate(cast.chair, b, 4, B_SELF)
    b_comments = dict(zip(("eve", "nora", "paula"), B_STRENGTHS, strict=True))
    for n, pid in enumerate(B_RATERS):
        comment = {"strengths": b_comments[pid]} if pid in b_comments else None
        answer(b_links[pid], constant(1 + n % 5), comment)
    b = close(cast, capture, b)
    assert b.status == ReviewStatus.WITH_COACH

    lee_person = Person.objects.get(organisation=cast.lakeview, external_id="lee")
    with capture(execute=True):
        lakeview = services.start_cohort(
            lscope=ls(cast.outsider), actor=cast.outsider, name="Lakeview leads",
            subjects=[lee_person], answer_by=in_days(14),
        )  # fmt: skip
    return World(users, a, b, c, lakeview.reviews.get(), a_links)


@contextmanager
def production_log() -> Iterator[io.StringIO]:
    """What Accord's own log handler would write (its filter, at INFO), into a string."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactSurveyLinks())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


# 1. The walk ---------------------------------------------------------------------------------

OUTSIDERS = ("olive", "lee")
COACH_PAGES = {
    "leadership", "leadership-review", "leadership-report", "leadership-report-pdf",
    "leadership-release", "leadership-plan", "leadership-check-in",
}  # fmt: skip


def test_no_route_shows_a_360_secret_to_anyone_but_its_readers(
    cast: Cast, immediate_queue: Huey, django_capture_on_commit_callbacks: Any
) -> None:
    with production_log() as log:
        world = build_world(cast, django_capture_on_commit_callbacks)
        leaks, seen, requests = walk(cast, world)
        # A rater follows their link after the round closed (a 404 Django logs).
        for token in world.a_links.values():
            assert Client().get(f"/s/{token}/").status_code == 404
    assert requests > 3000, "every route, as every reader"
    assert not leaks, "\n".join(sorted(set(leaks)))
    for marker, readers in READERS.items():
        assert seen.get(marker, set()) == readers, f"{marker}: read by {seen.get(marker)}"

    raters = {f"{pid}@riverside.example" for pid in {**A_RATERS, **B_RATERS}}
    everyone_asked = raters - {"chad@riverside.example", "ceo@riverside.example"}
    # Email: no secret, no figure, no rater's address in a body; the links went one by one.
    assert mail.outbox
    for message in mail.outbox:
        content = f"{message.subject}\n{message.body}"
        assert not MARKER.search(content), (message.to, message.subject)
        assert not re.search(r"(?<![\d.])[1-5]\.\d\d?(?![\d.])|\bof 5\b|\bmean\b", content), (
            message.to,
            message.subject,
        )
        for address in everyone_asked - set(message.to):
            assert address not in content, (message.to, message.subject, address)
        if LINK.search(content):
            assert len(message.to) == 1 and message.to[0] in raters
    # The trail: steps only, never a rating, a text or a non-manager rater's address.
    non_managers = {
        world.a.pk: {f"{p}@riverside.example" for p, g in A_RATERS.items() if g != "manager"},
        world.b.pk: {f"{p}@riverside.example" for p, g in B_RATERS.items() if g != "manager"},
    }
    allowed = {"raters", "changed", "leaders", "coach", "person", "behaviours", "follows"}
    for entry in LeadershipAuditEntry.objects.all():
        content = f"{entry.actor} {entry.action} {entry.detail}"
        assert not MARKER.search(content), content
        assert set(entry.detail) <= allowed, entry.detail
        assert not re.search(r"answer|declin|rating|comment", entry.action), entry.action
        for address in non_managers.get(entry.review_id or 0, set()):
            assert address.split("@")[0] not in str(entry.detail), entry.detail
    # The log: no token, no rater's address.
    written = log.getvalue()
    for token in world.a_links.values():
        assert token not in written
    for address in everyone_asked:
        assert address not in written, address
    # The comments as the report keeps them: per question, never per group, names removed.
    report = Review.objects.get(pk=world.a.pk).report
    assert report is not None
    for comments in report["comments"]:
        assert set(comments) == {"question", "writers", "sentences"}
    strengths, develop = report["comments"]
    assert strengths["writers"] == 3 and develop["writers"] is None and not develop["sentences"]
    assert len(strengths["sentences"]) == 4, "split into sentences"
    assert not re.search(r"Paula|Physician", " ".join(strengths["sentences"]))


def walk(cast: Cast, world: World) -> tuple[list[str], dict[str, set[str]], int]:
    """Every page and API GET, as everyone; the leaks found and who read each marker."""
    a, b, c, lee = world.a, world.b, world.c, world.lee
    foreign = {("review_id", lee.pk), ("cohort_id", lee.cohort_id)}
    ids = {
        "review_id": [a.pk, b.pk, c.pk, lee.pk, MISSING],
        "cohort_id": [a.cohort_id, b.cohort_id, lee.cohort_id, MISSING],
        # The 360s' survey cycles: never a survey, a result or a response rate.
        "cycle_id": [a.cycle_id, b.cycle_id],
    }
    report_readers = {a.pk: A_REPORT, b.pk: B_REPORT}
    names = {
        viewer: (m.person.name if m.person else "")
        for viewer, user in world.users.items()
        for m in [Membership.objects.select_related("person").get(user=user)]
    }
    tokens = {viewer: api_client(user) for viewer, user in world.users.items()}
    sessions = {viewer: web_client(user) for viewer, user in world.users.items()}
    leaks: list[str] = []
    seen: dict[str, set[str]] = {}
    statuses: dict[tuple[str, str, str, str | None, Any], int] = {}
    requests = 0
    for route_name, route in discover_routes().items():
        method, _, api_path = route_name.partition(" ")
        if (api_path and method != "GET") or route_name.startswith("api:"):
            continue
        params = [m.group(2) for m in PARAMETER.finditer(route)]
        many = next((p for p in params if p in ids), None)
        for value in ids[many] if many else [None]:
            for viewer, user in world.users.items():
                slugs = ["riverside", "lakeview"] if viewer in OUTSIDERS else ["riverside"]
                for slug in slugs:
                    values = {"org_slug": slug, **({many: value} if many else {})}
                    path = "/" + PARAMETER.sub(lambda m, v=values: str(v.get(m.group(2), 1)), route)
                    client = tokens[viewer] if api_path else sessions[viewer]
                    if not api_path and "_auth_user_id" not in client.session:
                        client.force_login(user)  # a route signed them out: back in
                    response = client.get(path)
                    requests += 1
                    status = response.status_code
                    statuses[(viewer, slug, route_name, many, value)] = status
                    body = text_of(response)
                    where = f"{viewer} at {path} ({status})"
                    for marker in MARKER.findall(body):
                        seen.setdefault(marker, set()).add(viewer)
                        if viewer not in READERS.get(marker, set()):
                            leaks.append(f"{where} read {marker}")
                    if REPORT_SIGN.search(body):
                        readers = report_readers.get(value, set()) if many == "review_id" else set()
                        if viewer not in readers:
                            leaks.append(f"{where} read a report")
                    if "leadership" in path and viewer not in NAME_READERS:
                        for name in sorted(A_RATER_NAMES - {names[viewer]}):
                            if name in body:
                                leaks.append(f"{where} read that {name} was asked")
                    if many == "cycle_id" and status == 200:
                        leaks.append(f"{where}: a 360's round as a survey")
                    if (many, value) in foreign and viewer not in OUTSIDERS and status == 200:
                        leaks.append(f"{where}: another organisation's 360")
                    outsider_here = viewer in OUTSIDERS and slug == "riverside"
                    if outsider_here and "<slug:" in route and status not in (404, 405):
                        leaks.append(f"{where}: an outsider in riverside")
                    riverside_id = (
                        many in ("review_id", "cohort_id") and (many, value) not in foreign
                    )
                    if viewer in OUTSIDERS and riverside_id and status == 200:
                        leaks.append(f"{where}: a riverside 360 from outside")
                    if viewer == "rosa":
                        leaks += coach_refused(route_name, api_path, path, status, response)
    # An id of another organisation answers exactly as an id that does not exist.
    for (viewer, slug, route_name, many, value), status in statuses.items():
        if value is None or value == MISSING:
            continue
        other_org = ((many, value) in foreign) != (viewer in OUTSIDERS)
        if other_org and (viewer, slug, route_name, many, MISSING) in statuses:
            missing = statuses[(viewer, slug, route_name, many, MISSING)]
            if status != missing:
                leaks.append(f"{viewer} {route_name} id {value}: {status}, missing id {missing}")
    return leaks, seen, requests


def coach_refused(
    route_name: str, api_path: str, path: str, status: int, response: Any
) -> list[str]:
    """A coach's Accord is the 360s they coach: every other page and API operation refuses."""
    where = f"the coach at {path} ({status})"
    if api_path:
        if not api_path.startswith("/api/leadership/") and status != 403:
            return [f"{where}: an API outside the 360s"]
        return []
    if not path.startswith("/o/riverside/"):
        return []
    if route_name == "org-home":
        ok = status == 302 and response["Location"].endswith("/o/riverside/leadership/")
        return [] if ok else [f"{where}: the organisation's home"]
    if route_name not in COACH_PAGES and status not in (403, 405):
        return [f"{where}: a page outside the 360s she coaches"]
    return []


def test_a_coach_s_token_and_login_reach_nothing_but_the_360s_they_coach(
    cast: Cast, immediate_queue: Huey, django_capture_on_commit_callbacks: Any
) -> None:
    review, _ = open_round(cast, django_capture_on_commit_callbacks, name="Nurse managers",
                           subject=cast.nurse_manager, approver=cast.chair, raters=A_RATERS,
                           coach=cast.coach)  # fmt: skip
    other, _ = open_round(cast, django_capture_on_commit_callbacks, name="Chairs",
                          subject=cast.chair, approver=cast.admin,
                          raters={"sue": "peer", "pia": "peer", "nora": "direct_report"})  # fmt: skip
    api = api_client(cast.coach)
    for path in ("/api/me", "/api/units", "/api/people", "/api/goals", "/api/teams",
                 "/api/surveys/cycles", f"/api/surveys/cycles/{review.cycle_id}/response-rates",
                 "/api/results/cycles", f"/api/results/cycles/{review.cycle_id}/report",
                 "/api/actions/plans", "/api/expectations/agreements", "/api/conversations",
                 "/api/goal-links", "/api/actions/you-said-we-did"):  # fmt: skip
        assert api.get(path).status_code == 403, path
    assert api.get("/api/leadership/cohorts").status_code == 403
    assert api.get(f"/api/leadership/cohorts/{review.cohort_id}").status_code == 403
    assert api.get(f"/api/leadership/cohorts/{review.cohort_id}/profile").status_code == 403
    assert api.get(f"/api/leadership/reviews/{review.pk}").status_code == 200
    assert api.get(f"/api/leadership/reviews/{review.pk}").json()["raters"] is None
    assert api.get(f"/api/leadership/reviews/{other.pk}").status_code == 404
    assert [r["id"] for r in api.get("/api/leadership/reviews").json()] == [review.pk]
    web = web_client(cast.coach)
    home = web.get("/o/riverside/")
    assert home.status_code == 302 and home["Location"].endswith("/leadership/")
    for page in ("units/", "people/", f"people/{cast.person('nora').pk}/", "results/", "goals/",
                 "surveys/", "actions/", "expectations/", "shadowing/", "logins/", "tokens/",
                 "leadership/cohorts/", f"leadership/cohorts/{review.cohort_id}/",
                 f"leadership/cohorts/{review.cohort_id}/profile/",
                 f"leadership/reviews/{review.pk}/raters/",
                 f"leadership/reviews/{review.pk}/self/"):  # fmt: skip
        assert web.get(f"/o/riverside/{page}").status_code == 403, page
    page = web.get(f"/o/riverside/leadership/reviews/{review.pk}/").content.decode()
    for name in A_RATER_NAMES:
        assert name not in page, "a coach is not told who was asked"
    assert web.get(f"/o/riverside/leadership/reviews/{other.pk}/").status_code == 404


# 2. A coached report before its release ----------------------------------------------------


def test_the_leader_reads_nothing_of_a_coached_report_before_the_coach_releases_it(
    cast: Cast, immediate_queue: Huey, django_capture_on_commit_callbacks: Any
) -> None:
    capture = django_capture_on_commit_callbacks
    review, links = open_round(cast, capture, name="Nurse managers", subject=cast.nurse_manager,
                               approver=cast.chair, raters=A_RATERS, coach=cast.coach)  # fmt: skip
    self_rate(cast.nurse_manager, review, 5, SELF_NOTE)
    for pid, value in A_ANSWERS.items():
        answer(links[pid], constant(value), A_COMMENTS.get(pid))
    answer(links["ned"], constant(3))
    start = len(mail.outbox)
    review = close(cast, capture, review)
    assert review.status == ReviewStatus.WITH_COACH
    [ready] = mail.outbox[start:]
    assert ready.to == ["rosa@coaching.example"], "the coach is told, not the leader"
    base = f"/o/riverside/leadership/reviews/{review.pk}"
    web, api = web_client(cast.nurse_manager), api_client(cast.nurse_manager)
    for path in (f"{base}/report/", f"{base}/report.pdf"):
        response = web.get(path)
        assert response.status_code == 403, path
        assert not MARKER.search(text_of(response))
    assert api.get(f"/api/leadership/reviews/{review.pk}/report").status_code == 403
    assert api.get(f"/api/leadership/reviews/{review.pk}").json()["report_ready"] is False
    assert api.get(f"/api/leadership/reviews/{review.pk}/plan").status_code == 404
    for path in (f"{base}/", f"{base}/plan/", "/o/riverside/leadership/", "/o/riverside/"):
        body = web.get(path).content.decode()
        assert not MARKER.search(body) and not REPORT_SIGN.search(body), path
        assert "all others" not in body.lower() and "Your 360 report is ready" not in body, path
    # She cannot release it herself, share it, or make a plan from it.
    assert api.post(f"/api/leadership/reviews/{review.pk}/release").status_code == 403
    web.post(f"{base}/release/")
    assert web.post(f"{base}/share/", {"person": "pat@riverside.example"}).status_code == 403
    plan = {"focus": [{"behaviour": "team_every_voice",
                       "actions": [{"kind": "practice", "what": "x"}]}],
            "starts_on": str(timezone.localdate()),
            "review_on": str(timezone.localdate() + dt.timedelta(days=90))}  # fmt: skip
    put = api.put(
        f"/api/leadership/reviews/{review.pk}/plan", plan, content_type="application/json"
    )
    assert put.status_code == 403
    assert Review.objects.get(pk=review.pk).status == ReviewStatus.WITH_COACH
    # Nor the approver, the admin or the executive; the coach does.
    for user in (cast.chair, cast.admin, cast.executive):
        for path in (f"{base}/report/", f"{base}/report.pdf"):
            assert web_client(user).get(path).status_code in (403, 404), (user, path)
        assert api_client(user).get(f"/api/leadership/reviews/{review.pk}/report").status_code in (
            403,
            404,
        )
    coach = web_client(cast.coach).get(f"{base}/report/").content.decode()
    assert _marker(STRENGTHS[0]) in coach
    services.release_to_leader(lscope=ls(cast.coach), actor=cast.coach, review_id=review.pk)
    assert _marker(STRENGTHS[0]) in web.get(f"{base}/report/").content.decode()


# 3. Counts of answers ----------------------------------------------------------------------


def test_answer_counts_are_shown_only_from_the_minimum_up(
    cast: Cast, immediate_queue: Huey, django_capture_on_commit_callbacks: Any
) -> None:
    review, links = open_round(cast, django_capture_on_commit_callbacks, name="Nurse managers",
                               subject=cast.nurse_manager, approver=cast.chair,
                               raters=A_RATERS)  # fmt: skip
    assert review.cohort_id is not None
    base = f"/o/riverside/leadership/reviews/{review.pk}/"
    cohort_page = f"/o/riverside/leadership/cohorts/{review.cohort_id}/"
    nora, chad, alice = (web_client(u) for u in (cast.nurse_manager, cast.chair, cast.admin))
    apis = {u: api_client(u) for u in (cast.nurse_manager, cast.chair, cast.admin)}
    for n, pid in enumerate([None, *A_RATERS]):
        if pid is not None:
            answer(links[pid], constant(3))
        shown = n if n >= 3 else None
        page = nora.get(base).content.decode()
        if shown is None:
            assert not re.search(r"\b\d+ of 8\b", page), n
        else:
            assert f"{n} of 8" in page, n
        answered = re.search(r"Answered</dt>\s*<dd>([^<]*)</dd>", alice.get(base).content.decode())
        assert answered, "the admin's page says how many answered"
        if shown is None:  # "fewer than 3", never the count
            assert not re.search(rf"\b{n}\b", answered.group(1)), (n, answered.group(1))
        else:
            assert str(n) in answered.group(1), (n, answered.group(1))
        for user, api in apis.items():
            got = api.get(f"/api/leadership/reviews/{review.pk}").json()
            assert got["answered"] == shown and got["raters_asked"] == 8, (user, n, got)
        listed = apis[cast.admin].get("/api/leadership/reviews").json()
        assert [r["answered"] for r in listed] == [shown]
        progress = apis[cast.admin].get(f"/api/leadership/cohorts/{review.cohort_id}").json()
        assert [line["answered"] for line in progress["leaders"]] == [shown]
        cohort = alice.get(cohort_page).content.decode()
        assert (f"<td>{n}</td>" in cohort) == (shown is not None), n
        assert not re.search(r"\b\d+ of 8\b", chad.get(base).content.decode()), n
        cli = run_cli(
            "leadership", "progress", "--org", "riverside", "--cohort", str(review.cohort_id)
        )
        [line] = [row for row in cli.splitlines() if "Nora Manager" in row]
        assert line.split()[-1] == ("<3" if shown is None else str(n)), line


def test_reminding_a_cohort_does_not_tell_the_admin_how_many_have_answered(
    cast: Cast, immediate_queue: Huey, django_capture_on_commit_callbacks: Any
) -> None:
    review, links = open_round(cast, django_capture_on_commit_callbacks, name="Nurse managers",
                               subject=cast.nurse_manager, approver=cast.chair,
                               raters=A_RATERS)  # fmt: skip
    answer(links["sam"], constant(2))  # one of eight: the progress says "fewer than 3"
    cli = run_cli("leadership", "remind", "--org", "riverside", "--cohort", str(review.cohort_id))
    # 8 asked, as the admin's progress page says; 7 reminded would mean 1 has answered.
    assert not re.search(r"\b7 rater", cli), cli


def test_the_report_shows_no_group_s_answer_count_below_the_minimum(
    cast: Cast, immediate_queue: Huey, django_capture_on_commit_callbacks: Any
) -> None:
    raters = {"chad": "manager", "paula": "peer", "peter": "peer", "sam": "direct_report",
              "nina": "direct_report", "ned": "direct_report", "olga": "partner"}  # fmt: skip
    review, links = open_round(cast, django_capture_on_commit_callbacks, name="Nurse managers",
                               subject=cast.nurse_manager, approver=cast.chair, raters=raters)  # fmt: skip
    for pid in raters:
        if pid != "peter":  # one peer of two does not answer; the only partner does
            answer(links[pid], constant(4))
    review = close(cast, django_capture_on_commit_callbacks, review)
    base = f"/o/riverside/leadership/reviews/{review.pk}"
    page = web_client(cast.nurse_manager).get(f"{base}/report/").content.decode()
    printed = text_of(web_client(cast.nurse_manager).get(f"{base}/report.pdf"))
    got = api_client(cast.nurse_manager).get(f"/api/leadership/reviews/{review.pk}/report").json()
    found = []
    for group in got["groups"]:
        answered = group.get("answered")
        if group["group"] != "manager" and answered is not None and answered < got["minimum"]:
            found.append(f"API: {group}")
    for label, answered, asked in (("Peers", 1, 2), ("Clinical partners", 1, 1)):
        if re.search(rf"{label}: {answered} of {asked}", page):
            found.append(f"page: {label}: {answered} of {asked}")
        if re.search(rf"{label}: {answered} of {asked}", printed):
            found.append(f"PDF: {label}: {answered} of {asked}")
    assert not found, found


# 4. Subtraction ------------------------------------------------------------------------------

CHILDREN = ("peer", "direct_report", "partner", "others")


def subtraction_leaks(report: dict[str, Any]) -> list[str]:
    """What a leader works out from the report alone, tree by tree: all others minus the
    groups shown, when exactly one group with raters is hidden and it has fewer than the
    minimum."""
    found = []
    for competency in report["competencies"]:
        points = [(competency["id"], competency["cells"])]
        points += [(b["id"], b["cells"]) for b in competency["behaviours"]]
        for point, cells in points:
            top = cells.get("all_others", {})
            if top.get("n") is None:
                continue
            children = [cells[c] for c in CHILDREN if c in cells]
            hidden = [c for c in children if c.get("hidden") and c["hidden"] != "none"]
            shown = sum(c["n"] for c in children if not c.get("hidden"))
            if len(hidden) == 1 and 0 < top["n"] - shown < report["minimum"]:
                found.append(f"{point}: all others {top['n']} minus shown {shown}")
    return found


def linear_leaks(
    framework: Framework, groups: list[str], answers: np.ndarray, report: dict[str, Any]
) -> list[tuple[str, str, int]]:
    """The strongest attacker: one who knows which rater rated which behaviour. A hidden
    group below the minimum leaks when its sum over a competency or behaviour is a linear
    combination of the sums the report shows (every shown cell is such a sum: its mean times
    n, or its distribution)."""
    k = report["minimum"]
    rated = (answers >= 1) & (answers <= 5)
    of = np.array(framework.competency_of)
    names = np.array(groups)
    pooled = {g["group"] for g in report["groups"] if g["pooled"]} | {"other"}
    variables = {cell: n for n, cell in enumerate(zip(*np.nonzero(rated), strict=True))}
    counted = np.zeros((len(groups), len(framework.competencies)), dtype=bool)
    for c in range(len(framework.competencies)):
        mine = of == c
        counted[:, c] = rated[:, mine].sum(axis=1) * 2 >= mine.sum()

    def members(column: str) -> np.ndarray:
        if column == "all_others":
            return names != "manager"
        if column == "others":
            return np.isin(names, sorted(pooled))
        return names == column

    def behaviour_sum(mask: np.ndarray, b: int) -> np.ndarray:
        vector = np.zeros(len(variables))
        for r in np.flatnonzero(mask & counted[:, of[b]] & rated[:, b]):
            vector[variables[(r, b)]] = 1
        return vector

    def competency_sum(mask: np.ndarray, c: int) -> np.ndarray:
        vector = np.zeros(len(variables))
        for r in np.flatnonzero(mask & counted[:, c]):
            own = [b for b in np.flatnonzero(of == c) if rated[r, b]]
            for b in own:
                vector[variables[(r, b)]] += 1 / len(own)
        return vector

    shown = []
    for competency in report["competencies"]:
        # A group's competency score is the mean of its shown behaviour means: a function of
        # the rows below, so it adds no equation of its own.
        for behaviour in competency["behaviours"]:
            b = framework.behaviours.index(behaviour["id"])
            for column, cell in behaviour["cells"].items():
                if column != "self" and cell.get("n") and not cell.get("hidden"):
                    shown.append(behaviour_sum(members(column), b))
    matrix = np.array(shown) if shown else np.zeros((0, len(variables)))
    rank = np.linalg.matrix_rank(matrix) if len(matrix) else 0
    small = {group: names == group for group in GROUPS[1:]}
    small["pool"] = np.isin(names, sorted(pooled))
    found = []
    for label, mask in small.items():
        for c, competency in enumerate(framework.competencies):
            size = int((mask & counted[:, c]).sum())
            if 0 < size < k:
                target = competency_sum(mask, c)
                if np.linalg.matrix_rank(np.vstack([matrix, target])) == rank:
                    found.append((label, competency, size))
        for b, behaviour in enumerate(framework.behaviours):
            size = int((mask & counted[:, of[b]] & rated[:, b]).sum())
            if 0 < size < k:
                target = behaviour_sum(mask, b)
                if np.linalg.matrix_rank(np.vstack([matrix, target])) == rank:
                    found.append((label, behaviour, size))
    return found


def pattern(seed: int) -> list[int]:
    """A rater's own distinctive ratings, 1-5, one per behaviour."""
    return [1 + (seed * 7 + b * 3 + b * b) % 5 for b in range(len(BEHAVIOURS))]


@dataclass(frozen=True)
class Crafted:
    name: str
    raters: dict[str, str]
    silent: tuple[str, ...] = ()  # asked, never answer
    declines: tuple[str, ...] = ()
    minimum: int = 3
    not_observed: tuple[tuple[str, str], ...] = ()  # (group, competency) never observed


CRAFTED = [
    Crafted("the issue's case, the manager silent", {
        "chad": "manager", "paula": "peer", "peter": "peer", "oscar_r": "peer", "eve": "peer",
        "sam": "direct_report", "nina": "direct_report", "ned": "direct_report",
        "olga": "partner", "omar": "partner"}, silent=("chad",)),
    Crafted("declines shrink a peer group and pool the direct reports", {
        "chad": "manager", "paula": "peer", "peter": "peer", "oscar_r": "peer", "eve": "peer",
        "sam": "direct_report", "nina": "direct_report", "ned": "direct_report",
        "olga": "other", "omar": "partner"}, declines=("eve", "ned")),
    Crafted("a raised minimum of four", {
        "chad": "manager", "paula": "peer", "peter": "peer", "oscar_r": "peer", "eve": "peer",
        "sam": "direct_report", "nina": "direct_report", "ned": "direct_report",
        "olga": "other"}, minimum=4),
    Crafted("a lone direct report and no manager's answer", {
        "chad": "manager", "paula": "peer", "peter": "peer", "oscar_r": "peer",
        "sam": "direct_report"}, silent=("chad",)),
    Crafted("partners who never see coaching", {
        "chad": "manager", "paula": "peer", "peter": "peer", "oscar_r": "peer",
        "sam": "direct_report", "nina": "direct_report", "ned": "direct_report",
        "olga": "partner", "omar": "partner"},
        not_observed=(("partner", "coaching_mentoring"),)),
    Crafted("two small groups that add up to the minimum", {
        "chad": "manager", "paula": "peer", "peter": "peer", "sam": "direct_report",
        "nina": "direct_report", "olga": "partner", "omar": "other"}, declines=("omar",)),
]  # fmt: skip


def run_crafted(
    cast: Cast, capture: Any, crafted: Crafted, answers_of: dict[str, list[int]] | None = None
) -> tuple[dict[str, Any], Framework, list[str], np.ndarray]:
    """The round through the services; the report as the leader's API gives it, and the
    truth (each answering rater's group and answers) for the auditor."""
    review, links = open_round(cast, capture, name=f"Crafted: {crafted.name}",
                               subject=cast.nurse_manager, approver=cast.chair,
                               raters=crafted.raters, minimum=crafted.minimum)  # fmt: skip
    for pid in crafted.declines:
        decline(review, pid)
    groups, rows = [], []
    for n, (pid, group) in enumerate(crafted.raters.items()):
        if pid in crafted.declines or pid in crafted.silent:
            continue
        values = (answers_of or {}).get(pid) or pattern(n)
        for g, competency in crafted.not_observed:
            if g == group:
                values = [0 if COMPETENCY_OF[b] == competency else v
                          for b, v in zip(BEHAVIOURS, values, strict=True)]  # fmt: skip
        answer(links[pid], dict(zip(BEHAVIOURS, values, strict=True)))
        groups.append(group)
        rows.append(values)
    review = close(cast, capture, review)
    assert review.status == ReviewStatus.RELEASED
    got = api_client(cast.nurse_manager).get(f"/api/leadership/reviews/{review.pk}/report")
    assert got.status_code == 200
    framework = framework_of(instrument_of(review))
    assert list(framework.behaviours) == BEHAVIOURS
    return got.json(), framework, groups, np.array(rows, dtype=np.int64)


@pytest.mark.parametrize("crafted", CRAFTED, ids=[c.name for c in CRAFTED])
def test_no_group_below_the_minimum_is_derivable_from_a_crafted_report(
    cast: Cast, immediate_queue: Huey, django_capture_on_commit_callbacks: Any, crafted: Crafted
) -> None:
    report, framework, groups, answers = run_crafted(
        cast, django_capture_on_commit_callbacks, crafted
    )
    assert not subtraction_leaks(report)
    assert not linear_leaks(framework, groups, answers, report)
    # Every figure shown is over at least the minimum (all others: at least four).
    for competency in report["competencies"]:
        for cells in [competency["cells"]] + [b["cells"] for b in competency["behaviours"]]:
            for column, cell in cells.items():
                if column in ("self", "manager") or cell.get("hidden"):
                    continue
                least = report["all_others_minimum"] if column == "all_others" else crafted.minimum
                assert cell["n"] >= least, (competency["id"], column, cell)


# Partners rate the first three behaviours of "managing self" 1 and never see the other two;
# everyone else rates every behaviour. Rater means are whole numbers, so nothing is rounded.
CROSS_TREE = Crafted("partners who do not see two behaviours of a competency", {
    "chad": "manager", "paula": "peer", "peter": "peer", "oscar_r": "peer",
    "sam": "direct_report", "nina": "direct_report", "ned": "direct_report",
    "olga": "partner", "omar": "partner"})  # fmt: skip
CROSS_TREE_SELF = {
    "chad": [3, 3, 3, 3, 3], "paula": [4, 4, 4, 4, 4], "peter": [3, 5, 4, 4, 4],
    "oscar_r": [5, 3, 4, 4, 4], "sam": [2, 2, 2, 2, 2], "nina": [1, 3, 2, 2, 2],
    "ned": [3, 1, 2, 2, 2], "olga": [1, 1, 1, 0, 0], "omar": [1, 1, 1, 0, 0],
}  # fmt: skip


def test_a_small_group_is_not_derivable_across_a_competency_and_its_behaviours(
    cast: Cast, immediate_queue: Huey, django_capture_on_commit_callbacks: Any
) -> None:
    answers_of = {
        pid: values + pattern(n)[len(MANAGING_SELF) :]
        for n, (pid, values) in enumerate(CROSS_TREE_SELF.items())
    }
    assert BEHAVIOURS[:5] == MANAGING_SELF
    report, framework, groups, answers = run_crafted(
        cast, django_capture_on_commit_callbacks, CROSS_TREE, answers_of
    )
    assert not subtraction_leaks(report), "each tree on its own is closed"
    # From the report alone the leader sees the pattern: all others' "not observed" on the
    # last two behaviours is the pool's (peers and direct reports show none there).
    competency = report["competencies"][0]
    assert competency["id"] == "managing_self"
    last = competency["behaviours"][3]["cells"]
    assert last["all_others"]["not_observed"] == 2 and last["all_others"]["n"] == 6
    derived = attacker_pool_total(competency)
    truth = int(answers[np.isin(groups, ["partner"])][:, :3].sum())  # the two partners': 6
    assert derived is None or round(derived) != truth, (
        f"the two partners' ratings of the competency add up to {derived:.2f}: each rated 1"
    )
    assert not linear_leaks(framework, groups, answers, report)


def attacker_pool_total(competency: dict[str, Any]) -> float | None:
    """The leader's algebra: unknowns are each group's sum per behaviour (peers and direct
    reports rated all five; the pool the first three); the equations are every shown cell.
    The pool's total over the first three, when the equations fix it."""
    columns = {("peer", b): b for b in range(5)}
    columns.update({("direct_report", b): 5 + b for b in range(5)})
    columns.update({("others", b): 10 + b for b in range(3)})
    rows, values = [], []

    def equation(terms: dict[int, float], value: float) -> None:
        row = np.zeros(13)
        for index, weight in terms.items():
            row[index] = weight
        rows.append(row)
        values.append(value)

    for b, behaviour in enumerate(competency["behaviours"]):
        for column, cell in behaviour["cells"].items():
            if column in ("self", "manager") or cell.get("hidden") or not cell.get("n"):
                continue
            total = sum((v + 1) * count for v, count in enumerate(cell["dist"]))
            parts = ("peer", "direct_report", "others") if column == "all_others" else (column,)
            equation({columns[(p, b)]: 1 for p in parts if (p, b) in columns}, total)
    for column, cell in competency["cells"].items():
        if column in ("self", "manager") or cell.get("hidden") or not cell.get("n"):
            continue
        parts = ("peer", "direct_report", "others") if column == "all_others" else (column,)
        terms = {}
        for p in parts:
            for b in range(5):
                if (p, b) in columns:
                    terms[columns[(p, b)]] = 1 / 3 if p == "others" else 1 / 5
        equation(terms, cell["mean"] * cell["n"])
    matrix = np.array(rows)
    target = np.zeros(13)
    target[10:13] = 1
    if np.linalg.matrix_rank(np.vstack([matrix, target])) > np.linalg.matrix_rank(matrix):
        return None
    solution, *_ = np.linalg.lstsq(matrix, np.array(values), rcond=None)
    return float(target @ solution)


# 5. Who else reads what ------------------------------------------------------------------------


def released(cast: Cast, capture: Any, *, coach: User | None = None) -> Review:
    review, links = open_round(cast, capture, name="Nurse managers", subject=cast.nurse_manager,
                               approver=cast.chair, raters=A_RATERS, coach=coach)  # fmt: skip
    self_rate(cast.nurse_manager, review, 5, SELF_NOTE)
    for pid, value in A_ANSWERS.items():
        answer(links[pid], constant(value), A_COMMENTS.get(pid))
    review = close(cast, capture, review)
    if review.status == ReviewStatus.WITH_COACH:
        assert coach is not None
        review = services.release_to_leader(lscope=ls(coach), actor=coach, review_id=review.pk)
    return review


def test_the_mentor_reads_the_plan_but_no_figure_of_the_report(
    cast: Cast, immediate_queue: Huey, django_capture_on_commit_callbacks: Any
) -> None:
    review = released(cast, django_capture_on_commit_callbacks)
    sue = login(cast, "sue", Role.LEADER)
    a_plan(cast.nurse_manager, review, cast.person("sue"))
    base = f"/o/riverside/leadership/reviews/{review.pk}"
    assert web_client(sue).get(f"{base}/report/").status_code in (403, 404)
    page = web_client(sue).get(f"{base}/plan/").content.decode()
    assert _marker(WHY) in page, "the mentor reads the plan"
    cells = next(
        b["cells"]
        for c in Review.objects.get(pk=review.pk).report["competencies"]
        for b in c["behaviours"]
        if b["id"] == "team_every_voice"
    )
    figures = {f"{cells[column]['mean']:.1f}" for column in ("self", "all_others")}
    assert figures == {"5.0", "3.3"}, "Nora rated herself 5; all others 3.33"
    for figure in figures:
        shown = re.search(rf"(?<![\d.]){re.escape(figure)}(?!\d)", page)
        assert not shown, f"the mentor reads {figure} from the report"


@pytest.mark.parametrize("who", ["admin", "chair"])
def test_an_admin_cannot_make_someone_the_reader_of_a_report_by_naming_them_coach(
    cast: Cast, immediate_queue: Huey, django_capture_on_commit_callbacks: Any, who: str
) -> None:
    capture = django_capture_on_commit_callbacks
    review, links = open_round(cast, capture, name="Nurse managers", subject=cast.nurse_manager,
                               approver=cast.chair, raters=A_RATERS)  # fmt: skip
    for pid, value in A_ANSWERS.items():
        answer(links[pid], constant(value), A_COMMENTS.get(pid))
    reader = cast.by_role[who]
    try:  # after the raters answered: the admin (or the leader's manager) as the coach
        services.assign_coach(lscope=ls(cast.admin), actor=cast.admin, review_id=review.pk,
                              coach=reader)  # fmt: skip
    except (LeadershipError, PermissionDenied):
        return  # refused: what the test wants
    close(cast, capture, review)
    page = web_client(reader).get(f"/o/riverside/leadership/reviews/{review.pk}/report/")
    assert page.status_code in (403, 404), f"{who} reads Nora's report first"


def test_a_share_opens_the_report_and_its_end_closes_it_everywhere(
    cast: Cast, immediate_queue: Huey, django_capture_on_commit_callbacks: Any
) -> None:
    review = released(cast, django_capture_on_commit_callbacks)
    pia = login(cast, "pia", Role.LEADER)
    base = f"/o/riverside/leadership/reviews/{review.pk}"
    paths = [f"{base}/", f"{base}/report/", f"{base}/report.pdf"]
    api_paths = [
        f"/api/leadership/reviews/{review.pk}",
        f"/api/leadership/reviews/{review.pk}/report",
    ]

    def reads() -> list[int]:
        web, api = web_client(pia), api_client(pia)
        return [web.get(p).status_code for p in paths] + [api.get(p).status_code for p in api_paths]

    assert set(reads()) == {404}
    services.share_report(lscope=ls(cast.nurse_manager), actor=None, review_id=review.pk,
                          person=cast.person("pia"))  # fmt: skip
    assert set(reads()) == {200}
    shared = web_client(pia).get(f"{base}/report/").content.decode()
    assert _marker(STRENGTHS[0]) in shared
    assert "Stop sharing" not in shared and "Pat Peds" not in shared, (
        "not who else it is shared with"
    )
    assert web_client(pia).get(f"{base}/plan/").status_code == 403, "a share is not the plan"
    for name in A_RATER_NAMES:
        assert name not in web_client(pia).get(f"{base}/").content.decode()
    services.stop_sharing(lscope=ls(cast.nurse_manager), actor=None, review_id=review.pk,
                          person_id=cast.person("pia").pk)  # fmt: skip
    assert set(reads()) == {404}
    assert review.pk not in [r["id"] for r in api_client(pia).get("/api/leadership/reviews").json()]


def test_raters_the_approver_and_the_admin_never_read_the_report(
    cast: Cast, immediate_queue: Huey, django_capture_on_commit_callbacks: Any
) -> None:
    review = released(cast, django_capture_on_commit_callbacks)
    paula, sam = login(cast, "paula"), cast.staff_nurse
    base = f"/o/riverside/leadership/reviews/{review.pk}"
    for user, expected in ((paula, 404), (sam, 404), (cast.executive, 404), (cast.chair, 403),
                           (cast.admin, 403), (cast.outsider, 404)):  # fmt: skip
        web, api = web_client(user), api_client(user)
        for path in (f"{base}/report/", f"{base}/report.pdf", f"{base}/plan/"):
            assert web.get(path).status_code in (expected, 404), (user, path)
        for path in (f"/api/leadership/reviews/{review.pk}/report",
                     f"/api/leadership/reviews/{review.pk}/plan"):  # fmt: skip
            assert api.get(path).status_code in (expected, 404), (user, path)
    admin = web_client(cast.admin).get(f"{base}/").content.decode()
    for name in A_RATER_NAMES:
        assert name not in admin, "the admin is not told who was asked"
    got = api_client(cast.admin).get(f"/api/leadership/reviews/{review.pk}").json()
    assert got["raters"] is None and got["raters_asked"] == 8
    # The executive reads the cohort's profile: one leader, so nothing of her.
    assert review.cohort_id is not None
    profile = api_client(cast.executive).get(f"/api/leadership/cohorts/{review.cohort_id}/profile")
    assert profile.status_code == 200
    for competency in profile.json()["competencies"]:
        assert competency.get("hidden") and "others" not in competency and "self" not in competency
        for behaviour in competency["behaviours"]:
            assert behaviour.get("hidden") and "others" not in behaviour


def test_an_admin_learns_who_was_asked_only_while_approving_for_a_leader_with_no_manager(
    cast: Cast, immediate_queue: Huey, django_capture_on_commit_callbacks: Any
) -> None:
    """Chad's manager (Cora) has no login, so a program admin approves his raters: that is
    the one moment an admin reads who was asked. Before and after, counts only."""
    capture = django_capture_on_commit_callbacks
    raters = {"sue": "peer", "pia": "peer", "eve": "peer", "nora": "direct_report"}
    names = ("Sue Surgeon", "Pia Pediatrics", "Nora Manager")
    with capture(execute=True):
        cohort = services.start_cohort(
            lscope=ls(cast.admin), actor=cast.admin, name="Chairs",
            subjects=[cast.person("chad")], answer_by=in_days(14),
        )  # fmt: skip
    review = cohort.reviews.get()
    chosen = [Rater(cast.person(pid), group) for pid, group in raters.items()]
    services.set_raters(lscope=ls(cast.chair), actor=None, review_id=review.pk, raters=chosen)
    base = f"/o/riverside/leadership/reviews/{review.pk}/"
    admin, api = web_client(cast.admin), api_client(cast.admin)

    def admin_reads() -> bool:
        page = admin.get(base).content.decode()
        got = api.get(f"/api/leadership/reviews/{review.pk}").json()
        listed = api.get("/api/leadership/reviews").json()
        return (
            any(name in page for name in names)
            or got["raters"] is not None
            or any(row["raters"] is not None for row in listed)
        )

    assert not admin_reads(), "choosing: the admin sees nothing of who"
    with capture(execute=True):
        services.submit_raters(lscope=ls(cast.chair), actor=None, review_id=review.pk)
    assert admin_reads(), "approving for a leader with no manager: the admin reads the list"
    approval = [m for m in mail.outbox if "Approve the raters" in m.subject]
    assert approval and all("riverside.example" not in m.body for m in approval)
    with capture(execute=True):
        services.approve_raters(lscope=ls(cast.admin), actor=cast.admin, review_id=review.pk)
    assert not admin_reads(), "approved: the admin is back to counts"
    assert admin.get(f"{base}approve/").status_code == 403


def test_the_approver_is_not_told_which_rater_declined(
    cast: Cast, immediate_queue: Huey, django_capture_on_commit_callbacks: Any
) -> None:
    review, _ = open_round(cast, django_capture_on_commit_callbacks, name="Nurse managers",
                           subject=cast.nurse_manager, approver=cast.chair, raters=A_RATERS)  # fmt: skip
    decline(review, "ned")
    got = api_client(cast.chair).get(f"/api/leadership/reviews/{review.pk}").json()
    assert not any(rater["declined"] for rater in got["raters"] or []), got["raters"]
    page = web_client(cast.chair).get(f"/o/riverside/leadership/reviews/{review.pk}/")
    assert not re.search(r"Ned Nurse[^<]*<span class=\"tag tag--declined\"", page.content.decode())


# 6. The re-assessment ------------------------------------------------------------------------


def test_a_re_assessment_carries_nothing_of_the_first_round_s_answers(
    cast: Cast, immediate_queue: Huey, django_capture_on_commit_callbacks: Any
) -> None:
    capture = django_capture_on_commit_callbacks
    first = released(cast, capture)
    before = Review.objects.get(pk=first.pk).report
    a_plan(cast.nurse_manager, first, None)
    nora = ls(cast.nurse_manager)
    follow_up = services.start_reassessment(lscope=nora, actor=cast.nurse_manager,
                                            review_id=first.pk, answer_by=in_days(14))  # fmt: skip
    assert follow_up.behaviours == ["team_every_voice"]
    asked = {n.person.external_id for n in follow_up.nominations.select_related("person")}
    # The same raters — Ned, who never answered, too: who is asked again says nothing of who
    # answered the first time.
    assert asked == set(A_RATERS)
    with capture(execute=True):
        services.submit_raters(lscope=nora, actor=cast.nurse_manager, review_id=follow_up.pk)
    start = len(mail.outbox)
    with capture(execute=True):
        follow_up = services.approve_raters(lscope=ls(cast.chair), actor=cast.chair,
                                            review_id=follow_up.pk)  # fmt: skip
    check_links(start, follow_up)
    links = tokens(start)
    second = {"paula": "QX-SECOND-7701 she asks us first now.",
              "sam": "QX-SECOND-7702 huddles are better.",
              "olga": "QX-SECOND-7703 more voices heard."}  # fmt: skip
    answering = ["chad", "paula", "sam", "nina", "olga"]
    for n, pid in enumerate(answering):
        answer(links[pid], {"team_every_voice": 1 + n}, {"strengths": second.get(pid, "")})
    follow_up = close(cast, capture, follow_up)
    report = follow_up.report
    assert report is not None
    text = str(report)
    assert not any(_marker(s) in text for s in STRENGTHS + DEVELOP), "first round's comments"
    # one peer answered: below the minimum, so the count is not given
    assert {g["group"]: g["answered"] for g in report["groups"]}.get("peer") is None
    for competency in report["competencies"]:
        for cells in [competency["cells"]] + [b["cells"] for b in competency["behaviours"]]:
            for column, cell in cells.items():
                if column != "self" and cell.get("n"):
                    assert cell["n"] <= len(answering), (competency["id"], column, cell)
                    assert sum(cell.get("dist") or []) <= len(answering)
    assert Review.objects.get(pk=first.pk).report == before, "the first report never moves"
    # The plan page shows the behaviour over time; nothing of the re-assessment's raters.
    page = web_client(cast.nurse_manager).get(f"/o/riverside/leadership/reviews/{first.pk}/plan/")
    assert page.status_code == 200
    assert not MARKER.search(page.content.decode().replace(_marker(WHY), "").replace(
        _marker(ACTION), ""))  # fmt: skip


# 7. Other organisations ----------------------------------------------------------------------


def test_another_organisation_s_360s_are_not_there(
    cast: Cast, immediate_queue: Huey, django_capture_on_commit_callbacks: Any
) -> None:
    review = released(cast, django_capture_on_commit_callbacks)
    assert review.cohort_id is not None
    olive = cast.outsider
    lee = lakeview_executive(cast)
    base = f"/o/lakeview/leadership/reviews/{review.pk}"
    for user in (olive, lee):
        web, api = web_client(user), api_client(user)
        for path in (f"{base}/", f"{base}/report/", f"{base}/report.pdf", f"{base}/plan/",
                     f"{base}/raters/", f"{base}/approve/", f"{base}/self/",
                     f"/o/riverside/leadership/reviews/{review.pk}/report/"):  # fmt: skip
            assert web.get(path).status_code == 404, (user, path)
        for path in ("report", "plan", ""):
            assert (
                api.get(f"/api/leadership/reviews/{review.pk}/{path}".rstrip("/")).status_code
                == 404
            )
        assert api.post(f"/api/leadership/reviews/{review.pk}/decline").status_code == 404
        assert review.pk not in [r["id"] for r in api.get("/api/leadership/reviews").json()]
    # Olive, an admin in Lakeview, runs nothing of Riverside's.
    api = api_client(olive)
    for step in ("close", "cancel"):
        assert api.post(f"/api/leadership/reviews/{review.pk}/{step}").status_code == 404
    put = api.put(f"/api/leadership/reviews/{review.pk}/coach", {"coach_email": "olive@lakeview.example"},
                  content_type="application/json")  # fmt: skip
    assert put.status_code == 404
    assert api.get(f"/api/leadership/cohorts/{review.cohort_id}").status_code == 404
    assert api.get(f"/api/leadership/cohorts/{review.cohort_id}/profile").status_code == 404
    assert Review.objects.get(pk=review.pk).status == ReviewStatus.RELEASED
