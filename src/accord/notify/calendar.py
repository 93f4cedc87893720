"""Meetings in people's calendars: the one implementation of Accord's calendar invitations
(iCalendar, RFC 5545/5546), used by every capability that schedules a meeting between people
(alignment conversations, agreement meetings).

A meeting keeps one UID for life; every change sent to the calendars carries a higher
SEQUENCE so calendar programs move the event instead of adding a second one, and a cancelled
meeting is sent as ``METHOD:CANCEL``, which removes it."""

from __future__ import annotations

import datetime as dt
import secrets
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from accord.notify.services import Attachment

SHORTEST_MINUTES, LONGEST_MINUTES = 5, 480
LATEST_DAY = dt.date(2100, 12, 31)


@dataclass(frozen=True)
class Attendee:
    name: str
    email: str


@dataclass(frozen=True)
class Invitation:
    """What a calendar needs to know about one meeting."""

    uid: str
    sequence: int
    starts_at: dt.datetime
    duration_minutes: int
    summary: str
    description: str
    location: str
    attendees: tuple[Attendee, ...]
    cancelled: bool = False
    product: str = "Meetings"


def new_uid() -> str:
    return f"{secrets.token_hex(12)}@accord"


def meeting_time_problem(starts_at: dt.datetime, duration_minutes: int) -> tuple[str, str] | None:
    """Why a meeting cannot be scheduled at this time, as (field, message); None when it can."""
    if timezone.is_naive(starts_at):
        return "starts_at", "Give the time with its time zone."
    if starts_at < timezone.now():
        return "starts_at", "Choose a time in the future."
    if starts_at.date() >= LATEST_DAY:
        return "starts_at", f"Choose a date before {LATEST_DAY:%Y-%m-%d}."
    if not SHORTEST_MINUTES <= duration_minutes <= LONGEST_MINUTES:
        return "duration_minutes", (
            f"A meeting lasts {SHORTEST_MINUTES} to {LONGEST_MINUTES} minutes."
        )
    return None


def whole_minutes(starts_at: dt.datetime) -> dt.datetime:
    """Calendars keep whole minutes."""
    return starts_at.replace(second=0, microsecond=0)


def local_when(starts_at: dt.datetime, duration_minutes: int, zone: str) -> str:
    """The meeting's time as people read it: in the organisation's time zone."""
    try:
        local = starts_at.astimezone(zoneinfo.ZoneInfo(zone))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        local = timezone.localtime(starts_at)
    return f"{local:%A %d %B %Y, %H:%M} ({zone}), {duration_minutes} minutes"


def invitation_ics(invitation: Invitation) -> bytes:
    """The calendar file: one event, every attendee invited (or the event cancelled)."""
    from icalendar import Calendar, Event, vCalAddress, vText

    cancelled = invitation.cancelled
    calendar = Calendar()
    calendar.add("prodid", f"-//Accord//{invitation.product}//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "REQUEST")
    event = Event()
    event.add("uid", invitation.uid)
    event.add("sequence", invitation.sequence)
    event.add("dtstamp", timezone.now().astimezone(dt.UTC))
    start = invitation.starts_at.astimezone(dt.UTC)
    event.add("dtstart", start)
    event.add("dtend", start + dt.timedelta(minutes=invitation.duration_minutes))
    event.add("summary", invitation.summary)
    event.add("description", invitation.description)
    if invitation.location:
        event.add("location", invitation.location)
    address = settings.DEFAULT_FROM_EMAIL.rsplit("<", 1)[-1].rstrip(">").strip()
    organizer = vCalAddress(f"mailto:{address}")
    organizer.params["cn"] = vText("Accord")
    event.add("organizer", organizer)
    for person in invitation.attendees:
        attendee = vCalAddress(f"mailto:{person.email}")
        attendee.params["cn"] = vText(person.name)
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        if not cancelled:
            attendee.params["partstat"] = vText("NEEDS-ACTION")
            attendee.params["rsvp"] = vText("TRUE")
        event.add("attendee", attendee, encode=False)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    calendar.add_component(event)
    return calendar.to_ical()


def calendar_attachment(invitation: Invitation, filename: str) -> Attachment:
    method = "CANCEL" if invitation.cancelled else "REQUEST"
    return Attachment(
        filename, invitation_ics(invitation), f"text/calendar; method={method}; charset=utf-8"
    )
