"""A real SMTP server on loopback (aiosmtpd) that counts what it accepts, or refuses it."""

from __future__ import annotations

import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from aiosmtpd.controller import Controller


class MailServer:
    """Accepts every message, a little slowly, and counts who it was for; while
    ``refusing`` is set it answers "451 try again later" instead, as a busy server does."""

    def __init__(self) -> None:
        self.recipients: Counter[str] = Counter()
        self.refusing = False
        self.port = 0
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refusing:
            return "451 Try again later"
        time.sleep(0.002)  # a real server takes a moment, so a kill can land mid-batch
        with self._lock:
            self.recipients.update(envelope.rcpt_tos)
        return "250 OK"

    def accepted(self) -> int:
        with self._lock:
            return sum(self.recipients.values())


@pytest.fixture
def mail_server() -> Iterator[MailServer]:
    server = MailServer()
    with socket.socket() as probe:  # a free port: the controller checks it can connect to it
        probe.bind(("127.0.0.1", 0))
        server.port = probe.getsockname()[1]
    controller = Controller(server, hostname="127.0.0.1", port=server.port)
    controller.start()
    try:
        yield server
    finally:
        controller.stop()
