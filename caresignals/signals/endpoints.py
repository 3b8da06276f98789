"""The signals domain's HTTP API endpoints: one router for the app, composed into the one API
in caresignals/api/endpoints.py.
"""

from caresignals.signals.watchlist.endpoints import router

__all__ = ["router"]
