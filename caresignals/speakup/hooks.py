"""What speak-up tells the layers above it, without importing them (ADR 16).

`reporter_replied` is sent after the reporter's message is committed, with `case_id` only:
never the message, and the receivers keep no time finer than the day (H37).
"""

from __future__ import annotations

from django.dispatch import Signal

reporter_replied = Signal()
