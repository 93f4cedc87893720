"""Releasing a cycle's results: compute once, freeze, and close against earlier releases."""

from __future__ import annotations

import hashlib
import json
import unicodedata
import zlib
from dataclasses import replace

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils.module_loading import import_string

from accord.access.models import User
from accord.insights.data import InsightsInputError
from accord.insights.drivers import compute_drivers
from accord.insights.engine import (
    CHANGED_SINCE_RELEASE,
    REASONS,
    CommentList,
    ReleasePolicy,
    Report,
    release_results,
)
from accord.insights.exporting import scope_key, scope_units
from accord.insights.ledger import ReleaseRecord
from accord.insights.loading import load_cycle
from accord.insights.models import Release, ReleaseExport
from accord.insights.selectors import ReleaseView
from accord.insights.snapshot import dump_report, load_report
from accord.insights.tasks import build_release_export
from accord.insights.text import theme_comments
from accord.surveys.models import Cycle


class ReleaseError(Exception):
    """A release that cannot be made; the message says why."""


NOTE_LENGTH = 300


def clean_note(note: str) -> str:
    """A release's note as stored and shown: one line of text, no control characters."""
    note = note.strip()
    if any(unicodedata.category(c) == "Cc" for c in note):
        raise ReleaseError("The note cannot contain control characters or line breaks.")
    if len(note) > NOTE_LENGTH:
        raise ReleaseError(f"The note can be at most {NOTE_LENGTH} characters.")
    return note


def release_cycle(*, cycle: Cycle, by: User | None = None, note: str = "") -> Release:
    """Compute and store the next release of a published cycle's results.

    The first release happens when the cycle is published; a later one (after a deleted
    response or a re-organisation) is closed against the union of every earlier release of
    the cycle, for all viewers together. Comments are released once: a later release shows
    exactly the lists the first one showed for the same groups, because two versions of a
    list, set side by side, would single out the comments that moved between them.
    """
    note = clean_note(note)
    with transaction.atomic():
        cycle = Cycle.objects.select_for_update().select_related("organisation").get(pk=cycle.pk)
        if cycle.status != Cycle.Status.PUBLISHED:
            raise ReleaseError("Results are released only for a published cycle.")
        earlier = list(cycle.releases.order_by("number").values_list("ledger", "snapshot"))
        previous = [
            ReleaseRecord.from_json(json.loads(zlib.decompress(bytes(ledger))))
            for ledger, _ in earlier
        ]
        try:
            inputs = load_cycle(cycle)
            policy = ReleasePolicy(cycle.min_group_size, cycle.min_comment_group_size)
            report = release_results(
                inputs.data, inputs.tree, inputs.dimensions, inputs.instrument, policy, previous
            )
            drivers = compute_drivers(inputs.data, inputs.tree, inputs.instrument, report)
        except (InsightsInputError, ValueError) as error:
            raise ReleaseError(f"The results cannot be computed: {error}") from error
        if earlier:
            report = _with_first_comments(report, load_report(bytes(earlier[0][1])))
        assert report.ledger_entry is not None  # the loader always passes response ids
        last = cycle.releases.aggregate(last=Max("number"))["last"] or 0
        released = int(report.table.released.sum())
        snapshot = dump_report(report)
        return Release.objects.create(
            cycle=cycle,
            number=last + 1,
            created_by=by,
            note=note,
            released_groups=released,
            hidden_groups=len(report.table.released) - released,
            snapshot=snapshot,
            digest=hashlib.sha256(snapshot).hexdigest(),
            ledger=zlib.compress(json.dumps(report.ledger_entry.to_json()).encode("ascii")),
            drivers=drivers.to_json(),
            comment_themes=_comment_themes(report),
        )


def _comment_themes(report: Report) -> dict[str, list[list[str]]]:
    """Themes of every shown comment, found once at release: by the organisation's embedding
    model when one is configured, else by Accord's word lists."""
    shown = [c for c in report.comments if c.released and c.texts]
    texts = sorted({text for c in shown for text in c.texts or ()})
    model = (
        import_string(settings.ACCORD_COMMENT_THEME_MODEL)
        if settings.ACCORD_COMMENT_THEME_MODEL
        else None
    )
    found = dict(zip(texts, theme_comments(texts, model), strict=True))
    return {f"{c.group}:{c.item}": [list(found[text]) for text in c.texts or ()] for c in shown}


def _with_first_comments(report: Report, first: Report) -> Report:
    """``report`` with each comment list exactly as the first release showed it for the same
    unit (by id), filter and question; lists it did not show stay hidden, with the reason."""
    shown: dict[tuple[str, str | None, str | None, str], tuple[str, ...]] = {}
    for comments in first.comments:
        if comments.released and comments.texts is not None:
            group = first.groups[comments.group]
            unit_id = first.tree.ids[group.unit]
            shown[(unit_id, group.dimension, group.value, comments.item)] = comments.texts
    k = report.comment_minimum
    lists = []
    for comments in report.comments:
        group = report.groups[comments.group]
        texts = shown.get(
            (report.tree.ids[group.unit], group.dimension, group.value, comments.item)
        )
        if texts is not None and group.released:
            lists.append(CommentList(comments.group, comments.item, True, texts))
        else:
            reason = REASONS[CHANGED_SINCE_RELEASE].format(k=k)
            lists.append(
                CommentList(
                    comments.group, comments.item, False,
                    reason_code=CHANGED_SINCE_RELEASE, reason=reason,
                )
            )  # fmt: skip
    return replace(report, comments=tuple(lists))


def request_export(*, view: ReleaseView, fmt: str) -> ReleaseExport:
    """The queued export of this release for the viewer's units, asked for once per scope."""
    units = scope_units(view)
    export, created = ReleaseExport.objects.get_or_create(
        release=view.release, scope_key=scope_key(units), fmt=fmt, defaults={"units": units}
    )
    if created or export.status == ReleaseExport.Status.FAILED:
        if not created:
            export.status = ReleaseExport.Status.PENDING
            export.save(update_fields=["status"])
        export_id = export.pk
        transaction.on_commit(lambda: build_release_export(export_id))
    return export
