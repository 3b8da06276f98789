"""The inbox fixture: Django's SMTP backend pointed at a real server process (smtp.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from aiosmtpd.controller import Controller

from tests.notifications.smtp import Inbox, free_port


@pytest.fixture
def inbox(settings) -> Iterator[Inbox]:
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.CARESIGNALS_BASE_URL = "https://care-signals.example.nhs.uk"
    try:
        yield handler
    finally:
        controller.stop()
