"""gunicorn's access log without survey tokens or respondents' addresses."""

from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger

from accord.core.logging import redact_survey_links


class AccordAccessLogger(Logger):
    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        if str(atoms.get("U", "")).startswith("/s/"):
            # Survey pages: no client address and no token, whatever the log format asks for.
            atoms["h"] = "-"
            for key in ("U", "r"):
                atoms[key] = redact_survey_links(str(atoms.get(key, "")))
            atoms["q"] = ""
        return atoms
