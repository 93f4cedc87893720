"""Survey tokens never reach a log line, whoever logs the path."""

from __future__ import annotations

import logging

import pytest
from django.test import Client

from accord.core.logging import RedactSurveyLinks, redact_survey_links


def test_redaction_of_messages_and_arguments() -> None:
    record = logging.LogRecord("django.request", logging.WARNING, __file__, 1,
                               "Not Found: %s", ("/s/7KQ2M9XD4HTRB6WN/",), None)  # fmt: skip
    RedactSurveyLinks().filter(record)
    assert "7KQ2M9XD4HTRB6WN" not in record.getMessage()
    assert redact_survey_links("GET /s/answer/ 200") == "GET /s/answer/ 200"


@pytest.mark.django_db
def test_an_unknown_link_logged_by_django_carries_no_token(
    caplog: pytest.LogCaptureFixture,
) -> None:
    handler_filter = RedactSurveyLinks()
    caplog.handler.addFilter(handler_filter)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = Client().get("/s/7KQ2M9XD4HTRB6WN/")
    assert response.status_code == 404
    assert caplog.records, "Django logs 404s"
    assert all("7KQ2M9XD4HTRB6WN" not in record.getMessage() for record in caplog.records)


def test_gunicorn_access_log_drops_address_and_token() -> None:
    from types import SimpleNamespace

    from gunicorn.config import Config

    from accord.core.gunicorn_logging import AccordAccessLogger

    logger = AccordAccessLogger(Config())
    request = SimpleNamespace(headers=[], method="GET", path="/s/7KQ2M9XD4HTRB6WN/", query="",
                              uri="/s/7KQ2M9XD4HTRB6WN/", version=(1, 1))  # fmt: skip
    response = SimpleNamespace(status="302 Found", headers=[], sent=0, response_length=0)
    environ = {"REMOTE_ADDR": "10.1.2.3", "RAW_URI": "/s/7KQ2M9XD4HTRB6WN/",
               "REQUEST_METHOD": "GET", "PATH_INFO": "/s/7KQ2M9XD4HTRB6WN/",
               "QUERY_STRING": "", "SERVER_PROTOCOL": "HTTP/1.1"}  # fmt: skip
    import datetime as dt

    atoms = logger.atoms(response, request, environ, dt.timedelta(seconds=0.01))
    assert atoms["h"] == "-" and "7KQ2M9XD4HTRB6WN" not in str(atoms["U"]) + str(atoms["r"])
