"""Logging helpers: nothing Accord logs may carry a survey token."""

from __future__ import annotations

import logging
import re

# /s/<token>/ is the link in a survey invitation; the token is the invitation's secret.
SURVEY_LINK = re.compile(r"/s/[^/\s?\"']{12,}")
REDACTED = "/s/[token]"


def redact_survey_links(text: str) -> str:
    return SURVEY_LINK.sub(REDACTED, text)


class RedactSurveyLinks(logging.Filter):
    """Rewrites survey links in a record's message and arguments before any handler sees it
    (Django logs the path of every 4xx response, for instance)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact_survey_links(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(
                redact_survey_links(arg) if isinstance(arg, str) else arg for arg in record.args
            )
        elif isinstance(record.args, dict):
            record.args = {
                key: redact_survey_links(value) if isinstance(value, str) else value
                for key, value in record.args.items()
            }
        return True
