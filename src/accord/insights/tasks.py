"""Queue tasks for results: building exports too large for a request."""

from __future__ import annotations

import logging
from dataclasses import replace

import numpy as np
from django.utils import timezone
from huey.contrib.djhuey import db_task

from accord.insights.exporting import export_release
from accord.insights.models import ReleaseExport
from accord.insights.selectors import whole_release

logger = logging.getLogger(__name__)


@db_task()
def build_release_export(export_id: int) -> None:
    export = ReleaseExport.objects.select_related("release__cycle__organisation").get(pk=export_id)
    if export.status == ReleaseExport.Status.READY:
        return
    release = export.release
    view = whole_release(release.cycle, release.number)
    if export.units:
        visible = np.zeros(len(view.report.tree), dtype=bool)
        visible[export.units] = True
        view = replace(view, visible=visible)
    try:
        built = export_release(view, export.fmt)
    except Exception:
        logger.exception("export %s of release %s failed", export.fmt, release.pk)
        export.status = ReleaseExport.Status.FAILED
        export.finished_at = timezone.now()
        export.save(update_fields=["status", "finished_at"])
        raise
    export.content = built.content
    export.filename = built.filename
    export.status = ReleaseExport.Status.READY
    export.finished_at = timezone.now()
    export.save(update_fields=["content", "filename", "status", "finished_at"])
