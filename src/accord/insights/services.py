"""Releasing a cycle's results: compute once, freeze, and close against earlier releases."""

from __future__ import annotations

import hashlib
import json
import zlib

from django.db import transaction
from django.db.models import Max

from accord.access.models import User
from accord.insights.drivers import compute_drivers
from accord.insights.engine import ReleasePolicy, release_results
from accord.insights.exporting import scope_key, scope_units
from accord.insights.ledger import ReleaseRecord
from accord.insights.loading import load_cycle
from accord.insights.models import Release, ReleaseExport
from accord.insights.selectors import ReleaseView
from accord.insights.snapshot import dump_report
from accord.insights.tasks import build_release_export
from accord.surveys.models import Cycle


class ReleaseError(Exception):
    """A release that cannot be made; the message says why."""


def release_cycle(*, cycle: Cycle, by: User | None = None, note: str = "") -> Release:
    """Compute and store the next release of a published cycle's results.

    The first release happens when the cycle is published; a later one (after late
    corrections, a deleted response or a re-organisation) is closed against the union of
    every earlier release of the cycle, for all viewers together.
    """
    with transaction.atomic():
        cycle = Cycle.objects.select_for_update().select_related("organisation").get(pk=cycle.pk)
        if cycle.status != Cycle.Status.PUBLISHED:
            raise ReleaseError("Results are released only for a published cycle.")
        inputs = load_cycle(cycle)
        previous = [
            ReleaseRecord.from_json(json.loads(zlib.decompress(bytes(blob))))
            for blob in cycle.releases.order_by("number").values_list("ledger", flat=True)
        ]
        policy = ReleasePolicy(cycle.min_group_size, cycle.min_comment_group_size)
        report = release_results(
            inputs.data, inputs.tree, inputs.dimensions, inputs.instrument, policy, previous
        )
        assert report.ledger_entry is not None  # the loader always passes response ids
        drivers = compute_drivers(inputs.data, inputs.tree, inputs.instrument, report)
        last = cycle.releases.aggregate(last=Max("number"))["last"] or 0
        released = int(report.table.released.sum())
        snapshot = dump_report(report)
        return Release.objects.create(
            cycle=cycle,
            number=last + 1,
            created_by=by,
            note=note[:300],
            released_groups=released,
            hidden_groups=len(report.table.released) - released,
            snapshot=snapshot,
            digest=hashlib.sha256(snapshot).hexdigest(),
            ledger=zlib.compress(json.dumps(report.ledger_entry.to_json()).encode("ascii")),
            drivers=drivers.to_json(),
        )


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
