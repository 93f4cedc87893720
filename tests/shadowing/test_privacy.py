"""The shadowing programme's privacy, tried adversarially: every page and API route requested
by everyone who may not read a secret, and none shows it.

The secrets are distinctive markers, so a leak anywhere is found:

* the host's reason for declining: the host's alone (the visitor reads "Not this time");
* a single host's rating and comment: the host's own; anyone else reads ratings only pooled
  over at least three hosts;
* the reflection (what the visitor saw, what surprised them, the barriers): the visitor's and
  the host's;
* the host's account: the visitor's and the host's;
* a commitment (and why it cannot be done): the visitor's, the host's, its owner's and the
  people's of the unit visited (``Person.unit == visit.unit``);

plus: outsiders get a 404 for everything, a visitor cannot reach someone else's visit by
guessing ids, only the owner or the visitor moves a commitment, and every free-text field
refuses patient identifiers through the API and the pages alike.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from huey import Huey
from icalendar import Calendar

from accord.access.models import Membership, Role, User
from accord.access.services import grant_membership, issue_api_token
from accord.org.importing import plan_org_import
from accord.org.models import Person, Unit
from accord.org.services import apply_org_import
from accord.shadowing import services
from accord.shadowing.models import (
    Barrier,
    Commitment,
    CommitmentStatus,
    Host,
    HostWord,
    ProgrammeSettings,
    Reflection,
    ShadowingAuditEntry,
    Slot,
    Visit,
    VisitStatus,
)
from accord.shadowing.rules import CommitmentDraft
from tests.cast import Cast, roster_csv
from tests.shadowing.world import happened, in_days, sscope
from tests.test_scope_matrix import discover_routes

pytestmark = pytest.mark.django_db

PASSWORD = "x-very-long-password-1"
PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>")

# The markers. Each is a secret with the people (by HR id) who may read it.
DECLINE = "QX-DECLINE-7731 my preceptee starts that night"
SAW = "QX-SAW-4410 boarding in the corridor"
SURPRISED = "QX-SURPRISE-5521 the phone calls for beds"
BARRIER = "QX-BARRIER-6632 bed requests by phone"
ACCOUNT = "QX-ACCOUNT-8843 she stayed till handover"
COMMENT = "QX-COMMENT-9954 she looked bored"
COMMIT_NORA = "QX-COMMIT-NORA-1201 test a single bed line"
COMMIT_EVE = "QX-COMMIT-EVE-1303 bring bed flow to the huddle"
CANT = "QX-CANT-1302 no budget this year"
NORA_SAW = "QX-NORA-SAW-2201 physicians waiting on labs"
PAULA_ACCOUNT = "QX-PAULA-ACCOUNT-2202 asked good questions"
PAULA_COMMENT = "QX-PAULA-COMMENT-2203 never again"
COMMIT_PHYS = "QX-COMMIT-PHYS-2204 a lab runner at night"

ED_NURSING_FOLLOWERS = {"eve", "sam", "nora", "nina"}  # visitor, host, owner, the unit
READERS: dict[str, set[str]] = {
    DECLINE: {"sam"},
    SAW: {"eve", "sam"},
    SURPRISED: {"eve", "sam"},
    BARRIER: {"eve", "sam"},
    ACCOUNT: {"eve", "sam"},
    COMMENT: {"sam"},
    COMMIT_NORA: ED_NURSING_FOLLOWERS,
    COMMIT_EVE: ED_NURSING_FOLLOWERS,
    CANT: ED_NURSING_FOLLOWERS,
    NORA_SAW: {"nora", "paula"},
    PAULA_ACCOUNT: {"nora", "paula"},
    PAULA_COMMENT: {"paula"},
    COMMIT_PHYS: {"nora", "paula", "chad"},  # visitor, host, owner (no one of the unit logs in)
}
# Shown to no one, not even their author: the comment is for the programme, pooled.
SHOWN_NOWHERE = {COMMENT, PAULA_COMMENT}
# Never in an audit entry (the trail is read by operators and admins).
NOT_AUDITED = {DECLINE, SAW, SURPRISED, BARRIER, ACCOUNT, COMMENT, NORA_SAW, PAULA_ACCOUNT,
               PAULA_COMMENT}  # fmt: skip
MARKER = re.compile(r"QX-[A-Z-]+-\d{4}")
VISIT_LINK = re.compile(r"/shadowing/visits/(\d+)/")

# A single rating as the pages and the API would show it.
RATING = re.compile(
    r"useful\W{0,3}\d|engaged\W{0,3}\d|would host again\W{0,3}(?:yes|no)"
    r"|\"(?:useful|engaged|would_host_again)\"",
    re.IGNORECASE,
)
SAMS_RATING = re.compile(r"useful\W{0,3}2|engaged\W{0,3}3", re.IGNORECASE)
PAULAS_RATING = re.compile(r"useful\W{0,3}4|engaged\W{0,3}1", re.IGNORECASE)


# The people ---------------------------------------------------------------------------------


def login(cast: Cast, external_id: str, role: str = Role.MEMBER) -> User:
    """A riverside login for someone the cast leaves without one."""
    return grant_membership(organisation=cast.riverside, email=f"{external_id}@riverside.example",
                            role=role, person=cast.person(external_id), password=PASSWORD).user  # fmt: skip


def lakeview_executive(cast: Cast) -> User:
    """Lee: an executive of the outsider organisation with a person there (so may book)."""
    rows = [("lee", "Lee Lakeview", "Lakeview Clinics/Family Medicine", "system/department", "",
             "clinician", "Physician", "yes")]  # fmt: skip
    apply_org_import(plan=plan_org_import(organisation=cast.lakeview, filename="lakeview.csv",
                                          content=roster_csv(rows)))  # fmt: skip
    lee = Person.objects.get(organisation=cast.lakeview, external_id="lee")
    return grant_membership(organisation=cast.lakeview, email="lee@lakeview.example",
                            role=Role.EXECUTIVE, person=lee, password=PASSWORD).user  # fmt: skip


def people(cast: Cast) -> dict[str, User]:
    """Everyone who signs in, by HR id (olive, the outsider, has no person)."""
    return {
        "alice": cast.admin, "eve": cast.executive, "chad": cast.chair, "nora": cast.nurse_manager,
        "sam": cast.staff_nurse, "olive": cast.outsider,
        "nina": login(cast, "nina"),  # a nurse of ED Nursing, the unit Sam's visits are to
        "paula": login(cast, "paula"),  # a physician of ED Physicians, who hosts too
        "pat": login(cast, "pat"),  # a nurse in Pediatrics: nothing to do with any of it
        "ceo": login(cast, "ceo", Role.EXECUTIVE),  # another executive
        "lee": lakeview_executive(cast),
    }  # fmt: skip


# The programme ------------------------------------------------------------------------------


def offer(cast: Cast, user: User, service: str = "Adult emergency") -> Host:
    return services.offer_to_host(
        sscope=sscope(cast, user), actor=None, service=service, monthly_limit=8,
        visitor_notes="Meet at the desk.", shifts={"night": (None, None), "day": (None, None)},
    )  # fmt: skip


def shift(cast: Cast, host: User, days: int) -> Slot:
    return services.add_slot(sscope=sscope(cast, host), actor=None, kind="night", day=in_days(days))


def booked(cast: Cast, visitor: User, host: User, days: int) -> Visit:
    slot = shift(cast, host, days)
    return services.book_visit(sscope=sscope(cast, visitor), actor=None, slot_id=slot.pk)


def confirmed(cast: Cast, visitor: User, host: User, days: int) -> Visit:
    visit = booked(cast, visitor, host, days)
    return services.answer_visit(sscope=sscope(cast, host), actor=None, visit=visit, confirm=True)


def done(cast: Cast, visitor: User, host: User, days: int, hours_ago: int = 2) -> Visit:
    return happened(confirmed(cast, visitor, host, days), hours_ago=hours_ago)


def reflect(cast: Cast, visitor: User, visit: Visit, saw: str = "Boarding all night.",
            commitments: list[CommitmentDraft] | None = None, **more: Any) -> Reflection:  # fmt: skip
    return services.write_reflection(
        sscope=sscope(cast, visitor), actor=None, visit=visit, what_i_saw=saw,
        surprised=more.get("surprised", ""), barriers=more.get("barriers", []),
        commitments=commitments or [],
    )  # fmt: skip


def word(cast: Cast, host: User, visit: Visit, useful: int, engaged: int, again: bool,
         account: str = "", comment: str = "") -> HostWord:  # fmt: skip
    return services.write_host_word(sscope=sscope(cast, host), actor=None, visit=visit,
                                    account=account, useful=useful, engaged=engaged,
                                    would_host_again=again, comment=comment)  # fmt: skip


@dataclass
class Secrets:
    users: dict[str, User]
    past: Visit  # Eve shadowed Sam: reflection, commitments, Sam's word
    declined: Visit  # Eve asked Sam again; he declined with a reason
    noras: Visit  # Nora shadowed Paula: her reflection, a commitment Chad owns, Paula's word
    waiting: Visit  # Eve asks Paula, no answer yet
    commitments: dict[str, Commitment] = field(default_factory=dict)

    @property
    def visits(self) -> list[Visit]:
        return [self.past, self.declined, self.noras, self.waiting]


def build_secrets(cast: Cast) -> Secrets:
    users = people(cast)
    eve, sam, nora, paula = (users[k] for k in ("eve", "sam", "nora", "paula"))
    offer(cast, sam)
    offer(cast, paula, "Emergency medicine")
    past = done(cast, eve, sam, 2, hours_ago=3)
    reflect(cast, eve, past, SAW, surprised=SURPRISED, barriers=[("voice", BARRIER)],
            commitments=[CommitmentDraft(COMMIT_NORA, "nora", in_days(20)),
                         CommitmentDraft(COMMIT_EVE, "eve", in_days(30))])  # fmt: skip
    word(cast, sam, past, 2, 3, False, account=ACCOUNT, comment=COMMENT)
    made = {c.owner.external_id: c for c in past.commitments.select_related("owner")}
    services.update_commitment(sscope=sscope(cast, eve), actor=eve, commitment=made["eve"],
                               status=CommitmentStatus.CANT_DO, reason=CANT)  # fmt: skip
    services.update_commitment(sscope=sscope(cast, nora), actor=nora, commitment=made["nora"],
                               status=CommitmentStatus.DONE)  # fmt: skip
    declined = booked(cast, eve, sam, 5)
    services.answer_visit(sscope=sscope(cast, sam), actor=sam, visit=declined, confirm=False,
                          reason=DECLINE)  # fmt: skip
    noras = done(cast, nora, paula, 4, hours_ago=5)
    reflect(cast, nora, noras, NORA_SAW,
            commitments=[CommitmentDraft(COMMIT_PHYS, "chad", in_days(25))])  # fmt: skip
    word(cast, paula, noras, 4, 1, True, account=PAULA_ACCOUNT, comment=PAULA_COMMENT)
    waiting = booked(cast, eve, paula, 8)
    found = Secrets(users, *(Visit.objects.get(pk=v.pk) for v in (past, declined, noras, waiting)))
    found.commitments = {c.what: c for c in Commitment.objects.all()}
    return found


def client_for(user: User, *, api: bool) -> Client:
    if api:
        membership = Membership.objects.get(user=user)
        _, token = issue_api_token(membership=membership, name="privacy walk")
        return Client(headers={"Authorization": f"Bearer {token}"})
    client = Client()
    client.force_login(user)
    return client


def text_of(response: Any) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


# 1. The walk: every page and API GET, as everyone ------------------------------------------


def test_no_route_shows_a_secret_to_anyone_but_its_readers(
    cast: Cast, immediate_queue: Huey, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # every email the story sends
        world = build_secrets(cast)
    ids = {"visit_id": [v.pk for v in world.visits],
           "commitment_id": [c.pk for c in world.commitments.values()]}  # fmt: skip
    tokens = {name: client_for(user, api=True) for name, user in world.users.items()}
    sessions = {name: client_for(user, api=False) for name, user in world.users.items()}
    seen: dict[str, set[str]] = {secret: set() for secret in READERS}
    own: dict[str, set[int]] = {name: set() for name in world.users}
    for visit in world.visits:
        own[visit.visitor.external_id].add(visit.pk)
        own[visit.host.person.external_id].add(visit.pk)
    leaks: list[str] = []
    requests = 0
    for route_name, route in discover_routes().items():
        method, _, api_path = route_name.partition(" ")
        if api_path and method != "GET":
            continue  # the API's writes show nothing new; the scope matrix holds them
        names = [m.group(2) for m in PARAMETER.finditer(route)]
        many = next((n for n in names if n in ids), None)
        for value in ids[many] if many else [None]:
            for viewer, user in world.users.items():
                slugs = ["riverside", "lakeview"] if viewer in ("olive", "lee") else ["riverside"]
                for slug in slugs:
                    values = {"org_slug": slug, **({many: value} if many else {})}
                    path = "/" + PARAMETER.sub(lambda m, v=values: str(v.get(m.group(2), 1)), route)
                    client = tokens[viewer] if api_path else sessions[viewer]
                    if not api_path and "_auth_user_id" not in client.session:
                        client.force_login(user)  # a route signed them out: back in
                    response = client.get(path)
                    requests += 1
                    body = text_of(response)
                    outsider_here = viewer in ("olive", "lee") and slug == "riverside"
                    if (
                        outsider_here
                        and "<slug:" in route
                        and response.status_code not in (404, 405)
                    ):
                        leaks.append(f"{viewer} got {response.status_code} at {path}")
                    for secret in MARKER.findall(body):
                        full = next((s for s in READERS if s.startswith(secret)), secret)
                        seen.setdefault(full, set()).add(viewer)
                        if viewer not in READERS.get(full, set()):
                            leaks.append(f"{viewer} read {secret!r} at {path}")
                    if "shadowing" in path or route_name == "org-home":
                        leaks += rating_leaks(viewer, path, body)
                    if response.status_code == 200:
                        linked = {int(n) for n in VISIT_LINK.findall(body)}
                        if route_name == "GET /api/shadowing/visits":
                            linked |= {row["id"] for row in response.json()}
                        if linked - own[viewer]:
                            leaks.append(f"{viewer} sees visits {linked - own[viewer]} at {path}")
    assert requests > 1500  # every route, as every reader
    assert not leaks, "\n".join(sorted(set(leaks)))
    # The walk can see: each secret does reach each of its readers somewhere.
    for secret, readers in READERS.items():
        expected = set() if secret in SHOWN_NOWHERE else readers
        assert seen[secret] == expected, f"{secret}: read by {seen[secret]}, not {expected}"

    # Email and calendar files: a secret only to its readers.
    assert mail.outbox, "the story sends email"
    [decline] = [m for m in mail.outbox if m.subject.startswith("Not this time")]
    assert decline.to == ["eve@riverside.example"]
    for message in mail.outbox:
        recipients = {address.split("@")[0] for address in message.to}
        content = [message.subject, message.body]
        for _name, attachment, _mimetype in message.attachments:
            for event in Calendar.from_ical(attachment).walk("VEVENT"):
                content += [str(event.get("DESCRIPTION", "")), str(event.get("SUMMARY", ""))]
        for secret, readers in READERS.items():
            if any(secret in part for part in content):
                assert recipients <= readers, f"{secret!r} emailed to {recipients}"
        assert not any(RATING.search(part) for part in content), message.subject

    # The audit trail: no decline reason, reflection, account, comment or rating.
    for entry in ShadowingAuditEntry.objects.all():
        for secret in NOT_AUDITED:
            assert secret not in entry.summary, entry.summary
        assert not RATING.search(entry.summary), entry.summary


def rating_leaks(viewer: str, path: str, body: str) -> list[str]:
    """A single host's rating outside their own pages (there are only two hosts, so no pooled
    rating may be shown anywhere)."""
    if viewer == "sam":
        found = PAULAS_RATING.search(body)
    elif viewer == "paula":
        found = SAMS_RATING.search(body)
    else:
        found = RATING.search(body)
    return [f"{viewer} read a rating ({found.group()!r}) at {path}"] if found else []


def test_the_host_reads_their_reason_and_their_rating_and_the_visitor_only_not_this_time(
    cast: Cast,
) -> None:
    world = build_secrets(cast)
    slug = cast.riverside.slug
    eve, sam = (cast.client_for(world.users[k]) for k in ("eve", "sam"))
    declined = reverse("shadowing-visit", args=[slug, world.declined.pk])
    shown = eve.get(declined).content.decode()
    assert "Not this time" in shown and "QX-DECLINE" not in shown
    assert "QX-DECLINE" in sam.get(declined).content.decode()
    past = reverse("shadowing-visit", args=[slug, world.past.pk])
    assert re.search(r"useful 2/5, engaged 3/5", sam.get(past).content.decode())
    assert not RATING.search(eve.get(past).content.decode())
    api = client_for(world.users["eve"], api=True)
    got = api.get(f"/api/shadowing/visits/{world.declined.pk}").json()
    assert got["status"] == "declined" and "QX-DECLINE" not in str(got)
    assert "decline_reason" not in got and "reason" not in got


# 2. Coverage: pooled ratings, exports and the command line ----------------------------------


def coverage_everywhere(cast: Cast, users: dict[str, User], tmp_path: Any) -> dict[str, str]:
    """The coverage as each of its readers gets it: page, CSV, Excel, API, command line; and
    the visitor's own home page."""
    import openpyxl
    from typer.testing import CliRunner

    from accord.cli import app

    slug = cast.riverside.slug
    page = reverse("shadowing-coverage", args=[slug])
    out: dict[str, str] = {}
    for name in ("eve", "alice", "ceo"):
        client = cast.client_for(users[name])
        out[f"{name} page"] = client.get(page).content.decode()
        out[f"{name} csv"] = client.get(page + "?format=csv").content.decode("utf-8-sig")
        book = openpyxl.load_workbook(io.BytesIO(client.get(page + "?format=xlsx").content))
        out[f"{name} xlsx"] = "\n".join(
            str(cell) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
            for cell in row if cell is not None
        )  # fmt: skip
        out[f"{name} api"] = (
            client_for(users[name], api=True).get("/api/shadowing/coverage").content.decode()
        )
        out[f"{name} home"] = client.get(reverse("shadowing", args=[slug])).content.decode()
    grid = tmp_path / "grid.csv"
    cli = CliRunner().invoke(app, ["shadowing", "coverage", "--org", slug, "--out", str(grid)])
    assert cli.exit_code == 0, cli.output
    out["cli"] = cli.output
    out["cli csv"] = grid.read_text(encoding="utf-8-sig")
    return out


def test_coverage_exports_and_the_command_line_hold_no_text_and_no_single_rating(
    cast: Cast, tmp_path: Any
) -> None:
    world = build_secrets(cast)
    for where, text in coverage_everywhere(cast, world.users, tmp_path).items():
        reader = where.split()[0]
        for secret in MARKER.findall(text):  # a home page: what its reader follows, only
            full = next(s for s in READERS if s.startswith(secret))
            assert where.endswith(" home") and reader in READERS[full], f"{where}: {secret}"
        assert not RATING.search(text), f"{where}: {RATING.search(text)}"
    page = cast.client_for(world.users["eve"]).get(
        reverse("shadowing-coverage", args=["riverside"])
    )
    assert "hidden until at least three hosts have rated (2 so far)" in page.content.decode()
    for name in ("sam", "nora", "chad", "nina", "pat", "paula"):  # coverage is not theirs
        client = cast.client_for(world.users[name])
        for suffix in ("", "?format=csv", "?format=xlsx"):
            url = reverse("shadowing-coverage", args=["riverside"]) + suffix
            assert client.get(url).status_code == 403, (name, suffix)
        api = client_for(world.users[name], api=True)
        assert api.get("/api/shadowing/coverage").status_code == 403, name


def test_ratings_reach_anyone_but_the_host_only_pooled_over_three_hosts(
    cast: Cast, tmp_path: Any
) -> None:
    users = people(cast)
    eve = users["eve"]
    hosts = [users["sam"], users["paula"], users["nina"]]
    for host in hosts:
        offer(cast, host)
    visits = [done(cast, eve, host, 2 + n, hours_ago=2 + n) for n, host in enumerate(hosts)]
    ratings = [(1, 2, False), (5, 4, True), (3, 3, True)]
    for n, (host, visit, (useful, engaged, again)) in enumerate(
        zip(hosts, visits, ratings, strict=True)
    ):
        word(cast, host, visit, useful, engaged, again, comment=f"QX-POOL-COMMENT-000{n}")
        shown = coverage_everywhere(cast, users, tmp_path)
        for where, text in shown.items():
            assert "QX-POOL-COMMENT" not in text, where
            if n < 2:  # one host, then two: hidden everywhere
                assert not RATING.search(text), f"after {n + 1} hosts, {where}: {text[-400:]}"
        visit_page = cast.client_for(eve).get(
            reverse("shadowing-visit", args=["riverside", visit.pk])
        )
        assert not RATING.search(visit_page.content.decode())  # the visitor never reads one
    # Three hosts: pooled, over all three.
    assert (
        "over 3 hosts: useful 3.0/5, visitors engaged 3.0/5, 67% would host again"
        in shown["eve page"]
    )
    assert (
        "Over 3 hosts: useful 3.0 of 5, you were engaged 3.0 of 5, 67% would host again"
        in (shown["eve home"])
    )
    for where in ("eve csv", "eve xlsx", "eve api", "cli", "cli csv"):
        assert not RATING.search(shown[where]), where  # exports carry no ratings at all
    # Each host reads their own rating, not the others'.
    for host, visit, (useful, engaged, _again) in zip(hosts, visits, ratings, strict=True):
        own = cast.client_for(host).get(reverse("shadowing-visit", args=["riverside", visit.pk]))
        assert f"useful {useful}/5, engaged {engaged}/5" in own.content.decode()
        for other in visits:
            if other.pk != visit.pk:
                assert (
                    cast.client_for(host)
                    .get(reverse("shadowing-visit", args=["riverside", other.pk]))
                    .status_code
                    == 404
                )


def test_an_executive_cannot_subtract_her_own_pool_from_the_programmes_to_read_one_rating(
    cast: Cast,
) -> None:
    """Three hosts rate Eve's visits; one of them, Paula, also rates Nora's. Each pool Eve
    reads has three hosts, but the programme's pool minus hers is Paula's single rating of
    Nora's visit: Eve should not be able to read both pools."""
    users = people(cast)
    eve, nora = users["eve"], users["nora"]
    hosts = [users["sam"], users["paula"], users["nina"]]
    for host in hosts:
        offer(cast, host)
    for n, host in enumerate(hosts):
        word(cast, host, done(cast, eve, host, 2 + n, hours_ago=2 + n), 5, 5, True)
    word(cast, users["paula"], done(cast, nora, users["paula"], 9, hours_ago=9), 1, 1, False)
    client = cast.client_for(eve)
    programme = client.get(reverse("shadowing-coverage", args=["riverside"])).content.decode()
    own = client.get(reverse("shadowing", args=["riverside"])).content.decode()
    pooled = re.search(r"over 3 hosts: useful ([\d.]+)/5.*?(\d+)% would host again", programme)
    mine = re.search(r"Over 3 hosts: useful ([\d.]+) of 5.*?(\d+)% would host again", own)
    assert pooled or mine, "three hosts rated: at least one pool is shown"
    if pooled and mine:
        # Four ratings in the programme's pool, three of them Eve's.
        useful = round(4 * float(pooled.group(1)) - 3 * float(mine.group(1)))
        again = round((4 * int(pooled.group(2)) - 3 * int(mine.group(2))) / 100)
        pytest.fail(
            "Eve reads the programme's pool and her own, each over 3 hosts; their difference "
            f"is Paula's single rating of Nora's visit: useful {useful}/5, would host again "
            f"{'yes' if again else 'no'}"
        )


# 3. Commitments: who reads, who moves --------------------------------------------------------


FOLLOWERS = {
    COMMIT_NORA: ED_NURSING_FOLLOWERS,
    COMMIT_EVE: ED_NURSING_FOLLOWERS,
    COMMIT_PHYS: {"nora", "paula", "chad"},
}
MOVERS = {COMMIT_NORA: {"nora", "eve"}, COMMIT_EVE: {"eve"}, COMMIT_PHYS: {"chad", "nora"}}


def test_each_commitment_is_read_by_its_followers_and_moved_by_its_owner_or_visitor(
    cast: Cast,
) -> None:
    world = build_secrets(cast)
    page = reverse("shadowing-commitments", args=["riverside"])
    for name, user in world.users.items():
        if name == "lee":
            continue  # tried below, with the outsiders
        web = cast.client_for(user)
        listed = web.get(page)
        shown = listed.content.decode() if listed.status_code == 200 else ""
        api = client_for(user, api=True)
        rows = api.get("/api/shadowing/commitments").json()
        via_api = {row["what"] for row in rows}
        for what, followers in FOLLOWERS.items():
            follows = name in followers
            assert (what in shown) is follows, f"{name} on the page: {what}"
            assert (what in via_api) is follows, f"{name} through the API: {what}"
        # Moving each commitment: the owner or the visitor; the host and the unit are refused
        # (403), anyone else does not learn it exists (404).
        for what, commitment in world.commitments.items():
            before = Commitment.objects.get(pk=commitment.pk)
            url = reverse("shadowing-commitment", args=["riverside", commitment.pk])
            moved = web.post(url, {"status": "in_progress"})
            through_api = api.post(f"/api/shadowing/commitments/{commitment.pk}",
                                   {"status": "in_progress"}, content_type="application/json")  # fmt: skip
            after = Commitment.objects.get(pk=commitment.pk)
            if name in MOVERS[what]:
                assert moved.status_code == 302 and through_api.status_code == 200, (name, what)
                assert after.status == CommitmentStatus.IN_PROGRESS
                Commitment.objects.filter(pk=commitment.pk).update(
                    status=before.status, reason=before.reason, done_at=before.done_at
                )
            else:
                expected = 403 if name in FOLLOWERS[what] else 404
                assert (moved.status_code, through_api.status_code) == (expected, expected), (
                    name, what, moved.status_code, through_api.status_code)  # fmt: skip
                assert (after.status, after.reason) == (before.status, before.reason)


def test_a_commitments_owner_follows_it_but_not_the_visit_and_not_the_owners_unit(
    cast: Cast,
) -> None:
    users = people(cast)
    pia = login(cast, "pia")  # Pat's colleague in Pediatrics
    offer(cast, users["sam"])
    visit = done(cast, users["eve"], users["sam"], 3)
    reflect(cast, users["eve"], visit, "QX-OWNER-SAW-3301 corridor care",
            commitments=[CommitmentDraft("QX-OWNER-COMMIT-3302 a porter rota", "pat",
                                         in_days(10))])  # fmt: skip
    page = reverse("shadowing-commitments", args=["riverside"])
    pat = cast.client_for(users["pat"])
    assert "QX-OWNER-COMMIT-3302" in pat.get(page).content.decode()
    assert pat.get(reverse("shadowing-visit", args=["riverside", visit.pk])).status_code == 404
    assert client_for(users["pat"], api=True).get(
        f"/api/shadowing/visits/{visit.pk}").status_code == 404  # fmt: skip
    assert "QX-OWNER-SAW" not in pat.get(page).content.decode()
    assert "QX-OWNER-COMMIT-3302" not in cast.client_for(pia).get(page).content.decode()


def test_the_host_page_shows_commitments_of_the_unit_the_host_works_in_now(cast: Cast) -> None:
    """Sam offered to host while in ED Nursing, then moved to Perioperative. Commitments made
    on Nina's visits to ED Nursing are no longer his to follow (he is not their visitor, host
    or owner, and ED Nursing is not his unit), on any page."""
    users = people(cast)
    sam, nina, eve = users["sam"], users["nina"], users["eve"]
    offer(cast, sam)
    offer(cast, nina)
    visit = done(cast, eve, nina, 3)
    reflect(cast, eve, visit, commitments=[
        CommitmentDraft("QX-UNIT-COMMIT-4401 a second triage nurse", "eve", in_days(10))])  # fmt: skip
    perioperative = Unit.objects.get(organisation=cast.riverside, name="Perioperative")
    Person.objects.filter(pk=cast.person("sam").pk).update(unit=perioperative)
    client = cast.client_for(sam)
    assert "QX-UNIT-COMMIT" not in client.get(
        reverse("shadowing-commitments", args=["riverside"])).content.decode()  # fmt: skip
    assert "QX-UNIT-COMMIT" not in client.get(
        reverse("shadowing-host", args=["riverside"])).content.decode()  # fmt: skip


def test_a_visit_is_to_the_unit_the_host_works_in_when_it_is_booked(cast: Cast) -> None:
    """Sam offered to host while in ED Nursing, then moved to Perioperative; Eve shadows him
    there. The unit visited is Perioperative: its people follow the commitments, and ED
    Nursing's (Nina) do not."""
    users = people(cast)
    sam, eve = users["sam"], users["eve"]
    offer(cast, sam)
    perioperative = Unit.objects.get(organisation=cast.riverside, name="Perioperative")
    Person.objects.filter(pk=cast.person("sam").pk).update(unit=perioperative)
    visit = done(cast, eve, sam, 3)
    reflect(cast, eve, visit, commitments=[
        CommitmentDraft("QX-MOVED-COMMIT-4402 theatre turnaround", "eve", in_days(10))])  # fmt: skip
    page = reverse("shadowing-commitments", args=["riverside"])
    olga = login(cast, "olga")  # a nurse of Perioperative, where the shift was
    assert "QX-MOVED-COMMIT" not in cast.client_for(users["nina"]).get(page).content.decode()
    assert "QX-MOVED-COMMIT" in cast.client_for(olga).get(page).content.decode()
    assert Visit.objects.get(pk=visit.pk).unit == perioperative


# 4. Outsiders and guessed ids ---------------------------------------------------------------


def test_outsiders_get_a_404_for_every_visit_and_commitment_and_see_nothing(cast: Cast) -> None:
    world = build_secrets(cast)
    slot = shift(cast, world.users["sam"], 12)
    for name in ("olive", "lee"):
        user = world.users[name]
        web = cast.client_for(user)
        api = client_for(user, api=True)
        for visit in world.visits:
            for action in ("", "answer/", "cancel/", "move/", "reflection/", "host-word/"):
                url = reverse("shadowing-visit", args=["riverside", visit.pk]) + action
                assert web.get(url).status_code in (404, 405), (name, url)
                assert web.post(url, {}).status_code == 404, (name, url)
            assert api.get(f"/api/shadowing/visits/{visit.pk}").status_code == 404
            for action, body in (("answer", {"confirm": False, "reason": "x"}), ("cancel", {}),
                                 ("reflection", {"what_i_saw": "x"}),
                                 ("host-word", {"useful": 1, "engaged": 1,
                                                "would_host_again": False})):  # fmt: skip
                got = api.post(f"/api/shadowing/visits/{visit.pk}/{action}", body,
                               content_type="application/json")  # fmt: skip
                assert got.status_code == 404, (name, action, got.status_code)
        for commitment in world.commitments.values():
            url = reverse("shadowing-commitment", args=["riverside", commitment.pk])
            assert web.post(url, {"status": "done"}).status_code == 404
            got = api.post(f"/api/shadowing/commitments/{commitment.pk}", {"status": "done"},
                           content_type="application/json")  # fmt: skip
            assert got.status_code == 404, (name, got.status_code)
        assert api.get("/api/shadowing/visits").json() == []
        assert api.get("/api/shadowing/commitments").json() == []
        for route in ("shadowing", "shadowing-commitments", "shadowing-book", "shadowing-coverage",
                      "shadowing-host"):  # fmt: skip
            assert web.get(reverse(route, args=["riverside"])).status_code == 404, (name, route)
    lee = client_for(world.users["lee"], api=True)
    assert lee.get("/api/shadowing/slots").json() == []  # riverside's shifts are not his
    assert lee.get("/api/shadowing/suggestions").json() == []
    refused = lee.post("/api/shadowing/visits", {"slot_id": slot.pk},
                       content_type="application/json")  # fmt: skip
    nothing = lee.post("/api/shadowing/visits", {"slot_id": 10**12},
                       content_type="application/json")  # fmt: skip
    assert refused.status_code == nothing.status_code == 422
    assert refused.json() == nothing.json()  # the same words as for a shift that is not there
    assert not Visit.objects.filter(slot=slot).exists()
    assert "Sam Nurse" not in cast.client_for(world.users["lee"]).get(
        reverse("shadowing-book", args=["lakeview"])).content.decode()  # fmt: skip
    for visit in world.visits:  # nothing moved
        assert Visit.objects.get(pk=visit.pk).status == visit.status


def test_a_visitor_cannot_reach_anyone_elses_visit_by_guessing_its_id(cast: Cast) -> None:
    world = build_secrets(cast)
    mine = {"eve": {world.past.pk, world.declined.pk, world.waiting.pk},
            "nina": set(), "chad": set(), "alice": set(), "ceo": set()}  # fmt: skip
    known = [v.pk for v in world.visits]
    guesses = [*range(min(known) - 2, max(known) + 3), 0, 2**31, 2**63 - 1, 2**63, 10**20]
    for name, own in mine.items():
        user = world.users[name]
        web, api = cast.client_for(user), client_for(user, api=True)
        assert {row["id"] for row in api.get("/api/shadowing/visits").json()} == own, name
        for guess in guesses:
            if guess in own:
                continue
            page = web.get(f"/o/riverside/shadowing/visits/{guess}/")
            assert page.status_code == 404, (name, guess, page.status_code)
            move = web.get(f"/o/riverside/shadowing/visits/{guess}/move/")
            assert move.status_code == 404, (name, guess)
            for action in ("answer", "cancel", "reflection", "host-word"):
                posted = web.post(f"/o/riverside/shadowing/visits/{guess}/{action}/", {})
                assert posted.status_code == 404, (name, guess, action, posted.status_code)
            got = api.get(f"/api/shadowing/visits/{guess}")
            assert got.status_code in (404, 422), (name, guess, got.status_code)
            assert not MARKER.search(got.content.decode())
            cancel = api.post(f"/api/shadowing/visits/{guess}/cancel")
            assert cancel.status_code in (404, 422), (name, guess, cancel.status_code)
    # Eve's guesses at Nora's visit changed nothing.
    noras = Visit.objects.get(pk=world.noras.pk)
    assert noras.status == VisitStatus.CONFIRMED and noras.sequence == world.noras.sequence
    assert Reflection.objects.get(visit=noras).what_i_saw == NORA_SAW


# 5. Patient identifiers: refused in every free-text field, through the API and the pages ------


IDENTIFIERS = [
    ("medical record number", "The wristband read MRN 00123456."),
    ("phone number", "Her son left 555-123-4567 at the desk."),
    ("date of birth", "A man born 4 March 1956 waited."),
    ("room or bed", "The call bell in bed 12 was broken."),
    ("email address", "Her daughter wrote from jane.doe@example.org."),
    ("national identity number", "The form showed SSN 123-45-6789."),
]


def stored_anywhere(text: str) -> list[str]:
    """Every place the programme keeps free text that holds ``text``."""
    places = {
        "host": Host.objects.filter(service__contains=text)
        | Host.objects.filter(visitor_notes__contains=text),
        "visit": Visit.objects.filter(decline_reason__contains=text),
        "reflection": Reflection.objects.filter(what_i_saw__contains=text)
        | Reflection.objects.filter(surprised__contains=text),
        "barrier": Barrier.objects.filter(note__contains=text),
        "commitment": Commitment.objects.filter(what__contains=text)
        | Commitment.objects.filter(reason__contains=text),
        "word": HostWord.objects.filter(account__contains=text)
        | HostWord.objects.filter(comment__contains=text),
        "settings": ProgrammeSettings.objects.filter(briefing__contains=text)
        | ProgrammeSettings.objects.filter(briefing_es__contains=text),
        "audit": ShadowingAuditEntry.objects.filter(summary__contains=text),
    }
    return [name for name, found in places.items() if found.exists()]


@dataclass
class Stage:
    """What a field needs before it can be written: a visit waiting, one over, a commitment."""

    cast: Cast
    users: dict[str, User]
    day: int = 1  # each visit on a night of its own

    def next_day(self) -> int:
        self.day += 1
        return self.day

    @classmethod
    def build(cls, cast: Cast) -> Stage:
        users = {"eve": cast.executive, "sam": cast.staff_nurse, "alice": cast.admin}
        stage = cls(cast, users)
        offer(cast, cast.staff_nurse)
        return stage

    def waiting(self) -> Visit:
        return booked(self.cast, self.users["eve"], self.users["sam"], self.next_day())

    def over(self) -> Visit:
        return done(self.cast, self.users["eve"], self.users["sam"], self.next_day())

    def commitment(self) -> Commitment:
        visit = self.over()
        reflect(self.cast, self.users["eve"], visit,
                commitments=[CommitmentDraft("Test a bed line", "eve", in_days(9))])  # fmt: skip
        return visit.commitments.get()


HOST = {"service": "Adult emergency", "monthly_limit": 2, "visitor_notes": "",
        "shifts": [{"kind": "night"}]}  # fmt: skip
REFLECTION = {"what_i_saw": "Boarding all night.", "surprised": "", "barriers": [],
              "commitments": []}  # fmt: skip
WORD = {"account": "", "useful": 4, "engaged": 4, "would_host_again": True, "comment": ""}


def api_writes(stage: Stage, field_name: str, text: str) -> tuple[str, str, str, dict[str, Any]]:
    """(who, method, path, body) writing ``text`` into ``field_name`` through the API."""
    due = in_days(9).isoformat()
    match field_name:
        case "service" | "visitor_notes":
            return "sam", "put", "/api/shadowing/host", {**HOST, field_name: text}
        case "decline reason":
            path = f"/api/shadowing/visits/{stage.waiting().pk}/answer"
            return "sam", "post", path, {"confirm": False, "reason": text}
        case "what_i_saw" | "surprised" | "barrier note" | "commitment what":
            body: dict[str, Any] = {**REFLECTION}
            if field_name in ("what_i_saw", "surprised"):
                body[field_name] = text
            elif field_name == "barrier note":
                body["barriers"] = [{"driver": "voice", "note": text}]
            else:
                body["commitments"] = [{"what": text, "owner_hr_id": "eve", "due_on": due}]
            return "eve", "post", f"/api/shadowing/visits/{stage.over().pk}/reflection", body
        case "account" | "comment":
            path = f"/api/shadowing/visits/{stage.over().pk}/host-word"
            return "sam", "post", path, {**WORD, field_name: text}
        case "can't-do reason":
            path = f"/api/shadowing/commitments/{stage.commitment().pk}"
            return "eve", "post", path, {"status": "cant_do", "reason": text}
    raise AssertionError(field_name)


API_FIELDS = ["service", "visitor_notes", "decline reason", "what_i_saw", "surprised",
              "barrier note", "commitment what", "account", "comment", "can't-do reason"]  # fmt: skip


@pytest.mark.parametrize("field_name", API_FIELDS)
def test_the_api_refuses_patient_identifiers_in_every_free_text_field(
    cast: Cast, field_name: str
) -> None:
    stage = Stage.build(cast)
    for kind, text in IDENTIFIERS:
        who, method, path, body = api_writes(stage, field_name, text)
        client = client_for(stage.users[who], api=True)
        response = getattr(client, method)(path, body, content_type="application/json")
        assert response.status_code == 422, (field_name, kind, response.status_code,
                                             response.content[:300])  # fmt: skip
        refusal = response.content.decode()
        assert "Accord keeps nothing about patients" in refusal, (field_name, kind, refusal)
        assert kind.split()[-1] in refusal, (field_name, kind, refusal)
        assert stored_anywhere(text) == [], (field_name, kind, stored_anywhere(text))
    # The same field takes ordinary prose: the refusals above were for the identifiers.
    who, method, path, body = api_writes(stage, field_name, "Bed flow was slow at 03:00.")
    client = client_for(stage.users[who], api=True)
    accepted = getattr(client, method)(path, body, content_type="application/json")
    assert accepted.status_code in (200, 201), accepted.content[:300]


def page_writes(stage: Stage, field_name: str, text: str) -> tuple[str, str, dict[str, Any]]:
    """(who, url, form data) writing ``text`` into ``field_name`` through the pages."""

    def url(name: str, *args: object) -> str:
        return reverse(name, args=["riverside", *args])

    due = in_days(9).isoformat()
    match field_name:
        case "service" | "visitor_notes":
            data = {"service": "Adult emergency", "monthly_limit": "2", "visitor_notes": "",
                    "shift_night": "on", field_name: text}  # fmt: skip
            return "sam", url("shadowing-host"), data
        case "decline reason":
            return "sam", url("shadowing-visit-answer", stage.waiting().pk), {
                "decision": "decline", "reason": text}  # fmt: skip
        case "what_i_saw" | "surprised" | "barrier note" | "commitment what":
            data = {"what_i_saw": "Boarding all night.", "surprised": ""}
            if field_name in ("what_i_saw", "surprised"):
                data[field_name] = text
            elif field_name == "barrier note":
                data |= {"barriers.0.driver": "voice", "barriers.0.note": text}
            else:
                data |= {"commitments.0.what": text, "commitments.0.owner": "eve",
                         "commitments.0.due_on": due}  # fmt: skip
            return "eve", url("shadowing-visit-reflect", stage.over().pk), data
        case "account" | "comment":
            data = {"account": "", "useful": "4", "engaged": "4", "would_host_again": "yes",
                    "comment": "", field_name: text}  # fmt: skip
            return "sam", url("shadowing-visit-word", stage.over().pk), data
        case "can't-do reason":
            return "eve", url("shadowing-commitment", stage.commitment().pk), {
                "status": "cant_do", "reason": text}  # fmt: skip
        case "briefing" | "briefing_es":
            data = {"visits_per_executive": "4", "reflection_hours": "48", "briefing": "",
                    "briefing_es": "", field_name: text}  # fmt: skip
            return "alice", url("shadowing-settings"), data
    raise AssertionError(field_name)


@pytest.mark.parametrize("field_name", [*API_FIELDS, "briefing", "briefing_es"])
def test_the_pages_refuse_patient_identifiers_in_every_free_text_field(
    cast: Cast, field_name: str
) -> None:
    stage = Stage.build(cast)
    for kind, text in IDENTIFIERS:
        who, url, data = page_writes(stage, field_name, text)
        response = cast.client_for(stage.users[who]).post(url, data, follow=True)
        shown = response.content.decode()
        assert "Accord keeps nothing about patients" in shown, (field_name, kind)
        assert stored_anywhere(text) == [], (field_name, kind, stored_anywhere(text))


# Identifiers as people really type them: a word processor's dashes, an invisible character
# pasted from a web page, a Spanish speaker's note (the programme writes to people in Spanish).
TYPED = [
    pytest.param("Her son left 555-123-4567 at the desk.", id="ascii-hyphens (control)"),
    pytest.param("Her son left 555\u2013123\u20134567 at the desk.", id="en-dashes"),
    pytest.param("Her son left 555\u2010123\u20104567 at the desk.", id="unicode-hyphens"),
    pytest.param("He read 0012\u200b3456 off the wristband.", id="zero-width-space"),
    pytest.param("La paciente de la cama 12 esperó cuatro horas.", id="spanish-bed"),
    pytest.param("Fecha de nacimiento 04/03/1956 en la pulsera.", id="spanish-date-of-birth"),
]


@pytest.mark.parametrize("text", TYPED)
def test_a_patient_identifier_as_people_type_it_is_refused_too(cast: Cast, text: str) -> None:
    stage = Stage.build(cast)
    visit = stage.over()
    response = client_for(stage.users["eve"], api=True).post(
        f"/api/shadowing/visits/{visit.pk}/reflection", {**REFLECTION, "what_i_saw": text},
        content_type="application/json",
    )  # fmt: skip
    stored = stored_anywhere(text)
    assert response.status_code == 422 and not stored, (
        f"stored in {stored}: {text!r} (status {response.status_code})"
    )
