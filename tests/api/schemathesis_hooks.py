"""Loaded by the Schemathesis run in test_generated_requests.py (SCHEMATHESIS_HOOKS).

Schemathesis's own positive-data check expects every request that fits the document to
succeed. Some cannot, and the document says why: a 422 whose every problem is of kind
``refused`` is a rule of the organisation's data (a conversation already cancelled, a time in
the past, a name another team has), which no schema can state. Every other 422 for a request
that fits the document, and anything else the built-in check catches, still fails the run.
"""

from __future__ import annotations

from typing import Any

import schemathesis
from schemathesis.specs.openapi.checks import positive_data_acceptance


def _refused_by_a_rule(response: Any) -> bool:
    if response.status_code != 422:
        return False
    try:
        problems = response.json().get("errors") or []
    except ValueError:
        return False
    return bool(problems) and all(problem.get("kind") == "refused" for problem in problems)


def _id_from_a_null(case: Any) -> bool:
    """A sequence of calls may carry a null from one answer (a goal without a team) into the
    next call's path, as /teams/None: that request does not fit the document."""
    return any(value is None for value in (case.path_parameters or {}).values())


@schemathesis.check
def fitting_requests_accepted_unless_a_rule_refuses(ctx: Any, response: Any, case: Any) -> Any:
    if _refused_by_a_rule(response) or _id_from_a_null(case):
        return None
    return positive_data_acceptance(ctx, response, case)
