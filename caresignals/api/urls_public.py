"""URLs of the public open-data API, under /api/public/v1/ (caresignals/urls.py): open to
anyone, read-only (api/public.py)."""

from __future__ import annotations

from caresignals.api.public import public_api
from caresignals.api.urls import patterns_of

app_name = "public_api"
urlpatterns = patterns_of(public_api)
