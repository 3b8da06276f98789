"""The signals domain's HTTP API endpoints.

They register on the one API in caresignals.api.endpoints, which imports this module.
"""

from caresignals.signals import endpoints_watchlist as _watchlist  # noqa: F401
