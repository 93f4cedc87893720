"""The email a charter's steps send, as queue tasks: thin wrappers that load the row again (it
may have changed since the task was queued) and call ``mail.py``. The services queue them;
the hourly clock is in ``tasks.py``."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from accord.charters import mail
from accord.charters.models import Charter, Revisit, Version
from accord.org.models import Person


def _version(version_id: int) -> Version | None:
    return (
        Version.objects.select_related("charter__organisation", "charter__facilitator")
        .filter(pk=version_id)
        .first()
    )


def _revisit(revisit_id: int) -> Revisit | None:
    return (
        Revisit.objects.select_related("charter__organisation", "charter__facilitator")
        .filter(pk=revisit_id)
        .first()
    )


def _charter(charter_id: int) -> Charter | None:
    return (
        Charter.objects.select_related("organisation", "facilitator").filter(pk=charter_id).first()
    )


@db_task(retries=3, retry_delay=60)
def deliver_values_request(version_id: int) -> int:
    found = _version(version_id)
    return mail.send_values_request(found) if found else 0


@db_task(retries=3, retry_delay=60)
def deliver_endorse_request(version_id: int) -> int:
    found = _version(version_id)
    return mail.send_endorse_request(found) if found else 0


@db_task(retries=3, retry_delay=60)
def deliver_endorse_reminder(version_id: int) -> int:
    found = _version(version_id)
    return mail.send_endorse_request(found, again=True) if found else 0


@db_task(retries=3, retry_delay=60)
def deliver_adopted(version_id: int) -> int:
    found = _version(version_id)
    return mail.send_adopted(found) if found else 0


@db_task(retries=3, retry_delay=60)
def deliver_revisit(revisit_id: int) -> int:
    found = _revisit(revisit_id)
    return mail.send_revisit(found) if found else 0


@db_task(retries=3, retry_delay=60)
def deliver_revisit_reminder(revisit_id: int) -> int:
    found = _revisit(revisit_id)
    return mail.send_revisit(found, again=True) if found else 0


@db_task(retries=3, retry_delay=60)
def deliver_new_member(charter_id: int, person_id: int) -> int:
    charter = _charter(charter_id)
    person = Person.objects.filter(pk=person_id).first()
    return mail.send_welcome(charter, person) if charter and person else 0


@db_task(retries=3, retry_delay=60)
def deliver_recharter(charter_id: int) -> int:
    charter = _charter(charter_id)
    return mail.send_recharter(charter) if charter else 0
