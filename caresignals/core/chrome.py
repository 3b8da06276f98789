"""The header and footer every page carries, drawn once and reused.

The design system's header and footer macros are the costliest part of a page once its
content is cached, yet they vary only with who is signed in and where they are. They are
drawn with a placeholder where the sign-out form's CSRF token goes, kept, and the token put
in per request, so nothing secret is ever shared between requests.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.template import engines
from django.urls import reverse
from markupsafe import Markup

_CSRF = "<!--cs-csrf-->"


def _template(name: str) -> Any:
    return engines["jinja2"].env.get_template(name)  # type: ignore[attr-defined]


@lru_cache(maxsize=1024)
def _header(
    display_name: str,
    signed_in: bool,
    nav_links: tuple[tuple[str, str, bool, bool], ...],
    synthetic: bool,
) -> str:
    return str(
        _template("core/header.jinja").render(
            display_name=display_name,
            signed_in=signed_in,
            nav_links=nav_links,
            synthetic=synthetic,
            csrf_input=Markup(_CSRF),  # noqa: S704 - a fixed marker, replaced per request
        )
    )


@lru_cache(maxsize=1)
def _footer() -> str:
    return str(_template("core/footer.jinja").render())


def header(
    request: Any, csrf_input: Any, nav_items: Any, synthetic: bool, signed_in: bool
) -> Markup:
    path = request.path
    links = []
    for item in nav_items:
        href = reverse(item.url_name)
        current = path == href
        active = href != "/" and path.startswith(href) and not current
        links.append((item.label, href, current, active))
    name = request.user.display_name if signed_in else ""
    html = _header(name, signed_in, tuple(links), bool(synthetic))
    return Markup(html.replace(_CSRF, str(csrf_input)))  # noqa: S704 - our own rendering


def footer() -> Markup:
    return Markup(_footer())  # noqa: S704 - our own rendering
