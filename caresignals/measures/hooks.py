"""What measures tells the layers above it, without importing them (ADR 16)."""

from __future__ import annotations

from django.dispatch import Signal

# Occupied bed days were imported: the event rates per 1,000 bed days (analytics) must be
# recomputed. Sent with `months`, the (provider id, month) pairs whose denominators changed.
bed_days_imported = Signal()
