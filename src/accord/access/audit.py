"""What every capability's audit trail shares: how the one who made a change is named, and
how a value is kept in an entry's JSON. Each capability keeps its own entries beside the
things they are about (``goals.AuditEntry``, ``actions.PlanAuditEntry``), written in the same
transaction as the change."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import models

from accord.access.models import User


def actor_label(actor: User | None, via: str = "") -> str:
    """The login behind a change, or what made it without one (the command line, the demo)."""
    if actor is not None:
        label = f"{actor.full_name} <{actor.email}>" if actor.full_name else actor.email
    else:
        label = via or "Accord"
    return label[:200]


def audit_value(value: Any) -> Any:
    """A value as an audit entry's JSON keeps it."""
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, models.Model):
        return str(value)
    return value
