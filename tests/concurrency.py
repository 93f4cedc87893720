"""Running actions at the same instant on real database connections, for race tests."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.db import connection

from accord.refusals import Refusal


def at_once(*actions: Callable[[], Any]) -> list[Any]:
    """Run each action on its own thread and connection, released together; each result is
    what it returned or the refusal it raised."""
    start = threading.Barrier(len(actions))
    results: list[Any] = [None] * len(actions)

    def run(n: int, action: Callable[[], Any]) -> None:
        try:
            start.wait()
            results[n] = action()
        except Refusal as refusal:
            results[n] = refusal
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n, a)) for n, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results
