"""The routes where a sender must not be recognisable, in one place (ADR 13, hazards H17, H37).

An anonymous speak-up reporter, and a patient or member of the public giving feedback or
reporting a concern, send nothing that names them; a server log line would (the client's
address, its browser and the second it arrived, set beside the case the path names). Anything
that logs requests asks `is_anonymous_route` first: the access log of `caresignals serve`
(core/serving.py), Django's request log (`DropAnonymousRoutes`, settings.LOGGING), and the
README's reverse-proxy configuration, which lists the same paths.

Paths are matched as Django sees them (no query string). A path listed in `EXACT` matches only
itself; one in `PREFIXES` matches everything beneath it.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.utils import timezone

# Everything beneath these: the public API (events, feedback, speak-up, old and new routes),
# the anonymous speak-up pages, the public concern and feedback pages.
PREFIXES: tuple[str, ...] = (
    "/api/v1/public",  # no trailing slash: `POST /api/v1/public/speakup` has none either
    "/speak-up/anonymous/",
    "/speak-up/case/",
    "/report-a-concern/",
    "/feedback/give/",
    "/feedback/easy-read/",
    "/feedback/providers/",
)
# The public start page and the feedback start page only: the staff pages beneath
# /feedback/ (/feedback/manage/…) are logged. `/` is where a member of the public starts.
EXACT: tuple[str, ...] = ("/", "/feedback/")


def is_anonymous_route(path: str) -> bool:
    path = path.split("?", 1)[0]
    return path in EXACT or path.startswith(PREFIXES)


class DropAnonymousRoutes(logging.Filter):
    """A logging filter: drops records about a request to an anonymous route (Django's
    `django.request` records carry the request; a 404 or 429 there would name the path)."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        path = getattr(request, "path", None)
        return not (isinstance(path, str) and is_anonymous_route(path))


def day_only(moment: dt.datetime | None = None) -> dt.datetime:
    """The coarse time kept on an anonymous or public record where a timestamp column must
    hold something: midnight (UTC) starting the local day of `moment` (now by default), so
    the row says which day and nothing of the hour."""
    local = timezone.localtime(moment or timezone.now())
    return dt.datetime.combine(local.date(), dt.time(0), tzinfo=dt.UTC)
