"""The watchlist: every service and provider ranked by concern for a month.

The signal engine replaces this module's body; until then the list is empty.
"""

from __future__ import annotations

from caresignals.signals.types import WatchlistEntry


def compute_watchlist(period: str) -> list[WatchlistEntry]:
    """Entries with at least one signal fired in `period` (YYYY-MM), most concerning first."""
    return []
