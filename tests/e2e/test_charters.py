"""A team's charter, the whole story, through the real pages.

Nora (nurse manager, ED Nursing) follows "Charters" in the navigation and starts a charter for
a named group of six across two units: herself, Sam, Nina and Ned (nurses), Paula and Peter
(physicians). The five others answer the values questions privately — Ned with JavaScript
off, Paula on a phone — and the pooled themes appear only once the third has answered. Nora
drafts the vision, norms with how the team notices them, one responsibility per member, a
goal linked to her goal in Goals and one in words, watching Accord's checks change as she
fixes the draft, and proposes it. Sam asks for a change, then endorses after reading the
draft again; Ned endorses with JavaScript off; with Nora's endorsement, the last, the charter
is in force and prints as a PDF. Three months later the clock opens the revisit: three members
rate the norms, pooled once the third has; Nora rewrites the norm rated lowest and compares the
two versions. Olga joins the group on the "Team and settings" page and endorses the charter in
force from its page.

Every page is audited by its tab (axe-core, console errors); Nora's phone, 390px wide, visits
every charter page at each stage, so none scrolls sideways or has targets too small to tap.
Set ``CHARTER_SHOTS`` to a folder (say /tmp/charter-shots) to keep a desktop and a phone
screenshot of the main pages.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from huey import Huey
from pypdf import PdfReader

from accord.access.models import Membership, Role
from accord.access.services import grant_membership
from accord.charters import services
from accord.charters.models import Charter, VersionStatus
from accord.charters.state import open_revisit_of, version_in_force, working_version
from accord.goals.models import Goal
from tests.cast import PASSWORD, Cast
from tests.e2e.conftest import Browser
from tests.goals.world import goal

pytestmark = pytest.mark.browser

CHARTER = "ED interprofessional team"
NAMES = {
    "nora": "Nora Manager", "sam": "Sam Nurse", "nina": "Nina Nurse", "ned": "Ned Nurse",
    "paula": "Paula Physician", "peter": "Peter Physician", "olga": "Olga Periop",
}  # fmt: skip
TEAM = ("nora", "sam", "nina", "ned", "paula", "peter")
MATTERS = "What matters most to you in this work?"
NEED = "What do you need from the people you work with?"
PATIENTS = "What would you like patients and families to say about this team?"
# The five members' values, in the order they answer.
VALUES = {
    "sam": {MATTERS: "Patients and families feel listened to",
            NEED: "Help when the board fills up and backup on breaks",
            PATIENTS: "They were kind and explained everything"},
    "nina": {MATTERS: "Safe care and few errors", NEED: "Clear handoffs and honest feedback",
             PATIENTS: "Kind staff who listened to my family"},
    "ned": {MATTERS: "Respect between nurses and doctors", NEED: "Support when it gets busy",
            PATIENTS: "Everyone was kind"},
    "paula": {MATTERS: "Learning something every shift", NEED: "Clear communication at handoff",
              PATIENTS: "They listened to me"},
    "peter": {MATTERS: "Respect for everyone's time", NEED: "Help with teaching residents",
              PATIENTS: "Quick and kind"},
}  # fmt: skip
VISION = "We give every patient in the ED safe, kind care, and look after each other."
HANDOVER = "We hand over face to face, with the plan said out loud."
HANDOVER_SIGNS = "The receiving nurse repeats the plan back"
HELP = "We ask for help before we are drowning."
HELP_SIGNS = "Anyone says 'I need a hand' at the board and someone answers"
HELP_REWRITTEN = "We ask for help early, and whoever is free answers."
LWBS = "Fewer patients leaving without being seen"
BUDDY = "Every new nurse has a buddy for the first month"
ROLES = {
    "nora": "Runs the monthly team meeting",
    "sam": "Keeps the handover checklist",
    "nina": "Leads the safety huddle",
    "ned": "Welcomes new staff",
    "paula": "Brings the physicians' view to the huddle",
    "peter": "Teaches the residents the handover",
}  # fmt: skip
SAMS_COMMENT = "Say who leads the huddle when Nina is off."
PHONE_390 = {"width": 390, "height": 844}
SHOTS = os.environ.get("CHARTER_SHOTS", "")


# --- helpers ---------------------------------------------------------------------------------


def main_text(tab: Browser) -> str:
    return tab.page.get_by_role("main").inner_text()


def status_text(tab: Browser) -> str:
    return "\n".join(tab.page.get_by_role("status").all_inner_texts())


def heading(tab: Browser) -> str:
    return tab.page.get_by_role("heading", level=1).inner_text()


def at_390(tab: Browser) -> Browser:
    """A phone tab made 390px wide; its audits are keyed to that width."""
    tab.page.set_viewport_size(PHONE_390)
    tab.options = {**tab.options, "viewport": PHONE_390}
    return tab


def shoot(tab: Browser, name: str) -> None:
    """Keep a screenshot of the page as it is, when CHARTER_SHOTS names a folder."""
    if not SHOTS:
        return
    folder = Path(SHOTS)
    folder.mkdir(parents=True, exist_ok=True)
    kind = "phone" if tab.phone else "desktop"
    tab.page.screenshot(path=str(folder / f"{name}-{kind}.png"), full_page=True)


def login_for(cast: Cast, external_id: str) -> str:
    """The email a team member signs in with: a member login for whoever has none yet."""
    person = cast.person(external_id)
    membership = Membership.objects.filter(person=person).select_related("user").first()
    if membership is None:
        membership = grant_membership(
            organisation=cast.riverside, email=person.email, role=Role.MEMBER, person=person,
            password=PASSWORD,
        )  # fmt: skip
    return membership.user.email


def to_charters(tab: Browser) -> None:
    """Open Charters from the main navigation (behind the menu button on a phone)."""
    if tab.phone and tab.javascript:
        tab.page.get_by_role("button", name="Menu").tap()
    nav = tab.page.get_by_role("navigation", name="Main")
    tab.follow(nav.get_by_role("link", name="Charters", exact=True))
    assert heading(tab) == "Team charters"


def charter_nav(tab: Browser, name: str) -> None:
    """Follow one of the charter's own tabs (The charter, Values, Draft, …)."""
    nav = tab.page.get_by_role("navigation", name="This charter")
    tab.follow(nav.get_by_role("link", name=name, exact=True))


def open_charter(tab: Browser) -> None:
    """From the charters page, the charter's own page."""
    mine = tab.page.get_by_role("region", name="Your teams")
    tab.follow(mine.get_by_role("link", name=CHARTER))
    assert heading(tab) == CHARTER


def my_steps(tab: Browser) -> list[str]:
    """What waits on the viewer, on the charters page."""
    mine = tab.page.get_by_role("region", name="Your teams")
    return mine.locator("li li").all_inner_texts()


def stage(tab: Browser) -> str:
    return tab.page.locator("main p .tag").first.inner_text()


def the_charter() -> Charter:
    return Charter.objects.get(name=CHARTER)


def charter_path(name: str, *args: object) -> str:
    return reverse(name, args=["riverside", the_charter().pk, *args])


def subjects() -> list[tuple[str, str]]:
    return sorted((m.to[0], m.subject) for m in mail.outbox)


# 1. Nora starts the charter --------------------------------------------------------------------


def nora_starts_the_charter(nora: Browser, cast: Cast) -> None:
    page = nora.page
    nora.sign_in(cast.nurse_manager.email, PASSWORD)
    to_charters(nora)
    assert "You are on no team with a charter yet." in main_text(nora)
    shoot(nora, "home-empty")
    nora.follow(page.get_by_role("link", name="Start a charter"))
    assert heading(nora) == "Start a charter"
    page.get_by_label("Name of the charter").fill(CHARTER)
    page.get_by_role("group", name="The team").get_by_label("A named group of people").check()
    people = "\n".join(f"{pid}@riverside.example" for pid in TEAM)
    page.get_by_label("People of the group").fill(people)
    shoot(nora, "start")
    rule = page.get_by_role("group", name="Adopted when")
    assert rule.get_by_label("Everyone, or all but one after a week").is_checked()
    assert page.get_by_label("Revisit it").input_value() == "3"
    mail.outbox.clear()
    nora.follow(page.get_by_role("button", name="Start the charter"))
    assert "The charter has started: the members are asked for their values." in status_text(nora)
    assert heading(nora) == CHARTER
    assert stage(nora) == "Drafting"
    assert "Facilitated by Nora Manager · 6 members" in main_text(nora)
    team = page.get_by_role("region", name="The team").inner_text()
    for pid in TEAM:
        assert NAMES[pid] in team
    waiting = page.get_by_role("region", name="Waiting for you")
    assert waiting.get_by_role("link").all_inner_texts() == [
        "Answer the values questions", "Work on the draft"
    ]  # fmt: skip
    # Each of the six is asked, by email, for their values.
    subject = f"{CHARTER}: three questions for your team's charter"
    assert subjects() == sorted((f"{pid}@riverside.example", subject) for pid in TEAM)
    shoot(nora, "charter-drafting")


# 2. Five members answer the values questions ---------------------------------------------------


def member_answers_values(tab: Browser, cast: Cast, pid: str, before: int, shot: str = "") -> None:
    """A member signs in, finds the values questions on the charters page and answers them;
    ``before`` members answered before them."""
    page = tab.page
    tab.sign_in(login_for(cast, pid), PASSWORD)
    to_charters(tab)
    assert my_steps(tab) == ["Answer the values questions"]
    mine = page.get_by_role("region", name="Your teams")
    tab.follow(mine.get_by_role("link", name="Answer the values questions"))
    assert heading(tab) == CHARTER
    pooled = page.get_by_role("region", name="What the team said").inner_text()
    if before < 3:
        assert f"{before} of 6 members" in pooled
        assert "The answers are shown once at least 3 have" in pooled
    else:
        assert f"{before} of 6 members answered." in pooled
    form = page.locator("form").filter(has=page.get_by_role("heading", name="Your values"))
    assert "not even the facilitator can see who wrote what" in form.inner_text()
    for prompt, text in VALUES[pid].items():
        form.get_by_label(prompt).fill(text)
    tab.follow(form.get_by_role("button", name="Send my answers"))
    assert "Thank you. Your answers joined the team's, without your name." in status_text(tab)
    assert "You have answered. Thank you." in main_text(tab)
    assert page.get_by_role("button", name="Send my answers").count() == 0
    pooled = page.get_by_role("region", name="What the team said").inner_text()
    if before + 1 < 3:
        assert "The answers are shown once at least 3 have" in pooled
        for text in VALUES[pid].values():
            assert text not in pooled  # not even the member's own words, yet
    else:
        assert f"{before + 1} of 6 members answered." in pooled
        assert "Patients and families — 3 people" in pooled
    # Answers join the themes in batches of three, so that no one's words appear alone.
    if before + 1 > 3:
        waiting = before + 1 - 3
        assert (
            f"The latest {waiting} answer{'s join' if waiting > 1 else ' joins'} the themes"
            in pooled
        )
        for text in VALUES[pid].values():
            assert text not in pooled
    if shot:
        shoot(tab, shot)
    to_charters(tab)
    assert my_steps(tab) == []


def values_are_pooled(tab: Browser) -> None:
    """The themes, with the words people used and no names: the first three members'
    answers, the last two waiting for a third to join them."""
    page = tab.page
    pooled = page.get_by_role("region", name="What the team said")
    text = pooled.inner_text()
    assert "5 of 6 members answered." in text
    assert "The latest 2 answers join the themes once 3 are waiting together" in text
    patients = pooled.locator(".card").filter(has=page.get_by_role("heading", name=PATIENTS))
    kind = patients.locator(".theme").filter(has_text="Patients and families")
    assert "— 3 people" in kind.get_by_role("heading").inner_text()
    assert sorted(kind.get_by_role("listitem").all_inner_texts()) == sorted(
        VALUES[pid][PATIENTS] for pid in ("sam", "nina", "ned")
    )
    assert not [t for pid in ("paula", "peter") for t in VALUES[pid].values() if t in text]
    for name in NAMES.values():
        assert name not in text


# 3. Nora drafts, with Accord's checks, and proposes ----------------------------------------------


def gaps(tab: Browser) -> list[str]:
    found = tab.page.get_by_role("region", name="What the draft is missing")
    if not found.count():
        return []
    return found.get_by_role("listitem").all_inner_texts()


def fill_row(tab: Browser, legend: str, values: dict[str, str]) -> None:
    row = tab.page.get_by_role("group", name=legend, exact=True)
    for label, value in values.items():
        field = row.get_by_label(label, exact=True)
        if field.evaluate("el => el.tagName") == "SELECT":
            if value:
                field.select_option(label=value)
            else:
                field.select_option(value="")
        else:
            field.fill(value)


def save_draft(nora: Browser) -> None:
    nora.follow(nora.page.get_by_role("button", name="Save the draft"))
    assert "The draft is saved." in status_text(nora)


def nora_drafts(nora: Browser, lwbs: Goal) -> None:
    page = nora.page
    to_charters(nora)
    assert my_steps(nora) == ["Answer the values questions", "Work on the draft"]
    nora.follow(page.get_by_role("link", name="Work on the draft"))
    assert heading(nora) == CHARTER
    assert "What the team said about its values (5 answered)" in main_text(nora)
    missing = nora.page.get_by_role("region", name="What the draft is missing")
    blocking = missing.get_by_role("list").first
    assert missing.get_by_role("heading", level=3).all_inner_texts() == [
        "Needed before you can propose it", "Worth fixing before you propose it"
    ]  # fmt: skip
    assert blocking.get_by_role("listitem").all_inner_texts() == [
        "Write the vision: why the team exists, in a sentence or two.",
        "Agree at least one norm: how you behave with each other.",
        "Say who is responsible for what.",
    ]
    assert gaps(nora) == [
        "Write the vision: why the team exists, in a sentence or two.",
        "Agree at least one norm: how you behave with each other.",
        "Say who is responsible for what.",
        *(
            f"{NAMES[pid]} has no responsibility yet: every member has a part."
            for pid in sorted(TEAM, key=NAMES.get)
        ),
        "Name at least one goal the team is working towards.",
    ]
    # Proposing an empty draft is refused, with what is missing.
    nora.follow(page.get_by_role("button", name="Save and propose it to the team"))
    assert "Write the vision" in status_text(nora)
    assert "Agree at least one norm" in status_text(nora)
    shoot(nora, "draft-empty")

    # A first pass: a norm nobody could observe, Peter with no part, goals only in words.
    page.get_by_label("Vision").fill(VISION)
    fill_row(nora, "Goal 1", {"Goal 1: or in words": LWBS})
    fill_row(nora, "Goal 2", {"Goal 2: or in words": BUDDY})
    fill_row(nora, "Norm 1", {"Norm 1": HANDOVER, "Norm 1: how we notice it kept or broken":
                              HANDOVER_SIGNS})  # fmt: skip
    fill_row(nora, "Norm 2", {"Norm 2": HELP})
    for n, pid in enumerate(TEAM[:5], start=1):
        fill_row(nora, f"Responsibility {n}", {
            f"Responsibility {n}": ROLES[pid], f"Responsibility {n}: owner": NAMES[pid],
        })  # fmt: skip
    save_draft(nora)
    assert gaps(nora) == [
        f"“{HELP}” — nobody could observe it yet: say what someone would see or hear when it "
        "is kept, or broken.",
        "Peter Physician has no responsibility yet: every member has a part.",
        f"“{LWBS}” has no measure: link it to a goal with a target, or create one.",
        f"“{BUDDY}” has no measure: link it to a goal with a target, or create one.",
    ]
    shoot(nora, "draft-gaps")

    # Her fixes: the norm's signs, Peter's part, the first goal linked to hers in Goals.
    fill_row(nora, "Norm 2", {"Norm 2: how we notice it kept or broken": HELP_SIGNS})
    fill_row(nora, "Responsibility 6", {
        "Responsibility 6": ROLES["peter"], "Responsibility 6: owner": NAMES["peter"],
    })  # fmt: skip
    linked = f"{lwbs.title} ({lwbs.metric_name}, {lwbs.period})"
    fill_row(nora, "Goal 1", {"Goal 1: a goal in Goals": linked, "Goal 1: or in words": ""})
    save_draft(nora)
    assert gaps(nora) == [
        f"“{BUDDY}” has no measure: link it to a goal with a target, or create one.",
        # Her goal is shared with her teams, boss and reports: not the physicians.
        f"“{lwbs.title}” is a goal Paula Physician, Peter Physician cannot open in Goals: they "
        "will see it unnamed. Share it more widely there, or name it in words.",
    ]
    # What she saved comes back in the form.
    assert page.get_by_label("Vision").input_value() == VISION
    assert page.get_by_label("Goal 1: a goal in Goals").input_value() == str(lwbs.pk)
    assert page.get_by_label("Goal 2: or in words").input_value() == BUDDY
    assert page.get_by_label("Norm 2: how we notice it kept or broken").input_value() == HELP_SIGNS
    owner = page.get_by_label("Responsibility 6: owner")
    assert owner.locator("option:checked").inner_text() == NAMES["peter"]
    shoot(nora, "draft-facilitator")


def nora_proposes(nora: Browser) -> None:
    page = nora.page
    mail.outbox.clear()
    nora.follow(page.get_by_role("button", name="Save and propose it to the team"))
    assert "Saved and proposed: the members are asked to read and endorse it." in status_text(nora)
    agreement = page.get_by_role("region", name="Endorsements: 0 of 6")
    assert "No answer yet." in agreement.inner_text()
    assert page.get_by_role("button", name="Save the draft").count() == 0
    subject = f"{CHARTER}: read your draft charter"
    assert subjects() == sorted((f"{pid}@riverside.example", subject) for pid in TEAM)


# 4. The members endorse; the charter is adopted ------------------------------------------------


def answer_draft(tab: Browser, decision: str, comment: str = "") -> None:
    page = tab.page
    form = page.get_by_role("form", name="Do you endorse draft 1?")
    form.get_by_role("group", name="Your answer").get_by_label(decision).check()
    if comment:
        form.get_by_label("Comment").fill(comment)
    tab.follow(form.get_by_role("button", name="Send my answer"))


def member_endorses(tab: Browser, pid: str) -> None:
    page = tab.page
    to_charters(tab)
    assert "Endorse the draft, or comment" in my_steps(tab)
    mine = page.get_by_role("region", name="Your teams")
    tab.follow(mine.get_by_role("link", name="Endorse the draft, or comment"))
    assert heading(tab) == CHARTER
    assert VISION in main_text(tab)
    answer_draft(tab, "I endorse this charter")


def members_endorse(tabs: dict[str, Browser], cast: Cast, lwbs: Goal) -> None:
    sam = tabs["sam"]
    page = sam.page
    to_charters(sam)
    sam.follow(page.get_by_role("link", name="Endorse the draft, or comment"))
    norms = page.get_by_role("region", name="How we work together").inner_text()
    assert f"{HELP}\nHow we notice: {HELP_SIGNS}" in norms
    goals = page.get_by_role("region", name="Goals")
    assert goals.get_by_role("link", name=lwbs.title).is_visible()
    assert f"{BUDDY} — no measure yet" in goals.inner_text()
    roles = page.get_by_role("region", name="Who does what").inner_text()
    assert all(ROLES[pid] in roles for pid in TEAM)
    # Asking for a change needs the change said.
    answer_draft(sam, "I would change something (say what below)")
    assert "Say what you would change." in status_text(sam)
    answer_draft(sam, "I would change something (say what below)", SAMS_COMMENT)
    assert "Thank you: your answer is with the team." in status_text(sam)
    agreement = page.get_by_role("region", name="Endorsements: 0 of 6").inner_text()
    assert f"Sam Nurse Asked for changes: {SAMS_COMMENT}" in " ".join(agreement.split())

    member_endorses(tabs["ned"], "ned")  # JavaScript off
    assert "Thank you: your answer is with the team." in status_text(tabs["ned"])
    for pid in ("nina", "paula", "peter"):
        member_endorses(tabs[pid], pid)

    # Sam reads it again and endorses.
    sam.goto(sam.path)
    assert page.get_by_role("region", name="Endorsements: 4 of 6").is_visible()
    answer_draft(sam, "I endorse this charter")
    assert page.get_by_role("region", name="Endorsements: 5 of 6").is_visible()
    assert "Sam Nurse Endorsed" in " ".join(page.get_by_role("region", name=re.compile(
        "^Endorsements")).inner_text().split())  # fmt: skip


def nora_endorses_last(nora: Browser, lwbs: Goal) -> None:
    page = nora.page
    nora.goto(nora.path)
    mail.outbox.clear()
    answer_draft(nora, "I endorse this charter")
    assert "Thank you. With your answer the team has adopted its charter." in status_text(nora)
    assert nora.path == charter_path("charter")
    assert stage(nora) == "In force"
    assert "Version 1, adopted" in main_text(nora)
    assert VISION in page.get_by_role("region", name="Vision").inner_text()
    goals = page.get_by_role("region", name="Goals").inner_text()
    assert f"{lwbs.title} — {lwbs.metric_name}: 3 % by 31 December 2026" in goals
    subject = f"{CHARTER} has adopted its charter"
    assert subjects() == sorted((f"{pid}@riverside.example", subject) for pid in TEAM)
    shoot(nora, "charter-in-force")

    link = page.get_by_role("link", name="Print it for the team room (PDF)")
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "charter-ed-interprofessional-team.pdf"
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    printed = PdfReader(download.value.path())
    assert len(printed.pages) == 1  # one page, for the team room's wall
    words = " ".join(printed.pages[0].extract_text().split())
    assert VISION in words and HANDOVER in words and "Peter Physician" in words
    if SHOTS:
        download.value.save_as(Path(SHOTS) / "charter.pdf")
    nora.check()


# 5. Three months on, the revisit ----------------------------------------------------------------


def member_rates_norms(tab: Browser, pid: str, ratings: dict[str, str], before: int) -> None:
    page = tab.page
    to_charters(tab)
    assert "Say how well the norms are kept" in my_steps(tab)
    mine = page.get_by_role("region", name="Your teams")
    tab.follow(mine.get_by_role("link", name="Say how well the norms are kept"))
    assert heading(tab) == CHARTER
    kept = page.get_by_role("region", name="What the team says").inner_text()
    assert f"{before} member" in kept and "The ratings are shown once at least 3 have" in kept
    form = page.locator("form").filter(
        has=page.get_by_role("heading", name="How well are we keeping our norms?")
    )
    for norm, label in ratings.items():
        form.get_by_role("group", name=norm).get_by_label(label, exact=True).check()
    tab.follow(form.get_by_role("button", name="Send my ratings"))
    assert "Thank you. Your ratings joined the team's, without your name." in status_text(tab)
    assert "You have answered this revisit. Thank you." in main_text(tab)
    kept = page.get_by_role("region", name="What the team says").inner_text()
    if before + 1 < 3:
        assert "The ratings are shown once at least 3 have" in kept
    else:
        assert f"{before + 1} members answered." in kept


def revisit_is_pooled(tab: Browser) -> None:
    kept = tab.page.get_by_role("region", name="What the team says")
    rows = [" ".join(text.split()) for text in kept.get_by_role("listitem").all_inner_texts()]
    assert rows == [
        f"{HANDOVER} 4.3 of 5 (3 rated: mostly 2, fully 1)",
        f"{HELP} 2.3 of 5 (3 rated: rarely 2, sometimes 1)",
    ]


def nora_rewrites_a_norm(nora: Browser) -> None:
    page = nora.page
    charter_nav(nora, "Draft")
    assert "Draft 2, from version 1" in main_text(nora)
    fill_row(nora, "Norm 2", {"Norm 2": HELP_REWRITTEN})
    save_draft(nora)
    charter_nav(nora, "History")
    table = page.get_by_role("table", name="Every version")
    rows = table.get_by_role("row").all()[1:]
    assert [row.locator("th, td").all_inner_texts()[:2] for row in rows] == [
        ["Version 2", "Draft"],
        ["Version 1", "In force"],
    ]
    nora.follow(page.get_by_role("button", name="Show what changed"))
    diff = page.get_by_role("region", name="From version 1 to version 2")
    norms = diff.locator(".card").filter(has_text="Norms")
    # Each changed line is marked, in words for whoever cannot see the colours.
    assert [" ".join(t.split()) for t in norms.get_by_role("listitem").all_inner_texts()] == [
        f"{HANDOVER} (how we notice: {HANDOVER_SIGNS})",
        f"\u2212 Removed: {HELP} (how we notice: {HELP_SIGNS})",
        f"+ Added: {HELP_REWRITTEN} (how we notice: {HELP_SIGNS})",
    ]
    assert "Vision — unchanged" in diff.inner_text()


# 6. Olga joins and endorses the charter in force -------------------------------------------------


def nora_adds_olga(nora: Browser) -> None:
    page = nora.page
    charter_nav(nora, "Team and settings")
    assert page.get_by_role("heading", name="The team (6)").is_visible()
    people = page.get_by_label("People of the group")
    people.fill(people.input_value() + "\nolga@riverside.example")
    mail.outbox.clear()
    nora.follow(page.get_by_role("button", name="Save the members"))
    assert "The team's members are saved." in status_text(nora)
    assert page.get_by_role("heading", name="The team (7)").is_visible()
    assert "Olga Periop" in page.get_by_role("region", name="The team (7)").inner_text()
    assert subjects() == [
        ("olga@riverside.example", f"Welcome to {CHARTER}: read your team's charter")
    ]


def olga_endorses(olga: Browser, cast: Cast) -> None:
    page = olga.page
    olga.sign_in(login_for(cast, "olga"), PASSWORD)
    to_charters(olga)
    assert "Read and endorse the charter" in my_steps(olga)
    mine = page.get_by_role("region", name="Your teams")
    olga.follow(mine.get_by_role("link", name="Read and endorse the charter"))
    assert heading(olga) == CHARTER
    form = page.locator("form").filter(
        has=page.get_by_role("heading", name="You joined after this charter was adopted")
    )
    form.get_by_role("group", name="Your answer").get_by_label("I endorse this charter").check()
    olga.follow(form.get_by_role("button", name="Send my answer"))
    assert "Thank you: your answer is with the team." in status_text(olga)
    assert (
        page.get_by_role("heading", name="You joined after this charter was adopted").count() == 0
    )
    since = page.get_by_role("region", name="Answers since adoption")
    answers = [" ".join(t.split()) for t in since.get_by_role("listitem").all_inner_texts()]
    # Only answers given since adoption: the six that adopted it are in the history.
    assert answers == ["Olga Periop Endorsed"]
    shoot(olga, "charter-olga")
    to_charters(olga)
    assert "Read and endorse the charter" not in my_steps(olga)


# The phone: every charter page at 390px -------------------------------------------------------


def on_the_phone(phone: Browser, pages: list[tuple[str, str]]) -> None:
    """Nora's phone opens each page (name, url name): the tab checks it fits and can be
    tapped; the main ones are kept as screenshots."""
    for shot, name in pages:
        if name == "charters":
            phone.goto(reverse("charters", args=["riverside"]))
        elif name == "charter-start":
            phone.goto(reverse("charter-start", args=["riverside"]))
        else:
            phone.goto(charter_path(name))
        if shot:
            shoot(phone, shot)


def test_a_team_charters_itself_from_values_to_revisit(
    open_browser: Callable[..., Browser], cast: Cast, immediate_queue: Huey
) -> None:
    lwbs = goal(
        cast, "nora", LWBS, metric="Patients leaving without being seen", metric_unit="%",
        baseline="6", target="3",
    )  # fmt: skip
    nora = open_browser()
    nora_starts_the_charter(nora, cast)
    phone = at_390(open_browser(phone=True))
    phone.sign_in(cast.nurse_manager.email, PASSWORD)
    on_the_phone(phone, [("start", "charter-start"), ("charter-drafting", "charter")])

    tabs: dict[str, Browser] = {}
    for before, pid in enumerate(VALUES):
        if pid == "ned":
            tab = open_browser(javascript=False)
        elif pid == "paula":
            tab = at_390(open_browser(phone=True))
        else:
            tab = open_browser()
        tabs[pid] = tab
        member_answers_values(tab, cast, pid, before, "values-waiting" if before == 1 else "")
    open_charter(tabs["peter"])
    charter_nav(tabs["peter"], "Values")
    values_are_pooled(tabs["peter"])
    shoot(tabs["peter"], "values")
    on_the_phone(phone, [("values", "charter-values"), ("draft-empty", "charter-draft")])

    nora_drafts(nora, lwbs)
    on_the_phone(phone, [("draft-facilitator", "charter-draft"), ("home", "charters")])
    nora_proposes(nora)
    shoot(nora, "draft-proposed")
    members_endorse(tabs, cast, lwbs)
    shoot(tabs["sam"], "draft-member")
    on_the_phone(phone, [("draft-proposed", "charter-draft")])
    nora_endorses_last(nora, lwbs)
    charter = the_charter()
    in_force = version_in_force(charter)
    assert in_force is not None and in_force.number == 1
    on_the_phone(phone, [("charter-in-force", "charter"), ("", "charter-versions"),
                         ("", "charter-revisit"), ("", "charter-settings")])  # fmt: skip
    phone.goto(charter_path("charter-version", 1))

    # Three months on, the hourly clock opens the revisit.
    assert charter.next_revisit_on is not None
    mail.outbox.clear()
    done = services.keep_charters(now=timezone.now() + dt.timedelta(days=95))
    assert done["opened"] == 1
    revisit = open_revisit_of(charter)
    assert revisit is not None
    subject = f"{CHARTER}: how well are we keeping our charter?"
    assert subjects() == sorted((f"{pid}@riverside.example", subject) for pid in TEAM)
    working = working_version(charter)
    assert working is not None and working.status == VersionStatus.DRAFT
    ratings = {
        "sam": {HANDOVER: "Mostly", HELP: "Rarely"},
        "nina": {HANDOVER: "Fully", HELP: "Sometimes"},
        "ned": {HANDOVER: "Mostly", HELP: "Rarely"},
    }
    for before, (pid, given) in enumerate(ratings.items()):
        member_rates_norms(tabs[pid], pid, given, before)
    revisit_is_pooled(tabs["ned"])
    charter_nav(nora, "Revisit")
    revisit_is_pooled(nora)
    shoot(nora, "revisit")
    on_the_phone(phone, [("revisit", "charter-revisit"), ("home-revisit", "charters")])

    nora_rewrites_a_norm(nora)
    shoot(nora, "versions-diff")
    phone.goto(nora.path)
    shoot(phone, "versions-diff")

    nora_adds_olga(nora)
    shoot(nora, "settings")
    on_the_phone(phone, [("settings", "charter-settings")])
    olga = open_browser()
    olga_endorses(olga, cast)
    a_member_sees_the_team(tabs["sam"])
    to_charters(nora)
    shoot(nora, "home")


def a_member_sees_the_team(sam: Browser) -> None:
    """A member reads the team and settings; only the facilitator changes them."""
    page = sam.page
    sam.goto(charter_path("charter"))
    charter_nav(sam, "Team and settings")
    assert "Olga Periop" in page.get_by_role("region", name="The team (7)").inner_text()
    assert page.get_by_role("button").filter(has_text=re.compile("Save|Hand it over")).count() == 0
    assert "Nora Manager facilitates the charter" in main_text(sam)
