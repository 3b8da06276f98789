"""What voice tells the layers above it, without importing them (ADR 16).

The experience indicators counted from feedback records (measures, ADR 17) sit above voice,
so voice sends these signals and measures connects to them in its AppConfig.ready().
Receivers run synchronously, in the sender's transaction.
"""

from __future__ import annotations

from django.dispatch import Signal

# One piece of feedback was received (a public form, the API): sent inside the write
# transaction with `provider_months`, the (provider id, first day of month) pairs whose counts
# it changes; the receiver recounts them after the transaction commits.
feedback_received = Signal()

# An import stored or changed feedback: sent at its end, inside its transaction, with
# `provider_months` (every month a stored row was in, or is in now).
feedback_imported = Signal()
