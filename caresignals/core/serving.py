"""What `caresignals serve` tells gunicorn beyond its settings: an access log that never
records the anonymous routes, and no `Server` header.

The access log drops the line for an anonymous route entirely rather than blanking the address
and browser: what is left (the path, which on the old speak-up API names the case, and the
second it arrived) can still be set beside a door log or a rota, and nobody needs to count
those requests from the log. Every other request is logged as gunicorn always has.

Gunicorn writes `Server: gunicorn` itself, before the application's headers, and has no
setting to leave it out: `hide_server_header` wraps the one method that writes its default
headers and drops that line. The wrapper is installed once, in the process that forks the
workers, so every worker inherits it.
"""

from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger
from gunicorn.http import wsgi

from caresignals.core.anonymity import is_anonymous_route


class AccessLogWithoutAnonymousRoutes(Logger):
    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> None:
        path = environ.get("PATH_INFO") or getattr(req, "path", "") or ""
        if is_anonymous_route(str(path)):
            return
        super().access(resp, req, environ, request_time)


def hide_server_header() -> None:
    response = wsgi.Response
    if getattr(response.default_headers, "_without_server", False):
        return
    original = response.default_headers

    def default_headers(self: Any) -> list[str]:
        return [h for h in original(self) if not h.lower().startswith("server:")]

    default_headers._without_server = True  # type: ignore[attr-defined]
    response.default_headers = default_headers
