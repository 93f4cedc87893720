"""Answering through the pages a respondent uses, as a browser without JavaScript would."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from accord.surveys.models import PendingSubmission, Receipt, Response
from accord.surveys.selectors import responses_received
from accord.surveys.services import close_now
from tests.surveys.conftest import RunningCycle

pytestmark = pytest.mark.django_db


def form_fields(html: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))


def open_form(client: Client, token: str) -> dict[str, str]:
    followed = client.get(f"/s/{token}/")
    assert followed.status_code == 302 and followed["Location"] == "/s/answer/"
    page = client.get("/s/answer/")
    assert page.status_code == 200
    return form_fields(page.content.decode())


def test_a_link_puts_the_token_in_a_cookie_and_takes_it_out_of_the_address(
    running: RunningCycle,
) -> None:
    client = Client()
    response = client.get(f"/s/{running.token('sam')}/")
    cookie = response.cookies["accord_survey"]
    assert cookie["httponly"] and cookie["path"] == "/s/" and cookie["samesite"] == "Lax"
    page = client.get("/s/answer/")
    html = page.content.decode()
    assert running.token("sam") not in html
    assert "Page 1 of 6" in html and "Who sees what" in html
    assert html.count("<fieldset") == 5 and "<legend>" in html


def test_answers_survive_paging_validation_and_a_language_switch(running: RunningCycle) -> None:
    client = Client()
    fields = open_form(client, running.token("nina"))
    page2 = client.post("/s/answer/", {**fields, "q_burnout": "3", "nav": "next"})
    html = page2.content.decode()
    assert "Page 2 of 6" in html and 'name="q_burnout" value="3"' in html
    # A tampered value is refused, naming the question, and the page holding it comes back.
    fields2 = form_fields(html)
    bad = client.post("/s/answer/", {**fields2, "q_burnout": "9", "nav": "next"})
    assert bad.status_code == 400
    assert "That is not one of the answers offered" in bad.content.decode()
    assert "Page 1 of 6" in bad.content.decode()
    # Switching to Spanish keeps what was chosen.
    spanish = client.post(
        "/s/answer/", {**fields2, "q_leaders_understand_my_work": "4", "switch_language": "es"}
    )
    html = spanish.content.decode()
    assert 'lang="es"' in html and "Página 2 de 6" in html
    assert re.search(r'name="q_leaders_understand_my_work" value="4" checked', html)


def test_every_question_can_be_skipped(running: RunningCycle) -> None:
    client = Client()
    fields = open_form(client, running.token("ned"))
    sent = client.post("/s/answer/", {**fields, "page": "6", "nav": "submit"})
    assert sent.status_code == 302 and sent["Location"].startswith("/s/done/")
    assert responses_received(running.cycle) == 1


def test_a_double_click_counts_once_and_a_second_filling_in_is_refused(
    running: RunningCycle,
) -> None:
    client = Client()
    fields = open_form(client, running.token("sam"))
    submission = {**fields, "page": "6", "q_burnout": "2", "nav": "submit"}
    first = client.post("/s/answer/", submission)
    assert first.status_code == 302
    # The same form again (the cookie is gone, so a retry carries it back as the browser did).
    retry = Client()
    retry.get(f"/s/{running.token('sam')}/")
    again = retry.post("/s/answer/", submission)
    assert again.status_code == 302 and again["Location"].startswith("/s/done/")
    assert responses_received(running.cycle) == 1
    # A new visit with the same link: a friendly page, nothing stored.
    later = Client()
    later.get(f"/s/{running.token('sam')}/")
    assert "You have already answered" in later.get("/s/answer/").content.decode()
    refill = form_fields(
        later.post("/s/answer/", {**submission, "nonce": "another"}).content.decode()
    )
    assert refill == {}  # the refusal page has no form
    assert responses_received(running.cycle) == 1
    assert Receipt.objects.count() == 1


def test_answers_after_closing_are_not_stored(running: RunningCycle) -> None:
    client = Client()
    fields = open_form(client, running.token("pat"))
    close_now(cycle=running.cycle)
    sent = client.post("/s/answer/", {**fields, "page": "6", "q_burnout": "1", "nav": "submit"})
    assert "the survey has closed" in sent.content.decode()
    assert Response.objects.count() == PendingSubmission.objects.count() == 0


def test_a_printed_code_can_be_typed_loosely(running: RunningCycle) -> None:
    token = running.token("olga")
    typed = "-".join(token[i : i + 4] for i in range(0, 16, 4)).lower().replace("0", "o")
    client = Client()
    response = client.post("/s/", {"code": f"  {typed} "})
    assert response.status_code == 302 and response["Location"] == "/s/answer/"
    wrong = Client().post("/s/", {"code": "ZZZZ-ZZZZ-ZZZZ-ZZZZ"})
    assert wrong.status_code == 400 and "That code was not found" in wrong.content.decode()


def test_a_signed_in_person_answers_from_their_home_page(running: RunningCycle, cast) -> None:  # type: ignore[no-untyped-def]
    sam = cast.client_for(cast.staff_nurse)
    home = sam.get("/o/riverside/").content.decode()
    assert "Autumn pulse is open" in home and "Answer the survey" in home
    started = sam.post(f"/o/riverside/surveys/{running.cycle.pk}/answer/")
    assert started.status_code == 302 and started["Location"] == "/s/answer/"
    fields = form_fields(sam.get("/s/answer/").content.decode())
    sent = sam.post("/s/answer/", {**fields, "nav": "submit", "q_burnout": "2"})
    assert sent.status_code == 302
    assert "Autumn pulse is open" not in sam.get("/o/riverside/").content.decode()
    # His emailed link now says he has answered; nothing was counted twice.
    again = Client()
    again.get(f"/s/{running.token('sam')}/")
    assert "You have already answered" in again.get("/s/answer/").content.decode()
    assert responses_received(running.cycle) == 1


@pytest.mark.parametrize("code", ["\uff13", "\u0663", "\u00b2", "+3", "03 "])
def test_an_answer_is_plain_ascii_digits(running: RunningCycle, code: str) -> None:
    client = Client()
    fields = open_form(client, running.token("sam"))
    sent = client.post("/s/answer/", {**fields, "q_burnout": code, "page": "6", "nav": "submit"})
    if code.strip() == "03":
        assert sent.status_code == 302  # a leading zero is still the code 3
        return
    assert sent.status_code == 400
    assert "That is not one of the answers offered" in sent.content.decode()
    assert responses_received(running.cycle) == 0


def test_a_question_sent_twice_is_refused_not_halved(running: RunningCycle) -> None:
    client = Client()
    fields = open_form(client, running.token("sam"))
    sent = client.post(
        "/s/answer/", {**fields, "q_burnout": ["1", "5"], "page": "6", "nav": "submit"}
    )
    assert sent.status_code == 400
    assert "This question was sent twice" in sent.content.decode()
    assert responses_received(running.cycle) == 0
